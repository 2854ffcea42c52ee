"""From files to a brief in one call: ingest -> extract -> reconcile -> optional summary.

Library use::

    import reconcile
    report = reconcile.build_brief(["seeds/"], replay="fixtures/seeds")   # offline, no key
    reconcile.write_brief(report, "brief.html")

The returned ``Report`` carries everything a brief shows: articles, claims,
events, findings, framing, the articles that failed and why, and the run's
model, calls, tokens and cost. One ``LLMClient`` serves extraction and the
summary, so recording, replay and the cache work the same for both.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from reconcile.errors import ConfigError, FixtureError
from reconcile.extract import extract_async
from reconcile.ingest import ingest
from reconcile.llm.client import CallFailed, LLMClient
from reconcile.llm.config import LLMSettings
from reconcile.models import ArticleFailure, Report, RunInfo, Usage
from reconcile.summary import summarize_async

logger = logging.getLogger("reconcile")

Warn = Callable[[str], None]


def _reconcile(claims: Any, articles: Any) -> Report:
    from reconcile.pipeline import reconcile

    return reconcile(claims, articles)


async def build_brief_async(
    paths: Iterable[str | Path] | str | Path,
    *,
    replay: str | Path | None = None,
    record: str | Path | None = None,
    model: str | None = None,
    mode: str | None = None,
    summary: bool = False,
    strict: bool = False,
    sources: str | Path | None = None,
    cache_dir: str | Path | None = None,
    no_cache: bool = False,
    concurrency: int | None = None,
    progress: bool = False,
    settings: LLMSettings | None = None,
    client: LLMClient | None = None,
    on_warning: Warn | None = None,
) -> Report:
    """``build_brief`` for async callers."""
    warn: Warn = on_warning or logger.warning
    started_at = dt.datetime.now(dt.UTC)
    clock = time.monotonic()
    ingested = ingest(paths, sources=sources)

    own_client = client is None
    if client is None:
        if settings is None:
            settings = LLMSettings.from_env(
                model=model,
                mode=mode,
                replay_dir=replay,
                record_dir=record,
                strict=strict or None,
                cache_dir=cache_dir,
                concurrency=concurrency,
            )
        if no_cache:
            settings = settings.with_changes(cache_dir=None)
        client = LLMClient(settings)
    try:
        run = await extract_async(ingested.articles, client=client, progress=progress)
        for message in run.warnings:
            warn(message)
        reconciled = _reconcile(run.claims, ingested.articles)

        usage = run.usage
        recorded_by = set(run.recorded_by)
        sentences, dropped = [], []
        if summary:
            try:
                outcome = await summarize_async(reconciled, client)
            except CallFailed as error:
                warn(f"No executive summary: {error}")
            except FixtureError as error:
                if client.settings.strict:
                    raise
                warn(f"No executive summary: {error}")
            else:
                sentences, dropped = outcome.sentences, outcome.dropped
                usage = usage + outcome.usage
                if outcome.recorded_by:
                    recorded_by.add(outcome.recorded_by)
                for sentence in dropped:
                    warn(f"Summary sentence dropped ({sentence.reason}): {sentence.text}")
            for message in client.warnings:
                if message not in run.warnings:
                    warn(message)
    finally:
        if own_client:
            await client.aclose()

    paths_by_id = {a.id: a.path for a in ingested.articles}
    failures = [
        f if f.path else ArticleFailure(**{**f.model_dump(), "path": paths_by_id.get(f.article_id)})
        for f in run.failures
    ]
    return Report(
        **{
            **dict(reconciled),
            "generated_at": started_at,
            "failures": [*failures, *reconciled.failures],
            "problems": [*ingested.problems, *reconciled.problems],
            "summary": sentences,
            "summary_dropped": dropped,
            "run": RunInfo(
                model=run.model,
                mode=run.mode,
                replay_dir=run.replay_dir,
                recorded_by=sorted(recorded_by),
                usage=usage,
                started_at=started_at,
                duration_s=round(time.monotonic() - clock, 3),
            ),
        }
    )


def build_brief(paths: Iterable[str | Path] | str | Path, **options: Any) -> Report:
    """Read the articles at ``paths`` and reconcile them into a ``Report`` (render it with ``write_brief``).

    Options: ``replay=DIR`` (answer from recorded exchanges: no network, no key),
    ``record=DIR``, ``model``, ``mode``, ``summary=True`` (an executive summary
    written by the model from the findings, each sentence checked against the
    findings it cites), ``strict`` (a stale recording is an error), ``sources``
    (a metadata file like ``sources.yaml``), ``cache_dir``, ``no_cache``,
    ``concurrency``, ``progress``, ``on_warning`` (called with each warning;
    default: the ``reconcile`` logger), or ``settings=`` / ``client=`` for full
    control. Articles that fail are listed in ``Report.failures``; the others go on.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(build_brief_async(paths, **options))
    raise ConfigError(
        "build_brief() cannot run inside a running event loop: use `await build_brief_async(...)`."
    )


def closing_line(report: Report, target: str | None = None) -> str:
    """One line for the end of a run: what was read, found and spent."""
    from reconcile.render import format_cost

    events = sum(e.kind == "event" for e in report.events)
    contradictions = sum(f.verdict == "contradict" for f in report.findings)
    usage: Usage = report.run.usage
    tokens = usage.input_tokens + usage.output_tokens
    failed = len({f.article_id for f in report.failures})
    where = f"Brief written to {target}: " if target else ""
    articles = f"{len(report.articles)} article{'s' if len(report.articles) != 1 else ''}"
    if failed:
        articles += f" ({failed} failed)"
    line = (
        f"{where}{articles}, {events} event{'s' if events != 1 else ''}, "
        f"{contradictions} contradiction{'s' if contradictions != 1 else ''}; "
        f"{usage.calls} LLM call{'s' if usage.calls != 1 else ''}, {tokens:,} tokens, "
        f"{format_cost(usage.cost_usd)}"
    )
    replayed = getattr(usage, "replayed", 0)
    if replayed:
        line += f", {replayed} answer{'s' if replayed != 1 else ''} replayed"
    if report.run.duration_s is not None:
        line += f", {report.run.duration_s:.1f} s"
    return line
