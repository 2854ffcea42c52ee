"""Extract: articles -> typed claims, through an LLM, with every quote grounded in the text.

Each article (each chunk of a long one) is one structured call: the prompt
``prompts/extract_claims.j2`` and the response model ``ExtractionResponse``.
Every drafted claim becomes a ``Claim`` whose quote is located in the article
(``ground.ground_claim``); duplicates read twice from overlapping chunks are
dropped. An article whose call fails is reported in ``ExtractionRun.failures``
and the others go on; claims already extracted are kept.

Library use::

    import reconcile
    articles = reconcile.ingest(["seeds/"]).articles
    run = reconcile.extract(articles, replay="fixtures/seeds")      # no network
    run = reconcile.extract(articles, model="gpt-4o-mini")          # live, OPENAI_API_KEY set
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
from collections.abc import Coroutine, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reconcile.chunking import DEFAULT_MAX_CHARS, DEFAULT_OVERLAP_CHARS, dedupe_claims, split_into_chunks
from reconcile.errors import ConfigError, FixtureError
from reconcile.ground import ground_claim
from reconcile.llm.client import CallFailed, FixtureMiss, LLMClient
from reconcile.llm.config import LLMSettings
from reconcile.llm.prompting import RenderedPrompt, llm_facing, render
from reconcile.models import (
    Article,
    ArticleFailure,
    Chunk,
    Claim,
    ClaimDraft,
    ExtractionResponse,
    ExtractionRun,
    IngestResult,
    Usage,
)

T = TypeVar("T")

STAGE = "extract"
TEMPLATE = "extract_claims.j2"


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_extract_prompt(
    text: str, *, mode: str = "tools", chunk_index: int = 0, excerpt: bool = False
) -> RenderedPrompt:
    """The messages for one article (or chunk) text, exactly as they are sent."""
    # The delimiter depends on the text itself, so the text cannot contain its own
    # closing tag and "end" the data early to smuggle in instructions.
    marker = f"article_{sha256_text(text)[:12]}"
    return render(
        TEMPLATE,
        llm_facing(ExtractionResponse),
        mode,
        article_text=text,
        marker=marker,
        excerpt=excerpt,
        chunk_index=chunk_index,
    )


def extract_prompt_fingerprint(mode: str = "tools") -> str:
    return render_extract_prompt("-", mode=mode).fingerprint


def article_chunks(
    article: Article, *, max_chars: int = DEFAULT_MAX_CHARS, overlap_chars: int = DEFAULT_OVERLAP_CHARS
) -> list[Chunk]:
    return split_into_chunks(article.text, max_chars=max_chars, overlap_chars=overlap_chars)


def chunk_input_sha256(article: Article, chunk: Chunk) -> str:
    """What a recorded answer is matched on: the article's hash when it is one chunk."""
    if chunk.start == 0 and chunk.end == len(article.text):
        return article.sha256
    return sha256_text(chunk.text)


def draft_to_claim(article: Article, chunk: Chunk, draft: ClaimDraft, claim_id: str) -> Claim:
    """A drafted claim as a ``Claim``, its quote located in the article near its chunk."""
    claim = draft.to_claim(article, claim_id, chunk_index=chunk.index)
    return ground_claim(claim, article.text, hint=(chunk.start, chunk.end))


def claims_from_responses(article: Article, answers: list[tuple[Chunk, ExtractionResponse]]) -> list[Claim]:
    """Ground every drafted claim, drop chunk-overlap duplicates, number them ``<article>.c1``..."""
    drafted = [
        draft_to_claim(article, chunk, draft, f"{article.id}.tmp{i}.{j}")
        for i, (chunk, answer) in enumerate(answers)
        for j, draft in enumerate(answer.claims)
    ]
    kept = dedupe_claims(drafted)
    return [claim.model_copy(update={"id": f"{article.id}.c{n}"}) for n, claim in enumerate(kept, start=1)]


def record_command(article: Article, settings: LLMSettings) -> str:
    directory = settings.replay_dir or Path("DIR")
    model = settings.model or "MODEL"
    return f"reconcile extract {article.path or article.id} --record {directory} --model {model}"


@dataclass
class _ArticleOutcome:
    claims: list[Claim] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    failure: ArticleFailure | None = None
    recorded_by: set[str] = field(default_factory=set)


