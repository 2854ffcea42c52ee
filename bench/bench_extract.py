"""Extraction throughput: how close concurrent calls come to the ideal, and what the client costs.

Synthetic short articles go through the real ``reconcile.extract`` (openai client,
instructor in TOOLS mode, tenacity retries, grounding) against the fake
OpenAI-compatible server running in its own process with a simulated latency.

Figures:
- wall: the run's wall time; ideal: the sum of the latencies the server slept, divided
  by the concurrency (articles x mean latency / concurrency); efficiency = ideal / wall.
- client ms/call: the client process's CPU time per successful call (request building,
  instructor parsing and validation, grounding, HTTP): the server runs elsewhere, so
  this is the client's own overhead. Also measured as wall time per call at latency 0
  and concurrency 1 (which adds the server's handling and the loopback).
- Under a rate limit: requests sent, 429s the server returned, answers, failed
  articles, and "wasted" = requests that were neither a 429 nor the one answer per article.

Run: python bench/bench_extract.py [--quick] [--json] [--profile]
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import time
from dataclasses import dataclass
from typing import Any

from _common import finish, load_note, parser, table, verdict
from _fake import FakeServerProcess, ServerOptions
from synthetic import synthetic_corpus

from reconcile.extract import extract
from reconcile.llm.config import LLMSettings, RetryPolicy
from reconcile.models import Article

API_KEY = "bench-not-a-secret"
RATE_LIMITED_CONCURRENCY = 16


@dataclass
class RunFigures:
    label: str
    articles: int
    concurrency: int
    wall_s: float
    ideal_s: float
    client_cpu_ms_per_call: float
    server_cpu_ms_per_request: float
    requests: int
    rate_limited: int
    answered: int
    failed_articles: int
    claims: int
    grounded: int
    first_failure: str | None = None

    @property
    def efficiency(self) -> float:
        return 100.0 * self.ideal_s / self.wall_s if self.wall_s else float("nan")

    @property
    def wasted(self) -> int:
        return self.requests - self.rate_limited - (self.articles - self.failed_articles)


def run_once(
    server: FakeServerProcess,
    articles: list[Article],
    concurrency: int,
    label: str,
    retry: RetryPolicy | None = None,
    profile: cProfile.Profile | None = None,
    **server_changes: Any,
) -> RunFigures:
    server.reset(**server_changes)
    settings = LLMSettings.from_env(
        environ={},
        model="fake-model",
        base_url=server.base_url,
        api_key=API_KEY,
        concurrency=concurrency,
        timeout=60.0,
    ).with_changes(cache_dir=None, retry=retry or RetryPolicy())
    cpu_start = time.process_time()
    wall_start = time.perf_counter()
    if profile is not None:
        profile.enable()
    run = extract(articles, settings=settings)
    if profile is not None:
        profile.disable()
    wall = time.perf_counter() - wall_start
    cpu = time.process_time() - cpu_start
    stats = server.stats()
    answered = max(1, stats.answered)
    if stats.unknown_articles:
        raise RuntimeError(f"the server did not recognise {stats.unknown_articles} requests")
    return RunFigures(
        label=label,
        articles=len(articles),
        concurrency=concurrency,
        wall_s=wall,
        ideal_s=sum(stats.delays) / concurrency,
        client_cpu_ms_per_call=1000 * cpu / answered,
        server_cpu_ms_per_request=1000 * stats.cpu_seconds / max(1, stats.requests),
        requests=stats.requests,
        rate_limited=stats.rate_limited,
        answered=stats.answered,
        failed_articles=len(run.failures),
        claims=len(run.claims),
        grounded=sum(1 for c in run.claims if c.grounded),
        first_failure=run.failures[0].reason if run.failures else None,
    )


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=None, help="Articles per run (default 200; quick 48).")
    ap.add_argument(
        "--latency", type=float, default=None, help="Server latency in s (default 0.3; quick 0.05)."
    )
    ap.add_argument(
        "--jitter", type=float, default=None, help="Extra random latency, uniform in [0, jitter]."
    )
    ap.add_argument("--concurrency", type=int, nargs="+", default=None, help="Levels (default 1 4 16 64).")
    ap.add_argument(
        "--rate-limit", type=int, default=None, help="Requests per window for the rate-limited run."
    )
    ap.add_argument(
        "--window", type=float, default=None, help="Rate-limit window in s (default 60; quick 3)."
    )
    ap.add_argument("--no-rate-limit", action="store_true", help="Skip the rate-limited run.")
    ap.add_argument(
        "--profile", action="store_true", help="Profile the client at latency 0 and print the top."
    )
    args = ap.parse_args(argv)
    out = sys.stderr if args.json else sys.stdout
    load_note(out)

    n = args.articles or (48 if args.quick else 200)
    latency = args.latency if args.latency is not None else (0.05 if args.quick else 0.3)
    jitter = args.jitter if args.jitter is not None else latency / 5
    levels = args.concurrency or [1, 4, 16, 64]
    window = args.window or (3.0 if args.quick else 60.0)
    limit = args.rate_limit or (n // 2)

    articles = [item.article for item in synthetic_corpus(n)]
    runs: list[RunFigures] = []

    limited: list[RunFigures] = []
    no_limit = {"rate_limit": None}
    with FakeServerProcess(ServerOptions(n_articles=n)) as server:
        # Latency 0, concurrency 1: the client's own cost per call, plus the server's handling.
        run_once(server, articles[: min(2, n)], 1, "warm-up", latency=0.0, jitter=0.0)  # imports, connection
        profile = cProfile.Profile() if args.profile else None
        zero = run_once(server, articles, 1, "latency 0", profile=profile, latency=0.0, jitter=0.0)
        zero_wall_ms = 1000 * zero.wall_s / max(1, zero.answered)
        runs.append(zero)
        for level in levels:
            runs.append(
                run_once(server, articles, level, f"c={level}", latency=latency, jitter=jitter, **no_limit)
            )
        if not args.no_rate_limit:
            # The quick run skips the second setting, which under-reports the wait as the test server does.
            for honest in (True,) if args.quick else (True, False):
                label = "Retry-After: honest" if honest else "Retry-After: 1 s"
                limited.append(
                    run_once(
                        server,
                        articles,
                        RATE_LIMITED_CONCURRENCY,
                        label,
                        latency=latency,
                        jitter=jitter,
                        rate_limit=limit,
                        window_seconds=window,
                        honest_retry_after=honest,
                    )
                )

    table(
        f"Extraction throughput: {n} articles, server latency {latency * 1000:.0f} ms "
        f"+ jitter U(0, {jitter * 1000:.0f} ms), fake server in its own process",
        [
            "run",
            "conc",
            "wall s",
            "ideal s",
            "efficiency %",
            "client CPU ms/call",
            "server CPU ms/req",
            "requests",
            "failed",
            "claims",
        ],
        [
            [
                r.label,
                r.concurrency,
                r.wall_s,
                r.ideal_s if r.label.startswith("c=") else None,
                r.efficiency if r.label.startswith("c=") else None,
                r.client_cpu_ms_per_call,
                r.server_cpu_ms_per_request,
                r.requests,
                r.failed_articles,
                f"{r.grounded}/{r.claims} grounded",
            ]
            for r in runs
        ],
        out,
    )
    print(
        f"latency 0, concurrency 1: {zero_wall_ms:.2f} ms wall per call "
        "(client + server handling + loopback)",
        file=out,
    )
    if limited:
        table(
            f"Under a rate limit: {limit} requests per {window:g} s window, "
            f"concurrency {RATE_LIMITED_CONCURRENCY}, {n} articles",
            ["server says", "wall s", "requests", "429s", "answers", "failed articles", "wasted"],
            [
                [r.label, r.wall_s, r.requests, r.rate_limited, r.answered, r.failed_articles, r.wasted]
                for r in limited
            ],
            out,
        )
        for r in limited:
            if r.first_failure:
                print(f"{r.label}: first failed article: {r.first_failure}\n", file=out)

    by_level = {r.concurrency: r for r in runs if r.label.startswith("c=")}
    overhead = max(r.client_cpu_ms_per_call for r in runs)
    checks: list[tuple[str, bool]] = []
    if 16 in by_level:
        checks.append(
            (
                f"efficiency at concurrency 16 >= 90% ({by_level[16].efficiency:.1f}%)",
                by_level[16].efficiency >= 90,
            )
        )
    checks.append((f"client overhead < 5 ms per call (worst {overhead:.2f} ms CPU)", overhead < 5))
    if limited:
        honest_run = limited[0]
        checks.append(
            (
                f"rate limit: no request wasted beyond the 429s ({honest_run.wasted} wasted, "
                f"{honest_run.failed_articles} failed articles)",
                honest_run.wasted == 0 and honest_run.failed_articles == 0,
            )
        )
    table("Targets", ["target", "status"], [[text, verdict(ok)] for text, ok in checks], out)

    if profile is not None:
        stream = io.StringIO()
        pstats.Stats(profile, stream=stream).sort_stats("cumulative").print_stats(35)
        print(stream.getvalue(), file=out)

    figures: dict[str, Any] = {
        "articles": n,
        "latency_s": latency,
        "jitter_s": jitter,
        "zero_latency_wall_ms_per_call": zero_wall_ms,
        "runs": [{**vars(r), "efficiency_pct": r.efficiency} for r in runs],
        "rate_limited": [
            {**vars(r), "wasted": r.wasted, "window_s": window, "limit": limit} for r in limited
        ],
        "targets": {text: ok for text, ok in checks},
    }
    finish(args, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
