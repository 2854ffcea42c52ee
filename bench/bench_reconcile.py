"""Reconciler scaling: normalise + group + compare on synthetic claim sets of growing size.

Each size runs in a fresh process (so peak memory is that size's alone) through the
product's own ``reconcile.pipeline.reconcile``; the time of each stage it calls is taken
by wrapping the stage functions. The claims come from ``bench/synthetic.py``: events over
two years at the gazetteer's places in Syria and Iraq, each reported by several of ~30
outlets that mostly repeat a few original sources, with different numbers, hedges,
aliases and relative dates.

The naive baseline groups the same claims with the grouper's own pair scoring and
clustering, but scores every pair of mentions instead of only those that share a date
window and a region (blocking turned off).

Figures: seconds per stage, total, peak resident memory of the process (and what the
generated input alone took), candidate pairs scored, events and findings, and the time
ratio per tenfold growth in claims.

Run: python bench/bench_reconcile.py [--quick] [--json] [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import wraps
from pathlib import Path
from typing import Any

from _common import finish, load_note, max_rss_mb, parser, table, verdict

from reconcile.models import Event

TIME_TARGET_S = 30.0
MEMORY_TARGET_MB = 2048.0
GROWTH_TARGET = 12.0


def _timed(
    timings: dict[str, float], cpu: dict[str, float], name: str, function: Callable[..., Any]
) -> Callable[..., Any]:
    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started
            cpu[name] = cpu.get(name, 0.0) + time.process_time() - cpu_started

    return wrapper


def worker(size: int, naive: bool, seed: int) -> dict[str, Any]:
    """One size in this process: generate, reconcile, report times and memory."""
    from synthetic import synthetic_claims

    import reconcile.group as group
    import reconcile.pipeline as pipeline

    claim_set = synthetic_claims(size, seed=seed)
    claims, articles = claim_set.claims, claim_set.articles
    input_rss = max_rss_mb()

    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for name in ("normalize_claims", "group_claims", "compare_events", "build_framing"):
        setattr(pipeline, name, _timed(timings, cpu, name, getattr(pipeline, name)))

    pairs_scored = 0
    blocked = getattr(group, "_candidate_pairs", None)
    if blocked is None:
        raise RuntimeError(
            "reconcile.group has no _candidate_pairs: update the benchmark's hook into blocking"
        )

    def counted(mentions: list[Any]) -> Any:
        nonlocal pairs_scored
        pairs = blocked(mentions)
        pairs_scored += len(pairs)
        return pairs

    def all_pairs(mentions: list[Any]) -> Iterator[tuple[int, int]]:
        nonlocal pairs_scored
        count = len(mentions)
        pairs_scored += count * (count - 1) // 2
        return ((i, j) for i in range(count) for j in range(i + 1, count))

    group._candidate_pairs = all_pairs if naive else counted  # type: ignore[assignment]

    started = time.perf_counter()
    report = pipeline.reconcile(claims)
    total = time.perf_counter() - started
    stages = {
        "normalise": timings.get("normalize_claims", 0.0),
        "group": timings.get("group_claims", 0.0),
        "compare": timings.get("compare_events", 0.0),
        "framing": timings.get("build_framing", 0.0),
    }
    cpu_ngc = sum(cpu.get(name, 0.0) for name in ("normalize_claims", "group_claims", "compare_events"))
    return {
        "claims": len(claims),
        "articles": len(articles),
        "naive": naive,
        "seconds": stages,
        "normalise_group_compare_s": stages["normalise"] + stages["group"] + stages["compare"],
        "normalise_group_compare_cpu_s": cpu_ngc,
        "total_s": total,
        "input_rss_mb": input_rss,
        "peak_rss_mb": max_rss_mb(),
        "pairs_scored": pairs_scored,
        "events": sum(1 for e in report.events if e.kind == "event"),
        "topics": sum(1 for e in report.events if e.kind == "topic"),
        "findings": len(report.findings),
        "contradictions": sum(1 for f in report.findings if f.verdict == "contradict"),
        **grouping_quality(claim_set.true_event, report.events),
    }


def grouping_quality(true_event: dict[str, int], events: Sequence[Event]) -> dict[str, float]:
    """Pairwise precision and recall of claims grouped together, against the generator's truth."""
    predicted = {cid: e.id for e in events if e.kind == "event" for cid in e.claim_ids}
    cells = Counter((true_event[c], predicted.get(c, f"ungrouped {c}")) for c in true_event)
    true_sizes = Counter(true_event.values())
    predicted_sizes = Counter(predicted.get(c, f"ungrouped {c}") for c in true_event)

    def pairs(counts: Iterable[int]) -> int:
        return sum(k * (k - 1) // 2 for k in counts)

    together = pairs(cells.values())
    return {
        "pairwise_precision": together / max(1, pairs(predicted_sizes.values())),
        "pairwise_recall": together / max(1, pairs(true_sizes.values())),
    }


def run_size(size: int, naive: bool, seed: int, timeout: float) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(size), "--seed", str(seed)]
    if naive:
        command.append("--naive")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"claims": size, "naive": naive, "error": f"did not finish within {timeout:.0f} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"claims": size, "naive": naive, "error": last}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__.split("\n\n")[0])
    ap.add_argument(
        "--sizes", type=int, nargs="+", default=None, help="Claim counts (default 1000 10000 100000)."
    )
    ap.add_argument(
        "--naive-sizes", type=int, nargs="*", default=None, help="Sizes for all pairs (1000 10000)."
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--timeout", type=float, default=900.0, help="Give up on one size after this many seconds."
    )
    ap.add_argument("--worker", type=int, default=None, help=__import__("argparse").SUPPRESS)
    ap.add_argument("--naive", action="store_true", help=__import__("argparse").SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker is not None:
        print(json.dumps(worker(args.worker, args.naive, args.seed)))
        return 0

    out = sys.stderr if args.json else sys.stdout
    load_note(out)
    sizes = args.sizes or ([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000])
    naive_sizes = (
        args.naive_sizes if args.naive_sizes is not None else ([1_000] if args.quick else [1_000, 10_000])
    )

    blocked = [run_size(size, False, args.seed, args.timeout) for size in sizes]
    naive = [run_size(size, True, args.seed, args.timeout) for size in naive_sizes]

    def rows(results: list[dict[str, Any]]) -> list[list[Any]]:
        table_rows = []
        for r in results:
            if "error" in r:
                table_rows.append([r["claims"], f"failed: {r['error']}"] + [None] * 11)
                continue
            s = r["seconds"]
            table_rows.append(
                [
                    r["claims"],
                    s["normalise"],
                    s["group"],
                    s["compare"],
                    r["normalise_group_compare_s"],
                    r["normalise_group_compare_cpu_s"],
                    s["framing"],
                    r["peak_rss_mb"],
                    r["input_rss_mb"],
                    r["pairs_scored"],
                    r["events"],
                    r["findings"],
                    f"{r['pairwise_precision']:.3f} / {r['pairwise_recall']:.3f}",
                ]
            )
        return table_rows

    headers = [
        "claims",
        "normalise s",
        "group s",
        "compare s",
        "n+g+c s",
        "n+g+c CPU s",
        "framing s",
        "peak RSS MB",
        "input RSS MB",
        "pairs scored",
        "events",
        "findings",
        "grouping P / R",
    ]
    table("Reconciler with blocking (one process per size)", headers, rows(blocked), out)
    if naive:
        table("Naive grouping: every pair of mentions scored (blocking off)", headers, rows(naive), out)

    growth_rows = []
    growth: list[float] = []
    ok = [r for r in blocked if "error" not in r]
    for small, large in zip(ok, ok[1:], strict=False):
        factor = large["claims"] / small["claims"]
        ratio = large["normalise_group_compare_s"] / small["normalise_group_compare_s"]
        per_tenfold = ratio ** (1 / __import__("math").log10(factor)) if factor > 1 else float("nan")
        growth.append(per_tenfold)
        group_ratio = large["seconds"]["group"] / max(small["seconds"]["group"], 1e-9)
        cpu_ratio = large["normalise_group_compare_cpu_s"] / small["normalise_group_compare_cpu_s"]
        growth_rows.append(
            [f"{small['claims']:,} -> {large['claims']:,}", ratio, per_tenfold, cpu_ratio, group_ratio]
        )
    ok_naive = [r for r in naive if "error" not in r]
    for small, large in zip(ok_naive, ok_naive[1:], strict=False):
        ratio = large["normalise_group_compare_s"] / small["normalise_group_compare_s"]
        group_ratio = large["seconds"]["group"] / max(small["seconds"]["group"], 1e-9)
        cpu_ratio = large["normalise_group_compare_cpu_s"] / small["normalise_group_compare_cpu_s"]
        growth_rows.append(
            [f"naive {small['claims']:,} -> {large['claims']:,}", ratio, None, cpu_ratio, group_ratio]
        )
    if growth_rows:
        table(
            "Time growth (normalise + group + compare)",
            ["sizes", "time ratio", "per tenfold", "CPU time ratio", "group alone"],
            growth_rows,
            out,
        )

    checks: list[tuple[str, bool]] = []
    largest = ok[-1] if ok else None
    if largest is not None and largest["claims"] >= 100_000:
        checks.append(
            (
                f"{largest['claims']:,} claims in < {TIME_TARGET_S:.0f} s "
                f"({largest['normalise_group_compare_s']:.1f} s)",
                largest["normalise_group_compare_s"] < TIME_TARGET_S,
            )
        )
        checks.append(
            (
                f"{largest['claims']:,} claims in < 2 GB peak RSS ({largest['peak_rss_mb']:,.0f} MB)",
                largest["peak_rss_mb"] < MEMORY_TARGET_MB,
            )
        )
    if growth:
        worst = max(growth)
        checks.append(
            (f"time per tenfold growth <= {GROWTH_TARGET:g}x (worst {worst:.1f}x)", worst <= GROWTH_TARGET)
        )
    failed = [r for r in blocked + naive if "error" in r]
    checks.append((f"every size finished ({len(failed)} failed)", not failed))
    table("Targets", ["target", "status"], [[text, verdict(passed)] for text, passed in checks], out)
    finish(
        args,
        {"blocked": blocked, "naive": naive, "growth_per_tenfold": growth, "targets": dict(checks)},
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
