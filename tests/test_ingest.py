"""Ingest: every input format, every kind of bad input, and the `reconcile ingest` command."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import reconcile
from reconcile.cli import app
from reconcile.errors import InputError
from reconcile.ingest import NothingLoadedError, ingest
from reconcile.models import IngestProblem, IngestResult

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"

SEED_OUTLETS = {
    "000_c264fff437d45357": None,
    "001_ff319505259e0261": "The Jerusalem Post",
    "002_bc8e0ee3009c80c0": "Iran International",
    "003_5f9ea44ed39dbe39": "RT",
    "004_d30a712a2c6c1e7b": None,
}
SEED_DATES = {
    "000_c264fff437d45357": dt.date(2022, 1, 6),
    "001_ff319505259e0261": dt.date(2022, 1, 5),
    "002_bc8e0ee3009c80c0": dt.date(2024, 8, 13),
    "003_5f9ea44ed39dbe39": dt.date(2023, 10, 27),
    "004_d30a712a2c6c1e7b": dt.date(2022, 9, 20),
}
ARTICLE = "Eight rockets were fired at the base on Wednesday, the coalition said.\n"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def problems_for(result: IngestResult, path: Path | str) -> list[IngestProblem]:
    return [p for p in result.problems if p.path == str(path)]


def only_problem(result: IngestResult, path: Path | str) -> IngestProblem:
    found = problems_for(result, path)
    assert len(found) == 1, f"expected one problem for {path}, got {result.problems}"
    return found[0]


# --- The sample corpus with its sources.yaml --------------------------------------


def test_the_seed_directory_loads_five_articles_in_file_name_order() -> None:
    result = ingest([SEEDS])
    assert [a.id for a in result.articles] == sorted(SEED_OUTLETS)
    assert result.problems == []


def test_seed_outlets_and_dates_come_from_sources_yaml() -> None:
    articles = {a.id: a for a in ingest([SEEDS]).articles}
    for article_id, outlet in SEED_OUTLETS.items():
        article = articles[article_id]
        assert article.published == SEED_DATES[article_id]
        assert article.language == "en"
        if outlet is None:
            # Unknown outlets fall back to the file name and say so.
            assert article.outlet == article_id
            assert article.outlet_known is False
        else:
            assert article.outlet == outlet
            assert article.outlet_known is True


def test_note_fields_of_sources_yaml_become_article_notes() -> None:
    jpost = next(a for a in ingest([SEEDS]).articles if a.outlet == "The Jerusalem Post")
    assert jpost.notes["outlet"] == "named in the text (newsletter footer)"
    assert "photo caption dated 5 January 2022" in jpost.notes["published"]


def test_seed_texts_are_kept_verbatim_with_their_sha256() -> None:
    for article in ingest([SEEDS]).articles:
        raw = (SEEDS / f"{article.id}.txt").read_bytes()
        assert article.text == raw.decode("utf-8")
        assert article.sha256 == hashlib.sha256(raw).hexdigest()


def test_a_glob_and_a_single_file_still_pick_up_the_directory_sources_yaml() -> None:
    by_glob = ingest([str(SEEDS / "*.txt")])
    assert [a.id for a in by_glob.articles] == sorted(SEED_OUTLETS)
    single = ingest([SEEDS / "003_5f9ea44ed39dbe39.txt"]).articles[0]
    assert (single.outlet, single.published) == ("RT", dt.date(2023, 10, 27))


def test_ids_are_stable_across_runs() -> None:
    assert ingest([SEEDS]).model_dump() == ingest([SEEDS]).model_dump()


def test_a_path_named_twice_loads_once() -> None:
    result = ingest([SEEDS, SEEDS / "001_ff319505259e0261.txt"])
    assert len(result.articles) == 5
    assert result.problems == []


def test_the_package_exports_ingest() -> None:
    assert reconcile.ingest is ingest


# --- Markdown with front matter -------------------------------------------------------


def test_front_matter_supplies_the_metadata_and_is_not_part_of_the_text() -> None:
    article = ingest([DATA / "front_matter.md"]).articles[0]
    assert article.id == "front_matter"
    assert article.outlet == "Eastern Desk"
    assert article.outlet_known is True
    assert article.title == "Drones strike militia positions near al-Mayadeen"
    assert article.url == "https://eastern-desk.example/2022/01/07/drones-mayadeen"
    assert article.published == dt.date(2022, 1, 7)
    assert article.language == "en"
    assert article.notes == {"published": 'date line of the article; the strikes were "on Thursday night"'}
    assert article.text.startswith("Unidentified drones struck positions")
    assert "outlet:" not in article.text and "---" not in article.text


def test_markdown_without_front_matter_is_all_text_with_the_file_name_as_outlet(tmp_path: Path) -> None:
    write(tmp_path / "plain.md", ARTICLE)
    article = ingest([tmp_path]).articles[0]
    assert (article.text, article.outlet, article.outlet_known) == (ARTICLE, "plain", False)


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ("outlet: [unclosed\n", "front matter is not valid YAML"),
        ("- just\n- a list\n", "front matter must be a mapping of fields, not a list"),
        ("outlet: x\n\n", "has no closing '---' line"),
    ],
)
def test_malformed_front_matter_is_one_error_naming_the_file_and_others_still_load(
    tmp_path: Path, front_matter: str, expected: str
) -> None:
    closing = "" if "closing" in expected else "---\n"
    bad = write(tmp_path / "bad.md", f"---\n{front_matter}{closing}{ARTICLE}")
    write(tmp_path / "good.txt", "Another article about the base.\n")
    result = ingest([tmp_path])
    assert [a.id for a in result.articles] == ["good"]
    problem = only_problem(result, bad)
    assert problem.severity == "error"
    assert expected in problem.problem
    assert str(problem).startswith(str(bad))


def test_a_published_value_that_is_not_a_date_is_a_warning_and_the_article_loads(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", f"---\noutlet: Desk\npublished: last Tuesday\n---\n{ARTICLE}")
    result = ingest([path])
    article = result.articles[0]
    assert (article.outlet, article.published) == ("Desk", None)
    problem = only_problem(result, path)
    assert problem.severity == "warning"
    assert "published 'last Tuesday' is not a date" in problem.problem


def test_wrongly_typed_and_unknown_front_matter_fields_are_reported_and_ignored(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", f"---\noutlet: 42\ntitle: Fine\nauthor: Someone\n---\n{ARTICLE}")
    result = ingest([path])
    article = result.articles[0]
    assert (article.outlet, article.outlet_known, article.title) == ("a", False, "Fine")
    messages = [p.problem for p in problems_for(result, path)]
    assert any("outlet must be text" in m for m in messages)
    assert any("unknown field 'author'" in m for m in messages)
    assert all(p.severity == "warning" for p in result.problems)


def test_front_matter_without_a_body_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\noutlet: Desk\n---\n\n  \n")
    with pytest.raises(NothingLoadedError, match="no article text"):
        ingest([path])


def test_front_matter_is_read_safely_and_never_runs_yaml_tags(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.md", f"---\noutlet: !!python/object/apply:os.system ['echo hi']\n---\n{ARTICLE}"
    )
    result = ingest([path, write(tmp_path / "b.txt", "Other text.\n")])
    assert "front matter is not valid YAML" in only_problem(result, path).problem


# --- HTML -------------------------------------------------------------------------


BOILERPLATE = [
    "cookie",  # the consent banner
    "Subscribe for one dollar",  # navigation
    "World news",
    "Discount solar panels",  # advertisements
    "Earn a degree online",
    "desert_fox_77",  # reader comments
    "Thank you for the careful reporting",
    "Most read",  # sidebar
    "Celebrity chef",
    "All rights reserved",  # footer
    "Privacy policy",
    "adSlots",  # scripts
]


def test_html_main_text_is_extracted_without_navigation_ads_comments_or_footer() -> None:
    article = ingest([DATA / "news_page.html"]).articles[0]
    assert "Eight rockets were fired on Wednesday" in article.text
    assert "Approximately 900 US troops are deployed in Syria" in article.text
    for phrase in BOILERPLATE:
        assert phrase.lower() not in article.text.lower(), f"boilerplate {phrase!r} reached the text"
    assert "<" not in article.text


def test_html_title_date_outlet_url_and_language_come_from_the_page() -> None:
    article = ingest([DATA / "news_page.html"]).articles[0]
    assert article.title == "Rockets fired at base near oil field in eastern Syria"
    assert article.published == dt.date(2022, 1, 6)
    assert (article.outlet, article.outlet_known) == ("The Valley Courier", True)
    assert article.url == "https://valley-courier.example/world/2022/01/06/rockets-base-syria"
    assert article.language == "en"


def test_html_without_metadata_takes_it_from_sources_yaml(tmp_path: Path) -> None:
    body = " ".join(["The coalition said eight rockets were fired at the base on Wednesday."] * 5)
    write(tmp_path / "page.html", f"<html><body><article><p>{body}</p><p>{body}</p></article></body></html>")
    write(tmp_path / "sources.yaml", "page.html:\n  outlet: Deir Ezzor 24\n  published: 2022-01-05\n")
    result = ingest([tmp_path])
    article = result.articles[0]
    assert (article.outlet, article.published) == ("Deir Ezzor 24", dt.date(2022, 1, 5))
    assert "eight rockets" in article.text


def test_an_xhtml_page_with_an_xml_declaration_loads_with_its_language(tmp_path: Path) -> None:
    body = " ".join(["Drones struck militia positions near al-Mayadeen on Thursday night."] * 4)
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<html lang="fr-FR"><body><article><p>{body}</p></article></body></html>'
    )
    article = ingest([write(tmp_path / "page.xhtml.htm", page)]).articles[0]
    assert (article.id, article.language) == ("page.xhtml", "fr")
    assert article.text.startswith("Drones struck militia positions")


def test_an_html_page_without_article_text_is_reported(tmp_path: Path) -> None:
    page = write(
        tmp_path / "empty.html", "<html><head><title>Only a title</title></head><body></body></html>"
    )
    write(tmp_path / "ok.txt", ARTICLE)
    result = ingest([tmp_path])
    assert [a.id for a in result.articles] == ["ok"]
    assert only_problem(result, page).problem == "no article text found in the page"


# --- JSONL ------------------------------------------------------------------------


def test_jsonl_loads_one_article_per_line_with_its_metadata() -> None:
    result = ingest([DATA / "corpus.jsonl"])
    assert result.problems == []
    first, second, third = result.articles
    assert first.id == "wire-0107-a"
    assert (first.outlet, first.title, first.published) == (
        "Wire Service A",
        "Coalition says eight rockets fired at base",
        dt.date(2022, 1, 5),
    )
    assert first.url == "https://wire-a.example/0107"
    # No id field: the file stem and the line number (the blank line 2 still counts).
    assert second.id == "corpus-3"
    assert (second.outlet, second.published) == ("Regional Daily", dt.date(2022, 1, 6))
    assert second.text == (
        "Eight rockets targeted the Green Village base, the coalition said.\n"
        "A local outlet reported that one rocket hit a mosque."
    )
    # No outlet: each line falls back to its own id, so unrelated lines never share an outlet.
    assert (third.id, third.outlet, third.outlet_known) == ("wire-0107-b", "wire-0107-b", False)


def test_a_bad_jsonl_line_is_reported_with_its_line_number_and_other_lines_load(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "ok-1", "text": "First article."}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "blank", "text": "   "}),
        json.dumps({"id": "../etc/passwd", "text": "Unsafe id."}),
        json.dumps({"text": "Bad date.", "published": "yesterday"}),
    ]
    path = write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    result = ingest([path])
    assert [a.id for a in result.articles] == ["ok-1", "feed-6", "feed-7"]
    by_line = {p.path: p for p in result.problems}
    assert "not valid JSON" in by_line[f"{path}:2"].problem
    assert "must be a JSON object, not a list" in by_line[f"{path}:3"].problem
    assert "has no 'text' field" in by_line[f"{path}:4"].problem
    assert "empty or non-string 'text'" in by_line[f"{path}:5"].problem
    assert by_line[f"{path}:6"].severity == "warning"
    assert "'../etc/passwd' is not a valid article id" in by_line[f"{path}:6"].problem
    assert "published 'yesterday' is not a date" in by_line[f"{path}:7"].problem
    assert result.articles[2].published is None


# --- sources.yaml problems -----------------------------------------------------------


def test_a_sidecar_with_wrong_types_and_unknown_fields_is_reported_and_articles_still_load(
    tmp_path: Path,
) -> None:
    write(tmp_path / "a.txt", ARTICLE)
    sidecar = write(
        tmp_path / "sources.yaml",
        "a.txt:\n  outlet: 12\n  published: soon\n  language: en\n  reliability: high\n",
    )
    result = ingest([tmp_path])
    article = result.articles[0]
    assert (article.outlet, article.outlet_known, article.published, article.language) == (
        "a",
        False,
        None,
        "en",
    )
    messages = [p.problem for p in problems_for(result, sidecar)]
    assert len(messages) == 3
    assert any("entry 'a.txt': outlet must be text" in m for m in messages)
    assert any("published 'soon' is not a date" in m for m in messages)
    assert any("unknown field 'reliability'" in m for m in messages)


def test_a_sidecar_entry_naming_no_file_is_reported_as_unused(tmp_path: Path) -> None:
    write(tmp_path / "article.txt", ARTICLE)
    sidecar = write(tmp_path / "sources.yaml", "artcle.txt:\n  outlet: Misspelt\n")
    result = ingest([tmp_path])
    assert result.articles[0].outlet_known is False
    problem = only_problem(result, sidecar)
    assert (problem.severity, problem.problem) == (
        "warning",
        "entry 'artcle.txt' names no file in this directory; it is unused",
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("a.txt: [unclosed\n", "metadata file is not valid YAML"),
        ("- a.txt\n- b.txt\n", "must map file names to fields, not be a list"),
    ],
)
def test_an_unusable_sidecar_is_one_error_and_articles_load_without_it(
    tmp_path: Path, content: str, expected: str
) -> None:
    write(tmp_path / "a.txt", ARTICLE)
    sidecar = write(tmp_path / "sources.yaml", content)
    result = ingest([tmp_path])
    assert [(a.id, a.outlet_known) for a in result.articles] == [("a", False)]
    assert expected in only_problem(result, sidecar).problem


def test_an_explicit_sources_file_wins_over_the_directory_sidecar(tmp_path: Path) -> None:
    write(tmp_path / "corpus" / "a.txt", ARTICLE)
    write(tmp_path / "corpus" / "sources.yaml", "a.txt:\n  outlet: From directory\n  language: en\n")
    explicit = write(tmp_path / "meta.yaml", "a.txt:\n  outlet: From explicit file\n")
    article = ingest([tmp_path / "corpus"], sources=explicit).articles[0]
    assert (article.outlet, article.language) == ("From explicit file", "en")


def test_a_missing_explicit_sources_file_stops_the_run(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", ARTICLE)
    with pytest.raises(InputError, match="metadata file not found"):
        ingest([tmp_path], sources=tmp_path / "nope.yaml")


# --- Bad input files ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "file is empty"),
        (b"  \n\t\r\n  ", "file contains only whitespace"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file looks binary (it contains NUL bytes)"),
        (bytes(range(1, 9)) * 20 + b"abc", "file looks binary (mostly control characters)"),
        (b"Rockets hit the base\xff\xfe here.", "not valid UTF-8: byte 0xff at byte offset 20"),
        ("Eight rockets".encode("utf-16"), "UTF-16 encoded; save it as UTF-8"),
    ],
    ids=["empty", "whitespace", "binary", "control-characters", "undecodable", "utf-16"],
)
def test_a_bad_file_is_one_error_naming_it_while_the_others_load(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    bad = write(tmp_path / "bad.txt", content)
    write(tmp_path / "good.txt", ARTICLE)
    result = ingest([tmp_path])
    assert [a.id for a in result.articles] == ["good"]
    problem = only_problem(result, bad)
    assert problem.severity == "error"
    assert expected in problem.problem
    assert len(result.problems) == 1


def test_a_missing_path_is_reported_and_the_other_paths_load(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", ARTICLE)
    result = ingest([tmp_path / "missing.txt", good])
    assert [a.id for a in result.articles] == ["good"]
    assert only_problem(result, tmp_path / "missing.txt").problem == "no such file or directory"


def test_a_glob_that_matches_nothing_is_reported(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", ARTICLE)
    pattern = str(tmp_path / "*.md")
    result = ingest([pattern, good])
    assert only_problem(result, pattern).problem == "no files match this pattern"


def test_an_unsupported_extension_is_skipped_with_a_warning(tmp_path: Path) -> None:
    pdf = write(tmp_path / "report.pdf", b"%PDF-1.4")
    write(tmp_path / "good.txt", ARTICLE)
    result = ingest([tmp_path])
    assert [a.id for a in result.articles] == ["good"]
    problem = only_problem(result, pdf)
    assert problem.severity == "warning"
    assert "unsupported file type '.pdf'" in problem.problem


def test_hidden_files_and_subdirectories_in_a_directory_are_not_read(tmp_path: Path) -> None:
    write(tmp_path / ".draft.txt", "Hidden draft.\n")
    write(tmp_path / "nested" / "inner.txt", "Nested article.\n")
    write(tmp_path / "good.txt", ARTICLE)
    result = ingest([tmp_path])
    assert [a.id for a in result.articles] == ["good"]
    assert result.problems == []


def test_a_file_over_the_size_limit_is_skipped(tmp_path: Path) -> None:
    big = write(tmp_path / "big.txt", "word " * 1000)
    write(tmp_path / "small.txt", ARTICLE)
    result = ingest([tmp_path], max_bytes=1000)
    assert [a.id for a in result.articles] == ["small"]
    assert "over the 0.0 MB size limit" in only_problem(result, big).problem


def test_when_nothing_loads_the_run_stops_with_every_problem_attached(tmp_path: Path) -> None:
    write(tmp_path / "empty.txt", "")
    with pytest.raises(NothingLoadedError) as caught:
        ingest([tmp_path, tmp_path / "missing.txt"])
    assert isinstance(caught.value, InputError)
    assert "no article could be loaded (2 problems; first:" in str(caught.value)
    assert [p.problem for p in caught.value.result.problems] == ["file is empty", "no such file or directory"]


def test_no_paths_at_all_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no input paths given"):
        ingest([])


# --- Encoding, newlines, duplicates, ids ------------------------------------------------


def test_a_utf8_bom_is_stripped_and_windows_newlines_become_newlines(tmp_path: Path) -> None:
    path = write(tmp_path / "bom.txt", "\ufeffFirst line.\r\nSecond line.\rThird.\r\n".encode())
    article = ingest([path]).articles[0]
    assert article.text == "First line.\nSecond line.\nThird.\n"
    assert article.sha256 == hashlib.sha256(article.text.encode("utf-8")).hexdigest()


def test_identical_texts_under_two_names_keep_the_first_and_report_the_second(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", ARTICLE)
    copy = write(tmp_path / "b.txt", b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode())
    result = ingest([tmp_path])
    assert [a.id for a in result.articles] == ["a"]
    problem = only_problem(result, copy)
    assert (problem.severity, problem.duplicate_of) == ("warning", "a")
    assert "same text as article 'a'" in problem.problem


def test_a_duplicate_across_formats_is_detected_too(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", ARTICLE)
    write(tmp_path / "b.jsonl", json.dumps({"id": "wire", "text": ARTICLE}) + "\n")
    result = ingest([tmp_path])
    assert [a.id for a in result.articles] == ["a"]
    assert only_problem(result, f"{tmp_path / 'b.jsonl'}:1").duplicate_of == "a"


def test_file_names_become_safe_ids_and_collisions_get_a_suffix(tmp_path: Path) -> None:
    write(tmp_path / "a b.txt", "First.\n")
    write(tmp_path / "a-b.txt", "Second.\n")
    write(tmp_path / "Report (final) ÄÖ.txt", "Third.\n")
    write(tmp_path / "..sneaky..name.txt", "Fourth.\n")
    named = [tmp_path / "a b.txt", tmp_path / "a-b.txt", tmp_path / "..sneaky..name.txt"]
    ids = [a.id for a in ingest([*named, tmp_path]).articles]
    assert ids == ["a-b", "a-b-2", "sneaky.name", "Report-final"]


def test_articles_keep_where_they_were_read_from() -> None:
    article = ingest([DATA / "front_matter.md"]).articles[0]
    assert article.path == str(DATA / "front_matter.md")


# --- The command line -------------------------------------------------------------------


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that table cells are not wrapped
    return CliRunner()


def test_cli_ingest_lists_the_seed_articles_with_outlets_dates_and_word_counts(runner: CliRunner) -> None:
    result = runner.invoke(app, ["ingest", str(SEEDS)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # the table is for people: stderr
    table = result.stderr
    assert "5 articles" in table
    for article_id, outlet in SEED_OUTLETS.items():
        row = next(line for line in table.splitlines() if article_id in line)
        assert (outlet or f"{article_id} (file name)") in row
        assert SEED_DATES[article_id].isoformat() in row
    assert "664" in table  # words in the Jerusalem Post article


def test_cli_ingest_lists_problems_one_line_each_and_still_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "good.txt", ARTICLE)
    write(tmp_path / "empty.txt", "")
    write(tmp_path / "undated.md", f"---\npublished: someday\n---\n{ARTICLE}Extra line.\n")
    result = runner.invoke(app, ["ingest", str(tmp_path)])
    assert result.exit_code == 0
    assert "unknown" in next(line for line in result.stderr.splitlines() if "undated" in line and "│" in line)
    assert "2 problems:" in result.stderr
    assert f"error: {tmp_path / 'empty.txt'}: file is empty" in result.stderr
    assert f"warning: {tmp_path / 'undated.md'}: front matter: published 'someday'" in result.stderr


def test_cli_ingest_json_prints_the_ingest_result_on_stdout(runner: CliRunner) -> None:
    result = runner.invoke(app, ["ingest", str(SEEDS), "--json"])
    assert result.exit_code == 0
    parsed = IngestResult.model_validate_json(result.stdout)
    assert parsed == ingest([SEEDS])
    assert parsed.articles[1].text.startswith("Iran-backed militias step up attacks")


def test_cli_ingest_exits_1_when_no_article_loads(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "empty.txt", "")
    human = runner.invoke(app, ["ingest", str(tmp_path)])
    assert human.exit_code == 1
    assert "No article loaded." in human.stderr
    assert "file is empty" in human.stderr
    as_json = runner.invoke(app, ["ingest", str(tmp_path), "--json"])
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["problems"][0]["problem"] == "file is empty"


def test_cli_shows_untrusted_titles_literally_not_as_markup(runner: CliRunner, tmp_path: Path) -> None:
    write(tmp_path / "a.md", f"---\ntitle: '[bold red]Breaking[/] news'\n---\n{ARTICLE}")
    result = runner.invoke(app, ["ingest", str(tmp_path)])
    assert "[bold red]Breaking[/] news" in result.stderr


def test_cli_ingest_honours_the_size_limit_and_explicit_sources(runner: CliRunner, tmp_path: Path) -> None:
    shutil.copy(SEEDS / "001_ff319505259e0261.txt", tmp_path / "jpost.txt")
    write(tmp_path / "small.txt", ARTICLE)
    meta = write(tmp_path / "meta.yaml", "small.txt:\n  outlet: Small Outlet\n")
    result = runner.invoke(
        app, ["ingest", str(tmp_path), "--max-mb", "0.001", "--sources", str(meta), "--json"]
    )
    parsed = IngestResult.model_validate_json(result.stdout)
    assert [(a.id, a.outlet) for a in parsed.articles] == [("small", "Small Outlet")]
    assert "size limit" in only_problem(parsed, tmp_path / "jpost.txt").problem


def test_an_impossible_date_in_front_matter_is_one_warning_and_every_file_still_loads(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\noutlet: X\npublished: 2022-02-30\n---\nRockets hit the base.\n")
    (tmp_path / "b.txt").write_text("Another report.\n")
    result = ingest([tmp_path])
    assert [a.id for a in result.articles] == ["a", "b"]
    assert result.articles[0].outlet == "X" and result.articles[0].published is None
    [problem] = result.problems
    assert problem.path == str(tmp_path / "a.md") and "'2022-02-30' is not a date" in problem.problem


def test_an_impossible_date_in_sources_yaml_is_reported_and_the_articles_load(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Rockets hit the base.\n")
    (tmp_path / "b.txt").write_text("Another report.\n")
    (tmp_path / "sources.yaml").write_text(
        "a.txt:\n  outlet: A\n  published: 2030-13-45\nb.txt:\n  published: 2022-01-05\n"
    )
    result = ingest([tmp_path])
    by_id = {a.id: a for a in result.articles}
    assert by_id["a"].outlet == "A" and by_id["a"].published is None
    assert by_id["b"].published == dt.date(2022, 1, 5)
    assert any("'2030-13-45' is not a date" in p.problem for p in result.problems)
