"""Hostile input: whatever a scraper hands over, each bad file gets one clear message naming it,
nothing about it leaks into the good articles, and the rest of the run goes on.

The hostile articles live in fixtures/hostile/articles/ (scripts in HTML, front matter inside
a body, Arabic, template syntax, prompt injection); the files that cannot be stored sensibly in
a repository (empty, binary, invalid UTF-8, 10 MB, 5,000 files) are made here in tmp.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from fakeserver import FakeOpenAIServer, RecordedRequest, Reply, structured_reply
from llm_support import article_text_of, claim_payload
from typer.testing import CliRunner

import reconcile
from reconcile.brief import build_brief
from reconcile.cli import app
from reconcile.extract import article_chunks, draft_to_claim
from reconcile.models import Article, ClaimDraft, IngestResult
from reconcile.numbers import numbers_in
from reconcile.render import render_html, render_markdown

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "fixtures" / "hostile"
ARTICLES = HOSTILE / "articles"
REPLAY = HOSTILE / "replay"

GOOD_HOSTILE_ARTICLES = {
    "arabic",
    "companion",
    "front-matter-in-body",
    "front-matter-in-text-file",
    "injection",
    "scripts",
    "template-syntax",
}
# file name -> words its one problem line must contain
BAD_FILES = {
    "empty.txt": "file is empty",
    "whitespace.txt": "only whitespace",
    "binary.txt": "binary",
    "invalid-utf8.txt": "not valid UTF-8",
    "copy-of-companion.txt": "duplicate",
}
BROKEN_SIDECAR_ENTRIES = """
scripts.html:
  outlet: [not, a, name]
  published: next tuesday
  funding: unknown-field
