"""The brief renderer: Markdown, self-contained HTML and JSON from a Report.

The report is built by hand (tests/briefkit.py) over the real sample texts, plus
one small invented article that contradicts them, so every section shows.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from briefkit import (
    JPOST_EXTRACTED,
    JPOST_WORDS,
    approximate_quotes_report,
    build_sample_report,
    hostile_report,
    partly_failed_report,
)

from reconcile.errors import ConfigError
from reconcile.models import IngestProblem, Quote, Report, RunInfo, Usage
from reconcile.render import (
    describe_producer,
    format_article_usage,
    highlight_article,
    markdown_escape,
    quote_view,
    render_html,
    render_json,
    render_markdown,
    write_brief,
)

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"


@pytest.fixture(scope="module")
def report() -> Report:
    return build_sample_report()


# --- Markdown ---------------------------------------------------------------


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE or not path.exists():
        if not UPDATE and os.environ.get("CI"):
            pytest.fail(f"snapshot {path} is missing; run with UPDATE_SNAPSHOTS=1 and commit it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} changed; if intended, regenerate with UPDATE_SNAPSHOTS=1 and review the diff"
    )


def test_markdown_brief_matches_its_snapshot(report: Report) -> None:
    check_snapshot("sample_report.md", render_markdown(report))


def test_markdown_brief_of_a_partly_failed_run_with_warnings_matches_its_snapshot() -> None:
    """The header a reader of a troubled run sees: warnings, what was processed, what it cost."""
    run = _usage_run().model_copy(update={"warnings": [STALE]})
    check_snapshot("partly_failed_report.md", render_markdown(partly_failed_report(run)))


def test_markdown_key_findings_put_contradictions_first(report: Report) -> None:
    text = render_markdown(report)
    key = text.split("## Key findings", 1)[1].split("## Events", 1)[0]
    first = key.strip().splitlines()[0]
    assert first.startswith(
        "1. ✖ **Rocket attack on the Green Village base**: Outlets contradict each other on casualties"
    )
    assert "3 outlets agree on munitions fired: **eight rockets**, all from 1 original source" in key


def test_markdown_tables_keep_their_columns_with_pipes_in_article_text() -> None:
    text = render_markdown(hostile_report())
    for line in text.splitlines():
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) in (5, 8, 9), line  # framing 3 columns, facts 7, ungrounded 6 (+2 edges)


def test_markdown_leaves_hostile_text_inert() -> None:
    text = render_markdown(hostile_report())
    assert "<script>" not in text
    assert r"\<script\>alert(1)\</script\>" in text
    assert r"{{ 7\*7 }}" in text and "{% raw %}" in text
    assert "49" not in text
    assert "[link](" not in text and r"\[link\](http://x.test)" in text  # not a link in the brief
    assert "&amp;amp;" in text  # an entity in the text shows as written, not as "&"


def test_markdown_escape_keeps_values_on_one_line_and_out_of_block_syntax() -> None:
    assert markdown_escape("a\nb | c") == r"a b \| c"
    assert markdown_escape("# heading") == r"\# heading"
    assert markdown_escape("1. item") == r"1\. item"
    assert markdown_escape("- item") == r"\- item"
    assert markdown_escape("0.82") == "0.82" and markdown_escape("-5 degrees") == "-5 degrees"
    assert markdown_escape("file_name_2 _emphasis_") == r"file_name_2 \_emphasis\_"


def test_ungrounded_claims_are_set_apart_and_never_shown_as_support(report: Report) -> None:
    text = render_markdown(report)
    events_part, rest = text.split("## Events", 1)[1].split("## Framing", 1)
    assert "001_ff319505259e0261.c9" not in events_part
    assert "001_ff319505259e0261.c9" not in text.split("## Events", 1)[0]
    ungrounded = rest.split("## Ungrounded claims", 1)[1].split("## Not processed", 1)[0]
    assert "| ten rockets |" in ungrounded and "quote not found in the article" in ungrounded


def test_markdown_lists_unprocessed_inputs_with_their_reason(report: Report) -> None:
    text = render_markdown(report)
    assert "- seeds/005_garbled.txt (extract): the model's answer failed validation 3 times" in text
    assert "- seeds/notes.pdf (ingest): unsupported file type .pdf" in text


# --- HTML -------------------------------------------------------------------


def _parse_strict(page: str):  # type: ignore[no-untyped-def]
    html5lib = pytest.importorskip("html5lib")
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(page)


def test_html_brief_parses_without_errors(report: Report) -> None:
    document = _parse_strict(render_html(report))
    assert document.find(".//title") is not None


def test_html_brief_is_self_contained(report: Report) -> None:
    page = render_html(report)
    document = _parse_strict(page)
    assert not [e for e in document.iter() if e.get("src")], "nothing may be loaded from elsewhere"
    assert document.findall(".//link") == []
    assert "@import" not in page and "url(" not in page
    csp = document.find(".//meta[@http-equiv='Content-Security-Policy']")
    assert csp is not None and "default-src 'none'" in csp.get("content")
    external = [a.get("href") for a in document.iter("a") if not a.get("href", "#").startswith("#")]
    assert external == ["https://www.jpost.com/middle-east/article-692473"]  # a link to read, not a fetch


def test_html_inline_style_and_script_match_their_csp_hashes(report: Report) -> None:
    document = _parse_strict(render_html(report))
    csp = document.find(".//meta[@http-equiv='Content-Security-Policy']").get("content")
    for tag in ("style", "script"):
        (element,) = document.findall(f".//{tag}")
        digest = base64.b64encode(hashlib.sha256(element.text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_every_fact_links_to_its_quote_highlighted_in_the_article(report: Report) -> None:
    document = _parse_strict(render_html(report))
    ids = {e.get("id"): e for e in document.iter() if e.get("id")}
    for finding in report.findings:
        for value in finding.values:
            if not value.grounded:
                continue
            row = ids[f"v-{finding.id}-{value.claim_id}"]
            links = [a.get("href") for a in row.iter("a")]
            assert f"#q-{value.claim_id}" in links
            mark = ids[f"q-{value.claim_id}"]
            assert mark.tag == "mark"
            text = report.article(value.article_id).text
            assert value.quote.start is not None and value.quote.end is not None
            assert "".join(mark.itertext()).replace("↩", "") in text[value.quote.start : value.quote.end]


def test_highlighting_overlapping_quotes_keeps_the_text_and_every_anchor() -> None:
    text = 'He said "<b>eight</b> rockets" & left.'
    spans = [(8, 30, "a.c1", "v-1"), (13, 18, "a.c2", None), (8, 30, "a.c3", None), (0, 2, "a.c4", "v-4")]
    marked = str(highlight_article(text, spans))
    plain = html.unescape(re.sub(r"<[^>]+>", "", marked)).replace("↩", "")
    assert plain == text
    for claim_id in ("a.c1", "a.c2", "a.c3", "a.c4"):
        assert f'id="q-{claim_id}"' in marked
    assert "<b>" not in marked


def test_html_leaves_hostile_text_inert() -> None:
    page = render_html(hostile_report())
    document = _parse_strict(page)
    scripts = document.findall(".//script")
    assert len(scripts) == 1 and "alert" not in (scripts[0].text or "")
    assert "<script>alert(1)</script>" not in page
    assert "{{ 7*7 }}" in page and "{% raw %}" in page
    assert "49" not in page
    for element in document.iter():
        assert not [name for name in element.attrib if name.startswith("on")], element.attrib
    # Quotes inside attribute values stay inside them: the title holds the whole hostile text.
    titles = [e.get("title") for e in document.iter("mark")]
    assert titles and all(t.startswith("claim hostile.c") for t in titles)
    assert not [a for a in document.iter("a") if (a.get("href") or "").startswith("javascript:")]
    assert "javascript:alert(1)" in page  # shown as text, not linked


def test_html_summary_sentences_link_to_their_findings() -> None:
    document = _parse_strict(render_html(hostile_report()))
    summary = document.find(".//section[@id='summary']")
    assert summary is not None
    assert [a.get("href") for a in summary.iter("a")] == ["#f-f1"]


# --- Quotes found only approximately ---------------------------------------


def _element(document, element_id: str):  # type: ignore[no-untyped-def]
    return next(e for e in document.iter() if e.get("id") == element_id)


def _text(element) -> str:  # type: ignore[no-untyped-def]
    return " ".join("".join(element.itertext()).split())


def test_markdown_shows_a_fuzzy_match_in_the_articles_words_with_the_extracted_wording_noted() -> None:
    text = render_markdown(approximate_quotes_report())
    shown = f"“{JPOST_WORDS}” (fuzzy match 96%: the article's words; extracted as “{JPOST_EXTRACTED}”)"
    rows = [line for line in text.splitlines() if "`001_ff319505259e0261.c1`" in line]
    assert len(rows) == 2  # the key finding and the event's table of facts
    assert all(shown in row for row in rows)
    assert f"“{JPOST_EXTRACTED}” (" not in text, "the extracted wording is never shown as the quote"


def test_markdown_marks_a_normalised_match_and_shows_the_articles_words() -> None:
    text = render_markdown(approximate_quotes_report())
    assert (
        "“manned by at least 900 troops” (normalised match: the article's words; "
        "extracted as “Manned by at least 900 troops”)"
    ) in text


def test_quotes_matched_exactly_carry_no_match_mark(report: Report) -> None:
    text, page = render_markdown(report), render_html(report)
    assert "fuzzy match" not in text and "normalised match" not in text
    assert "fuzzy match" not in page and "normalised match" not in page and "extracted as" not in page
    assert "“eight rockets were fired at a base" not in text  # unchanged wording elsewhere too
    assert (
        '“accused "Iran-supported malign actors" of firing eight rockets towards a coalition base” (source'
        in text
    )


def test_html_shows_a_fuzzy_match_in_the_articles_words_with_the_extracted_wording_under_it() -> None:
    document = _parse_strict(render_html(approximate_quotes_report()))
    row = _element(document, "v-ev1.munition_count-001_ff319505259e0261.c1")
    (quote,) = row.iter("blockquote")
    assert _text(quote) == JPOST_WORDS
    (mark,) = [s for s in row.iter("span") if "match" in (s.get("class") or "").split()]
    assert _text(mark) == "fuzzy match 96%: the article's words"
    assert mark.get("title") == f"extracted as “{JPOST_EXTRACTED}”"
    (details,) = row.iter("details")  # readable with scripts off: a native disclosure
    assert _text(details.find("summary")) == "extracted as…"
    assert _text(details.find("q")) == JPOST_EXTRACTED


def test_html_marks_a_normalised_match() -> None:
    document = _parse_strict(render_html(approximate_quotes_report()))
    row = _element(document, "v-topic1.troop_count-003_5f9ea44ed39dbe39.c1")
    assert _text(row.find(".//blockquote")) == "manned by at least 900 troops"
    assert "normalised match: the article's words" in _text(row)


def test_an_ungrounded_fuzzy_match_is_shown_only_as_ungrounded_with_the_closest_passage() -> None:
    report = approximate_quotes_report()
    claim_id = "001_ff319505259e0261.c9"
    text = render_markdown(report)
    before, ungrounded = text.split("## Ungrounded claims", 1)
    assert claim_id not in before
    (row,) = [line for line in ungrounded.splitlines() if claim_id in line]
    assert (
        "“of firing ten rockets towards a coalition base” (closest passage: fuzzy match 91%; "
        "the article has “of firing eight rockets towards a coalition base”)"
    ) in row
    assert "number 10 in the quote, 8 in the article" in row

    document = _parse_strict(render_html(report))
    ids = {e.get("id") for e in document.iter() if e.get("id")}
    assert not [i for i in ids if i.startswith("v-") and i.endswith(claim_id)]
    html_row = _element(document, f"u-{claim_id}")
    assert _text(html_row.find(".//blockquote")) == "of firing ten rockets towards a coalition base"
    assert "closest passage: fuzzy match 91%" in _text(html_row)
    assert _text(html_row.find(".//details/q")) == "of firing eight rockets towards a coalition base"


@pytest.mark.parametrize(
    ("quote", "grounded", "shown", "label", "other"),
    [
        (Quote(text="the cat sat", start=5, end=16, match="exact"), True, "the cat sat", None, None),
        (Quote(text="the cat sat", match="not_found"), False, "the cat sat", None, None),
        (
            Quote(text="the cat  sat", start=5, end=16, match="normalized"),
            True,
            "the cat sat",
            "normalised match: the article's words",
            None,  # only the spacing differs: nothing more to show
        ),
        (
            Quote(text="the kat sat", start=5, end=16, match="fuzzy", score=99.7),
            True,
            "the cat sat",
            "fuzzy match 99%: the article's words",  # rounded down: never reads as 100%
            "the kat sat",
        ),
        (
            Quote(text="the dog sat", start=5, end=16, match="fuzzy", score=90.0),
            False,
            "the dog sat",
            "closest passage: fuzzy match 90%",
            "the cat sat",
        ),
    ],
)
def test_quote_view_shows_the_articles_words_for_approximate_matches(
    quote: Quote, grounded: bool, shown: str, label: str | None, other: str | None
) -> None:
    view = quote_view(quote, "Yes, the cat sat.", grounded=grounded)
    assert (view.text, view.label, view.other) == (shown, label, other)
    assert view.linked == (quote.start is not None)


# --- Provenance -------------------------------------------------------------

STALE = "answers replayed from fixtures recorded for a different prompt (extract--001_ff319505259e0261.json)"


def _with_run(report: Report, **fields: object) -> Report:
    return report.model_copy(update={"run": report.run.model_copy(update=fields)})


def test_run_warnings_head_the_markdown_brief() -> None:
    text = render_markdown(_with_run(build_sample_report(), warnings=[STALE, STALE]))
    lines = text.splitlines()
    assert lines[:4] == ["# Cross-source brief", "", f"> ⚠ **Read with care:** {STALE}", ""]
    assert text.count(STALE) == 1, "a warning repeated by the run is shown once"


def test_several_run_warnings_are_listed_one_per_line() -> None:
    other = "grounding was taken from the claims as given, unchecked"
    text = render_markdown(_with_run(build_sample_report(), warnings=[STALE, other]))
    assert text.splitlines()[2:5] == ["> ⚠ **Read with care:**", f"> - {STALE}", f"> - {other}"]


def test_run_warnings_head_the_html_brief() -> None:
    document = _parse_strict(render_html(_with_run(build_sample_report(), warnings=[STALE])))
    header = document.find(".//header")
    children = list(header.find("div"))
    assert [c.tag for c in children[:2]] == ["h1", "div"]
    assert children[1].get("class") == "run-warnings"
    assert [_text(li) for li in children[1].iter("li")] == [STALE]


def test_a_brief_without_an_extraction_run_says_its_claims_are_of_unknown_provenance() -> None:
    report = partly_failed_report(RunInfo())
    text = render_markdown(report)
    header = text.split("## Key findings", 1)[0]
    assert "Claims of unknown provenance (no extraction run attached)" in header
    assert "extracted by" not in header and "LLM call" not in header and "model" not in header
    document = _parse_strict(render_html(report))
    html_header = _text(document.find(".//header"))
    assert "Claims of unknown provenance (no extraction run attached)" in html_header
    assert "extracted by" not in html_header and "LLM call" not in html_header


@pytest.mark.parametrize(
    ("run", "producer"),
    [
        (RunInfo(), "claims of unknown provenance (no extraction run attached)"),
        (RunInfo(model="gpt-4o-mini", mode="tools"), "gpt-4o-mini (tools mode)"),
        (RunInfo(replay_dir="fx", recorded_by=["hand-written"]), "replayed fixtures (hand-written)"),
        (RunInfo(replay_dir="fx", recorded_by=["gpt-4o"]), "replayed fixtures (recorded by gpt-4o)"),
        (RunInfo(replay_dir="fx"), "replayed fixtures (who wrote them is not recorded)"),
    ],
)
def test_the_producer_names_who_wrote_the_claims_and_never_guesses_a_model(
    run: RunInfo, producer: str
) -> None:
    assert describe_producer(run) == producer


def _usage_run() -> RunInfo:
    return RunInfo(
        model="gpt-4o-mini",
        mode="tools",
        usage=Usage(calls=7, input_tokens=7_700, output_tokens=620, cost_usd=None),
        article_usage={
            "001_ff319505259e0261": Usage(calls=2, input_tokens=3_000, output_tokens=420, cost_usd=0.00123),
            "wire_green_village": Usage(calls=1, input_tokens=900, output_tokens=100, cost_usd=None),
            "000_c264fff437d45357": Usage(calls=4, input_tokens=3_800, output_tokens=100, retries=3),
        },
    )


def test_markdown_sources_show_what_each_article_cost_and_an_unknown_cost_as_unknown() -> None:
    sources = render_markdown(partly_failed_report(_usage_run())).split("## Sources", 1)[1]
    lines = {line.split("`")[1]: line for line in sources.splitlines() if "`" in line}
    assert lines["001_ff319505259e0261"].endswith("· 1 claim · 2 LLM calls, 3,420 tokens, $0.0012")
    assert lines["wire_green_village"].endswith("· 1 claim · 1 LLM call, 1,000 tokens, cost unknown")
    assert lines["000_c264fff437d45357"].endswith(
        "· not processed (extract failed) · 4 LLM calls, 3,900 tokens, $0.0000, 3 transport retries"
    )
    assert lines["003_5f9ea44ed39dbe39"].endswith("· not processed (extract failed) · no usage recorded")


def test_html_sources_show_what_each_article_cost() -> None:
    document = _parse_strict(render_html(partly_failed_report(_usage_run())))
    items = [_text(li) for li in document.find(".//section[@id='sources']").iter("li")]
    assert items[1].endswith("1 claim · 2 LLM calls, 3,420 tokens, $0.0012")
    assert items[5].endswith("1 claim · 1 LLM call, 1,000 tokens, cost unknown")
    assert "not processed (extract failed)" in items[0]


@pytest.mark.parametrize(
    ("usage", "shown"),
    [
        (
            Usage(calls=1, input_tokens=900, output_tokens=100, cost_usd=0.0004),
            "1 LLM call, 1,000 tokens, $0.0004",
        ),
        (
            Usage(calls=2, input_tokens=10, cost_usd=None, reasks=1),
            "2 LLM calls, 10 tokens, cost unknown, 1 re-ask",
        ),
        (Usage(replayed=1), "no LLM call, 1 answer replayed from recordings"),
        (Usage(cache_hits=2), "no LLM call, 2 answers from cache"),
    ],
)
def test_an_articles_usage_reads_as_calls_tokens_and_cost(usage: Usage, shown: str) -> None:
    assert format_article_usage(usage) == shown


def test_sources_say_nothing_of_cost_when_the_run_keeps_no_per_article_usage(report: Report) -> None:
    assert "LLM call" not in render_markdown(report).split("## Sources", 1)[1]


# --- Header counts ----------------------------------------------------------


def test_header_counts_processed_articles_apart_from_those_that_could_not_be_processed() -> None:
    report = partly_failed_report()
    lines = render_markdown(report).splitlines()
    assert lines[2] == (
        "**2 articles processed** from **2 outlets**, published 5 January 2022; "
        "**5 could not be processed** (listed under “Not processed”)."
    )
    assert "Outlets: The Jerusalem Post; Example Wire." in lines
    document = _parse_strict(render_html(report))
    assert document.find(".//title").text.startswith("Cross-source brief: 2 articles,")
    meta = _text(document.find(".//header//p[@class='meta']"))
    assert meta.startswith("2 articles processed from 2 outlets, published 5 January 2022")
    assert meta.endswith("; 5 could not be processed.")
    assert "5 not processed" in [_text(li) for li in document.find(".//ul[@class='counts']")]


def test_header_says_how_many_processed_articles_gave_no_claims() -> None:
    report = partly_failed_report()
    rt = "003_5f9ea44ed39dbe39"
    report = report.model_copy(update={"failures": [f for f in report.failures if f.article_id != rt]})
    header = render_markdown(report).splitlines()[2]
    assert header.startswith("**3 articles processed** from **2 outlets**")
    assert "(1 gave no claims); **4 could not be processed**" in header


def test_ingest_warnings_are_listed_but_not_counted_as_inputs_not_processed(report: Report) -> None:
    warned = report.model_copy(
        update={
            "failures": [],
            "problems": [
                IngestProblem(path="seeds/sources.yaml", problem="unused entry", severity="warning")
            ],
        }
    )
    text = render_markdown(warned)
    assert (
        text.splitlines()[2]
        == "**6 articles** from **6 outlets**, published 5 January 2022 – 13 August 2024."
    )
    assert "- seeds/sources.yaml (ingest (warning)): unused entry" in text


# --- JSON -------------------------------------------------------------------


def test_json_brief_is_the_full_report_and_validates_against_the_schema(report: Report) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(render_json(report))
    jsonschema.validate(data, Report.model_json_schema())
    assert Report.model_validate(data) == report


def test_json_schema_rejects_a_report_with_an_unknown_verdict(report: Report) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(render_json(report))
    data["findings"][0]["verdict"] = "probably"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, Report.model_json_schema())


# --- Writing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "starts_with"),
    [("brief.md", "# Cross-source brief"), ("brief.html", "<!DOCTYPE html>"), ("brief.json", "{")],
)
def test_write_brief_chooses_the_format_by_suffix(
    report: Report, tmp_path: Path, name: str, starts_with: str
) -> None:
    target = tmp_path / "out" / name
    target.parent.mkdir()
    target.write_text("old content")
    assert write_brief(report, target) == target
    assert target.read_text(encoding="utf-8").startswith(starts_with)
    assert sorted(p.name for p in target.parent.iterdir()) == [name], "no temporary file is left behind"


def test_write_brief_to_dash_prints_markdown(report: Report, capsys: pytest.CaptureFixture[str]) -> None:
    assert write_brief(report, "-") is None
    assert capsys.readouterr().out == render_markdown(report)


def test_write_brief_refuses_an_unknown_suffix(report: Report, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"brief\.pdf: use a name ending in \.md, \.html or \.json"):
        write_brief(report, tmp_path / "brief.pdf")
    assert list(tmp_path.iterdir()) == []


# --- In a browser -----------------------------------------------------------


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    _chromium() is None, reason="chromium is not installed (scripts/check_html.py installs it)"
)
@pytest.mark.parametrize("make_report", [build_sample_report, approximate_quotes_report])
def test_html_brief_loads_in_chromium_without_console_errors(make_report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "brief.html"
    write_brief(make_report(), page)
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_html.py"), str(page), "--no-install"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 console errors" in result.stdout


def test_schema_command_prints_the_report_schema_the_json_brief_validates_against(
    report: Report, tmp_path: Path
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from typer.testing import CliRunner

    from reconcile.cli import app

    printed = CliRunner().invoke(app, ["schema"])
    assert printed.exit_code == 0, printed.output
    schema = json.loads(printed.stdout)
    jsonschema.validate(json.loads(render_json(report)), schema)

    target = tmp_path / "report.schema.json"
    written = CliRunner().invoke(app, ["schema", "-o", str(target)])
    assert written.exit_code == 0, written.output
    assert json.loads(target.read_text(encoding="utf-8")) == schema


@pytest.mark.parametrize("make_report", [build_sample_report, hostile_report])
def test_every_link_inside_the_html_brief_leads_somewhere(make_report) -> None:  # type: ignore[no-untyped-def]
    document = _parse_strict(render_html(make_report()))
    ids = {e.get("id") for e in document.iter() if e.get("id")}
    internal = [a.get("href")[1:] for a in document.iter("a") if (a.get("href") or "").startswith("#")]
    assert internal and [target for target in internal if target not in ids] == []
