"""LLM faults end to end: one run against a local endpoint that misbehaves in every way it can.

Each article of the corpus meets one fault at the fake OpenAI server (tests/fakeserver.py, on
127.0.0.1): a 429 storm, 500s, a hang past the timeout, a dropped connection, a truncated body,
empty choices, a refusal, an answer in the wrong schema, an answer cut off for length. The run
must complete, report every failed article with its reason, keep what the healthy articles
yielded, and say "partial" in its exit status; a re-run then pays only for what failed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from click.testing import Result
from fakeserver import (
    FakeOpenAIServer,
    RecordedRequest,
    Reply,
    drop_reply,
    empty_choices_reply,
    error_reply,
    hang_reply,
    long_reply,
    refusal_reply,
    structured_reply,
    truncated_reply,
)
from llm_support import FAST_RETRY, article_text_of, claim_payload, live_settings
from typer.testing import CliRunner

import reconcile
from reconcile.brief import build_brief
from reconcile.cli import EXIT_PARTIAL, app
from reconcile.models import Claim, Report
from reconcile.render import render_markdown
from reconcile.testing import FAKE_API_KEY

MAX_ATTEMPTS = 2
MAX_REASKS = 1
TIMEOUT = 0.5

# article -> (what the server does, requests it must take, words the reported reason must contain)
FAULTS: dict[str, tuple[Callable[[RecordedRequest], Reply], int, str]] = {
    "rate-limit-storm": (
        lambda r: error_reply(429, "slow down", retry_after=0),
        MAX_ATTEMPTS,
        "rate limited",
    ),
    "server-errors": (lambda r: error_reply(500, "internal error"), MAX_ATTEMPTS, "server error (HTTP 500)"),
    "hang": (lambda r: hang_reply(10), MAX_ATTEMPTS, "timed out"),
    "dropped-connection": (lambda r: drop_reply(), MAX_ATTEMPTS, "connection failed"),
    "truncated-json": (lambda r: truncated_reply(), MAX_ATTEMPTS, "malformed response body"),
    "empty-choices": (lambda r: empty_choices_reply(), 1, "No choices"),
    "refusal": (lambda r: refusal_reply("I can't help with that."), 1, "refused"),
    "wrong-schema": (
        lambda r: structured_reply(r, {"facts": ["eight rockets"]}),
        1 + MAX_REASKS,
        "did not fit the schema",
    ),
    "very-long-answer": (lambda r: long_reply(300_000), 1, "cut off"),
}
HEALTHY = ("healthy-one", "healthy-two", "rate-limited-once")


def article_text(name: str) -> str:
    return f"Probe {name}: eight rockets hit the Green Village base on Wednesday, the coalition said.\n"


def probe_of(request: RecordedRequest) -> str:
    return article_text_of(request).split(":", 1)[0].removeprefix("Probe ")


def good_answer(request: RecordedRequest) -> Reply:
    quote = article_text_of(request).split(", the coalition said")[0]
    claim = claim_payload(quote, facet="munition_count", value="eight rockets", number=8)
    return structured_reply(request, {"claims": [claim]})


class FaultyModel:
    """Answers each article according to its probe name; counts requests per article."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()

    def __call__(self, request: RecordedRequest) -> Reply:
        probe = probe_of(request)
        self.requests[probe] += 1
        if probe in FAULTS:
            return FAULTS[probe][0](request)
        if probe == "rate-limited-once" and self.requests[probe] == 1:
            return error_reply(429, "slow down", retry_after=0)
        return good_answer(request)


def write_corpus(directory: Path) -> Path:
    directory.mkdir()
    for name in [*FAULTS, *HEALTHY]:
        (directory / f"{name}.txt").write_text(article_text(name), encoding="utf-8")
    return directory


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


def extract_args(server: FakeOpenAIServer, tmp_path: Path, corpus: Path, output: Path) -> list[str]:
    return [
        "extract",
        str(corpus),
        "-o",
        str(output),
        "--model",
        "gpt-4o-mini",
        "--api-key",
        FAKE_API_KEY,
        "--base-url",
        server.base_url,
        "--cache-dir",
        str(tmp_path / "cache"),
        "--timeout",
        str(TIMEOUT),
        "--max-attempts",
        str(MAX_ATTEMPTS),
        "--max-reasks",
        str(MAX_REASKS),
        "--concurrency",
        str(len(FAULTS) + len(HEALTHY)),
        "--quiet",
    ]


