"""Safety: the key stays secret, stored files are data, names cannot escape, templates stay text.

- No API key or Authorization header in fixtures, the cache, the -o outputs, logs or errors:
  runs use a distinctive fake key and every written byte and every printed line is searched.
- Fixture, cache, metadata, claims, gold and gazetteer files are read as data only: JSON and
  safe YAML. A `!!python/...` tag is refused with a message naming the file, never executed; a
  pickle where a cache entry should be is a miss, never unpickled.
- Article ids and file names with `../` or absolute paths cannot make the tool write outside the
  directories it was given (--record, --cache-dir, -o).
- Template syntax in an article (`{{ 7*7 }}`, `{% for %}`) is text in prompts and briefs.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest
from fakeserver import FakeOpenAIServer, RecordedRequest, Reply, error_reply, structured_reply
from llm_support import article_text_of, claim_payload, live_settings
from pydantic import ValidationError
from typer.testing import CliRunner

import reconcile
from reconcile.brief import build_brief
from reconcile.cli import app
from reconcile.errors import FixtureError, InputError
from reconcile.extract import render_extract_prompt
from reconcile.llm.replay import ExchangeStore
from reconcile.models import Article, Exchange
from reconcile.render import render_html, render_json, render_markdown

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "reconcile"
HOSTILE = ROOT / "fixtures" / "hostile"
TEMPLATE_ARTICLE = HOSTILE / "articles" / "template-syntax.txt"

# A key no real file or output would ever contain by chance, and the part of it that is unique.
SECRET = "sk-proj-LEAKCANARY7f3a9c2e1b8d4f60a5e3c7b9d1f2a4c6"
SECRET_CORE = "LEAKCANARY7f3a9c2e1b8d4f60a5e3c7b9d1f2a4c6"
WAIT_LIMIT = 60.0


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "RECONCILE_"))}
    env.update({"COLUMNS": "200", **extra})
    return env


def run_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from reconcile.cli import main; main()", *args],
        env=child_env(**env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=WAIT_LIMIT,
    )


def leaks(text: str) -> list[str]:
    found = []
    if SECRET_CORE in text or SECRET_CORE[:16] in text:
        found.append("the key")
    if re.search(r"authorization", text, re.IGNORECASE):
        found.append("an Authorization header")
    if re.search(r"bearer\s+sk-", text, re.IGNORECASE):
        found.append("a bearer token")
    return found


def files_under(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


# --- The key never leaves the request header ---------------------------------------------------


def leaky_model(request: RecordedRequest) -> Reply:
    """Answers most articles; for one, a 401 that echoes the key, as real endpoints do."""
    text = article_text_of(request)
    if "Report unauthorised" in text:
        return error_reply(401, f"Incorrect API key provided: {SECRET}. Find your key at the dashboard.")
    if "Report server-error" in text:
        return error_reply(500, f"upstream failed for request with key {SECRET}", retry_after=0)
    quote = text.split(", the coalition said")[0].split(": ", 1)[1]
    return structured_reply(request, {"claims": [claim_payload(quote)]})


@pytest.fixture(scope="module")
def leak_check_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Extract (recording and caching) and brief with a distinctive key; keep every output."""
    work = tmp_path_factory.mktemp("leak")
    corpus = work / "corpus"
    corpus.mkdir()
    for name in ("healthy", "unauthorised", "server-error"):
        (corpus / f"{name}.txt").write_text(
            f"Report {name}: two rockets hit the Green Village base on Wednesday, the coalition said.\n",
            encoding="utf-8",
        )
    outputs: list[subprocess.CompletedProcess[str]] = []
    with FakeOpenAIServer(responder=leaky_model) as server:
        common = ["--model", "gpt-4o-mini", "--base-url", server.base_url, "--max-attempts", "2"]
        outputs.append(
            run_cli(
                "extract", str(corpus), *common, "--record", str(work / "record"),
                "--cache-dir", str(work / "cache-record"), "-o", str(work / "out" / "claims.jsonl"),
                cwd=work, OPENAI_API_KEY=SECRET,
            )
        )  # fmt: skip
        outputs.append(
            run_cli(
                "extract", str(corpus), *common, "--api-key", SECRET, "--cache-dir", str(work / "cache"),
                "-o", str(work / "out" / "claims-again.jsonl"),
                cwd=work, OPENAI_LOG="debug", RECONCILE_DEBUG="1",
            )
        )  # fmt: skip
        outputs.append(
            run_cli(
                "brief", str(corpus), "--model", "gpt-4o-mini", "--base-url", server.base_url,
                "--cache-dir", str(work / "cache"), "-o", str(work / "out" / "brief.json"),
                cwd=work, OPENAI_API_KEY=SECRET,
            )
        )  # fmt: skip
        headers = [r.headers.get("authorization", "") for r in server.completion_requests]
    # the other brief formats, rendered from the same report
    report = reconcile.Report.model_validate_json((work / "out" / "brief.json").read_text(encoding="utf-8"))
    (work / "out" / "brief.md").write_text(render_markdown(report), encoding="utf-8")
    (work / "out" / "brief.html").write_text(render_html(report), encoding="utf-8")
    return {"work": work, "outputs": outputs, "headers": headers}