async def _extract_article(
    client: LLMClient, article: Article, *, max_chars: int, overlap_chars: int
) -> _ArticleOutcome:
    chunks = article_chunks(article, max_chars=max_chars, overlap_chars=overlap_chars)
    excerpt = len(chunks) > 1

    async def one(chunk: Chunk) -> Any:
        prompt = render_extract_prompt(chunk.text, mode=client.mode, chunk_index=chunk.index, excerpt=excerpt)
        try:
            return await client.structured(
                STAGE,
                prompt,
                ExtractionResponse,
                input_sha256=chunk_input_sha256(article, chunk),
                article_id=article.id,
                chunk_index=chunk.index,
                record_command=record_command(article, client.settings),
            )
        except (CallFailed, FixtureMiss) as error:
            if isinstance(error, FixtureMiss) and client.settings.strict:
                raise
            return error

    results = await asyncio.gather(*(one(chunk) for chunk in chunks))
    outcome = _ArticleOutcome()
    answered: list[tuple[Chunk, ExtractionResponse]] = []
    reasons: list[str] = []
    attempts = 0
    for chunk, result in zip(chunks, results, strict=True):
        where = f"chunk {chunk.index}: " if excerpt else ""
        if isinstance(result, CallFailed):
            outcome.usage += result.usage
            attempts += result.attempts
            reasons.append(where + result.reason)
        elif isinstance(result, FixtureError):
            reasons.append(where + str(result))
        else:
            outcome.usage += result.usage
            attempts += result.usage.calls
            answered.append((chunk, result.value))
            if result.recorded_by:
                outcome.recorded_by.add(result.recorded_by)
    outcome.claims = claims_from_responses(article, answered)
    if reasons:
        outcome.failure = ArticleFailure(
            article_id=article.id,
            path=article.path,
            stage=STAGE,
            reason="; ".join(reasons),
            attempts=attempts,
        )
    return outcome


