"""The test suite's fake OpenAI-compatible server, run in its own process for benchmarks.

In its own process the server's work (parsing requests, building answers) does not
compete with the client for the interpreter lock, so the client's CPU time is the
client's alone. It answers each extraction request with the synthetic article's
model answer (a tool call with verbatim quotes), sleeps the configured latency and
jitter, and counts what it received: requests, 429s, answers, the delays it slept.

Two changes from the test server, both for realistic rate limiting: the limit's
window can be shortened (so a quick run sees it bite without waiting a minute),
and a 429 says honestly in Retry-After when the window admits the next request
(the test server always says 1 s), and is answered at once, without the latency.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from _common import ROOT

# The user message carries the article between an opening and a closing tag.
_ARTICLE = re.compile(r"<([A-Za-z0-9_.-]+)>\n(.*)\n</\1>", re.DOTALL)


@dataclass
class ServerOptions:
    n_articles: int
    seed: int = 7
    latency: float = 0.0
    jitter: float = 0.0
    rate_limit: int | None = None  # requests admitted per window
    window_seconds: float = 60.0
    honest_retry_after: bool = True


@dataclass
class ServerStats:
    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    delays: list[float] = field(default_factory=list)  # seconds slept for answered requests
    cpu_seconds: float = 0.0  # the server process's CPU time
    unknown_articles: int = 0

    @property
    def answered(self) -> int:
        return self.statuses.get(200, 0)

    @property
    def rate_limited(self) -> int:
        return self.statuses.get(429, 0)


def _serve(conn: Connection, options: ServerOptions) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from fakeserver import FakeOpenAIServer, RecordedRequest, Reply, error_reply, structured_reply, usage_body
    from synthetic import synthetic_corpus

    answers: dict[str, dict[str, Any]] = {}
    for item in synthetic_corpus(options.n_articles, seed=options.seed):
        answers[item.article.text.strip()] = item.response.model_dump(mode="json", exclude_none=True)

    local = threading.local()

    class BenchServer(FakeOpenAIServer):
        stats = ServerStats()

        def _admit(self) -> bool:
            now = time.monotonic()
            while self._accepted and now - self._accepted[0] >= options.window_seconds:
                self._accepted.popleft()
            assert self.rate_limit_per_minute is not None
            if len(self._accepted) >= self.rate_limit_per_minute:
                return False
            self._accepted.append(now)
            return True

        def _next_reply(self, request: RecordedRequest) -> Reply:
            reply = super()._next_reply(request)
            with self._lock:
                self.requests.clear()  # counted below; thousands of bodies are not worth keeping
                self.stats.requests += 1
                self.stats.statuses[reply.status] = self.stats.statuses.get(reply.status, 0) + 1
                if reply.status == 429 and options.honest_retry_after and self._accepted:
                    wait = options.window_seconds - (time.monotonic() - self._accepted[0])
                    # Tenths of a second, so that short test windows stay short.
                    reply.headers["Retry-After"] = f"{max(0.1, math.ceil(wait * 10) / 10):g}"
            local.status = reply.status
            return reply

        def _delay(self) -> None:
            if getattr(local, "status", 200) == 429:
                return  # a real endpoint turns a request away at once
            started = time.perf_counter()
            super()._delay()
            slept = time.perf_counter() - started
            with self._lock:
                self.stats.delays.append(slept)

    def respond(request: RecordedRequest) -> Reply:
        user = next((m for m in reversed(request.messages) if m.get("role") == "user"), {})
        match = _ARTICLE.search(str(user.get("content") or ""))
        text = match.group(2).strip() if match else ""
        payload = answers.get(text)
        if payload is None and text:
            # An edited article (text added at the end) gets its original's answer.
            payload = next((answer for known, answer in answers.items() if text.startswith(known)), None)
        if payload is None:
            with server._lock:
                BenchServer.stats.unknown_articles += 1
            return error_reply(400, "the benchmark server does not know this article")
        return structured_reply(request, payload, usage=usage_body(len(request.text) // 4, 400))

    server = BenchServer(
        responder=respond,
        latency=options.latency,
        jitter=options.jitter,
        rate_limit_per_minute=options.rate_limit,
        seed=options.seed,
    )
    server.start()
    conn.send(server.base_url)
    cpu_start = time.process_time()
    try:
        while True:
            command = conn.recv()
            if command == "stats":
                BenchServer.stats.cpu_seconds = time.process_time() - cpu_start
                conn.send(BenchServer.stats)
            elif isinstance(command, tuple) and command[0] == "reset":
                changes: dict[str, Any] = command[1]
                with server._lock:
                    BenchServer.stats = ServerStats()
                    server._accepted.clear()
                    for name, value in changes.items():
                        setattr(options, name, value)
                    server.latency, server.jitter = options.latency, options.jitter
                    server.rate_limit_per_minute = options.rate_limit
                cpu_start = time.process_time()
                conn.send("ok")
            else:
                break
    finally:
        server.stop()


class FakeServerProcess:
    """``with FakeServerProcess(options) as server: server.base_url; server.stats()``."""

    def __init__(self, options: ServerOptions) -> None:
        self.options = options
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, options), daemon=True)
        self.base_url = ""

    def __enter__(self) -> FakeServerProcess:
        self._process.start()
        if not self._conn.poll(60):
            self._process.kill()
            raise RuntimeError("the fake server process did not start within 60 s")
        try:
            self.base_url = self._conn.recv()
        except EOFError:
            raise RuntimeError(
                "the fake server process exited before it started (its error is above)"
            ) from None
        return self

    def stats(self) -> ServerStats:
        self._conn.send("stats")
        stats: ServerStats = self._conn.recv()
        return stats

    def reset(self, **changes: Any) -> None:
        """Zero the counts; ``changes`` set other ``ServerOptions`` (latency, rate_limit...)."""
        if {"n_articles", "seed"} & set(changes) or not set(changes) <= set(
            ServerOptions.__dataclass_fields__
        ):
            raise ValueError(f"a running server cannot change {sorted(changes)}")
        self.options = ServerOptions(**{**vars(self.options), **changes})
        self._conn.send(("reset", changes))
        self._conn.recv()

    def __exit__(self, *exc_info: object) -> None:
        with contextlib.suppress(OSError):
            self._conn.send("stop")
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(timeout=5)
