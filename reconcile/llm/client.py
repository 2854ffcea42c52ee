"""One structured LLM call, for any stage: cache -> replay or record -> live, with retries.

``LLMClient.structured`` sends rendered prompt messages to an OpenAI-compatible
endpoint through the async ``openai`` client and ``instructor``, and returns the
validated pydantic answer with what it cost. Two retry loops, kept apart:

- transport failures (timeouts, 5xx, dropped connections, a garbled body) are
  retried by tenacity with exponential backoff and jitter, capped in attempts
  and in total time; rate limits (429) are waited out within the call's time
  budget, honouring Retry-After, and once one names a time no other call sends
  before it; the openai client's own retries are off (``max_retries=0``) so
  nothing is retried twice over;
- schema-invalid answers are sent back by instructor with the validation error
  ("re-ask"), a bounded number of times.

A call holds one of the ``concurrency`` slots only while a request is in flight,
not while it waits to retry. A call that still fails raises ``CallFailed`` with
the reason, the number of requests made and their usage; other calls are
unaffected.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import functools
import json
import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, cast

import httpx2
import instructor
import openai
from instructor.core import IncompleteOutputException, InstructorRetryException, ResponseParsingError
from instructor.core.retry import retry_async
from instructor.processing import handle_response_model
from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_random_exponential

from reconcile.errors import FixtureError, LLMError
from reconcile.llm.cache import AnswerCache, cache_key
from reconcile.llm.config import LLMSettings
from reconcile.llm.pricing import price_for
from reconcile.llm.prompting import RenderedPrompt, llm_facing
from reconcile.llm.replay import ExchangeStore
from reconcile.llm.transport import (
    REPLAY_EXHAUSTED,
    Capture,
    CapturingTransport,
    MalformedResponseBody,
    ReplayPlan,
    ReplayTransport,
    current_capture,
    current_replay,
)
from reconcile.models import Exchange, Usage

M = TypeVar("M", bound=BaseModel)

# instructor logs every failed attempt at ERROR, with the endpoint's error body, which may echo
# the API key (401 messages do). The failures are reported by us, once, with the key masked, so
# its records stop here instead of reaching whatever handler the application configured.
_instructor_log = logging.getLogger("instructor")
_instructor_log.addHandler(logging.NullHandler())
_instructor_log.propagate = False

INSTRUCTOR_MODES: dict[str, instructor.Mode] = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}

Origin = Literal["live", "cache", "replay"]


class CallFailed(LLMError):
    """A call failed for good; carries the reason, the requests made and their usage."""

    def __init__(self, reason: str, *, attempts: int, usage: Usage, transient: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts
        self.usage = usage
        self.transient = transient


class FixtureMiss(FixtureError):
    """Replay found no recorded exchange for an input."""

    def __init__(self, message: str, *, article_id: str | None) -> None:
        super().__init__(message)
        self.article_id = article_id


@dataclass
class CallResult(Generic[M]):
    value: M
    usage: Usage
    origin: Origin
    recorded_by: str | None = None  # for replayed answers: the model, or "hand-written"


@dataclass(frozen=True)
class Failure:
    """How a failed attempt is classified: retry it (transient) or not, and why.

    ``rate_limit``: the endpoint's rate limit turned the request away and did not
    say to retry at once; it is waited out rather than counted as a failed attempt.
    """

    transient: bool
    reason: str
    retry_after: float | None = None
    rate_limit: bool = False


class RateLimitHold(Exception):
    """Not sent: the endpoint's rate limit, named by an earlier 429, still holds every request."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the endpoint's rate limit holds requests for another {seconds:.1f} s")
        self.seconds = seconds


_KEY_PATTERN = re.compile(r"\b(sk-|key-)[A-Za-z0-9*_\-]{6,}")


def _first_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _retry_after(response: httpx2.Response | None) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    if response is None:
        return None
    headers = response.headers
    try:
        if "retry-after-ms" in headers:
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
    except (TypeError, ValueError, OverflowError):
        return None