def test_the_key_was_really_sent_so_the_leak_search_means_something(
    leak_check_run: dict[str, object],
) -> None:
    headers = leak_check_run["headers"]
    assert isinstance(headers, list) and headers
    assert set(headers) == {f"Bearer {SECRET}"}
    outputs = leak_check_run["outputs"]
    assert isinstance(outputs, list)
    assert [o.returncode for o in outputs] == [3, 3, 3]  # partial: two articles always fail
    assert "HTTP 401" in outputs[0].stderr  # the echoing error was really met


def test_no_written_file_holds_the_key_or_an_authorization_header(leak_check_run: dict[str, object]) -> None:
    work = leak_check_run["work"]
    assert isinstance(work, Path)
    written = [p for p in files_under(work) if "corpus" not in p.parts]
    kinds = {p.relative_to(work).parts[0] for p in written}
    assert {"record", "cache", "cache-record", "out"} <= kinds  # fixtures, cache and outputs were written
    for path in written:
        assert not leaks(path.read_text(encoding="utf-8", errors="replace")), path


def test_no_printed_line_holds_the_key_not_even_in_errors_or_debug_logs(
    leak_check_run: dict[str, object],
) -> None:
    outputs = leak_check_run["outputs"]
    assert isinstance(outputs, list)
    for output in outputs:
        assert not leaks(output.stdout), output.args
        assert not leaks(output.stderr), (output.args, output.stderr[-2000:])


def test_an_echoed_key_in_a_failure_reason_is_masked(leak_check_run: dict[str, object]) -> None:
    work = leak_check_run["work"]
    assert isinstance(work, Path)
    report = json.loads((work / "out" / "brief.json").read_text(encoding="utf-8"))
    reasons = {f["article_id"]: f["reason"] for f in report["failures"]}
    assert "Incorrect API key provided: ***" in reasons["unauthorised"]
    assert "upstream failed for request with key ***" in reasons["server-error"]
    assert set(reasons) == {"unauthorised", "server-error"}


def test_no_committed_fixture_holds_a_key_or_a_header() -> None:
    stored = [p for p in files_under(ROOT / "fixtures") if p.suffix in (".json", ".yaml", ".yml", ".jsonl")]
    assert stored
    for path in stored:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\bsk-(?!\*)[A-Za-z0-9_-]{8,}", text), path
        assert not leaks(text), path
        if path.suffix == ".json" and "replay" in path.parts or path.parent.name == "seeds":
            assert json.loads(text).get("recorded_by") == "hand-written", path


def test_the_key_does_not_show_in_the_settings_repr() -> None:
    settings = reconcile.LLMSettings.from_env(environ={}, model="m", api_key=SECRET)
    assert SECRET_CORE not in repr(settings) and SECRET_CORE not in str(settings)


# --- Stored files are data --------------------------------------------------------------------------


