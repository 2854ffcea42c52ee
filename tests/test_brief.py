"""The whole chain over the sample articles: files -> replayed extraction -> reconcile -> brief.

Runs offline from the hand-written fixtures in fixtures/seeds, as the README's
main command does, and checks what a reader of the brief relies on.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reconcile.brief import build_brief
from reconcile.cli import app
from reconcile.errors import ConfigError
from reconcile.models import Report
from reconcile.render import render_html, render_markdown

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = ROOT / "fixtures" / "seeds"
SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"


def pinned(report: Report) -> Report:
    """The report with its run time fixed, so the brief's text depends on the inputs alone."""
    run = report.run.model_copy(update={"started_at": None, "duration_s": None})
    return report.model_copy(update={"generated_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "run": run})


@pytest.fixture(scope="module")
def seeds_report() -> Report:
    warnings: list[str] = []
    report = build_brief([SEEDS], replay=FIXTURES, strict=True, no_cache=True, on_warning=warnings.append)
    assert warnings == []
    return pinned(report)


@pytest.fixture(scope="module")
def seeds_markdown(seeds_report: Report) -> str:
    return render_markdown(seeds_report)


def test_seeds_brief_matches_its_markdown_snapshot(seeds_markdown: str) -> None:
    path = SNAPSHOTS / "seeds_brief.md"
    if UPDATE or not path.exists():
        if not UPDATE and os.environ.get("CI"):
            pytest.fail(f"snapshot {path} is missing; run with UPDATE_SNAPSHOTS=1 and commit it")
        path.write_text(seeds_markdown, encoding="utf-8")
    assert seeds_markdown == path.read_text(encoding="utf-8"), (
        "the seeds brief changed; if intended, regenerate with UPDATE_SNAPSHOTS=1 and review the diff"
    )


def _section(markdown: str, title: str) -> str:
    return markdown.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def test_seeds_brief_leads_with_the_sample_findings_of_the_design(seeds_markdown: str) -> None:
    key = _section(seeds_markdown, "Key findings")
    # Eight rockets in three outlets, but one original source, not three confirmations.
    assert "3 outlets agree on munitions fired: **eight rockets**, all from 1 original source" in key
    # Six shells versus airstrikes before the attack: different facts, and said so.
    assert (
        "Different facts on response, not a contradiction: **returned fire with six artillery shells" in key
    )
    assert "airstrikes against rocket launch sites" in key
    # "approximately 900" and "at least 900" agree.
    assert (
        "give compatible troop numbers: **approximately 900 US troops" in key
        and "**at least 900 troops**" in key
    )
    # Gas field in one outlet, oil field in another; Koniko is Conoco.
    assert "Koniko gas field" in key and "Conoco oil field" in key
    # Unidentified drones versus coalition airstrikes: maybe one event, with the reasons.
    pairs = key.split("Possibly the same event", 1)[1]
    assert any(
        "western Deir Ezzor countryside" in line and "al-Mayadeen" in line for line in pairs.splitlines()
    )


def test_seeds_brief_compares_how_outlets_name_the_same_things(seeds_markdown: str) -> None:
    framing = _section(seeds_markdown, "Framing")
    assert "“an illegal US military base sitting atop the Al-Omar oil field” ⚑ illegal" in framing
    assert "“base hosting US forces”" in framing
    assert "“Iran-supported malign actors” (US-led coalition statement) ⚑ malign" in framing
    assert "“self-defense militias”" in framing


def test_every_fact_in_the_seeds_html_links_to_its_quote_in_the_article(seeds_report: Report) -> None:
    html5lib = pytest.importorskip("html5lib")
    document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(render_html(seeds_report))
    by_id = {e.get("id"): e for e in document.iter() if e.get("id")}
    claims = {c.id: c for c in seeds_report.claims}
    rows = [e for element_id, e in by_id.items() if element_id.startswith("v-")]
    assert len(rows) >= len([v for f in seeds_report.findings for v in f.values if v.grounded])
    for row in rows:
        claim_id = row.get("id").rsplit("-", 1)[1]
        claim = claims[claim_id]
        assert f"#q-{claim_id}" in [a.get("href") for a in row.iter("a")]
        mark = by_id[f"q-{claim_id}"]
        assert claim.quote.start is not None and claim.quote.end is not None
        quoted = seeds_report.article(claim.article_id).text[claim.quote.start : claim.quote.end]
        assert "".join(mark.itertext()).replace("↩", "") in quoted


def test_brief_command_writes_the_html_brief_and_says_what_it_found(tmp_path: Path) -> None:
    target = tmp_path / "brief.html"
    result = CliRunner().invoke(app, ["brief", str(SEEDS), "-o", str(target), "--replay", str(FIXTURES)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert f"Brief written to {target}: 5 articles," in result.stderr
    assert "contradiction" in result.stderr and "5 answers replayed" in result.stderr


def test_brief_command_prints_markdown_on_stdout_for_dash() -> None:
    result = CliRunner().invoke(app, ["brief", str(SEEDS), "-o", "-", "--replay", str(FIXTURES), "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Cross-source brief\n") and result.stderr == ""


def test_brief_command_refuses_an_unknown_format_before_any_work(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["brief", str(tmp_path / "nothing"), "-o", "brief.pdf"])
    assert isinstance(result.exception, ConfigError)
    assert "use a name ending in .md, .html or .json" in str(result.exception)


def test_an_article_without_a_recorded_answer_is_listed_as_not_processed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "late_addition.txt").write_text("Four rockets hit a base on Monday, officials said.\n")
    target = tmp_path / "brief.md"
    result = CliRunner().invoke(app, ["brief", str(corpus), "-o", str(target), "--replay", str(FIXTURES)])
    assert result.exit_code == 3, result.output  # partial: the brief is written, the failure listed
    not_processed = _section(target.read_text(encoding="utf-8"), "Not processed")
    assert (
        "late_addition.txt (extract): No recorded extract answer for article late_addition" in not_processed
    )


def test_summary_flag_adds_the_replayed_summary_with_its_citations() -> None:
    report = build_brief([SEEDS], replay=FIXTURES, strict=True, no_cache=True, summary=True)
    assert report.summary, (
        "fixtures/seeds has no summary for the current findings: run scripts/wrap_summary.py"
    )
    assert report.summary_dropped == []
    known = {f.id for f in report.findings}
    assert all(set(s.finding_ids) <= known for s in report.summary)
    summary = _section(render_markdown(report), "Summary")
    assert "all take the number from one original source, the US-led coalition. (`F10`)" in summary


@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="chromium is not installed (scripts/check_html.py installs it)"
)
def test_seeds_html_brief_loads_in_chromium_without_console_errors(
    seeds_report: Report, tmp_path: Path
) -> None:
    page = tmp_path / "brief.html"
    page.write_text(render_html(seeds_report), encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_html.py"), str(page), "--no-install"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 console errors" in checked.stdout


def test_every_link_inside_the_seeds_html_brief_leads_somewhere(seeds_report: Report) -> None:
    html5lib = pytest.importorskip("html5lib")
    document = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(render_html(seeds_report))
    ids = {e.get("id") for e in document.iter() if e.get("id")}
    internal = [a.get("href")[1:] for a in document.iter("a") if (a.get("href") or "").startswith("#")]
    assert internal and [target for target in internal if target not in ids] == []
    framing = document.find(".//section[@id='framing']")
    assert framing is not None
    assert any((a.get("href") or "").startswith("#q-") for a in framing.iter("a")), (
        "framing links to its quotes"
    )


def _recorded_extract_answers() -> dict[str, dict[str, object]]:
    """The seeds' recorded extraction answers by the sha256 of the article they answer."""
    from reconcile.llm.replay import read_exchange

    answers = {}
    for path in FIXTURES.glob("extract--*.json"):
        exchange = read_exchange(path)
        answers[exchange.input_sha256] = exchange.response
    return answers


def test_a_live_summary_is_recorded_and_replays_to_the_same_brief(tmp_path: Path) -> None:
    """Over a local fake endpoint: extraction answers as recorded, the summary written per request."""
    import hashlib
    import json
    import re

    from fakeserver import FakeOpenAIServer, RecordedRequest, Reply, structured_reply
    from llm_support import article_text_of, live_settings

    answers = _recorded_extract_answers()
    summary_requests: list[str] = []

    def respond(request: RecordedRequest) -> Reply:
        tools = request.body.get("tools") or []
        if tools and tools[0]["function"]["name"] == "SummaryResponse":
            user = request.messages[-1]["content"]
            summary_requests.append(user)
            findings = json.loads(re.search(r"<(findings_[0-9a-f]+)>\n(.*)\n</\1>", user, re.DOTALL).group(2))
            first = findings[0]["id"]
            sentences = [
                {"text": "The sources disagree on where this happened.", "finding_ids": [first]},
                {"text": "Twelve rockets were fired.", "finding_ids": [first]},
                {"text": "Nobody was hurt."},
            ]
            return structured_reply(request, {"sentences": sentences})
        text = article_text_of(request)
        return Reply(body=answers[hashlib.sha256(text.encode("utf-8")).hexdigest()])

    record_dir = tmp_path / "recorded"
    with FakeOpenAIServer(responder=respond) as server:
        settings = live_settings(server, tmp_path, record_dir=record_dir, cache_dir=None)
        live = build_brief([SEEDS], settings=settings, summary=True)
    assert len(summary_requests) == 1
    for article in live.articles:  # the summary prompt carries findings, never article text
        assert article.text[:120] not in summary_requests[0]
    assert [s.text for s in live.summary] == ["The sources disagree on where this happened."]
    assert [d.reason for d in live.summary_dropped] == [
        "states 12, which the cited findings do not contain",
        "cites no finding",
    ]
    assert live.run.usage.calls == 6 and live.run.usage.input_tokens > 0

    replayed = build_brief([SEEDS], replay=record_dir, strict=True, summary=True)
    assert replayed.summary == live.summary and replayed.summary_dropped == live.summary_dropped
    # recorded_by names who answered: the fake endpoint for the summary, the served
    # hand-written bodies for extraction.
    assert replayed.run.recorded_by == ["fake-model", "hand-written"] and replayed.run.usage.calls == 0
    # The same brief from the key findings to the sources; what each article cost differs
    # (calls live, none replayed), as the header's run line does.
    assert (
        render_markdown(pinned(replayed)).split("## Key findings")[1].split("## Sources")[0]
        == (render_markdown(pinned(live)).split("## Key findings")[1].split("## Sources")[0])
    )


# --- What the run knows reaches the brief --------------------------------------------


def test_stale_fixture_warnings_and_usage_per_article_are_kept_in_the_brief(tmp_path: Path) -> None:
    import json

    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, fixtures)
    stale = next(fixtures.glob("extract--001_*.json"))
    exchange = json.loads(stale.read_text(encoding="utf-8"))
    exchange["prompt_fingerprint"] = "0" * len(exchange["prompt_fingerprint"])
    stale.write_text(json.dumps(exchange, indent=2), encoding="utf-8")
    warnings: list[str] = []

    report = build_brief([SEEDS], replay=fixtures, no_cache=True, on_warning=warnings.append)

    assert len(report.run.warnings) == 1 and report.run.warnings[0].startswith(f"Stale fixture {stale}:")
    assert warnings == report.run.warnings
    assert sorted(report.run.article_usage) == sorted(a.id for a in report.articles)
    assert sum(u.replayed for u in report.run.article_usage.values()) == report.run.usage.replayed == 5


def test_a_brief_names_who_wrote_its_claims(seeds_report: Report) -> None:
    assert (seeds_report.run.replay_dir, seeds_report.run.recorded_by) == (str(FIXTURES), ["hand-written"])
    assert seeds_report.run.warnings == []


def test_build_brief_sends_the_api_key_it_is_given_to_the_base_url_it_is_given(tmp_path: Path) -> None:
    from fakeserver import FakeOpenAIServer
    from llm_support import first_sentence_responder

    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        report = build_brief(
            [SEEDS / "001_ff319505259e0261.txt"],
            base_url=server.base_url,
            api_key="sk-given-to-build-brief",
            model="gpt-4o-mini",
            no_cache=True,
        )

    assert [r.headers["authorization"] for r in server.requests] == ["Bearer sk-given-to-build-brief"]
    assert report.run.model == "gpt-4o-mini" and report.run.usage.calls == 1
    assert report.claims and report.claims[0].grounded


def test_build_brief_refuses_options_a_client_or_settings_would_silently_override() -> None:
    from reconcile.llm.config import LLMSettings

    with pytest.raises(ConfigError, match="Pass either client= or api_key, base_url, not both"):
        build_brief([SEEDS], client=object(), api_key="sk-x", base_url="http://127.0.0.1:9")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="Pass either settings= or model, not both"):
        build_brief([SEEDS], settings=LLMSettings.from_env(), model="gpt-4o-mini")


# --- The user's own data files ---------------------------------------------------------


def test_brief_command_takes_gazetteer_lexicon_and_source_aliases(tmp_path: Path) -> None:
    import json

    aliases = tmp_path / "aliases.yaml"
    aliases.write_text(
        "sources:\n  - name: CJTF-OIR press office\n    kind: military\n"
        "    aliases: [US-led coalition, US-led coalition statement]\n",
        encoding="utf-8",
    )
    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_text("loaded_terms: [hosting]\n", encoding="utf-8")
    gazetteer = tmp_path / "places.yaml"
    gazetteer.write_text(
        "places:\n  - name: southern Israel\n    kind: region\n    aliases: [southern Israeli]\n",
        encoding="utf-8",
    )
    target = tmp_path / "brief.json"

    result = CliRunner().invoke(
        app,
        ["brief", str(SEEDS), "-o", str(target), "--replay", str(FIXTURES), "--quiet",
         "--source-aliases", str(aliases), "--lexicon", str(lexicon), "--gazetteer", str(gazetteer)],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    report = Report.model_validate(json.loads(target.read_text(encoding="utf-8")))
    rockets = next(f for f in report.findings if f.facet == "munition_count" and f.verdict == "agree")
    assert rockets.original_sources == ["CJTF-OIR press office"]
    base = next(t for t in report.framing if t.referent == "Green Village base")
    hosting = next(e for e in base.entries if e.expression == "base hosting US forces")
    assert hosting.loaded_terms == ["hosting"]
    assert "ground assault · southern Israel · 2023-10-07" in [e.label for e in report.events]


@pytest.mark.parametrize("option", ["--gazetteer", "--lexicon", "--source-aliases"])
def test_brief_command_refuses_a_bad_data_file_in_one_line_before_any_llm_call(
    option: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- not\n- a mapping\n", encoding="utf-8")

    # No --replay and no reachable endpoint: the file is refused before anything is asked.
    result = CliRunner().invoke(
        app, ["brief", str(SEEDS), "-o", str(tmp_path / "brief.md"), option, str(bad)]
    )

    assert result.exception is not None and str(result.exception).startswith(f"{bad}: ")
    assert not (tmp_path / "brief.md").exists()
