"""reconcile(claims) end to end, reading a claims file, and the `reconcile group` command."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from claimkit import article, as_extracted, claim, expression
from typer.testing import CliRunner

import reconcile
from reconcile.cli import app
from reconcile.errors import InputError
from reconcile.models import Article, Claim, Report
from reconcile.pipeline import read_claims


def _extracted_claims() -> list[Claim]:
    """Three outlets on the 5 January 2022 attack, as extraction writes them: words, not dates."""
    return [
        as_extracted(claim(
            "arabic.c1", value="eight rockets", number=8, qualifier="exact", unit="rockets",
            at="a base known as 'Green Village'", date_as_written="yesterday, Wednesday",
            source="coalition statement", source_kind="military", outlet="Asharq", published="2022-01-06",
            referring=[expression("Iran-backed militias", "armed_group", "Iranian-affiliated groups")],
        )),
        as_extracted(claim(
            "jpost.c1", value="eight rockets", number=8, qualifier="exact", unit="rockets",
            at="the Green Village", date_as_written="on Wednesday", source="US-led coalition",
            source_kind="military", outlet="The Jerusalem Post", published="2022-01-05",
            referring=[expression("Iran-backed militias", "armed_group", "Iran-supported malign actors",
                                  "quoted", "US-led coalition")],
        )),
        as_extracted(claim(
            "regional.c1", value="eight rockets", number=8, qualifier="exact", unit="rockets",
            at="Green Village", date_as_written="on January 5", source="coalition", source_kind="military",
            outlet="Regional", published="2022-09-20",
        )),
        as_extracted(claim(
            "regional.c2", facet="casualties", value="There were no casualties", at="Green Village",
            date_as_written="On September 18", outlet="Regional", published="2022-09-20",
        )),
    ]  # fmt: skip


def test_reconcile_normalises_groups_judges_and_compares_framing() -> None:
    report = reconcile.reconcile(_extracted_claims())

    assert isinstance(report, Report)
    by_id = {c.id: c for c in report.claims}
    assert by_id["arabic.c1"].event.date is not None
    assert str(by_id["arabic.c1"].event.date.start) == "2022-01-05"
    assert by_id["arabic.c1"].quantity is not None and by_id["arabic.c1"].quantity.low == 8
    attack = next(e for e in report.events if "arabic.c1" in e.claim_ids)
    assert attack.claim_ids == ["arabic.c1", "jpost.c1", "regional.c1"]
    assert next(e for e in report.events if "regional.c2" in e.claim_ids) is not attack  # 18 September
    rockets = next(f for f in report.findings if f.facet == "munition_count")
    assert (rockets.event_id, rockets.verdict) == (attack.id, "agree")
    assert rockets.explanation == "agree · 3 outlets · 1 original source (US-led coalition)"
    assert [t.referent for t in report.framing] == ["Iran-backed militias"]


def test_the_same_claims_always_give_the_same_report() -> None:
    first = reconcile.reconcile(_extracted_claims()).model_dump_json()
    second = reconcile.reconcile(list(reversed(_extracted_claims()))).model_dump_json()

    assert first == second


def test_articles_given_are_kept_and_give_framing_offsets() -> None:
    text = 'The US-led coalition accused "Iran-supported malign actors" of firing eight rockets.'
    claims = [c for c in _extracted_claims() if c.article_id == "jpost"]
    claims = [
        c.model_copy(update={"quote": c.quote.model_copy(update={"end": len(c.quote.text)})}) for c in claims
    ]

    report = reconcile.reconcile(claims, [article("jpost", text, outlet="The Jerusalem Post")])

    assert [a.id for a in report.articles] == ["jpost"]
    entry = report.framing[0].entries[0]
    assert entry.start is not None and text[entry.start : entry.end] == "Iran-supported malign actors"


def test_claims_about_articles_not_given_are_refused_in_one_sentence() -> None:
    with pytest.raises(InputError, match="claims refer to articles that were not given: arabic, jpost"):
        reconcile.reconcile(_extracted_claims(), [article("regional", "Some text about Green Village.")])


def test_a_claim_id_given_twice_is_refused() -> None:
    claims = _extracted_claims()
    with pytest.raises(InputError, match="claim id arabic.c1 appears more than once"):
        reconcile.reconcile([*claims, claims[0]])


def _write_claims(path: Path, claims: list[Claim], bad_lines: dict[int, str] | None = None) -> Path:
    lines = [c.model_dump_json() for c in claims]
    for index, line in sorted((bad_lines or {}).items()):
        lines.insert(index - 1, line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_bad_line_is_reported_with_file_and_line_and_the_rest_is_read(tmp_path: Path) -> None:
    broken = json.loads(_extracted_claims()[0].model_dump_json())
    broken["facet"] = "rumour"
    path = _write_claims(
        tmp_path / "claims.jsonl", _extracted_claims(), {2: "{not json", 4: json.dumps(broken)}
    )

    claims, problems = read_claims(path)

    assert [c.id for c in claims] == [c.id for c in _extracted_claims()]
    assert [str(p) for p in problems] == [
        f"{path}:2: not valid JSON (Expecting property name enclosed in double quotes, column 2).",
        f"{path}:4: not a valid claim (facet: Input should be 'munition_count', 'munition_type', 'killed', "
        "'injured', 'casualties', 'damage', 'perpetrator', 'responsibility', 'target', 'location', 'time', "
        "'launch_site', 'response', 'outcome', 'troop_count', 'attack_count', 'statement' or 'other').",
    ]


def test_a_missing_claims_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_claims(tmp_path / "nothing.jsonl")


def test_group_command_writes_the_report_and_summarises_it(tmp_path: Path) -> None:
    claims_file = _write_claims(tmp_path / "claims.jsonl", _extracted_claims())
    target = tmp_path / "report.json"

    result = CliRunner().invoke(app, ["group", str(claims_file), "-o", str(target)])

    assert result.exit_code == 0, result.output
    report = Report.model_validate_json(target.read_text(encoding="utf-8"))
    assert len(report.claims) == 4
    assert (
        "4 claims · 2 events, 0 topics · 2 findings (1 agree, 1 single source) · 0 possibly-same links"
        in (result.stderr)
    )
    assert result.stdout == ""


def test_group_command_with_a_bad_line_still_writes_the_report_and_exits_partial(tmp_path: Path) -> None:
    claims_file = _write_claims(tmp_path / "claims.jsonl", _extracted_claims(), {3: '{"id": "x"}'})
    target = tmp_path / "report.json"

    result = CliRunner().invoke(app, ["group", str(claims_file), "-o", str(target)])

    assert result.exit_code == 3
    assert f"error: {claims_file}:3: not a valid claim (article_id: Field required; and " in result.stderr
    assert len(Report.model_validate_json(target.read_text(encoding="utf-8")).claims) == 4


def test_group_command_prints_json_on_stdout_for_dash(tmp_path: Path) -> None:
    claims_file = _write_claims(tmp_path / "claims.jsonl", _extracted_claims())

    result = CliRunner().invoke(app, ["group", str(claims_file), "-o", "-"])

    assert result.exit_code == 0
    assert len(Report.model_validate_json(result.stdout).events) == 2


def test_group_command_takes_a_user_gazetteer(tmp_path: Path) -> None:
    gazetteer = tmp_path / "places.yaml"
    gazetteer.write_text(
        "places:\n  - name: Outpost Zulu\n    kind: base\n    within: Deir Ezzor province\n"
        "    aliases: [Zulu outpost]\n",
        encoding="utf-8",
    )
    claims = [
        as_extracted(
            claim("a.c1", at="Outpost Zulu", date_as_written="on January 5", published="2022-01-06")
        ),
        as_extracted(
            claim("b.c1", at="the Zulu outpost", date_as_written="January 5", published="2022-01-07")
        ),
    ]
    claims_file = _write_claims(tmp_path / "claims.jsonl", claims)

    result = CliRunner().invoke(app, ["group", str(claims_file), "-o", "-", "--gazetteer", str(gazetteer)])

    assert result.exit_code == 0, result.output
    events = Report.model_validate_json(result.stdout).events
    assert [(e.label, e.claim_ids) for e in events] == [
        ("rocket attack · Outpost Zulu · 2022-01-05", ["a.c1", "b.c1"])
    ]


def test_group_command_with_no_usable_claim_fails_with_one_line(tmp_path: Path) -> None:
    claims_file = tmp_path / "claims.jsonl"
    claims_file.write_text("nonsense\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["group", str(claims_file)])

    assert isinstance(result.exception, InputError)
    assert str(result.exception) == f"{claims_file}: no valid claim to group."


# --- The sample corpus ---------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def seeds_claims() -> tuple[list[Claim], list[Article]]:
    """The five sample articles and their hand-written claims, replayed."""
    from reconcile.extract import extract
    from reconcile.ingest import ingest

    ingested = ingest([ROOT / "seeds"])
    run = extract(ingested, replay=ROOT / "fixtures" / "seeds", strict=True, no_cache=True)
    assert not run.failures
    return list(run.claims), list(ingested.articles)


@pytest.fixture(scope="module")
def seeds_report(seeds_claims: tuple[list[Claim], list[Article]]) -> Report:
    claims, articles = seeds_claims
    return reconcile.reconcile(claims, articles)


def test_seeds_report_does_not_depend_on_the_order_of_the_claims(
    seeds_claims: tuple[list[Claim], list[Article]], seeds_report: Report
) -> None:
    claims, articles = seeds_claims
    shuffled = claims[:]
    random.Random(3).shuffle(shuffled)

    assert reconcile.reconcile(shuffled, articles).model_dump_json() == seeds_report.model_dump_json()


def _finding_about(report: Report, facet: str, words: str) -> tuple[str, str, str]:
    """(event label, verdict, explanation) of the finding on ``facet`` whose values mention ``words``."""
    events = {e.id: e for e in report.events}
    for finding in report.findings:
        if finding.facet == facet and any(words in v.value for v in finding.values):
            return events[finding.event_id].label, finding.verdict, finding.explanation
    raise AssertionError(f"no {facet} finding mentions {words!r}")


def test_seeds_eight_rockets_agree_in_three_outlets_from_one_original_source(seeds_report: Report) -> None:
    label, verdict, explanation = _finding_about(seeds_report, "munition_count", "eight rockets")
    assert label == "rocket attack · Green Village · 2022-01-05"
    assert (verdict, explanation) == ("agree", "agree · 3 outlets · 1 original source (US-led coalition)")


def test_seeds_response_is_complementary_not_contradictory(seeds_report: Report) -> None:
    _label, verdict, explanation = _finding_about(seeds_report, "response", "six artillery shells")
    assert verdict == "complementary"
    assert "airstrikes against rocket launch sites" in explanation


def test_seeds_conoco_is_a_gas_field_in_one_outlet_and_an_oil_field_in_another(seeds_report: Report) -> None:
    label, verdict, explanation = _finding_about(seeds_report, "location", "Koniko gas field")
    assert label.startswith("Conoco gas field")
    assert verdict == "contradict" and "gas field vs oil field" in explanation
    assert seeds_report.findings[0].explanation == explanation  # the first thing a reader sees


def test_seeds_drones_and_coalition_airstrikes_are_possibly_the_same_event(seeds_report: Report) -> None:
    drones = next(e for e in seeds_report.events if e.label.startswith("airstrike · western Deir Ezzor"))
    airstrikes = next(e for e in seeds_report.events if e.label.startswith("airstrike · al-Mayadeen"))
    link = next(link for link in drones.possibly_same_as if link.event_id == airstrikes.id)
    assert link.reasons[0] == "one day apart (2022-01-05 and 2022-01-06)"
    assert "perpetrator unknown in one" in link.reasons


def test_seeds_approximately_900_and_at_least_900_troops_are_compatible(seeds_report: Report) -> None:
    label, verdict, _explanation = _finding_about(seeds_report, "troop_count", "approximately 900")
    assert (label, verdict) == ("troop numbers · Syria", "compatible")


def test_seeds_framing_tables_show_each_outlets_words(seeds_report: Report) -> None:
    tables = {t.referent: t for t in seeds_report.framing}
    base = {(e.outlet, e.expression): e.loaded_terms for e in tables["Green Village base"].entries}
    assert base[("RT", "an illegal US military base sitting atop the Al-Omar oil field")] == ["illegal"]
    assert base[("The Jerusalem Post", "base hosting US forces")] == []
    militias = {(e.expression, e.voice): e.loaded_terms for e in tables["Iran-backed militias"].entries}
    assert militias[("Iran-supported malign actors", "quoted")] == ["malign"]
    assert militias[("self-defense militias", "own")] == ["self-defense"]
    assert militias[("Iran-backed militias", "own")] == []
    for table in seeds_report.framing:
        for entry in table.entries:
            text = seeds_report.article(entry.article_id).text
            assert entry.start is not None and text[entry.start : entry.end] == entry.expression