def python_tag(marker: Path) -> str:
    """YAML that, loaded unsafely, opens (and so creates) ``marker``."""
    return f'!!python/object/apply:builtins.open ["{marker}", "w"]'


class _OpensMarker:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def test_a_python_tag_in_sources_yaml_is_refused_naming_the_file_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "EXECUTED"
    (tmp_path / "article.txt").write_text("Two rockets hit the base.\n", encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(
        f"article.txt:\n  outlet: {python_tag(marker)}\n", encoding="utf-8"
    )
    result = reconcile.ingest([tmp_path])
    assert [a.id for a in result.articles] == ["article"]  # the article still loads, without it
    (problem,) = result.problems
    assert problem.path == str(tmp_path / "sources.yaml")
    assert "python/object" in problem.problem
    assert not marker.exists()


def test_a_python_tag_in_front_matter_is_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "EXECUTED"
    (tmp_path / "a.md").write_text(f"---\ntitle: {python_tag(marker)}\n---\nTwo rockets.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Three rockets.\n", encoding="utf-8")
    result = reconcile.ingest([tmp_path])
    assert [a.id for a in result.articles] == ["b"]
    assert result.problems[0].path == str(tmp_path / "a.md")
    assert not marker.exists()


@pytest.mark.parametrize("kind", ["claims file", "gold file", "gazetteer"])
def test_a_python_tag_in_a_yaml_input_is_refused_and_never_run(kind: str, tmp_path: Path) -> None:
    marker = tmp_path / "EXECUTED"
    hostile = tmp_path / "hostile.yaml"
    runner = CliRunner()
    if kind == "claims file":
        hostile.write_text(f"article: companion.txt\nclaims: {python_tag(marker)}\n", encoding="utf-8")
        args = ["fixtures", "wrap", str(hostile), "--articles", str(HOSTILE / "articles" / "companion.txt")]
        args += ["--out", str(tmp_path / "fixtures")]
    elif kind == "gold file":
        report = tmp_path / "report.json"
        report.write_text(render_json(reconcile.Report()), encoding="utf-8")
        hostile.write_text(f"articles: {python_tag(marker)}\n", encoding="utf-8")
        args = ["eval", str(report), "--gold", str(hostile)]
    else:
        claims = tmp_path / "claims.jsonl"
        done = runner.invoke(
            app, ["extract", str(HOSTILE / "articles" / "companion.txt"), "--replay", str(HOSTILE / "replay")]
            + ["-o", str(claims), "-q"]
        )  # fmt: skip
        assert done.exit_code == 0, done.output
        hostile.write_text(f"places:\n  - {python_tag(marker)}\n", encoding="utf-8")
        args = ["group", str(claims), "--gazetteer", str(hostile)]
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError | FixtureError), result.exception
    assert str(hostile) in str(result.exception)
    assert not marker.exists()


def test_a_replay_fixture_that_is_not_a_json_exchange_is_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "EXECUTED"
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    (fixtures / "pickled.json").write_bytes(pickle.dumps(_OpensMarker(marker)))
    articles = reconcile.ingest([HOSTILE / "articles" / "companion.txt"]).articles
    with pytest.raises(FixtureError, match=r"pickled\.json is not a valid exchange"):
        reconcile.extract(articles, replay=fixtures)
    (fixtures / "pickled.json").write_text(f"stage: {python_tag(marker)}\n", encoding="utf-8")
    with pytest.raises(FixtureError, match=r"pickled\.json is not a valid exchange"):
        reconcile.extract(articles, replay=fixtures)
    assert not marker.exists()


