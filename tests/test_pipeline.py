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
from reconcile.models import Article, ArticleFailure, Claim, ExtractionRun, Finding, Report, Usage
from reconcile.pipeline import UNCHECKED_GROUNDING, read_claims


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


def test_claims_about_articles_not_given_are_kept_unchecked_and_count_for_nothing() -> None:
    text = "On January 5 eight rockets hit Green Village. There were no casualties."
    claims = [
        c.model_copy(update={"quote": c.quote.model_copy(update={"text": "eight rockets"})})
        if c.id == "regional.c1"
        else c
        for c in _extracted_claims()
    ]

    report = reconcile.reconcile(claims, [article("regional", text, outlet="Regional")])

    by_id = {c.id: c for c in report.claims}
    for claim_id in ("arabic.c1", "jpost.c1"):
        assert by_id[claim_id].grounding.status == "unchecked"
        assert by_id[claim_id].quote.start is None
        assert "was not among the articles given" in (by_id[claim_id].grounding.note or "")
    assert by_id["regional.c1"].grounded
    rockets = next(f for f in report.findings if f.facet == "munition_count")
    assert (rockets.verdict, rockets.outlets) == ("single_source", ["Regional"])
    assert report.run.warnings == [
        "2 claims refer to articles that were not given (arabic, jpost): kept as unchecked, "
        "they count for nothing."
    ]


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
def seeds_run() -> tuple[ExtractionRun, list[Article]]:
    """The five sample articles and the extraction run of their hand-written claims, replayed."""
    from reconcile.extract import extract
    from reconcile.ingest import ingest

    ingested = ingest([ROOT / "seeds"])
    run = extract(ingested, replay=ROOT / "fixtures" / "seeds", strict=True, no_cache=True)
    assert not run.failures
    return run, list(ingested.articles)


@pytest.fixture(scope="module")
def seeds_claims(seeds_run: tuple[ExtractionRun, list[Article]]) -> tuple[list[Claim], list[Article]]:
    run, articles = seeds_run
    return list(run.claims), articles


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


# --- Grounding is checked again, never taken from a claims file on trust ------------

SEEDS = ROOT / "seeds"
ARABIC = "000_c264fff437d45357"


def _tampered(claims: list[Claim]) -> list[Claim]:
    """The claims with the eight rockets of the first article edited to twelve; the quote still says eight."""
    eight = next(c for c in claims if c.article_id == ARABIC and c.value == "eight rockets")
    assert "targeted by eight rockets" in eight.quote.text and eight.grounded
    twelve = eight.model_copy(update={"value": "twelve rockets", "number": 12.0})
    return [twelve if c.id == eight.id else c for c in claims]


def _green_village_rockets(report: Report) -> Finding:
    events = {e.id: e.label for e in report.events}
    return next(
        f
        for f in report.findings
        if f.facet == "munition_count" and events[f.event_id] == "rocket attack · Green Village · 2022-01-05"
    )


def test_a_number_edited_in_the_claims_is_caught_against_the_article_text(
    seeds_claims: tuple[list[Claim], list[Article]],
) -> None:
    claims, articles = seeds_claims

    report = reconcile.reconcile(_tampered(claims), articles)

    twelve = next(c for c in report.claims if c.value == "twelve rockets")
    assert (twelve.grounding.status, twelve.grounding.missing_numbers) == ("number_not_in_quote", ["12"])
    rockets = _green_village_rockets(report)
    assert rockets.verdict == "agree"  # not a contradiction between 12 and 8
    assert rockets.explanation == (
        "agree · 2 outlets · 1 original source (US-led coalition) · 1 ungrounded value not counted"
    )
    assert report.run.warnings == []


def test_offsets_edited_in_the_claims_are_found_again_in_the_article(
    seeds_claims: tuple[list[Claim], list[Article]],
) -> None:
    claims, articles = seeds_claims
    shifted = [
        c.model_copy(update={"quote": c.quote.model_copy(update={"start": 0, "end": 5})}) for c in claims
    ]

    report = reconcile.reconcile(shifted, articles)

    texts = {a.id: a.text for a in articles}
    for checked in report.claims:
        if checked.grounded:
            assert checked.quote.start is not None and checked.quote.end is not None
            assert texts[checked.article_id][checked.quote.start : checked.quote.end] == checked.quote.text


def test_a_quote_edited_to_words_the_article_does_not_contain_is_not_support(
    seeds_claims: tuple[list[Claim], list[Article]],
) -> None:
    claims, articles = seeds_claims
    eight = next(c for c in claims if c.article_id == ARABIC and c.value == "eight rockets")
    forged = eight.model_copy(
        update={
            "value": "twelve rockets",
            "number": 12.0,
            "quote": eight.quote.model_copy(
                update={"text": "the base was targeted by twelve rockets overnight"}
            ),
        }
    )

    report = reconcile.reconcile([forged if c.id == eight.id else c for c in claims], articles)

    assert report.claim(eight.id).grounding.status == "quote_not_found"
    assert _green_village_rockets(report).verdict == "agree"


