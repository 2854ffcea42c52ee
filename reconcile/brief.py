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

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from reconcile.errors import ConfigError, FixtureError
from reconcile.extract import extract_async, run_to_completion
from reconcile.ingest import ingest
from reconcile.lexicon import Lexicon, SourceBook, as_lexicon, as_source_book
from reconcile.llm.client import CallFailed, LLMClient
from reconcile.llm.config import LLMSettings
from reconcile.models import Gazetteer, Report, Usage
from reconcile.summary import summarize_async

logger = logging.getLogger("reconcile")

Warn = Callable[[str], None]


def _llm_settings(
    settings: LLMSettings | None, client: LLMClient | None, no_cache: bool, **options: Any
) -> LLMSettings | None:
    """The settings a new client is built from, or None when ``client`` is used as it is.

    A client or settings object carries its own configuration: an option given beside
    it would be silently ignored, so that is refused.
    """
    given = sorted(name for name, value in options.items() if value not in (None, False))
    if client is not None:
        also = [*(["settings"] if settings is not None else []), *given, *(["no_cache"] if no_cache else [])]
        named = ", ".join(also)
        if named:
            raise ConfigError(f"Pass either client= or {named}, not both: a client has its own settings.")
        return None
    if settings is not None:
        if given:
            named = ", ".join(given)
            raise ConfigError(f"Pass either settings= or {named}, not both: the settings already say it.")
    else:
        strict = options.pop("strict") or None
        options["replay_dir"], options["record_dir"] = options.pop("replay"), options.pop("record")
        settings = LLMSettings.from_env(**options, strict=strict)
    return settings.with_changes(cache_dir=None) if no_cache else settings


async def build_brief_async(
    paths: Iterable[str | Path] | str | Path,
    *,
    replay: str | Path | None = None,
    record: str | Path | None = None,
    model: str | None = None,
    mode: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    summary: bool = False,
    strict: bool = False,
    sources: str | Path | None = None,
    gazetteer: Gazetteer | str | Path | None = None,
    lexicon: Lexicon | str | Path | None = None,
    source_aliases: SourceBook | str | Path | None = None,
    cache_dir: str | Path | None = None,
    no_cache: bool = False,
    concurrency: int | None = None,
    progress: bool = False,
    settings: LLMSettings | None = None,
    client: LLMClient | None = None,
    on_warning: Warn | None = None,
) -> Report:
    """``build_brief`` for async callers."""
    from reconcile.pipeline import as_gazetteer, reconcile

    warn: Warn = on_warning or logger.warning
    started_at = dt.datetime.now(dt.UTC)
    clock = time.monotonic()
    # User data files are read first: a bad one fails before any LLM call is paid for.
    places, words, book = as_gazetteer(gazetteer), as_lexicon(lexicon), as_source_book(source_aliases)
    settings = _llm_settings(
        settings, client, no_cache, model=model, mode=mode, base_url=base_url, api_key=api_key,
        replay=replay, record=record, strict=strict, cache_dir=cache_dir, concurrency=concurrency,
    )  # fmt: skip
    ingested = ingest(paths, sources=sources)

    own_client = client is None
    if client is None:
        assert settings is not None
        client = LLMClient(settings)
    extra_warnings: list[str] = []
    try:
        run = await extract_async(ingested.articles, client=client, progress=progress)
        for message in run.warnings:
            warn(message)
        reconciled = reconcile(run, ingested, gazetteer=places, lexicon=words, source_aliases=book)

        usage = run.usage
        recorded_by = set(reconciled.run.recorded_by)
        sentences, dropped = [], []
        if summary:
            try:
                outcome = await summarize_async(reconciled, client, gazetteer=places)
            except CallFailed as error:
                extra_warnings.append(f"No executive summary: {error}")
            except FixtureError as error:
                if client.settings.strict:
                    raise
                extra_warnings.append(f"No executive summary: {error}")
            else:
                sentences, dropped = outcome.sentences, outcome.dropped
                usage = usage + outcome.usage
                if outcome.recorded_by:
                    recorded_by.add(outcome.recorded_by)
                for sentence in dropped:
                    warn(f"Summary sentence dropped ({sentence.reason}): {sentence.text}")
            # Stale summary fixtures and the like; the reader of the brief sees them too.
            extra_warnings[:0] = [m for m in client.warnings if m not in run.warnings]
            for message in extra_warnings:
                warn(message)
    finally:
        if own_client:
            await client.aclose()

    for message in reconciled.run.warnings:
        if message not in run.warnings:
            warn(message)
    info = reconciled.run.model_copy(
        update={
            "recorded_by": sorted(recorded_by),
            "usage": usage,
            "warnings": [*reconciled.run.warnings, *extra_warnings],
            "started_at": started_at,
            "duration_s": round(time.monotonic() - clock, 3),
        }
    )
    return Report(
        **{
            **dict(reconciled),
            "generated_at": started_at,
            "summary": sentences,
            "summary_dropped": dropped,
            "run": info,
        }
    )


def build_brief(paths: Iterable[str | Path] | str | Path, **options: Any) -> Report:
    """Read the articles at ``paths`` and reconcile them into a ``Report`` (render it with ``write_brief``).

    Options: ``replay=DIR`` (answer from recorded exchanges: no network, no key),
    ``record=DIR``, ``model``, ``mode``, ``base_url`` and ``api_key`` (default:
    ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``), ``summary=True`` (an executive summary
    written by the model from the findings, each sentence checked against the
    findings it cites), ``strict`` (a stale recording is an error), ``sources``
    (article metadata, a file like ``sources.yaml``), ``gazetteer``, ``lexicon`` and
    ``source_aliases`` (your own places, vocabulary and original-source aliases: YAML
    files that extend the shipped ones, or loaded objects), ``cache_dir``,
    ``no_cache``, ``concurrency``, ``progress``, ``on_warning`` (called with each
    warning; default: the ``reconcile`` logger), or ``settings=`` / ``client=`` for
    full control (not together with the options they already set). Articles that
    fail are listed in ``Report.failures``; the others go on. Warnings a reader must
    see (stale fixtures, a missing summary) are also kept in ``Report.run.warnings``.
    """
    return run_to_completion(build_brief_async(paths, **options), "build_brief", "build_brief_async")


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