def test_a_pickle_in_the_cache_is_a_miss_never_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / "EXECUTED"
    articles = reconcile.ingest([HOSTILE / "articles" / "companion.txt"]).articles
    answers = []

    def model(request: RecordedRequest) -> Reply:
        answers.append(request)
        return structured_reply(
            request, {"claims": [claim_payload("Two rockets landed near the Green Village base")]}
        )

    with FakeOpenAIServer(responder=model) as server:
        settings = live_settings(server, tmp_path)
        first = reconcile.extract(articles, settings=settings)
        (entry,) = (tmp_path / "cache").rglob("*.json")
        entry.write_bytes(pickle.dumps(_OpensMarker(marker)))
        again = reconcile.extract(articles, settings=settings)
    assert len(answers) == 2  # the poisoned entry was asked for again, not trusted
    assert [c.value for c in again.claims] == [c.value for c in first.claims]
    assert json.loads(entry.read_text(encoding="utf-8"))["answer"]  # and replaced by a JSON entry
    assert not marker.exists()


UNSAFE_CODE = [
    (r"^\s*(import|from)\s+(pickle|cPickle|dill|marshal|shelve)\b", "a deserialiser that runs code"),
    (r"yaml\.(unsafe_load|full_load|load_all)\(|yaml\.(Unsafe|Full)?Loader\b", "an unsafe YAML loader"),
    (r"(?<![\w.])(eval|exec)\(", "eval/exec"),
    (r"\.from_string\(", "a template built from a string (article text must never become a template)"),
]


def code_only(source: str) -> str:
    """The source with comments and string literals blanked out: only what runs is searched."""
    lines = source.splitlines(keepends=True)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.STRING):
            (first, start), (last, end) = token.start, token.end
            for number in range(first, last + 1):
                line = lines[number - 1]
                lo = start if number == first else 0
                hi = end if number == last else len(line.rstrip("\n"))
                lines[number - 1] = line[:lo] + " " * (hi - lo) + line[hi:]
    return "".join(lines)


def test_the_package_has_no_code_path_that_runs_stored_or_article_text() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        source = code_only(path.read_text(encoding="utf-8"))
        for pattern, what in UNSAFE_CODE:
            match = re.search(pattern, source, re.MULTILINE)
            assert match is None, f"{path.relative_to(ROOT)} uses {what}: {match.group(0) if match else ''}"
        for call in re.findall(r"yaml\.load\([^)]*\)", source):
            assert "SafeLoader" in call, f"{path.relative_to(ROOT)}: {call}"


# --- Names cannot escape ----------------------------------------------------------------------------

ESCAPING_IDS = [
    "../../escaped",
    "/tmp/reconcile-escaped-absolute",
    "..",
    "a/../../b",
    "..\\..\\win",
    "~/home",
]


def test_ids_with_separators_or_dot_dot_are_refused_by_every_model() -> None:
    for bad in ESCAPING_IDS:
        with pytest.raises(ValidationError):
            Article(id=bad, outlet="x", text="x", sha256="0" * 64)


def test_a_recorded_exchange_named_after_an_escaping_id_is_refused(tmp_path: Path) -> None:
    store = ExchangeStore(tmp_path / "record")
    for field in ("article_id", "stage", "mode"):
        for bad in ESCAPING_IDS:
            exchange = Exchange(
                stage="extract", article_id="ok", input_sha256="0" * 64, model="m", mode="tools",
                prompt_fingerprint="f", request={}, response={}, recorded_at="now",
                recorded_by="hand-written",
            ).model_copy(update={field: bad})  # fmt: skip
            with pytest.raises(FixtureError):
                store.write(exchange)
    assert files_under(tmp_path) == []


