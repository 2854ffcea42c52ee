"""A small OpenAI-compatible chat-completions server on 127.0.0.1, for tests and benchmarks.

It answers ``POST /v1/chat/completions`` from a script: a queue of replies, a
callable that builds the reply from the request, or both (the queue first). It
can inject the faults a real endpoint produces (429 with Retry-After, 500, a
request that hangs past the client's timeout, a dropped connection, truncated
JSON, empty choices, a refusal, a wrong schema, an answer cut off for length)
and records every request it receives, so a test can assert on what was sent::

    with FakeOpenAIServer() as server:
        server.enqueue(error_reply(429, retry_after=0), tool_reply({"claims": []}))
        ...  # point the client at server.base_url
        assert len(server.requests) == 2

Timing matters for benchmarks: Nagle's algorithm is off on replies and the
listen backlog is large, otherwise keep-alive replies and bursts of new
connections stall for tens of milliseconds to a second.
"""

from __future__ import annotations

import collections
import json
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

Action = Literal["respond", "hang", "drop", "raw"]


@dataclass
class Reply:
    """What the server does with one request."""

    status: int = 200
    body: Any = None  # dict/list -> JSON; str/bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    action: Action = "respond"
    hang_seconds: float = 0.0


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or the raw text when it was not JSON

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", [])) if isinstance(self.body, dict) else []

    @property
    def text(self) -> str:
        """Every message content joined, for "does the request mention X" assertions."""
        parts = []
        for message in self.messages:
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            elif isinstance(content, list):
                parts.extend(str(item.get("text", "")) for item in content if isinstance(item, dict))
        return "\n".join(parts)


Responder = Callable[[RecordedRequest], Reply]

_counter = iter(range(1, 1_000_000_000))


