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
from briefkit import build_sample_report, hostile_report

from reconcile.errors import ConfigError
from reconcile.models import Report
from reconcile.render import (
    highlight_article,
    markdown_escape,
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
def test_html_brief_loads_in_chromium_without_console_errors(report: Report, tmp_path: Path) -> None:
    page = tmp_path / "brief.html"
    write_brief(report, page)
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