"""


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COLUMNS", "250")  # problem lines are never wrapped mid-name
    return CliRunner()


@pytest.fixture
def hostile_corpus(tmp_path: Path) -> Path:
    """The hostile articles, the bad files, and a sources.yaml with wrong types and unknown fields."""
    corpus = tmp_path / "corpus"
    shutil.copytree(ARTICLES, corpus)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "whitespace.txt").write_bytes(b"  \n\t\r\n   \n\n")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 16)
    (corpus / "invalid-utf8.txt").write_bytes("Caf\u00e9: eight rockets hit the base.".encode("latin-1"))
    (corpus / "copy-of-companion.txt").write_bytes((corpus / "companion.txt").read_bytes())
    with (corpus / "sources.yaml").open("a", encoding="utf-8") as sidecar:
        sidecar.write(BROKEN_SIDECAR_ENTRIES)
    return corpus


def problem_lines(output: str, name: str) -> list[str]:
    return [
        line.strip()
        for line in output.splitlines()
        if name in line and ("error:" in line or "warning:" in line)
    ]


def ingest_json(runner: CliRunner, *args: str) -> IngestResult:
    result = runner.invoke(app, ["ingest", *args, "--json"])
    assert result.exit_code == 0, result.output
    return IngestResult.model_validate_json(result.stdout)


# --- One corpus with everything wrong in it ------------------------------------------------------


def test_every_bad_file_gets_one_line_naming_it_and_every_good_article_still_loads(
    runner: CliRunner, hostile_corpus: Path
) -> None:
    result = runner.invoke(app, ["ingest", str(hostile_corpus)])
    assert result.exit_code == 0, result.output
    for name, reason in BAD_FILES.items():
        lines = problem_lines(result.stderr, str(hostile_corpus / name))
        assert len(lines) == 1, f"{name}: {lines}"
        assert reason in lines[0]
    table_rows = [line for line in result.stderr.splitlines() if "│" in line]
    for article_id in GOOD_HOSTILE_ARTICLES:
        assert any(f"│ {article_id} " in row for row in table_rows), article_id
    assert f"{len(GOOD_HOSTILE_ARTICLES)} articles" in result.stderr


def test_wrong_types_and_unknown_fields_in_sources_yaml_are_named_and_the_article_loads_anyway(
    runner: CliRunner, hostile_corpus: Path
) -> None:
    ingested = ingest_json(runner, str(hostile_corpus))
    sidecar = [p for p in ingested.problems if p.path == str(hostile_corpus / "sources.yaml")]
    reasons = " | ".join(p.problem for p in sidecar)
    assert all(p.severity == "warning" for p in sidecar)
    assert "'scripts.html': outlet must be text" in reasons
    assert "'scripts.html': published 'next tuesday' is not a date" in reasons
    assert "unknown field 'funding'" in reasons
    scripts = next(a for a in ingested.articles if a.id == "scripts")
    assert scripts.outlet == "Script Daily"  # the page's own name: the broken entry is ignored, not applied
    assert scripts.published is None
    # the valid entries of the same file still apply
    assert next(a for a in ingested.articles if a.id == "injection").outlet == "Hostile Wire"


def test_a_duplicate_is_reported_and_only_its_first_copy_is_sent_to_the_model(
    runner: CliRunner, hostile_corpus: Path, tmp_path: Path
) -> None:
    with FakeOpenAIServer(responder=_first_sentence) as server:
        result = runner.invoke(app, _extract_args(server, tmp_path, str(hostile_corpus)))
    assert result.exit_code == 0, result.output
    sent = [article_text_of(request) for request in server.completion_requests]
    companion = (hostile_corpus / "companion.txt").read_text(encoding="utf-8")
    assert sent.count(companion) == 1
    assert len(sent) == len(set(sent)) == len(GOOD_HOSTILE_ARTICLES)


def test_extract_reports_each_bad_file_by_name_and_extracts_every_good_article(
    runner: CliRunner, hostile_corpus: Path, tmp_path: Path
) -> None:
    claims_file = tmp_path / "claims.jsonl"
    with FakeOpenAIServer(responder=_first_sentence) as server:
        result = runner.invoke(
            app, [*_extract_args(server, tmp_path, str(hostile_corpus)), "-o", str(claims_file)]
        )
    assert result.exit_code == 0, result.output
    for name in BAD_FILES:
        assert len(problem_lines(result.stderr, str(hostile_corpus / name))) == 1, name
    claims = [json.loads(line) for line in claims_file.read_text(encoding="utf-8").splitlines()]
    assert {c["article_id"] for c in claims} == GOOD_HOSTILE_ARTICLES
    assert all(c["grounding"]["status"] == "grounded" for c in claims)


def test_the_brief_lists_every_input_it_could_not_use_with_the_reason(
    hostile_corpus: Path, tmp_path: Path
) -> None:
    with FakeOpenAIServer(responder=_first_sentence) as server:
        report = build_brief([hostile_corpus], settings=_settings(server, tmp_path))
    assert {a.id for a in report.articles} == GOOD_HOSTILE_ARTICLES
    assert not report.failures
    markdown = render_markdown(report).split("## Not processed", 1)[1].split("\n## ", 1)[0]
    html = re.search(r'<section id="unprocessed">(.*?)</section>', render_html(report), re.DOTALL)
    assert html is not None
    for name, reason in BAD_FILES.items():
        assert any(p.path == str(hostile_corpus / name) and reason in p.problem for p in report.problems), (
            name
        )
        # (Markdown escapes the "_" of the tmp path, so lines are found by the file name)
        (line,) = [line for line in markdown.splitlines() if f"/{name} " in line]
        assert reason in line
        assert f"{hostile_corpus / name}" in html.group(1)


# --- HTML full of scripts ------------------------------------------------------------------------

SCRIPT_PAYLOADS = [
    "Fifty rockets",  # written by document.write
    "document.cookie",
    "Ninety drones",  # JSON-LD articleBody
    "alert(",
    "IGNORE PREVIOUS INSTRUCTIONS",
    "seventy rockets",
    "sixty rockets",  # <noscript>
    "javascript:",
    "evil.example",
    "trackVisitor",
    "onerror",
]


def test_scripts_styles_and_event_handlers_in_a_page_never_reach_the_article_text() -> None:
    (article,) = reconcile.ingest([ARTICLES / "scripts.html"]).articles
    assert "Three rockets were fired at the Green Village base" in article.text
    assert "Officials blamed Iran-backed militias" in article.text
    for payload in SCRIPT_PAYLOADS:
        assert payload not in article.text, payload


def test_what_a_page_script_says_is_not_in_what_the_model_is_sent(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=_first_sentence) as server:
        run = reconcile.extract(
            reconcile.ingest([ARTICLES / "scripts.html"]), settings=_settings(server, tmp_path)
        )
    assert not run.failures
    (request,) = server.completion_requests
    for payload in SCRIPT_PAYLOADS:
        assert payload not in request.text, payload


# --- Front matter that is not front matter ---------------------------------------------------------


def test_a_front_matter_block_inside_a_markdown_body_is_text_not_metadata() -> None:
    (article,) = reconcile.ingest([ARTICLES / "front-matter-in-body.md"]).articles
    assert article.outlet == "Markdown Monitor"
    assert article.published is not None and article.published.isoformat() == "2022-01-06"
    assert article.title is None
    assert "outlet: Fake Outlet\npublished: 1999-12-31" in article.text
    assert article.text.endswith("The coalition said there were no casualties.\n")


def test_a_plain_text_file_that_opens_like_front_matter_keeps_it_as_text() -> None:
    (article,) = reconcile.ingest([ARTICLES / "front-matter-in-text-file.txt"]).articles
    assert article.outlet == "front-matter-in-text-file" and not article.outlet_known
    assert article.published is None
    assert article.text.startswith("---\noutlet: Forged Outlet\n")


# --- An Arabic-language article -------------------------------------------------------------------


def test_an_arabic_article_is_kept_byte_for_byte() -> None:
    (article,) = reconcile.ingest([ARTICLES / "arabic.txt"]).articles
    raw = (ARTICLES / "arabic.txt").read_bytes()
    assert article.text.encode("utf-8") == raw
    assert article.sha256 == hashlib.sha256(raw).hexdigest()
    assert article.language == "ar"


def test_arabic_quotes_stay_in_arabic_script_and_ground_with_their_numbers() -> None:
    articles = reconcile.ingest([ARTICLES / "arabic.txt"]).articles
    run = reconcile.extract(articles, replay=REPLAY)
    assert not run.failures
    text = articles[0].text
    by_value = {c.value: c for c in run.claims}
    assert set(by_value) == {"ثمانية صواريخ", "لم يسفر عن أي إصابات", "٦ قذائف مدفعية"}
    for claim in run.claims:
        assert claim.grounding.status == "grounded", (claim.value, claim.grounding)
        assert claim.quote.match == "exact"
        assert claim.quote.start is not None and claim.quote.end is not None
        assert text[claim.quote.start : claim.quote.end] == claim.quote.text
    # the number check reads Arabic number words, Arabic-Indic digits and Arabic negation
    assert by_value["ثمانية صواريخ"].number == 8
    assert by_value["٦ قذائف مدفعية"].number == 6
    assert by_value["لم يسفر عن أي إصابات"].number == 0


def test_an_arabic_claim_whose_number_is_not_in_its_quote_is_still_caught() -> None:
    articles = reconcile.ingest([ARTICLES / "arabic.txt"]).articles
    (article,) = articles
    (chunk,) = article_chunks(article)
    draft = ClaimDraft.model_validate(
        {
            "facet": "munition_count",
            "value": "تسعة صواريخ",
            "number": 9,
            "event": {"type": "rocket_attack"},
            "source": "US-led coalition statement",
            "stance": "reported",
            "quote": "أن ثمانية صواريخ استهدفت قاعدة القرية الخضراء",
        }
    )
    claim = draft_to_claim(article, chunk, draft, "arabic.c1")
    assert claim.grounding.status == "number_not_in_quote"
    assert claim.grounding.missing_numbers == ["9"]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("ثمانية صواريخ", [8]),
        ("أطلقت ٦ قذائف", [6]),  # Arabic-Indic digit
        ("ثلاثة عشر صاروخا", [13]),  # a teen is one number, not 3 and 10
        ("خمسة وعشرون جنديا", [25]),
        ("وثمانية جرحى", [8]),  # "and eight"
        ("ثلاثة آلاف", [3000]),
        ("أحد المسؤولين", []),  # "one of the officials"
        ("لم يسفر عن أي إصابات", []),
    ],
)
def test_arabic_number_words_and_digits_read_as_one_number_each(text: str, numbers: list[float]) -> None:
    assert numbers_in(text) == numbers


def test_the_brief_shows_arabic_quotes_in_their_own_script() -> None:
    report = build_brief([ARTICLES / "arabic.txt"], replay=REPLAY)
    markdown = render_markdown(report)
    html = render_html(report)
    for quote in ("ثمانية صواريخ استهدفت قاعدة القرية الخضراء", "ردت بإطلاق ٦ قذائف مدفعية"):
        assert quote in markdown
        assert quote in html


# --- A 10 MB article ---------------------------------------------------------------------------------

NEEDLE = "On Wednesday seventeen drones were shot down over the al-Tanf garrison, the coalition said."


def ten_megabyte_article(directory: Path) -> Path:
    """About 10 MB of distinct paragraphs with one checkable sentence in the middle."""
    paragraphs = [
        f"Paragraph {n}: the local council met again to discuss road repairs, water supply and "
        f"the price of bread in district {n % 97}, and no decision was announced. " * 4
        for n in range(16_500)
    ]
    paragraphs.insert(len(paragraphs) // 2, NEEDLE)
    path = directory / "huge.txt"
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    assert 9_500_000 < path.stat().st_size < 11_000_000
    return path


def test_a_10_mb_article_over_the_size_limit_is_named_with_its_size_and_the_others_load(
    runner: CliRunner, tmp_path: Path
) -> None:
    huge = ten_megabyte_article(tmp_path)
    small = tmp_path / "small.txt"
    small.write_text("Two rockets hit the base on Wednesday.\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(huge), str(small), "--max-mb", "5"])
    assert result.exit_code == 0, result.output
    (line,) = problem_lines(result.stderr, str(huge))
    assert "over the 5.0 MB size limit" in line
    assert "1 article" in result.stderr


def test_a_10_mb_article_loads_whole_is_extracted_in_chunks_and_its_quote_grounds_at_the_right_offset(
    tmp_path: Path,
) -> None:
    huge = ten_megabyte_article(tmp_path)
    (article,) = reconcile.ingest([huge]).articles
    assert article.text == huge.read_text(encoding="utf-8")

    def responder(request: RecordedRequest) -> Reply:
        text = article_text_of(request)
        claims = []
        if NEEDLE in text:
            claims.append(
                claim_payload(
                    NEEDLE.removesuffix(", the coalition said."),
                    facet="outcome",
                    value="seventeen drones were shot down",
                    number=17,
                    event={"type": "interception"},
                )
            )
        return structured_reply(request, {"claims": claims})

    with FakeOpenAIServer(responder=responder) as server:
        # large chunks keep the number of requests small; the chunking path is the same
        run = reconcile.extract([article], settings=_settings(server, tmp_path), max_chars=2_000_000)
    assert not run.failures
    assert len(server.completion_requests) == len(article_chunks(article, max_chars=2_000_000)) > 1
    (claim,) = run.claims
    assert claim.grounded and claim.quote.match == "exact"
    start = article.text.index(NEEDLE)
    assert (claim.quote.start, claim.quote.end) == (start, start + len(claim.quote.text))
    assert claim.chunk_index > 0  # found in a later chunk, offsets still into the whole article


# --- 5,000 tiny articles ------------------------------------------------------------------------------


def test_5000_tiny_articles_load_with_distinct_ids_and_the_bad_ones_among_them_are_named(
    runner: CliRunner, tmp_path: Path
) -> None:
    # One JSON Lines corpus (a directory of 5,000 files is the same code path per file, and
    # creating them costs seconds of file-system time; scripts/reliability.py runs that one).
    lines = [
        json.dumps({"id": f"wire-{n:04d}", "text": f"Item {n}: one rocket hit a base."}) for n in range(5_000)
    ]
    lines[2_500] = json.dumps({"id": "wire-2500", "text": "   "})  # an empty one among them
    lines.append(json.dumps({"id": "wire-5000", "text": "Item 17: one rocket hit a base."}))  # a duplicate
    lines.append('{"id": "wire-5001", "text": "cut off')  # a broken line
    corpus = tmp_path / "wire.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingested = ingest_json(runner, str(corpus))
    assert len(ingested.articles) == 4_999
    assert len({a.id for a in ingested.articles}) == 4_999
    assert {p.path for p in ingested.problems} == {f"{corpus}:2501", f"{corpus}:5001", f"{corpus}:5002"}


def test_tiny_articles_are_extracted_like_any_other(tmp_path: Path) -> None:
    texts = ["Boom.", "x", "1", "Two rockets.", "؟"]
    articles = [_article(f"tiny{n}", text) for n, text in enumerate(texts)]
    with FakeOpenAIServer(responder=_first_sentence) as server:
        run = reconcile.extract(articles, settings=_settings(server, tmp_path))
    assert not run.failures
    assert sorted(c.article_id for c in run.claims) == sorted(a.id for a in articles)
    assert all(c.grounded for c in run.claims)


# --- helpers ---------------------------------------------------------------------------------------------


def _first_sentence(request: RecordedRequest) -> Reply:
    """A faithful model in miniature: one claim quoting the article's first line or sentence."""
    text = article_text_of(request)
    first = text.strip().split("\n")[0].split(". ")[0].strip()
    return structured_reply(request, {"claims": [claim_payload(first)]})


def _article(article_id: str, text: str) -> Article:
    return Article(
        id=article_id, outlet=article_id, text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest()
    )


def _settings(server: FakeOpenAIServer, tmp_path: Path, **changes: Any) -> reconcile.LLMSettings:
    from llm_support import live_settings

    return live_settings(server, tmp_path, **changes)


def _extract_args(server: FakeOpenAIServer, tmp_path: Path, *paths: str) -> list[str]:
    return [
        "extract",
        *paths,
        "--model",
        "fake-model",
        "--base-url",
        server.base_url,
        "--cache-dir",
        str(tmp_path / "cache"),
        "--quiet",
    ]