def _status_message(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else None
        if message:
            return str(message)
    return error.message


def classify(error: BaseException) -> Failure:
    """Unwrap instructor's wrapping and decide: retry the transport, or give up with a reason."""
    cause: BaseException = error
    if isinstance(error, InstructorRetryException) and error.__cause__ is not None:
        cause = error.__cause__
    if isinstance(cause, RateLimitHold):
        return Failure(True, f"rate limited (HTTP 429): {cause}", cause.seconds, rate_limit=True)
    if isinstance(cause, openai.APITimeoutError):
        return Failure(True, "the request timed out")
    if isinstance(cause, openai.APIConnectionError) and isinstance(cause.__cause__, MalformedResponseBody):
        return Failure(True, str(cause.__cause__))
    if isinstance(cause, openai.APIConnectionError):
        detail = f" ({_first_line(str(cause.__cause__))})" if cause.__cause__ and str(cause.__cause__) else ""
        return Failure(True, f"the connection failed{detail}")
    if isinstance(cause, openai.APIStatusError):
        status = cause.status_code
        message = _first_line(_status_message(cause))
        if status == 429:
            wait = _retry_after(cause.response)
            return Failure(
                True, f"rate limited (HTTP 429): {message}", wait, rate_limit=wait is None or wait > 0
            )
        if status >= 500 or status in (408, 409):
            return Failure(True, f"server error (HTTP {status}): {message}", _retry_after(cause.response))
        return Failure(False, f"the endpoint refused the request (HTTP {status}): {message}")
    if isinstance(cause, json.JSONDecodeError):
        return Failure(True, "the endpoint sent a malformed response body (invalid JSON)")
    if isinstance(cause, IncompleteOutputException):
        return Failure(False, "the answer was cut off at the model's output limit (finish_reason: length)")
    if isinstance(cause, AssertionError) and "Unable to generate a response" in str(cause):
        return Failure(False, f"the model refused: {_first_line(str(cause))}")
    attempts = getattr(error, "failed_attempts", None) or []
    parse_errors = [a.exception for a in attempts if a.exception is not None]
    last = parse_errors[-1] if parse_errors else cause
    if isinstance(last, ValidationError):
        first = last.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer"
        count = getattr(error, "n_attempts", len(parse_errors))
        return Failure(
            False, f"the answer did not fit the schema after {count} tries ({where}: {first['msg']})"
        )
    if isinstance(last, ResponseParsingError):
        return Failure(False, f"the answer could not be parsed: {_first_line(str(last))}")
    return Failure(False, f"{type(cause).__name__}: {_first_line(str(cause))}")


# Two plain chat messages: what every prompt sends, standing in for any of them.
_PROBE_MESSAGES = ({"role": "system", "content": "probe"}, {"role": "user", "content": "probe"})


@functools.cache
def _request_template(
    response_model: type[BaseModel], mode: str
) -> tuple[type[BaseModel], dict[str, Any]] | None:
    """What instructor adds to every request for this model and mode, prepared once.

    instructor's ``handle_response_model`` turns the response model into request
    options (``tools`` and ``tool_choice``; ``response_format``), checking the model
    and building its schema each time, which costs about as much as the rest of a
    call. When it leaves the messages as they were, its options are the same for
    every prompt and are kept; None when it writes the schema into the messages
    themselves (json, md_json), which are then prepared per call.
    """
    probe = [dict(m) for m in _PROBE_MESSAGES]
    prepared, options = handle_response_model(
        llm_facing(response_model), mode=INSTRUCTOR_MODES[mode], messages=probe
    )
    if prepared is None or options.pop("messages", None) != list(_PROBE_MESSAGES):
        return None
    return prepared, options


def prepare_request(
    response_model: type[BaseModel], mode: str, messages: list[dict[str, str]]
) -> tuple[type[BaseModel], dict[str, Any]]:
    """The model instructor parses with, and the request options with ``messages``, for ``mode``."""
    template = _request_template(response_model, mode)
    if template is None:
        prepared, options = handle_response_model(
            llm_facing(response_model), mode=INSTRUCTOR_MODES[mode], messages=messages
        )
        assert prepared is not None
        return prepared, options
    prepared, options = template
    return prepared, {**options, "messages": messages}


async def create_structured(
    client: openai.AsyncOpenAI,
    mode: str,
    response_model: type[M],
    messages: list[dict[str, str]],
    *,
    model: str,
    max_reasks: int,
    **options: Any,
) -> M:
    """One structured answer through the openai client and instructor's parsing and re-asks.

    The same as ``instructor.from_openai(client, mode).chat.completions.create``
    (instructor's own retry loop parses each answer and re-asks a schema-invalid
    one with its validation error), minus preparing the same request options again
    on every call. Raises what instructor raises.
    """
    prepared, request = prepare_request(response_model, mode, [dict(m) for m in messages])
    answer = await retry_async(
        func=client.chat.completions.create,
        response_model=prepared,
        args=(),
        kwargs={**request, "model": model, **options},
        max_retries=max_reasks,
        mode=INSTRUCTOR_MODES[mode],
    )
    return cast(M, answer)


@dataclass
class _RateLimitGate:
    """Run-wide: once a 429 names a time, no call sends a request before it.

    Calls that have not met the limit yet would otherwise each spend a request to
    learn it; this way the only 429s are those of the requests already in flight.
    """

    loop: asyncio.AbstractEventLoop
    not_before: float = 0.0

    def hold(self, seconds: float) -> None:
        self.not_before = max(self.not_before, self.loop.time() + seconds)

    def check(self) -> None:
        """Raise ``RateLimitHold`` while the limit holds."""
        remaining = self.not_before - self.loop.time()
        if remaining > 0:
            raise RateLimitHold(remaining)


@dataclass
class _Runtime:
    """Per event loop: the openai client's connection pool and the semaphore belong to one loop."""

    loop: asyncio.AbstractEventLoop
    semaphore: asyncio.Semaphore
    client: openai.AsyncOpenAI
    rate_limit: _RateLimitGate


@dataclass
class _Attempts:
    """One call's transport attempts (a capture per attempt sent) and its failures by kind."""

    captures: list[Capture] = field(default_factory=list)
    failures: int = 0  # timeouts, 5xx, dropped connections, garbled bodies, "retry at once" 429s
    rate_limited: int = 0  # 429s that named a wait, or none
    last: Failure | None = None

    def count(self, error: BaseException) -> Failure:
        failure = classify(error)
        self.last = failure
        if isinstance(error, RateLimitHold):
            pass  # nothing was sent; only the time budget bounds these waits
        elif failure.rate_limit:
            self.rate_limited += 1
        elif failure.transient:
            self.failures += 1
        return failure

    @property
    def requests(self) -> int:
        return sum(len(c.requests) for c in self.captures)

    def tokens(self) -> tuple[int, int]:
        pairs = [r.usage() for c in self.captures for r in c.requests if r.ok]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)

    @property
    def usage_reported(self) -> bool:
        """False when an answer came without token counts: its cost cannot be known."""
        return all(r.reports_usage for c in self.captures for r in c.requests if r.ok)


