"""HTTP transports under the openai client: one that captures bodies, one that replays them.

Both plug into ``openai.DefaultAsyncHttpxClient(transport=...)``, so the real
openai client and instructor's parsing (and re-asking) run unchanged above them.
Which logical call a request belongs to travels in a context variable set by
``LLMClient`` around each call; asyncio tasks copy it, so concurrent calls never
mix. Only bodies are kept: request headers, and with them the API key, are never
looked at.
"""

from __future__ import annotations

import contextvars
import functools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx2

# Hop-by-hop or encoding headers that no longer describe a body we re-serve decoded.
_DROPPED_RESPONSE_HEADERS = {"content-encoding", "content-length", "transfer-encoding", "connection"}


def _json_or_text(data: bytes) -> Any:
    return _decode(data)[0]


def _decode(data: bytes) -> tuple[Any, bool]:
    """A body's JSON value and True, or its text and False when it is not JSON."""
    try:
        return json.loads(data), True
    except ValueError:
        return data.decode("utf-8", "replace"), False


class MalformedResponseBody(Exception):
    """A successful status whose JSON body does not parse (cut off in transit, a broken proxy)."""


@dataclass
class CapturedRequest:
    body: bytes  # the request body sent
    status: int | None = None  # None: no response (timeout, dropped connection)
    response: Any = None  # the JSON body received, or its text when it was not JSON
    latency_ms: float = 0.0

    @functools.cached_property
    def request(self) -> Any:
        """The JSON body sent; parsed only when asked for (a recording does), not on every call."""
        return _json_or_text(self.body)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300 and isinstance(self.response, dict)

    @property
    def reports_usage(self) -> bool:
        return isinstance(self.response, dict) and isinstance(self.response.get("usage"), dict)

    def usage(self) -> tuple[int, int]:
        usage = self.response.get("usage") if isinstance(self.response, dict) else None
        if not isinstance(usage, dict):
            return 0, 0
        return int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)


@dataclass
class Capture:
    """Every HTTP exchange of one logical call (one transport attempt)."""

    requests: list[CapturedRequest] = field(default_factory=list)


current_capture: contextvars.ContextVar[Capture | None] = contextvars.ContextVar(
    "reconcile_llm_capture", default=None
)


class CapturingTransport(httpx2.AsyncBaseTransport):
    """Passes requests through and keeps their JSON bodies in the current ``Capture``."""

    def __init__(self, inner: httpx2.AsyncBaseTransport | None = None) -> None:
        self._inner = inner or httpx2.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        capture = current_capture.get()
        if capture is None:
            return await self._inner.handle_async_request(request)
        entry = CapturedRequest(body=request.content)
        capture.requests.append(entry)
        started = time.perf_counter()
        response = await self._inner.handle_async_request(request)
        try:
            content = await response.aread()
        finally:
            await response.aclose()
            entry.latency_ms = (time.perf_counter() - started) * 1000
        entry.status = response.status_code
        entry.response, is_json = _decode(content)
        if (
            not is_json
            and 200 <= response.status_code < 300
            and "json" in response.headers.get("content-type", "")
        ):
            # A transport fault, retried by tenacity. Left to the openai client, the JSONDecodeError
            # would reach instructor, which re-asks it like a wrong answer: every transport attempt
            # would become 1 + max_reasks paid requests.
            raise MalformedResponseBody("the endpoint sent a malformed response body (invalid JSON)")
        headers = [
            (k, v) for k, v in response.headers.multi_items() if k.lower() not in _DROPPED_RESPONSE_HEADERS
        ]
        return httpx2.Response(response.status_code, headers=headers, content=content, request=request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass
class ReplayPlan:
    """The recorded bodies for one logical call, served in order."""

    bodies: list[dict[str, Any]]
    served: int = 0
    requests: list[Any] = field(default_factory=list)

    @property
    def exhausted(self) -> bool:
        return self.served > len(self.bodies)


current_replay: contextvars.ContextVar[ReplayPlan | None] = contextvars.ContextVar(
    "reconcile_llm_replay", default=None
)

REPLAY_EXHAUSTED = "reconcile-replay-exhausted"


class ReplayTransport(httpx2.AsyncBaseTransport):
    """Answers from the current ``ReplayPlan``; never opens a socket."""

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        plan = current_replay.get()
        body: Any
        if plan is None:
            status, body = (
                400,
                {"error": {"message": "replay: no recorded exchange selected", "code": REPLAY_EXHAUSTED}},
            )
        else:
            plan.requests.append(_json_or_text(request.content))
            plan.served += 1
            if plan.served <= len(plan.bodies):
                status, body = 200, plan.bodies[plan.served - 1]
            else:
                message = "replay: the recording has no further answer for this re-ask"
                status, body = 400, {"error": {"message": message, "code": REPLAY_EXHAUSTED}}
        return httpx2.Response(
            status,
            headers={"content-type": "application/json"},
            content=json.dumps(body).encode("utf-8"),
            request=request,
        )