@dataclass
class FaultyRun:
    result: Result
    model: FaultyModel
    output: Path
    corpus: Path
    workdir: Path


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory: pytest.TempPathFactory) -> FaultyRun:
    """One `reconcile extract` through every fault, shared by the tests that read its outcome."""
    workdir = tmp_path_factory.mktemp("faulty")
    corpus = write_corpus(workdir / "corpus")
    model = FaultyModel()
    output = workdir / "claims.jsonl"
    with FakeOpenAIServer(responder=model) as server:
        result = CliRunner().invoke(app, extract_args(server, workdir, corpus, output))
    return FaultyRun(result, model, output, corpus, workdir)


def test_a_run_through_every_fault_completes_and_exits_partial(faulty_run: FaultyRun) -> None:
    result = faulty_run.result
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == EXIT_PARTIAL == 3, result.output
    assert f"articles: {len(HEALTHY)} ok, {len(FAULTS)} failed" in result.stderr


def test_each_failed_article_is_reported_once_with_its_reason(faulty_run: FaultyRun) -> None:
    result = faulty_run.result
    for name, (_, _, reason) in FAULTS.items():
        lines = [line for line in result.stderr.splitlines() if f"failed {name}:" in line]
        assert len(lines) == 1, (name, result.stderr)
        assert reason in lines[0], lines[0]
    for name in HEALTHY:
        assert f"failed {name}:" not in result.stderr


def test_the_healthy_articles_claims_are_written_and_the_failed_ones_are_absent(
    faulty_run: FaultyRun,
) -> None:
    lines = faulty_run.output.read_text(encoding="utf-8").splitlines()
    claims = [Claim.model_validate_json(line) for line in lines]
    assert sorted(c.article_id for c in claims) == sorted(HEALTHY)
    assert all(c.grounded and c.number == 8 for c in claims)


def test_retries_are_bounded_and_terminal_answers_are_not_retried(faulty_run: FaultyRun) -> None:
    model = faulty_run.model
    for name, (_, expected, _) in FAULTS.items():
        assert model.requests[name] == expected, (name, model.requests[name])
    assert model.requests["rate-limited-once"] == 2  # recovered on its retry
    assert model.requests["healthy-one"] == model.requests["healthy-two"] == 1


def test_a_rerun_pays_only_for_the_articles_that_failed(faulty_run: FaultyRun) -> None:
    healthy_model = FaultyModel()
    output = faulty_run.workdir / "claims-again.jsonl"
    with FakeOpenAIServer(responder=good_answer_counting(healthy_model)) as server:
        result = CliRunner().invoke(app, extract_args(server, faulty_run.workdir, faulty_run.corpus, output))
    assert result.exit_code == 0, result.output
    assert set(healthy_model.requests) == set(FAULTS)  # the finished articles came from the cache
    assert all(count == 1 for count in healthy_model.requests.values())
    assert f"cache hits: {len(HEALTHY)}" in result.stderr
    claims = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert sorted(c["article_id"] for c in claims) == sorted([*FAULTS, *HEALTHY])


def good_answer_counting(model: FaultyModel) -> Callable[[RecordedRequest], Reply]:
    def respond(request: RecordedRequest) -> Reply:
        model.requests[probe_of(request)] += 1
        return good_answer(request)

    return respond


def test_the_brief_of_a_faulty_run_lists_the_failed_articles_with_reasons(
    corpus: Path, tmp_path: Path
) -> None:
    model = FaultyModel()
    retry = replace(FAST_RETRY, max_attempts=MAX_ATTEMPTS, max_reasks=MAX_REASKS)
    with FakeOpenAIServer(responder=model) as server:
        settings = live_settings(server, tmp_path, timeout=TIMEOUT, retry=retry, concurrency=12)
        report: Report = build_brief([corpus], settings=settings)
    assert {f.article_id for f in report.failures} == set(FAULTS)
    assert {c.article_id for c in report.claims} == set(HEALTHY)
    for failure in report.failures:
        assert failure.path == str(corpus / f"{failure.article_id}.txt")
        assert FAULTS[failure.article_id][2] in failure.reason
    unprocessed = render_markdown(report).split("## Not processed", 1)[1]
    for name in FAULTS:
        assert f"{name}.txt" in unprocessed


def test_the_library_reports_the_same_failures_without_raising(corpus: Path, tmp_path: Path) -> None:
    model = FaultyModel()
    with FakeOpenAIServer(responder=model) as server:
        retry = replace(FAST_RETRY, max_attempts=MAX_ATTEMPTS)
        settings = live_settings(server, tmp_path, timeout=TIMEOUT, retry=retry, concurrency=12)
        run = reconcile.extract(reconcile.ingest([corpus]), settings=settings)
    assert {f.article_id for f in run.failures} == set(FAULTS)
    assert set(run.ok_article_ids) == set(HEALTHY)
    assert run.usage.retries >= 1