class LLMClient:
    """Makes structured calls; one per run, shared by every stage and article.

    Build it from settings (``LLMClient(LLMSettings.from_env(model=...))``) or,
    in tests, with ``reconcile.llm.fixtures.replay_client(directory)``.
    """

    def __init__(
        self,
        settings: LLMSettings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        if not settings.replaying:
            settings.check_live()
        self.settings = settings
        self.mode = settings.mode
        self.store = (
            ExchangeStore(settings.replay_dir)
            if settings.replay_dir is not None
            else ExchangeStore(settings.record_dir)
            if settings.record_dir is not None
            else None
        )
        # Replay answers from recordings only; it neither reads nor fills the cache.
        self.cache = (
            AnswerCache(settings.cache_dir)
            if settings.cache_dir is not None and not settings.replaying
            else None
        )
        self._transport = transport
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._runtime: _Runtime | None = None
        self.warnings: list[str] = []

    # --- plumbing ---

    def _get_runtime(self) -> _Runtime:
        loop = asyncio.get_running_loop()
        if self._runtime is None or self._runtime.loop is not loop:
            if self._transport is not None:
                transport = self._transport
            elif self.settings.replaying:
                transport = ReplayTransport()
            else:
                transport = CapturingTransport(httpx2.AsyncHTTPTransport(limits=self._pool_limits()))
            api_key = (
                self.settings.api_key.get_secret_value() if self.settings.api_key else "replay-needs-no-key"
            )
            client = openai.AsyncOpenAI(
                api_key=api_key,
                base_url=self.settings.base_url
                or ("http://replay.invalid/v1" if self.settings.replaying else None),
                max_retries=0,  # tenacity retries; the SDK's own loop would double every retry
                timeout=self.settings.timeout,
                http_client=openai.DefaultAsyncHttpxClient(transport=transport),
            )
            self._runtime = _Runtime(
                loop=loop,
                semaphore=asyncio.Semaphore(self.settings.concurrency),
                client=client,
                rate_limit=_RateLimitGate(loop),
            )
        return self._runtime

    def _pool_limits(self) -> httpx2.Limits:
        """openai's connection limits, raised to the concurrency: every call in flight keeps its
        connection alive (httpx's default of 20 would close and reopen connections above it)."""
        default = openai.DEFAULT_CONNECTION_LIMITS
        return httpx2.Limits(
            max_connections=max(self.settings.concurrency, default.max_connections or 0),
            max_keepalive_connections=max(self.settings.concurrency, default.max_keepalive_connections or 0),
            keepalive_expiry=default.keepalive_expiry,
        )

    async def aclose(self) -> None:
        if self._runtime is not None:
            await self._runtime.client.close()
            self._runtime = None

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def _cost(self, model: str, input_tokens: int, output_tokens: int) -> float | None:
        price = price_for(model, price_in=self.settings.price_in, price_out=self.settings.price_out)
        return None if price is None else price.cost(input_tokens, output_tokens)

    def _scrub(self, text: str) -> str:
        """Error text from an endpoint may echo the key (401 messages do): never pass it on."""
        key = self.settings.api_key.get_secret_value() if self.settings.api_key else ""
        if key and len(key) >= 4:
            text = text.replace(key, "***")
        return _KEY_PATTERN.sub(r"\1***", text)

    # --- the call ---

    async def structured(
        self,
        stage: str,
        prompt: RenderedPrompt,
        response_model: type[M],
        *,
        input_sha256: str,
        article_id: str | None = None,
        chunk_index: int = 0,
        record_command: str | None = None,
    ) -> CallResult[M]:
        """Answer ``prompt`` as a ``response_model``: from the cache, a recording, or the endpoint.

        ``input_sha256`` identifies the exact input answered (article or chunk
        text); with ``stage``, ``chunk_index`` and the mode it is what a
        recording is matched on. ``record_command`` is shown when replay has no
        recording for this input. Raises ``CallFailed`` (or ``FixtureError`` in
        replay) when no valid answer can be had.
        """
        runtime = self._get_runtime()
        if self.settings.replaying:
            async with runtime.semaphore:
                return await self._replay(
                    runtime,
                    stage,
                    prompt,
                    response_model,
                    input_sha256,
                    article_id,
                    chunk_index,
                    record_command,
                )
        model = self.settings.model_name
        key = cache_key(
            stage=stage,
            input_sha256=input_sha256,
            chunk_index=chunk_index,
            prompt_fingerprint=prompt.fingerprint,
            model=model,
            mode=self.mode,
        )
        # Recording must see every exchange, so it never answers from the cache.
        if self.cache is not None and self.settings.record_dir is None:
            hit = self._from_cache(key, response_model)
            if hit is not None:
                return CallResult(hit, Usage(cache_hits=1), "cache")
        value, usage, attempts = await self._live(runtime, prompt, response_model, model)
        if self.cache is not None:
            self.cache.put(
                key,
                {
                    "stage": stage,
                    "article_id": article_id,
                    "input_sha256": input_sha256,
                    "chunk_index": chunk_index,
                    "model": model,
                    "mode": self.mode,
                    "prompt_fingerprint": prompt.fingerprint,
                    "created_at": self._clock().isoformat(),
                    "answer": value.model_dump(mode="json"),
                },
            )
        if self.settings.record_dir is not None and self.store is not None:
            self._record(stage, prompt, input_sha256, article_id, chunk_index, model, attempts.captures[-1])
        return CallResult(value, usage, "live")

    def _from_cache(self, key: str, response_model: type[M]) -> M | None:
        assert self.cache is not None
        entry = self.cache.get(key)
        if entry is None:
            return None
        try:
            return response_model.model_validate(entry.get("answer"))
        except ValidationError:
            return None  # an entry the current model cannot read is a miss

    async def _live(
        self, runtime: _Runtime, prompt: RenderedPrompt, response_model: type[M], model: str
    ) -> tuple[M, Usage, _Attempts]:
        policy = self.settings.retry
        attempts = _Attempts()

        # "full jitter": uniform in [0, min(max_wait, initial * 2^n)], so retries of
        # concurrent calls spread out instead of arriving together
        backoff = wait_random_exponential(multiplier=policy.initial_wait, max=policy.max_wait)

        def wait(state: RetryCallState) -> float:
            failure = attempts.last
            if failure is None:
                return float(backoff(state))
            if failure.rate_limit:
                # at least the time the endpoint names, spread so that calls told the same time do
                # not all return at once; longer when the named time proved too short before
                named = (failure.retry_after or 0.0) * (1 + random.uniform(0, policy.retry_after_jitter))
                return max(named, float(backoff(state)))
            if failure.retry_after is not None:
                return failure.retry_after
            return float(backoff(state))

        def stop(state: RetryCallState) -> bool:
            elapsed = state.seconds_since_start or 0.0
            if elapsed + state.upcoming_sleep >= policy.max_total_seconds:
                return True
            if state.upcoming_sleep > policy.max_retry_after:
                return True
            if attempts.last is not None and attempts.last.rate_limit:
                return attempts.rate_limited >= policy.max_rate_limited_attempts
            return attempts.failures >= policy.max_attempts

        retrying = AsyncRetrying(
            stop=stop,
            wait=wait,
            retry=retry_if_exception(lambda e: classify(e).transient),  # a cancellation is never retried
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    try:
                        answer = await self._attempt(runtime, prompt, response_model, model, attempts)
                    except Exception as error:
                        failure = attempts.count(error)
                        if failure.rate_limit and failure.retry_after:
                            runtime.rate_limit.hold(failure.retry_after)
                        raise
        except Exception as error:
            failure = attempts.last or classify(error)
            usage = self._usage(model, attempts)
            reason = failure.reason
            if failure.transient:
                sent = len(attempts.captures)
                reason = f"gave up after {sent} attempts: {reason}" if sent else f"gave up: {reason}"
            raise CallFailed(
                self._scrub(reason), attempts=attempts.requests, usage=usage, transient=failure.transient
            ) from error
        value = response_model.model_validate(answer.model_dump())
        return value, self._usage(model, attempts), attempts

    async def _attempt(
        self,
        runtime: _Runtime,
        prompt: RenderedPrompt,
        response_model: type[M],
        model: str,
        attempts: _Attempts,
    ) -> M:
        """One transport attempt (with instructor's re-asks inside it), holding a slot only while it
        runs: a call waiting out a backoff or a rate limit leaves its slot to the others."""
        runtime.rate_limit.check()
        async with runtime.semaphore:
            runtime.rate_limit.check()  # the limit may have been named while this call waited for a slot
            capture = Capture()
            attempts.captures.append(capture)
            token = current_capture.set(capture)
            options: dict[str, Any] = {}
            if self.settings.temperature is not None:
                options["temperature"] = self.settings.temperature
            try:
                return await create_structured(
                    runtime.client,
                    self.mode,
                    response_model,
                    prompt.messages,
                    model=model,
                    max_reasks=self.settings.retry.max_reasks,
                    **options,
                )
            finally:
                current_capture.reset(token)

    def _usage(self, model: str, attempts: _Attempts) -> Usage:
        input_tokens, output_tokens = attempts.tokens()
        calls = attempts.requests
        return Usage(
            calls=calls,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_usd=(
                0.0
                if not calls
                else self._cost(model, input_tokens, output_tokens)
                if attempts.usage_reported
                else None
            ),
            retries=max(0, len(attempts.captures) - 1),
            reasks=max(0, calls - len(attempts.captures)),
        )

    def _record(
        self,
        stage: str,
        prompt: RenderedPrompt,
        input_sha256: str,
        article_id: str | None,
        chunk_index: int,
        model: str,
        capture: Capture,
    ) -> None:
        assert self.store is not None
        answered = [r for r in capture.requests if r.ok]
        if not answered or not isinstance(capture.requests[0].request, dict):
            return
        bodies = [r.response for r in answered]
        input_tokens = sum(r.usage()[0] for r in answered)
        output_tokens = sum(r.usage()[1] for r in answered)
        exchange = Exchange(
            stage=stage,
            article_id=article_id,
            input_sha256=input_sha256,
            chunk_index=chunk_index,
            model=model,
            mode=self.mode,
            prompt_fingerprint=prompt.fingerprint,
            request=capture.requests[0].request,
            response=bodies[0],
            responses=bodies[1:],
            usage={
                "prompt_tokens": input_tokens,
                "completion_tokens": output_tokens,
                "total_tokens": input_tokens + output_tokens,
            },
            latency_ms=round(sum(r.latency_ms for r in capture.requests), 1),
            recorded_at=self._clock().isoformat(timespec="seconds"),
            recorded_by=str(bodies[-1].get("model") or model),
        )
        self.store.write(exchange)

    async def _replay(
        self,
        runtime: _Runtime,
        stage: str,
        prompt: RenderedPrompt,
        response_model: type[M],
        input_sha256: str,
        article_id: str | None,
        chunk_index: int,
        record_command: str | None,
    ) -> CallResult[M]:
        assert self.store is not None
        directory = self.store.directory
        found = self.store.find(stage, input_sha256, chunk_index, self.mode)
        record_hint = f"; record it with: {record_command}" if record_command else ""
        what = f"article {article_id}" if article_id else f"input {input_sha256[:12]}"
        if found is None:
            other_modes = self.store.modes_for(stage, input_sha256, chunk_index)
            also = f" (it is recorded in mode {', '.join(other_modes)}: pass --mode)" if other_modes else ""
            raise FixtureMiss(
                f"No recorded {stage} answer for {what} (chunk {chunk_index}, mode {self.mode}) "
                f"in {directory}{also}{record_hint}.",
                article_id=article_id,
            )
        path, exchange = found
        if exchange.prompt_fingerprint != prompt.fingerprint:
            fix = record_hint or "; re-record it, or wrap its hand-written claims again"
            message = (
                f"Stale fixture {path}: it was recorded for a different prompt or response schema "
                f"than the current one{fix}."
            )
            if self.settings.strict:
                raise FixtureError(message)
            self._warn(message)
        plan = ReplayPlan(bodies=[exchange.response, *exchange.responses])
        token = current_replay.set(plan)
        try:
            answer = await create_structured(
                runtime.client,
                self.mode,
                response_model,
                prompt.messages,
                model=exchange.model,
                max_reasks=len(plan.bodies) - 1,  # exactly the re-asks that were recorded
            )
        except Exception as error:
            failure = classify(error)
            reason = failure.reason
            if REPLAY_EXHAUSTED in str(error.__cause__ or error) or plan.exhausted:
                reason = "the recording has fewer answers than the replay asked for"
            raise CallFailed(
                f"the recorded answer in {path} does not replay: {reason}",
                attempts=plan.served,
                usage=Usage(replayed=1),
            ) from error
        finally:
            current_replay.reset(token)
        value = response_model.model_validate(answer.model_dump())
        # every body served after the first answered a re-ask, as it did when recorded
        reasks = max(0, plan.served - 1)
        return CallResult(value, Usage(replayed=1, reasks=reasks), "replay", recorded_by=exchange.recorded_by)
