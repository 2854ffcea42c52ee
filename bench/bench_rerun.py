"""Re-running over an unchanged corpus costs nothing: every answer comes from the cache.

A first extraction fills a fresh answer cache through the fake server; a second run
over the same articles, with a new client, must send zero requests (counted at the
server). A third run after editing one article must send exactly one.

Run: python bench/bench_rerun.py [--quick] [--json]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from _common import finish, load_note, parser, table, verdict
from _fake import FakeServerProcess, ServerOptions
from synthetic import synthetic_corpus

from reconcile.extract import extract
from reconcile.llm.config import LLMSettings
from reconcile.models import Article

API_KEY = "bench-not-a-secret"


def edited(article: Article) -> Article:
    """The same article with one sentence added, as when an outlet updates a story."""
    import hashlib

    text = article.text + "The report was updated with comment from officials.\n"
    return article.model_copy(update={"text": text, "sha256": hashlib.sha256(text.encode()).hexdigest()})


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=None, help="Corpus size (default 200; quick 40).")
    ap.add_argument(
        "--latency", type=float, default=None, help="Server latency in s (default 0.3; quick 0.05)."
    )
    args = ap.parse_args(argv)
    out = sys.stderr if args.json else sys.stdout
    load_note(out)

    n = args.articles or (40 if args.quick else 200)
    latency = args.latency if args.latency is not None else (0.05 if args.quick else 0.3)
    corpus = [item.article for item in synthetic_corpus(n)]
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="reconcile-bench-cache-") as cache,
        FakeServerProcess(ServerOptions(n_articles=n, latency=latency, jitter=latency / 5)) as server,
    ):
        settings = LLMSettings.from_env(
            environ={}, model="fake-model", base_url=server.base_url, api_key=API_KEY, concurrency=16
        ).with_changes(cache_dir=Path(cache))
        for label, articles in (
            ("first run (cold cache)", corpus),
            ("re-run, unchanged corpus", corpus),
            ("re-run, one article edited", [edited(corpus[0]), *corpus[1:]]),
        ):
            server.reset()
            started = time.perf_counter()
            run = extract(articles, settings=settings)
            wall = time.perf_counter() - started
            stats = server.stats()
            rows.append(
                {
                    "run": label,
                    "articles": len(articles),
                    "wall_s": wall,
                    "requests_at_server": stats.requests,
                    "cache_hits": run.usage.cache_hits,
                    "calls": run.usage.calls,
                    "claims": len(run.claims),
                    "failed": len(run.failures),
                }
            )
    table(
        f"Re-runs with the answer cache: {n} articles, concurrency 16, "
        f"server latency {latency * 1000:.0f} ms",
        ["run", "articles", "wall s", "requests at server", "cache hits", "claims", "failed"],
        [
            [
                r["run"],
                r["articles"],
                r["wall_s"],
                r["requests_at_server"],
                r["cache_hits"],
                r["claims"],
                r["failed"],
            ]
            for r in rows
        ],
        out,
    )
    zero_calls = rows[1]["requests_at_server"] == 0
    one_call = rows[2]["requests_at_server"] == 1
    checks = [
        (f"unchanged corpus: zero calls ({rows[1]['requests_at_server']} requests)", zero_calls),
        (f"one article edited: one call ({rows[2]['requests_at_server']} requests)", one_call),
    ]
    table("Targets", ["target", "status"], [[text, verdict(ok)] for text, ok in checks], out)
    finish(args, {"articles": n, "latency_s": latency, "runs": rows, "targets": {t: ok for t, ok in checks}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