def test_group_command_with_articles_checks_every_quote_again(
    seeds_claims: tuple[list[Claim], list[Article]], tmp_path: Path
) -> None:
    claims, _articles = seeds_claims
    claims_file = _write_claims(tmp_path / "claims.jsonl", _tampered(claims))

    result = CliRunner().invoke(app, ["group", str(claims_file), "--articles", str(SEEDS), "-o", "-"])

    assert result.exit_code == 0, result.output
    report = Report.model_validate_json(result.stdout)
    assert _green_village_rockets(report).verdict == "agree"
    assert "unchecked" not in result.stderr


def test_group_command_without_articles_says_the_grounding_is_unchecked(
    seeds_claims: tuple[list[Claim], list[Article]], tmp_path: Path
) -> None:
    claims, _articles = seeds_claims
    claims_file = _write_claims(tmp_path / "claims.jsonl", _tampered(claims))

    result = CliRunner().invoke(app, ["group", str(claims_file), "-o", "-"])

    assert result.exit_code == 0, result.output
    assert (
        f"warning: grounding taken from {claims_file} unchecked: no --articles given, so no quote or "
        "number was checked against its article." in " ".join(result.stderr.split())
    )
    report = Report.model_validate_json(result.stdout)
    assert report.run.warnings == [UNCHECKED_GROUNDING]
    assert _green_village_rockets(report).verdict == "contradict"  # what the file claims, unchecked


# --- Who wrote the claims: the extraction run travels into the report --------------


def test_reconciling_an_extraction_run_keeps_who_wrote_the_claims_and_what_it_cost(
    seeds_run: tuple[ExtractionRun, list[Article]],
) -> None:
    from reconcile.render import render_markdown

    run, articles = seeds_run

    report = reconcile.reconcile(run, articles)

    assert report.run.replay_dir == str(ROOT / "fixtures" / "seeds")
    assert (report.run.model, report.run.mode) == (run.model, "tools")
    assert report.run.recorded_by == ["hand-written"]
    assert report.run.usage == run.usage and report.run.usage.replayed == 5
    assert sorted(report.run.article_usage) == sorted(a.id for a in articles)
    assert "replayed fixtures (hand-written)" in render_markdown(report)
    assert report.model_dump_json(exclude={"run"}) == (
        reconcile.reconcile(run.claims, articles).model_dump_json(exclude={"run"})
    )


def test_a_runs_warnings_and_failed_articles_reach_the_report() -> None:
    green = article("green", "Eight rockets hit Green Village on Wednesday.")
    late = article("late", "Four rockets hit a base on Monday.").model_copy(
        update={"path": "corpus/late.txt"}
    )
    run = ExtractionRun(
        claims=[claim("green.c1", quote="Eight rockets hit Green Village", number=8)],
        failures=[ArticleFailure(article_id="late", reason="No recorded extract answer for article late")],
        article_ids=["green", "late"],
        usage=Usage(calls=2, input_tokens=300),
        article_usage={"green": Usage(calls=1, input_tokens=150), "late": Usage(calls=1, input_tokens=150)},
        model="gpt-4o-mini",
        mode="tools",
        warnings=["Stale fixture extract--green--c0--tools--0123456789ab.json: the prompt changed"],
    )

    report = reconcile.reconcile(run, [green, late])

    assert report.run.warnings == run.warnings
    assert report.run.article_usage == run.article_usage and report.run.usage.calls == 2
    assert [(f.article_id, f.path) for f in report.failures] == [("late", "corpus/late.txt")]


# --- The user's own places, vocabulary and source aliases ---------------------------


def _perpetrators() -> list[Claim]:
    return [
        as_extracted(claim("a.c1", facet="perpetrator", value="Kataib Sayyid al-Shuhada")),
        as_extracted(claim("b.c1", facet="perpetrator", value="KSS fighters")),
    ]


def _monitors() -> list[Claim]:
    return [
        as_extracted(claim("a.c1", number=8, source="Sentinel Monitor", source_kind="monitor")),
        as_extracted(claim("b.c1", number=8, source="the SM watchdog", source_kind="monitor")),
    ]


LEXICON = """\
referents:
  - name: Kataib Sayyid al-Shuhada
    kind: armed_group
    aliases: [KSS, KSS fighters]
"""
SOURCE_ALIASES = """\
sources:
  - name: Sentinel Monitor
    kind: monitor
    aliases: [SM watchdog]
"""


def test_a_lexicon_file_tells_the_reconciler_two_names_are_one_group(tmp_path: Path) -> None:
    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_text(LEXICON, encoding="utf-8")

    assert reconcile.reconcile(_perpetrators()).findings[0].verdict == "contradict"
    assert reconcile.reconcile(_perpetrators(), lexicon=lexicon).findings[0].verdict == "agree"
    assert reconcile.reconcile(_perpetrators(), lexicon=str(lexicon)).findings[0].verdict == "agree"


