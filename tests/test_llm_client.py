"""The live path against the local fake server: modes, re-asks, transport faults, accounting."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

import httpx2
import openai
import pytest
from fakeserver import (
    FakeOpenAIServer,
    content_reply,
    drop_reply,
    empty_choices_reply,
    error_reply,
    hang_reply,
    long_reply,
    refusal_reply,
    structured_reply,
    tool_reply,
    truncated_reply,
)
from llm_support import (
    TEXTS,
    all_articles,
    article_text_of,
    claim_payload,
    first_sentence_claims,
    first_sentence_responder,
    live_settings,
    make_article,
)

from reconcile.errors import ConfigError
from reconcile.extract import extract, render_extract_prompt
from reconcile.llm.client import CallFailed, LLMClient, classify
from reconcile.llm.config import LLMSettings, RetryPolicy
from reconcile.llm.pricing import Price, price_for
from reconcile.models import ExtractionResponse, Usage
from reconcile.testing import no_network  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("no_network")


def _call(client: LLMClient, text: str) -> object:
    """One structured extraction call for ``text``, run to completion."""

    async def go() -> object:
        try:
            prompt = render_extract_prompt(text, mode=client.mode)
            return await client.structured(
                "extract", prompt, ExtractionResponse, input_sha256="0" * 64, article_id="a1"
            )
        finally:
            await client.aclose()

    return asyncio.run(go())


# --- modes -----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["tools", "json_schema", "json", "md_json"])
def test_each_mode_sends_its_request_shape_and_parses_the_answer(mode: str, tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path, mode=mode))
    assert not run.failures
    assert [c.quote.text for c in run.claims] == [TEXTS["green"].split(". ")[0]]
    body = server.requests[0].body
    if mode == "tools":
        assert body["tool_choice"]["function"]["name"] == "ExtractionResponse"
    elif mode == "json_schema":
        assert body["response_format"]["type"] == "json_schema"
    elif mode == "json":
        assert body["response_format"] == {"type": "json_object"}
    else:
        assert "response_format" not in body and "tools" not in body


def test_md_json_mode_accepts_an_answer_wrapped_in_a_fence_and_prose(tmp_path: Path) -> None:
    def fenced(request):  # type: ignore[no-untyped-def]
        answer = json.dumps(first_sentence_claims(article_text_of(request)))
        return content_reply(f"Here are the claims:\n```json\n{answer}\n```\nDone.")

    with FakeOpenAIServer(responder=fenced) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path, mode="md_json"))
    assert not run.failures and len(run.claims) == 1


def test_prompt_and_article_reach_the_endpoint_as_system_and_user_messages(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        extract([make_article("green")], settings=live_settings(server, tmp_path))
    messages = server.requests[0].messages
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "untrusted data" in messages[0]["content"]
    assert article_text_of(server.requests[0]) == TEXTS["green"]
    assert server.requests[0].body["model"] == "gpt-4o-mini"


# --- re-ask ------------------------------------------------------------------------


def test_schema_invalid_first_answer_is_reasked_with_the_validation_error(tmp_path: Path) -> None:
    quote = TEXTS["green"].split(". ")[0]
    wrong = {"claims": [claim_payload(quote, facet="number_of_rockets")]}
    with FakeOpenAIServer([tool_reply(wrong), tool_reply({"claims": [claim_payload(quote)]})]) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path))
    assert not run.failures and len(run.claims) == 1
    assert len(server.requests) == 2
    reask = server.requests[1]
    assert reask.messages[-1]["role"] == "tool"
    assert "Validation Error found" in reask.messages[-1]["content"]
    assert "validation error for ExtractionResponse" in reask.messages[-1]["content"]
    assert "number_of_rockets" in reask.messages[-1]["content"]
    assert run.usage.calls == 2 and run.usage.reasks == 1 and run.usage.retries == 0
    # both answers' tokens count
    assert run.usage.input_tokens == 200 and run.usage.output_tokens == 40


def test_invalid_json_in_the_answer_is_reasked(tmp_path: Path) -> None:
    quote = TEXTS["green"].split(". ")[0]
    with FakeOpenAIServer(
        [tool_reply('{"claims": [{"facet": '), tool_reply({"claims": [claim_payload(quote)]})]
    ) as s:
        run = extract([make_article("green")], settings=live_settings(s, tmp_path))
    assert not run.failures and run.usage.reasks == 1
    assert "Validation Error found" in s.requests[1].text


def test_answers_still_invalid_after_the_reask_budget_fail_the_article_with_the_reason(
    tmp_path: Path,
) -> None:
    wrong = tool_reply({"claims": [{"facet": "nonsense"}]})
    retry = RetryPolicy(max_attempts=3, initial_wait=0.01, max_wait=0.02, max_reasks=1)
    with FakeOpenAIServer([wrong, wrong]) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path, retry=retry))
    (failure,) = run.failures
    assert "did not fit the schema after 2 tries" in failure.reason
    assert failure.attempts == 2
    assert len(server.requests) == 2  # a schema failure is not a transport failure: no tenacity retry


# --- transport faults ----------------------------------------------------------------


def test_rate_limit_429_waits_for_retry_after_then_succeeds(tmp_path: Path) -> None:
    with FakeOpenAIServer([error_reply(429, retry_after=0.2)], responder=first_sentence_responder) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path))
    assert not run.failures and len(run.claims) == 1
    assert len(server.requests) == 2
    assert run.usage.retries == 1 and run.usage.calls == 2


def test_retry_after_is_what_the_backoff_waits(tmp_path: Path) -> None:
    error = openai.RateLimitError(
        "slow down",
        response=httpx2.Response(
            429, headers={"retry-after": "7"}, request=httpx2.Request("POST", "http://127.0.0.1/v1")
        ),
        body=None,
    )
    assert classify(error).retry_after == 7.0
    assert classify(error).transient


def test_retry_after_longer_than_the_cap_gives_up_at_once(tmp_path: Path) -> None:
    retry = RetryPolicy(max_attempts=5, initial_wait=0.01, max_wait=0.02, max_retry_after=1.0)
    with FakeOpenAIServer([error_reply(429, retry_after=3600)], responder=first_sentence_responder) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path, retry=retry))
    (failure,) = run.failures
    assert "rate limited (HTTP 429)" in failure.reason
    assert len(server.requests) == 1


def test_server_errors_until_give_up_fail_one_article_and_leave_the_others(tmp_path: Path) -> None:
    def responder(request):  # type: ignore[no-untyped-def]
        if "Conoco" in article_text_of(request):
            return error_reply(500, "internal failure")
        return first_sentence_responder(request)

    with FakeOpenAIServer(responder=responder) as server:
        run = extract(all_articles(), settings=live_settings(server, tmp_path))
    (failure,) = run.failures
    assert failure.article_id == "conoco"
    assert failure.reason.startswith("gave up after 3 attempts: server error (HTTP 500): internal failure")
    assert failure.attempts == 3
    assert sorted(c.article_id for c in run.claims) == ["green", "troops"]
    assert run.ok_article_ids == ["green", "troops"]
    conoco_requests = [r for r in server.requests if "Conoco" in article_text_of(r)]
    assert len(conoco_requests) == 3
    assert run.article_usage["conoco"].calls == 3 and run.article_usage["conoco"].retries == 2


def test_a_request_that_hangs_past_the_timeout_is_retried_then_reported(tmp_path: Path) -> None:
    retry = RetryPolicy(max_attempts=2, initial_wait=0.01, max_wait=0.02)
    with FakeOpenAIServer([hang_reply(10), hang_reply(10)]) as server:
        settings = live_settings(server, tmp_path, timeout=0.3, retry=retry)
        run = extract([make_article("green")], settings=settings)
    (failure,) = run.failures
    assert failure.reason == "gave up after 2 attempts: the request timed out"


def test_a_timeout_then_an_answer_succeeds(tmp_path: Path) -> None:
    with FakeOpenAIServer([hang_reply(10)], responder=first_sentence_responder) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path, timeout=0.3))
    assert not run.failures and run.usage.retries == 1


def test_a_dropped_connection_is_retried(tmp_path: Path) -> None:
    with FakeOpenAIServer([drop_reply()], responder=first_sentence_responder) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path))
    assert not run.failures and len(run.claims) == 1
    assert run.usage.retries == 1


def test_a_truncated_response_body_is_retried_as_a_transport_fault(tmp_path: Path) -> None:
    retry = RetryPolicy(max_attempts=2, initial_wait=0.01, max_wait=0.02, max_reasks=0)
    with FakeOpenAIServer([truncated_reply()], responder=first_sentence_responder) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path, retry=retry))
    assert not run.failures and len(run.claims) == 1
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (refusal_reply("I cannot do that."), "the model refused"),
        (long_reply(5000), "cut off at the model's output limit"),
        (empty_choices_reply(), "No choices"),
        (content_reply("not a tool call"), "could not be parsed: No tool calls"),
        (error_reply(400, "bad request body"), "refused the request (HTTP 400): bad request body"),
        (error_reply(401, "Incorrect API key provided: sk-abcdef123456"), "(HTTP 401)"),
        (error_reply(404, "model not found"), "(HTTP 404): model not found"),
    ],
)
def test_terminal_answers_fail_at_once_with_a_reason(reply, reason: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    retry = RetryPolicy(max_attempts=3, initial_wait=0.01, max_wait=0.02, max_reasks=0)
    with FakeOpenAIServer([reply]) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path, retry=retry))
    (failure,) = run.failures
    assert reason in failure.reason
    assert len(server.requests) == 1  # terminal: never retried
    assert "sk-abcdef123456" not in failure.reason  # an echoed key is scrubbed


@pytest.mark.parametrize(
    ("status", "transient"),
    [(400, False), (401, False), (403, False), (404, False), (422, False),
     (408, True), (429, True), (500, True), (502, True), (503, True)],
)  # fmt: skip
def test_status_codes_are_classified_retryable_or_terminal(status: int, transient: bool) -> None:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    error = openai.APIStatusError("x", response=httpx2.Response(status, request=request), body=None)
    assert classify(error).transient is transient


def test_the_total_time_cap_stops_retrying(tmp_path: Path) -> None:
    retry = RetryPolicy(max_attempts=50, initial_wait=0.2, max_wait=0.2, max_total_seconds=0.5)
    with FakeOpenAIServer(responder=lambda request: error_reply(503)) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path, retry=retry))
    assert run.failures
    assert 1 < len(server.requests) < 50


def test_concurrency_is_bounded(tmp_path: Path) -> None:
    import threading

    in_flight, peak, lock = 0, 0, threading.Lock()

    def responder(request):  # type: ignore[no-untyped-def]
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            import time

            time.sleep(0.05)
            return first_sentence_responder(request)
        finally:
            with lock:
                in_flight -= 1

    articles = [
        make_article("troops", f"Report {i}: approximately {i} troops. Nothing else.") for i in range(8)
    ]
    articles = [a.model_copy(update={"id": f"troops{i}"}) for i, a in enumerate(articles)]
    with FakeOpenAIServer(responder=responder) as server:
        run = extract(articles, settings=live_settings(server, tmp_path, concurrency=2))
    assert not run.failures and len(run.claims) == 8
    assert peak <= 2


def test_a_rate_limited_server_is_worked_through_by_honouring_retry_after(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=first_sentence_responder, rate_limit_per_minute=2) as server:
        # the fake answers "Retry-After: 1" once two requests are in the window; one more call
        # would have to wait a minute, so a short total cap makes that article fail, not hang
        retry = RetryPolicy(max_attempts=3, initial_wait=0.01, max_wait=0.02, max_total_seconds=1.5)
        run = extract(all_articles(), settings=live_settings(server, tmp_path, retry=retry, concurrency=1))
    assert len(run.ok_article_ids) == 2
    (failure,) = run.failures
    assert "rate limited (HTTP 429)" in failure.reason


# --- rate limits: waited out within the time budget, not the attempt count ------------------


def test_a_rate_limit_is_waited_out_beyond_the_general_attempt_count(tmp_path: Path) -> None:
    limited = [error_reply(429, "slow down", retry_after=0.02)] * 4
    retry = RetryPolicy(max_attempts=2, initial_wait=0.01, max_wait=0.02, max_total_seconds=10)
    with FakeOpenAIServer(limited, responder=first_sentence_responder) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path, retry=retry))
    assert not run.failures and len(run.claims) == 1
    assert len(server.requests) == 5  # four 429s, then the answer: no request beyond them
    assert run.usage.retries == 4 and run.usage.calls == 5


def test_a_server_that_under_reports_the_wait_is_still_worked_through(tmp_path: Path) -> None:
    # Retry-After: 0.01 s, but the limit lasts for eight requests: each retry waits at least the
    # named time and longer as it keeps being turned away, until the limit lets the call through
    limited = [error_reply(429, "rate limit reached", retry_after=0.01)] * 8
    retry = RetryPolicy(max_attempts=2, initial_wait=0.01, max_wait=0.02, max_total_seconds=10)
    with FakeOpenAIServer(limited, responder=first_sentence_responder) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path, retry=retry))
    assert not run.failures
    assert len(server.requests) == 9


def test_rate_limited_attempts_have_their_own_generous_cap(tmp_path: Path) -> None:
    retry = RetryPolicy(
        max_attempts=2, initial_wait=0.01, max_wait=0.02, max_total_seconds=10, max_rate_limited_attempts=4
    )

    def always_limited(request):  # type: ignore[no-untyped-def]
        return error_reply(429, "slow down", retry_after=0.01)

    with FakeOpenAIServer(responder=always_limited) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path, retry=retry))
    (failure,) = run.failures
    assert failure.reason.startswith("gave up after 4 attempts: rate limited (HTTP 429): slow down")
    assert len(server.requests) == 4


def test_a_rate_limited_call_gives_up_at_its_time_budget(tmp_path: Path) -> None:
    retry = RetryPolicy(max_attempts=2, initial_wait=0.01, max_wait=0.02, max_total_seconds=0.25)
    with FakeOpenAIServer(responder=lambda request: error_reply(429, "slow down", retry_after=0.1)) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path, retry=retry))
    (failure,) = run.failures
    assert "rate limited (HTTP 429)" in failure.reason
    assert len(server.requests) <= 3  # waits of at least 0.1 s fit at most twice in 0.25 s


def test_a_429_that_says_retry_at_once_counts_as_a_failed_attempt(tmp_path: Path) -> None:
    retry = RetryPolicy(max_attempts=2, initial_wait=0.01, max_wait=0.02, max_total_seconds=10)
    with FakeOpenAIServer(responder=lambda request: error_reply(429, "slow down", retry_after=0)) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path, retry=retry))
    (failure,) = run.failures
    assert failure.reason.startswith("gave up after 2 attempts: rate limited (HTTP 429)")
    assert len(server.requests) == 2


def test_server_errors_stay_bounded_by_the_attempt_count_after_rate_limits(tmp_path: Path) -> None:
    replies = [error_reply(429, retry_after=0.01)] * 3 + [error_reply(500, "internal failure")] * 5
    retry = RetryPolicy(max_attempts=2, initial_wait=0.01, max_wait=0.02, max_total_seconds=10)
    with FakeOpenAIServer(replies, responder=first_sentence_responder) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path, retry=retry))
    (failure,) = run.failures
    assert failure.reason.startswith("gave up after 5 attempts: server error (HTTP 500)")
    assert len(server.requests) == 5  # three 429s waited out, then two server errors


def test_once_a_429_names_a_time_no_other_call_sends_before_it(tmp_path: Path) -> None:
    import time

    hold = 0.3
    limited_since: list[float] = []
    turned_away: list[str] = []

    def responder(request):  # type: ignore[no-untyped-def]
        now = time.monotonic()
        limited_since[:] = limited_since or [now]
        if now - limited_since[0] < hold - 0.02:  # a limit that holds for the time it names
            turned_away.append(article_text_of(request))
            return error_reply(429, "rate limit reached", retry_after=hold)
        return first_sentence_responder(request)

    articles = all_articles()
    with FakeOpenAIServer(responder=responder) as server:
        run = extract(articles, settings=live_settings(server, tmp_path, concurrency=2))
    assert not run.failures
    # the two requests in flight when the limit was named are turned away; the third article
    # waits for the named time instead of spending a request to learn the limit
    assert sorted(turned_away) == sorted(a.text for a in articles[:2])
    assert len(server.requests) == 5


def test_a_limit_longer_than_anyone_waits_fails_the_other_calls_without_sending(tmp_path: Path) -> None:
    retry = RetryPolicy(max_attempts=3, initial_wait=0.01, max_wait=0.02, max_retry_after=1.0)
    an_hour = [error_reply(429, "quota", retry_after=3600)]
    with FakeOpenAIServer(an_hour, responder=first_sentence_responder) as server:
        run = extract(all_articles(), settings=live_settings(server, tmp_path, retry=retry, concurrency=1))
    assert len(server.requests) == 1
    first, *others = run.failures
    assert first.reason.startswith("gave up after 1 attempts: rate limited (HTTP 429): quota")
    assert len(others) == 2
    assert all(f.reason.startswith("gave up: rate limited (HTTP 429)") and f.attempts == 0 for f in others)


def test_a_call_waiting_out_a_backoff_leaves_its_slot_to_the_others(tmp_path: Path) -> None:
    green, troops = make_article("green"), make_article("troops")
    retry = RetryPolicy(max_attempts=3, initial_wait=0.3, max_wait=0.3, max_total_seconds=10)
    first_fails = [error_reply(500, "internal failure")]
    with FakeOpenAIServer(first_fails, responder=first_sentence_responder) as server:
        run = extract([green, troops], settings=live_settings(server, tmp_path, retry=retry, concurrency=1))
    assert not run.failures
    order = [article_text_of(r) for r in server.requests]
    assert order == [green.text, troops.text, green.text]  # troops went while green waited


def test_a_call_cancelled_during_a_retry_stops_there(tmp_path: Path) -> None:
    retry = RetryPolicy(max_attempts=5, initial_wait=0.01, max_wait=0.02, max_total_seconds=10)

    async def go(server: FakeOpenAIServer) -> bool:
        client = LLMClient(live_settings(server, tmp_path, retry=retry, cache_dir=None))
        try:
            prompt = render_extract_prompt(TEXTS["green"])
            call = asyncio.ensure_future(
                client.structured("extract", prompt, ExtractionResponse, input_sha256="0" * 64)
            )
            while len(server.requests) < 2:  # the retry after the server error is in flight
                await asyncio.sleep(0.01)
            call.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await call
            return call.cancelled()
        finally:
            await client.aclose()

    with FakeOpenAIServer([error_reply(500), hang_reply(5)], responder=first_sentence_responder) as server:
        assert asyncio.run(go(server))
    assert len(server.requests) == 2


# --- accounting and configuration ------------------------------------------------------


def test_cost_comes_from_the_price_table_and_unknown_models_cost_unknown(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        known = extract([make_article("green")], settings=live_settings(server, tmp_path, cache_dir=None))
        unknown = extract(
            [make_article("green")],
            settings=live_settings(server, tmp_path, cache_dir=None, model="my-local-llm"),
        )
        overridden = extract(
            [make_article("green")],
            settings=live_settings(
                server, tmp_path, cache_dir=None, model="my-local-llm", price_in=1.0, price_out=2.0
            ),
        )
    assert known.usage.cost_usd == pytest.approx((100 * 0.15 + 20 * 0.60) / 1_000_000)
    assert unknown.usage.cost_usd is None
    assert overridden.usage.cost_usd == pytest.approx((100 * 1.0 + 20 * 2.0) / 1_000_000)


def test_price_lookup_takes_dated_snapshots_and_router_prefixes() -> None:
    table = {"gpt-4o": Price(2.5, 10), "gpt-4o-mini": Price(0.15, 0.6)}
    assert price_for("gpt-4o-mini-2024-07-18", table=table) == Price(0.15, 0.6)
    assert price_for("openai/gpt-4o", table=table) == Price(2.5, 10)
    assert price_for("gpt-4oo", table=table) is None
    assert price_for("gpt-4o", price_in=1.0, table=table) == Price(1.0, 10)


def test_unknown_cost_stays_unknown_when_added() -> None:
    assert (Usage(cost_usd=0.5) + Usage(cost_usd=None)).cost_usd is None
    assert (Usage(cost_usd=0.5) + Usage(cost_usd=0.25)).cost_usd == 0.75


def test_missing_model_or_key_is_one_sentence_saying_how_to_set_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="pass --model NAME or set the RECONCILE_MODEL"):
        LLMClient(LLMSettings.from_env(environ={"OPENAI_API_KEY": "sk-x"}))
    with pytest.raises(ConfigError, match="set the OPENAI_API_KEY environment variable"):
        LLMClient(LLMSettings.from_env(environ={"RECONCILE_MODEL": "gpt-4o"}))


def test_settings_come_from_the_environment_and_arguments_win() -> None:
    env = {"OPENAI_API_KEY": "sk-env", "OPENAI_BASE_URL": "http://127.0.0.1:1/v1", "RECONCILE_MODEL": "m-env"}
    settings = LLMSettings.from_env(environ=env, model="m-arg")
    assert settings.model == "m-arg" and settings.base_url == "http://127.0.0.1:1/v1"
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-env"
    assert "sk-env" not in repr(settings)


@pytest.mark.parametrize("bad", [{"mode": "xml"}, {"concurrency": 0}, {"replay_dir": "a", "record_dir": "b"}])
def test_bad_settings_are_config_errors(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        LLMSettings.from_env(environ={}, **bad)


def test_call_failed_carries_reason_attempts_and_usage(tmp_path: Path) -> None:
    retry = RetryPolicy(max_attempts=2, initial_wait=0.01, max_wait=0.02)
    with FakeOpenAIServer(responder=lambda request: error_reply(502, "bad gateway")) as server:
        client = LLMClient(live_settings(server, tmp_path, retry=retry))
        with pytest.raises(CallFailed) as caught:
            _call(client, TEXTS["green"])
    assert caught.value.attempts == 2 and caught.value.usage.calls == 2
    assert "bad gateway" in caught.value.reason


def test_the_same_client_works_across_two_event_loops(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        client = LLMClient(live_settings(server, tmp_path, cache_dir=None))
        first = extract([make_article("green")], client=client)
        second = extract([make_article("troops")], client=client)
    assert len(first.claims) == len(second.claims) == 1


def test_structured_reply_helper_answers_in_the_form_asked(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=lambda r: structured_reply(r, {"claims": []})) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path, mode="json"))
    assert not run.failures and run.claims == []


def test_an_answer_without_token_counts_has_an_unknown_cost(tmp_path: Path) -> None:
    def no_usage(request):  # type: ignore[no-untyped-def]
        reply = first_sentence_responder(request)
        del reply.body["usage"]
        return reply

    with FakeOpenAIServer(responder=no_usage) as server:
        run = extract([make_article("green")], settings=live_settings(server, tmp_path))
    assert not run.failures
    assert run.usage.calls == 1 and run.usage.input_tokens == 0
    assert run.usage.cost_usd is None
