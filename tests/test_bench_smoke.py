"""Each benchmark's quick path runs at tiny sizes and prints its figures.

Figures are not checked against targets here (timings belong to the benchmarks, not
to tests); what is checked is that every script still works against the current
code and that the counts it reports are the ones the run must produce.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def bench_path() -> Any:
    sys.path.insert(0, str(BENCH))
    yield
    sys.path.remove(str(BENCH))


def load(name: str) -> ModuleType:
    return importlib.import_module(name)


def run(name: str, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, dict[str, Any]]:
    """Run a benchmark's main() with --json; return its tables (stderr) and figures (stdout)."""
    assert load(name).main([*args, "--json"]) == 0
    captured = capsys.readouterr()
    return captured.err, json.loads(captured.out)


def test_extract_benchmark_counts_every_request_and_grounds_every_claim(
    bench_path: None, capsys: pytest.CaptureFixture[str]
) -> None:
    tables, figures = run(
        "bench_extract",
        ["--quick", "--articles", "6", "--latency", "0", "--jitter", "0", "--concurrency", "1", "3"]
        + ["--rate-limit", "3", "--window", "0.3"],
        capsys,
    )
    assert "efficiency %" in tables and "client CPU ms/call" in tables and "Under a rate limit" in tables
    levels = [r for r in figures["runs"] if r["label"].startswith("c=")]
    assert [r["concurrency"] for r in levels] == [1, 3]
    for row in figures["runs"]:
        assert row["requests"] == row["answered"] == 6
        assert row["failed_articles"] == 0
        assert row["claims"] > 0 and row["grounded"] == row["claims"]
    limited = figures["rate_limited"][0]
    assert limited["answered"] == 6 and limited["failed_articles"] == 0
    assert limited["rate_limited"] >= 1  # 6 requests against 3 per window must meet the limit
    assert limited["requests"] == limited["answered"] + limited["rate_limited"]


def test_rerun_benchmark_reports_zero_calls_for_an_unchanged_corpus(
    bench_path: None, capsys: pytest.CaptureFixture[str]
) -> None:
    tables, figures = run("bench_rerun", ["--quick", "--articles", "4", "--latency", "0"], capsys)
    assert "requests at server" in tables
    first, unchanged, edited = figures["runs"]
    assert first["requests_at_server"] == 4
    assert unchanged["requests_at_server"] == 0 and unchanged["cache_hits"] == 4
    assert edited["requests_at_server"] == 1


def test_reconcile_benchmark_times_each_size_and_the_naive_baseline(
    bench_path: None, capsys: pytest.CaptureFixture[str]
) -> None:
    tables, figures = run(
        "bench_reconcile", ["--quick", "--sizes", "60", "120", "--naive-sizes", "60"], capsys
    )
    assert "peak RSS MB" in tables and "per tenfold" in tables
    assert [r["claims"] for r in figures["blocked"]] == [60, 120]
    assert [r["claims"] for r in figures["naive"]] == [60]
    for row in figures["blocked"] + figures["naive"]:
        assert "error" not in row, row.get("error")
        assert row["events"] > 0 and row["findings"] > 0 and row["peak_rss_mb"] > 0
    # The naive baseline scores every pair of mentions, so at least as many as blocking.
    assert figures["naive"][0]["pairs_scored"] >= figures["blocked"][0]["pairs_scored"]


def test_prompt_benchmark_splits_overhead_into_instructions_and_schema(
    bench_path: None, capsys: pytest.CaptureFixture[str]
) -> None:
    tables, figures = run("bench_prompt", ["--quick"], capsys)
    assert "schema share %" in tables and "Costliest schema fields" in tables
    for result in figures["results"]:
        for row in result["per_article"]:
            assert row["overhead"] == row["instructions"] + row["schema"] + row["tool_choice"]
            assert row["request_tokens"] > row["article_tokens"] > 0
            assert row["schema"] > 0


def test_synthetic_claims_are_grounded_in_their_articles(bench_path: None) -> None:
    synthetic = load("synthetic")
    claim_set = synthetic.synthetic_claims(200, seed=3)
    texts = {a.id: a.text for a in claim_set.articles}
    assert len(claim_set.claims) == 200
    for claim in claim_set.claims:
        assert texts[claim.article_id][claim.quote.start : claim.quote.end] == claim.quote.text
        assert claim.published is not None
    assert {c.id for c in claim_set.claims if c.event.type != "background"} == set(claim_set.true_event)
    assert len({c.outlet for c in claim_set.claims}) > 10