def test_a_source_aliases_file_makes_two_names_one_original_source(tmp_path: Path) -> None:
    aliases = tmp_path / "source-aliases.yaml"
    aliases.write_text(SOURCE_ALIASES, encoding="utf-8")

    assert reconcile.reconcile(_monitors()).findings[0].original_sources == [
        "Sentinel Monitor",
        "the SM watchdog",
    ]
    finding = reconcile.reconcile(_monitors(), source_aliases=aliases).findings[0]
    assert finding.original_sources == ["Sentinel Monitor"]
    assert finding.explanation == "agree · 2 outlets · 1 original source (Sentinel Monitor)"


def test_group_command_takes_a_lexicon_and_source_aliases(tmp_path: Path) -> None:
    (tmp_path / "lexicon.yaml").write_text(LEXICON, encoding="utf-8")
    (tmp_path / "aliases.yaml").write_text(SOURCE_ALIASES, encoding="utf-8")
    perpetrators = _write_claims(tmp_path / "perpetrators.jsonl", _perpetrators())
    monitors = _write_claims(tmp_path / "monitors.jsonl", _monitors())

    by_lexicon = CliRunner().invoke(
        app, ["group", str(perpetrators), "-o", "-", "--lexicon", str(tmp_path / "lexicon.yaml")]
    )
    by_aliases = CliRunner().invoke(
        app, ["group", str(monitors), "-o", "-", "--source-aliases", str(tmp_path / "aliases.yaml")]
    )

    assert by_lexicon.exit_code == 0 and by_aliases.exit_code == 0, by_lexicon.output + by_aliases.output
    assert Report.model_validate_json(by_lexicon.stdout).findings[0].verdict == "agree"
    assert Report.model_validate_json(by_aliases.stdout).findings[0].original_sources == ["Sentinel Monitor"]


BAD_FILES = {
    "missing": (None, "cannot be read (No such file or directory)."),
    "not YAML": ("referents: [\n", "not valid YAML"),
    "not UTF-8": (b"\xff\xfe\x00referents", "not UTF-8 text."),
    "a list": ("- a\n- b\n", "expected a mapping at the top level."),
}


@pytest.mark.parametrize("kind", ["lexicon", "source_aliases", "gazetteer"])
@pytest.mark.parametrize("problem", sorted(BAD_FILES))
def test_a_data_file_that_cannot_be_used_is_one_error_naming_it(
    kind: str, problem: str, tmp_path: Path
) -> None:
    path = tmp_path / f"my-{kind}.yaml"
    content, _message = BAD_FILES[problem]
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(InputError) as raised:
        reconcile.reconcile(_monitors(), **{kind: path})  # type: ignore[arg-type]

    assert str(raised.value).startswith(f"{path}: ")
    assert len(str(raised.value).splitlines()) == 1


@pytest.mark.parametrize(
    ("kind", "content", "message"),
    [
        ("lexicon", "referents: [{name: KSS}]\n", "referent 1 needs a 'name' and a 'kind'."),
        ("lexicon", "referents: [{name: KSS, kind: militia}]\n",
         "referent 'KSS' has kind 'militia'; use one of"),
        ("lexicon", "referents: [{name: KSS, kind: armed_group, aliases: KSS fighters}]\n",
         "the aliases of 'KSS' must be a list of words or names."),
        ("lexicon", "loaded_term: [heroic]\n",
         "unknown top-level key 'loaded_term'; expected 'loaded_terms'"),
        ("lexicon", "exclusive: {outcome: [[hit]]}\n", "exclusive set 'outcome' needs at least two lists"),
        ("source_aliases", "sources: [{name: SM, aliases: SM watchdog}]\n",
         "the aliases of 'SM' must be a list of words or names."),
        ("source_aliases", "sources: [{aliases: [SM]}]\n", "source 1 needs a 'name'."),
        ("source_aliases", (SEEDS / "sources.yaml").read_text(encoding="utf-8"),
         "not a source-aliases file: expected a top-level 'sources' list of original sources"),
    ],
)  # fmt: skip
def test_a_data_file_of_the_wrong_shape_is_one_error_naming_it(
    kind: str, content: str, message: str, tmp_path: Path
) -> None:
    path = tmp_path / f"my-{kind}.yaml"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(InputError) as raised:
        reconcile.reconcile(_monitors(), **{kind: path})  # type: ignore[arg-type]

    assert str(raised.value).startswith(f"{path}: ") and message in str(raised.value)


def test_an_edited_data_file_is_read_again(tmp_path: Path) -> None:
    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_text(LEXICON, encoding="utf-8")
    assert reconcile.reconcile(_perpetrators(), lexicon=lexicon).findings[0].verdict == "agree"

    lexicon.write_text(
        LEXICON.replace("aliases: [KSS, KSS fighters]", "aliases: []") + "\n", encoding="utf-8"
    )

    assert reconcile.reconcile(_perpetrators(), lexicon=lexicon).findings[0].verdict == "contradict"