def test_hostile_ids_and_file_names_cannot_make_a_run_write_outside_its_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work, corpus = tmp_path / "work", tmp_path / "in" / "corpus"
    work.mkdir()
    monkeypatch.chdir(work)  # anything written relative to the working directory would show up here
    corpus.mkdir(parents=True)
    lines = [
        json.dumps({"id": bad, "text": f"Item {n}: two rockets hit the base."})
        for n, bad in enumerate(ESCAPING_IDS)
    ]
    (corpus / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name in ("..txt", "...txt", "-rf.txt", "$(touch pwned).txt", "%2e%2e%2fescaped.txt"):
        (corpus / name).write_text(f"{name}: one rocket hit the base.\n", encoding="utf-8")
    before = set(files_under(tmp_path))
    record, cache, out = (
        tmp_path / "a" / "b" / "record",
        tmp_path / "a" / "b" / "cache",
        tmp_path / "a" / "b" / "out",
    )

    def model(request: RecordedRequest) -> Reply:
        quote = article_text_of(request).strip().split(":")[0]
        return structured_reply(request, {"claims": [claim_payload(quote)]})

    with FakeOpenAIServer(responder=model) as server:
        # names starting with "." are skipped when a directory is listed, so they are named as well
        dot_files = [str(corpus / "..txt"), str(corpus / "...txt")]
        runner = CliRunner()
        result = runner.invoke(
            app,
            ["extract", str(corpus), *dot_files, "--model", "gpt-4o-mini", "--base-url", server.base_url]
            + ["--record", str(record), "--cache-dir", str(cache), "-o", str(out / "claims.jsonl"), "-q"],
        )
        brief = runner.invoke(
            app,
            ["brief", str(corpus), *dot_files, "--replay", str(record), "-o", str(out / "brief.html"), "-q"],
        )
    assert result.exit_code == 0, result.output
    assert brief.exit_code == 0, brief.output
    assert "is not a valid article id" in result.stderr  # each refused id is named
    new = set(files_under(tmp_path)) - before
    allowed = (record, cache, out)
    outside = [p for p in new if not any(p.is_relative_to(d) for d in allowed)]
    assert outside == []
    assert len(list(record.glob("*.json"))) == len(ESCAPING_IDS) + 5  # one fixture per article, all inside
    assert set(out.iterdir()) == {out / "claims.jsonl", out / "brief.html"}
    assert not Path("/tmp/reconcile-escaped-absolute").exists()


# --- Template syntax is text -------------------------------------------------------------------------

TEMPLATE_TEXT = ["{{ 7*7 }}", "{% for shell in range(3) %}boom {% endfor %}", "{{ config.items() }}"]
EVALUATED = ["49 rockets", "boom boom boom", "__subclasses__()]", "dict_items"]


def test_template_syntax_in_an_article_reaches_the_model_as_written() -> None:
    text = TEMPLATE_ARTICLE.read_text(encoding="utf-8")
    system, user = render_extract_prompt(text).messages
    for literal in TEMPLATE_TEXT:
        assert literal in user["content"]
        assert literal not in system["content"]
    assert text.strip() in user["content"]
    for evaluated in EVALUATED:
        assert evaluated not in user["content"]


def template_model(request: RecordedRequest) -> Reply:
    """Quotes the article's template syntax back, in the value, the quote and the framing."""
    if "{{ 7*7 }} rockets" not in article_text_of(request):
        return structured_reply(request, {"claims": []})
    claim = claim_payload(
        "A press release posted on Wednesday said {{ 7*7 }} rockets were fired at the Green Village base",
        facet="munition_count",
        value="{{ 7*7 }} rockets",
        source="press release {% for shell in range(3) %}boom {% endfor %}",
        source_kind="media",
        stance="reported",
        event={"type": "rocket_attack", "place_as_written": "{{ config.items() }}"},
        referring_expressions=[
            {"referent": "{{ 7*7 }}", "referent_kind": "base", "expression": "{{ 7*7 }}", "voice": "own"}
        ],
    )
    return structured_reply(request, {"claims": [claim]})


def test_template_syntax_in_an_article_is_never_evaluated_in_any_brief(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=template_model) as server:
        report = build_brief([TEMPLATE_ARTICLE], settings=live_settings(server, tmp_path))
    (claim,) = report.claims
    assert claim.value == "{{ 7*7 }} rockets"
    for name, brief in (
        ("markdown", render_markdown(report).replace("\\*", "*")),  # Markdown escapes the "*"
        ("html", render_html(report)),
        ("json", render_json(report)),
    ):
        assert "{{ 7*7 }}" in brief, name
        assert "{% for shell in range(3) %}" in brief, name
        for evaluated in EVALUATED:
            assert evaluated not in brief, (name, evaluated)
