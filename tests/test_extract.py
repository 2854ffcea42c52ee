"""Extraction end to end: the library call and `reconcile extract`, against the fake server and recordings."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path

import pytest
from fakeserver import FakeOpenAIServer, error_reply, structured_reply
from llm_support import (
    TEXTS,
    article_text_of,
    claim_payload,
    first_sentence_responder,
    live_settings,
    make_article,
)
from typer.testing import CliRunner

import reconcile
from reconcile.cli import app
from reconcile.errors import ConfigError
from reconcile.extract import extract, extract_async, summary_lines
from reconcile.models import Claim
from reconcile.testing import FAKE_API_KEY, no_network  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_network")


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for key, text in TEXTS.items():
        (corpus / f"{key}.txt").write_text(text, encoding="utf-8")
    return corpus


def _cli(tmp_path: Path, server: FakeOpenAIServer, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    common = ["--model", "gpt-4o-mini", "--base-url", server.base_url, "--cache-dir", str(tmp_path / "cache")]
    result = runner.invoke(app, ["extract", *args, *common, "--max-attempts", "2", "--quiet"])
    return result.exit_code, result.stdout, result.stderr


def _claims(path: Path) -> list[Claim]:
    return [Claim.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_claims_come_with_article_outlet_source_quote_offsets_and_grounding(tmp_path: Path) -> None:
    quote = "eight rockets were fired at the Green Village base on Wednesday"

    def responder(request):  # type: ignore[no-untyped-def]
        return structured_reply(
            request,
            {
                "claims": [
                    claim_payload(
                        quote,
                        facet="munition_count",
                        value="eight rockets",
                        number=8,
                        qualifier="exact",
                        unit="rockets",
                        event={"type": "rocket_attack", "date_as_written": "on Wednesday"},
                        source="US-led coalition statement",
                        source_kind="military",
                        stance="reported",
                        referring_expressions=[
                            {
                                "referent": "Green Village base",
                                "referent_kind": "base",
                                "expression": "the Green Village base",
                                "voice": "own",
                            }
                        ],
                    )  # fmt: skip
                ]
            },
        )

    article = make_article("green").model_copy(update={"published": "2022-01-05"})
    with FakeOpenAIServer(responder=responder) as server:
        run = extract([article], settings=live_settings(server, tmp_path))
    (claim,) = run.claims
    assert claim.id == "green.c1" and claim.article_id == "green" and claim.outlet == "Test Outlet"
    assert str(claim.published) == "2022-01-05"
    assert claim.source.name == "US-led coalition statement" and claim.source.kind == "military"
    assert claim.event.type == "rocket_attack" and claim.event.date_as_written == "on Wednesday"
    assert claim.number == 8 and claim.qualifier == "exact" and claim.unit == "rockets"
    assert claim.grounded and claim.quote.match == "exact"
    assert TEXTS["green"][claim.quote.start : claim.quote.end] == quote  # type: ignore[misc]
    assert claim.referring_expressions[0].expression == "the Green Village base"


def test_a_paraphrased_quote_or_a_missing_number_is_kept_but_marked_ungrounded(tmp_path: Path) -> None:
    def responder(request):  # type: ignore[no-untyped-def]
        return structured_reply(
            request,
            {
                "claims": [
                    claim_payload(
                        "a dozen rockets struck the American outpost", value="a dozen rockets", number=12
                    ),
                    claim_payload(
                        "eight rockets were fired at the Green Village base", value="ten rockets", number=10
                    ),
                ]
            },
        )

    with FakeOpenAIServer(responder=responder) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path))
    assert [c.grounding.status for c in run.claims] == ["quote_not_found", "number_not_in_quote"]
    assert not any(c.grounded for c in run.claims)
    assert "claims: 2 (0 grounded, 2 ungrounded)" in summary_lines(run)


def test_extract_accepts_an_ingest_result_and_is_public(tmp_path: Path) -> None:
    ingested = reconcile.ingest([str(_corpus(tmp_path))])
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        run = reconcile.extract(ingested, settings=live_settings(server, tmp_path))
    assert isinstance(run, reconcile.ExtractionRun)
    assert run.article_ids == ["conoco", "green", "troops"]
    assert [c.article_id for c in run.claims] == [
        "conoco",
        "green",
        "troops",
    ]  # article order, not finish order


def test_extract_async_for_callers_inside_an_event_loop(tmp_path: Path) -> None:
    async def inside_a_loop() -> int:
        with pytest.raises(ConfigError, match="use `await extract_async"):
            extract([make_article("green")], replay=tmp_path)
        with FakeOpenAIServer(responder=first_sentence_responder) as server:
            run = await extract_async([make_article("green")], settings=live_settings(server, tmp_path))
        return len(run.claims)

    assert asyncio.run(inside_a_loop()) == 1


def test_a_long_article_is_extracted_chunk_by_chunk_with_offsets_into_the_whole_text(tmp_path: Path) -> None:
    sentences = [f"Report number {i} says the depot at site {i} was hit." for i in range(40)]
    text = " ".join(sentences)
    article = make_article("troops", text)
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        run = extract([article], settings=live_settings(server, tmp_path), max_chars=400, overlap_chars=100)
        sent = [article_text_of(r) for r in server.requests]
    assert len(sent) > 3
    assert all(len(chunk) <= 400 and chunk in text for chunk in sent)
    assert all("part" in r.messages[1]["content"] for r in server.requests)  # each says it is an excerpt
    assert len(run.claims) == len(sent)
    for claim in run.claims:
        assert claim.grounded
        assert text[claim.quote.start : claim.quote.end] == claim.quote.text  # type: ignore[misc]
    assert len({c.id for c in run.claims}) == len(run.claims)


def test_claims_read_twice_in_chunk_overlap_are_kept_once(tmp_path: Path) -> None:
    text = (
        ("Filler sentence without facts here. " * 8)
        + "Two drones were downed near Conoco. "
        + ("Another sentence without facts. " * 8)
    )
    quote = "Two drones were downed near Conoco"

    def responder(request):  # type: ignore[no-untyped-def]
        answer = (
            [claim_payload(quote, value="Two drones", number=2)] if quote in article_text_of(request) else []
        )
        return structured_reply(request, {"claims": answer})

    with FakeOpenAIServer(responder=responder) as server:
        run = extract(
            [make_article("conoco", text)],
            settings=live_settings(server, tmp_path),
            max_chars=200,
            overlap_chars=120,
        )
        seen = sum(quote in article_text_of(r) for r in server.requests)
    assert seen >= 2
    assert [c.value for c in run.claims] == ["Two drones"]


def test_one_failed_chunk_fails_its_article_but_keeps_the_claims_of_the_other_chunks(tmp_path: Path) -> None:
    text = " ".join(f"Sentence {i} reports a strike on depot {i}." for i in range(30))

    def responder(request):  # type: ignore[no-untyped-def]
        if "Sentence 0 " in article_text_of(request):
            return error_reply(400, "rejected")
        return first_sentence_responder(request)

    with FakeOpenAIServer(responder=responder) as server:
        run = extract(
            [make_article("troops", text)],
            settings=live_settings(server, tmp_path),
            max_chars=300,
            overlap_chars=80,
        )
    (failure,) = run.failures
    assert failure.reason.startswith("chunk 0: the endpoint refused the request (HTTP 400)")
    assert run.claims and all(c.chunk_index > 0 for c in run.claims)


# --- CLI -------------------------------------------------------------------------------------


def test_cli_writes_one_claim_per_line_and_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "claims.jsonl"
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        code, stdout, stderr = _cli(tmp_path, server, str(_corpus(tmp_path)), "-o", str(out))
    assert code == 0, stderr
    assert stdout == ""
    claims = _claims(out)
    assert [c.id for c in claims] == ["conoco.c1", "green.c1", "troops.c1"]
    assert all(c.grounded and c.quote.start is not None for c in claims)
    assert "articles: 3 ok, 0 failed" in stderr
    assert "claims: 3 (3 grounded, 0 ungrounded)" in stderr
    assert "calls: 3 (0 transport retries, 0 re-asks); cache hits: 0; replayed: 0" in stderr
    assert "tokens: 300 in, 60 out; cost: $0.0001" in stderr
    assert f"wrote 3 claims to {out}" in stderr


def test_cli_second_run_is_all_cache_hits(tmp_path: Path) -> None:
    corpus = str(_corpus(tmp_path))
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        _cli(tmp_path, server, corpus, "-o", str(tmp_path / "a.jsonl"))
        code, _, stderr = _cli(tmp_path, server, corpus, "-o", str(tmp_path / "b.jsonl"))
        assert len(server.requests) == 3
    assert code == 0 and "calls: 0" in stderr and "cache hits: 3" in stderr
    assert (tmp_path / "a.jsonl").read_text() == (tmp_path / "b.jsonl").read_text()


def test_cli_dash_output_writes_claims_to_stdout(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        code, stdout, _ = _cli(tmp_path, server, str(_corpus(tmp_path) / "green.txt"), "-o", "-")
    assert code == 0
    (line,) = stdout.splitlines()
    assert json.loads(line)["article_id"] == "green"


def test_cli_exit_status_3_when_some_articles_failed(tmp_path: Path) -> None:
    def responder(request):  # type: ignore[no-untyped-def]
        if "Conoco" in article_text_of(request):
            return error_reply(503, "overloaded")
        return first_sentence_responder(request)

    out = tmp_path / "claims.jsonl"
    with FakeOpenAIServer(responder=responder) as server:
        code, _, stderr = _cli(tmp_path, server, str(_corpus(tmp_path)), "-o", str(out))
    assert code == 3
    assert "articles: 2 ok, 1 failed" in stderr
    assert "failed conoco: gave up after 2 attempts: server error (HTTP 503): overloaded" in stderr
    assert [c.article_id for c in _claims(out)] == ["green", "troops"]  # nothing already extracted is lost


def test_cli_exit_status_1_when_no_article_succeeded(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=lambda request: error_reply(401, "invalid key")) as server:
        code, _, stderr = _cli(tmp_path, server, str(_corpus(tmp_path)), "-o", str(tmp_path / "c.jsonl"))
    assert code == 1
    assert "articles: 0 ok, 3 failed" in stderr


def test_cli_exit_status_2_with_one_line_when_no_key_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reconcile.cli import main

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setattr("sys.argv", ["reconcile", "extract", str(_corpus(tmp_path)), "--model", "gpt-4o"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2


def test_cli_replay_needs_no_key_and_reports_who_wrote_the_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = str(_corpus(tmp_path))
    record = tmp_path / "recorded"
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        code, _, _ = _cli(
            tmp_path, server, corpus, "--record", str(record), "-o", str(tmp_path / "live.jsonl")
        )
    assert code == 0
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = CliRunner().invoke(
        app,
        ["extract", corpus, "--replay", str(record), "--strict", "-q", "-o", str(tmp_path / "replay.jsonl")],
    )
    assert result.exit_code == 0, result.stderr
    assert "replayed: 3" in result.stderr and "answers written by: fake-model" in result.stderr
    assert (tmp_path / "live.jsonl").read_text() == (tmp_path / "replay.jsonl").read_text()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert FAKE_API_KEY.encode() not in path.read_bytes()


def test_cli_without_output_shows_a_claim_table(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        result = CliRunner().invoke(
            app,
            ["extract", str(_corpus(tmp_path) / "troops.txt"), "--model", "gpt-4o-mini", "--base-url",
             server.base_url, "--no-cache"],
        )  # fmt: skip
    assert result.exit_code == 0
    assert "troops.c1" in result.stderr and "grounded" in result.stderr


def test_cli_unknown_price_is_shown_as_unknown_and_can_be_given(tmp_path: Path) -> None:
    corpus = str(_corpus(tmp_path) / "green.txt")
    runner = CliRunner()
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        base = ["extract", corpus, "--base-url", server.base_url, "--no-cache", "-q", "--model", "local-llm"]
        unknown = runner.invoke(app, base)
        priced = runner.invoke(app, [*base, "--price-in", "1", "--price-out", "2"])
    assert "cost: unknown (no price for local-llm; set --price-in and --price-out)" in unknown.stderr
    assert "cost: $0.0001" in priced.stderr


def test_a_client_and_settings_of_its_own_cannot_both_be_given(tmp_path: Path) -> None:
    from reconcile.llm.fixtures import replay_client

    with pytest.raises(ConfigError, match="Pass either client= or replay, not both"):
        extract([make_article("green")], client=replay_client(tmp_path), replay=tmp_path)


def test_settings_and_options_they_already_set_cannot_both_be_given(tmp_path: Path) -> None:
    from reconcile.llm.config import LLMSettings

    settings = LLMSettings.from_env(model="local-llm", api_key="k", replay_dir=tmp_path)
    with pytest.raises(ConfigError, match="Pass either settings= or model, not both"):
        extract([make_article("green")], settings=settings, model="another-model")


def test_endpoint_key_timeout_and_prices_can_be_given_as_keywords(monkeypatch: pytest.MonkeyPatch) -> None:
    # keywords win over the environment
    monkeypatch.setenv("OPENAI_API_KEY", "k-from-the-environment")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        run = extract(
            [make_article("green")],
            model="local-llm",
            base_url=server.base_url,
            api_key="k-given-as-keyword",
            timeout=5.0,
            price_in=1.0,
            price_out=2.0,
            no_cache=True,
        )
        [request] = server.completion_requests
    assert request.headers["authorization"] == "Bearer k-given-as-keyword"
    assert [c.article_id for c in run.claims] == ["green"] and run.claims[0].grounded
    assert run.model == "local-llm"
    assert run.usage.cost_usd is not None and run.usage.cost_usd > 0  # priced by the prices given


def test_a_client_and_an_endpoint_of_its_own_cannot_both_be_given(tmp_path: Path) -> None:
    from reconcile.llm.fixtures import replay_client

    with pytest.raises(ConfigError, match="Pass either client= or api_key, base_url, not both"):
        extract(
            [make_article("green")],
            client=replay_client(tmp_path),
            base_url="http://127.0.0.1:1/v1",
            api_key="k",
        )


def test_cli_output_file_gets_the_permissions_of_any_new_file(tmp_path: Path) -> None:
    out = tmp_path / "claims.jsonl"
    previous = os.umask(0o022)
    try:
        with FakeOpenAIServer(responder=first_sentence_responder) as server:
            code, _, stderr = _cli(tmp_path, server, str(_corpus(tmp_path) / "green.txt"), "-o", str(out))
    finally:
        os.umask(previous)
    assert code == 0, stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # as a brief would be, not mkstemp's 0600