def usage_body(prompt_tokens: int = 100, completion_tokens: int = 20) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def chat_completion(
    message: dict[str, Any],
    *,
    finish_reason: str = "stop",
    model: str = "fake-model",
    usage: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A ``chat.completion`` body around one assistant message."""
    return {
        "id": f"chatcmpl-fake-{next(_counter)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish_reason}
        ],
        "usage": usage or usage_body(),
    }


def tool_reply(
    arguments: dict[str, Any] | str,
    *,
    name: str = "ExtractionResponse",
    usage: dict[str, int] | None = None,
) -> Reply:
    """An answer in tool-call form (instructor TOOLS mode); a str is sent as the raw arguments."""
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    call = {"id": f"call_{next(_counter)}", "type": "function", "function": {"name": name, "arguments": raw}}
    body = chat_completion({"content": None, "tool_calls": [call]}, finish_reason="tool_calls", usage=usage)
    return Reply(body=body)


def content_reply(content: dict[str, Any] | str, *, usage: dict[str, int] | None = None) -> Reply:
    """An answer as message content (JSON, JSON_SCHEMA and MD_JSON modes)."""
    text = content if isinstance(content, str) else json.dumps(content)
    return Reply(body=chat_completion({"content": text}, usage=usage))


def structured_reply(request: RecordedRequest, payload: dict[str, Any] | str, **kwargs: Any) -> Reply:
    """Answer ``payload`` in whatever form the request asked for: a tool call when it sent tools."""
    body = request.body if isinstance(request.body, dict) else {}
    tools = body.get("tools") or []
    if tools:
        return tool_reply(payload, name=tools[0]["function"]["name"], **kwargs)
    return content_reply(payload, **kwargs)


def error_reply(status: int, message: str = "fake failure", *, retry_after: float | None = None) -> Reply:
    headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
    body = {"error": {"message": message, "type": "fake_error", "code": str(status)}}
    return Reply(status=status, body=body, headers=headers)


def hang_reply(seconds: float = 30.0) -> Reply:
    """Say nothing for ``seconds`` (or until the server stops), then drop the connection."""
    return Reply(action="hang", hang_seconds=seconds)


def drop_reply() -> Reply:
    """Close the connection without sending a response."""
    return Reply(action="drop")


def truncated_reply() -> Reply:
    """A 200 whose body is JSON cut off in the middle."""
    text = json.dumps(chat_completion({"content": '{"claims": []}'}))
    return Reply(action="raw", body=text[: len(text) // 2], headers={"Content-Type": "application/json"})


def empty_choices_reply() -> Reply:
    body = chat_completion({"content": ""})
    body["choices"] = []
    return Reply(body=body)


def refusal_reply(text: str = "I can't help with that.") -> Reply:
    return Reply(body=chat_completion({"content": None, "refusal": text}))


def long_reply(characters: int = 200_000) -> Reply:
    """A very long answer the model stopped for length (finish_reason "length")."""
    return Reply(body=chat_completion({"content": "x" * characters}, finish_reason="length"))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a real endpoint
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return  # tests read server.requests, not stderr

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        request = RecordedRequest(
            method="POST", path=self.path, headers={k.lower(): v for k, v in self.headers.items()}, body=body
        )
        owner = self.server.owner
        reply = owner._next_reply(request)
        owner._delay()
        self._send(reply)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._send(Reply(body={"object": "list", "data": [{"id": "fake-model", "object": "model"}]}))

    def _send(self, reply: Reply) -> None:
        if reply.action == "drop":
            self.close_connection = True
            return
        if reply.action == "hang":
            self.server.owner._stopping.wait(reply.hang_seconds)
            self.close_connection = True
            return
        if isinstance(reply.body, bytes):
            data = reply.body
        elif isinstance(reply.body, str):
            data = reply.body.encode("utf-8")
        else:
            data = json.dumps(reply.body).encode("utf-8")
        self.send_response(reply.status)
        headers = {"Content-Type": "application/json", **reply.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 stalls bursts of new connections
    owner: FakeOpenAIServer


class FakeOpenAIServer:
    """Context manager: ``with FakeOpenAIServer(...) as server: server.base_url``.

    Replies come from the queue (``enqueue``) first, then from ``responder``;
    with neither, the request gets a 500 saying the script ran out, so a test
    that sends more requests than it planned fails loudly.
    """

    def __init__(
        self,
        replies: Iterable[Reply] = (),
        *,
        responder: Responder | None = None,
        latency: float = 0.0,
        jitter: float = 0.0,
        rate_limit_per_minute: int | None = None,
        seed: int | None = None,
    ) -> None:
        self._queue: collections.deque[Reply] = collections.deque(replies)
        self.responder = responder
        self.latency = latency
        self.jitter = jitter
        self.rate_limit_per_minute = rate_limit_per_minute
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._accepted: collections.deque[float] = collections.deque()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---

    def start(self) -> FakeOpenAIServer:
        server = _Server(("127.0.0.1", 0), _Handler)  # port 0: a free port chosen by the OS
        server.owner = self
        self._server = server
        self._stopping.clear()
        # a short poll interval makes stop() quick (shutdown waits for the loop to notice)
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases hanging handlers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake server is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # --- script ---

    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self.rate_limit_per_minute is not None and not self._admit():
                return error_reply(429, "rate limit reached", retry_after=1)
            if self._queue:
                return self._queue.popleft()
        if self.responder is not None:
            return self.responder(request)
        return error_reply(500, "the fake server's script has no reply left for this request")

    def _admit(self) -> bool:
        """Sliding one-minute window; caller holds the lock."""
        now = time.monotonic()
        while self._accepted and now - self._accepted[0] >= 60:
            self._accepted.popleft()
        assert self.rate_limit_per_minute is not None
        if len(self._accepted) >= self.rate_limit_per_minute:
            return False
        self._accepted.append(now)
        return True

    def _delay(self) -> None:
        if self.latency or self.jitter:
            with self._lock:
                extra = self._random.uniform(0, self.jitter) if self.jitter else 0.0
            time.sleep(self.latency + extra)

    # --- assertions ---

    @property
    def completion_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]