def _progress(enabled: bool, total: int) -> tuple[AbstractContextManager[Any], Any]:
    if not enabled:
        return nullcontext(), None
    progress = Progress(
        TextColumn("extracting claims"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    return progress, progress.add_task("extract", total=total)


async def extract_async(
    articles: Iterable[Article] | IngestResult,
    *,
    settings: LLMSettings | None = None,
    client: LLMClient | None = None,
    model: str | None = None,
    mode: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    timeout: float | None = None,
    price_in: float | None = None,
    price_out: float | None = None,
    replay: str | Path | None = None,
    record: str | Path | None = None,
    strict: bool = False,
    cache_dir: str | Path | None = None,
    no_cache: bool = False,
    concurrency: int | None = None,
    progress: bool = False,
    max_chars: int = DEFAULT_MAX_CHARS,
    overlap_chars: int = DEFAULT_OVERLAP_CHARS,
) -> ExtractionRun:
    """Extract claims from ``articles``; see ``extract`` (the same, for async callers)."""
    items = list(articles.articles if isinstance(articles, IngestResult) else articles)
    own_client = client is None
    options = {"settings": settings, "model": model, "mode": mode, "base_url": base_url,
               "api_key": api_key, "timeout": timeout, "price_in": price_in, "price_out": price_out,
               "replay": replay, "record": record, "cache_dir": cache_dir, "concurrency": concurrency,
               "strict": strict or None, "no_cache": no_cache or None}  # fmt: skip
    given = sorted(name for name, value in options.items() if value is not None)
    if client is not None and given:
        named = ", ".join(given)
        raise ConfigError(f"Pass either client= or {named}, not both: a client has its own settings.")
    overridden = [name for name in given if name not in ("settings", "no_cache")]
    if settings is not None and overridden:
        named = ", ".join(overridden)
        raise ConfigError(f"Pass either settings= or {named}, not both: the settings already say it.")
    if client is None:
        if settings is None:
            settings = LLMSettings.from_env(
                model=model,
                mode=mode,
                base_url=base_url,
                api_key=api_key,
                timeout=timeout,
                price_in=price_in,
                price_out=price_out,
                replay_dir=replay,
                record_dir=record,
                strict=strict or None,
                cache_dir=cache_dir,
                concurrency=concurrency,
            )
        if no_cache:
            settings = settings.with_changes(cache_dir=None)
        client = LLMClient(settings)
    settings = client.settings

    outcomes: dict[str, _ArticleOutcome] = {}
    context, task = _progress(progress, len(items))
    try:
        with context as bar:

            async def run_one(article: Article) -> None:
                outcomes[article.id] = await _extract_article(
                    client, article, max_chars=max_chars, overlap_chars=overlap_chars
                )
                if bar is not None:
                    bar.advance(task)

            try:
                async with asyncio.TaskGroup() as group:
                    for article in items:
                        group.create_task(run_one(article))
            except BaseExceptionGroup as errors:
                # Only configuration-level errors (strict replay) escape an article; show the first.
                raise errors.exceptions[0] from None
    finally:
        if own_client:
            await client.aclose()

    run = ExtractionRun(
        article_ids=[a.id for a in items],
        model=settings.model,
        mode=settings.mode,
        replay_dir=str(settings.replay_dir) if settings.replay_dir else None,
        warnings=list(client.warnings),
    )
    recorded_by: set[str] = set()
    for article in items:
        outcome = outcomes[article.id]
        run.claims.extend(outcome.claims)
        run.usage += outcome.usage
        run.article_usage[article.id] = outcome.usage
        recorded_by |= outcome.recorded_by
        if outcome.failure is not None:
            run.failures.append(outcome.failure)
    run.recorded_by = sorted(recorded_by)
    return run


def extract(articles: Iterable[Article] | IngestResult, **options: Any) -> ExtractionRun:
    """Extract claims from ``articles`` (a list of ``Article`` or an ``IngestResult``).

    Options: ``model``, ``mode`` ("tools", "json_schema", "json", "md_json"),
    ``base_url`` and ``api_key`` (an OpenAI-compatible endpoint), ``timeout``
    (seconds per request), ``price_in``/``price_out`` (USD per million tokens),
    ``replay=DIR`` (answer from recorded exchanges, no network, no key needed),
    ``record=DIR`` (write every exchange there), ``strict`` (a stale recording is
    an error), ``cache_dir``, ``no_cache``, ``concurrency``, ``progress``; or
    ``settings=LLMSettings(...)`` / ``client=LLMClient(...)`` for full control.
    The API key and endpoint not given come from ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``.

    Returns an ``ExtractionRun``: claims, failed articles with reasons, usage and
    cost. Raises ``ConfigError`` (no model or key) or ``FixtureError`` (strict
    replay) before or instead of a partial run.
    """
    return run_to_completion(extract_async(articles, **options), "extract", "extract_async")


def run_to_completion(work: Coroutine[Any, Any, T], name: str, async_name: str) -> T:
    """Run ``work`` in a new event loop for a synchronous caller and return its result."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        results: list[T] = []

        async def run_and_keep() -> None:
            # Not returned from the main task: asyncio.run (Python 3.11) formats the main task's
            # repr, result included, twice as it restores the SIGINT handler; for a run of
            # thousands of claims that took longer than the calls themselves.
            results.append(await work)

        asyncio.run(run_and_keep())
        return results[0]
    work.close()
    raise ConfigError(
        f"{name}() cannot run inside a running event loop: use `await {async_name}(...)` instead."
    )


def format_cost(usage: Usage, model: str | None) -> str:
    if usage.cost_usd is None:
        return f"unknown (no price for {model or 'this model'}; set --price-in and --price-out)"
    return f"${usage.cost_usd:.4f}"


def summary_lines(run: ExtractionRun) -> list[str]:
    """The run summary a person reads: articles, claims, calls, tokens, cost."""
    ok, failed = len(run.ok_article_ids), len(run.failures)
    grounded = sum(1 for c in run.claims if c.grounded)
    usage = run.usage
    lines = [f"articles: {ok} ok, {failed} failed"]
    lines += [f"  failed {f.article_id}: {f.reason}" for f in run.failures]
    lines.append(f"claims: {len(run.claims)} ({grounded} grounded, {len(run.claims) - grounded} ungrounded)")
    lines.append(
        f"calls: {usage.calls} ({usage.retries} transport retries, {usage.reasks} re-asks); "
        f"cache hits: {usage.cache_hits}; replayed: {usage.replayed}"
    )
    cost = format_cost(usage, run.model)
    lines.append(f"tokens: {usage.input_tokens:,} in, {usage.output_tokens:,} out; cost: {cost}")
    if run.replay_dir:
        by = ", ".join(run.recorded_by) or "nobody (no answer replayed)"
        lines.append(f"replayed from {run.replay_dir}; answers written by: {by}")
    return lines


def progress_wanted(quiet: bool) -> bool:
    """A progress bar only for a person watching a terminal."""
    return not quiet and sys.stderr.isatty()
