"""From claims to a report: re-ground, normalise, group, compare, framing.

``reconcile(claims)`` is the deterministic half of the product: no LLM, the same
input always gives the same report, ids included (events E1, E2, ... in date
order; findings F1, F2, ... most important first).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from reconcile.compare import compare_events
from reconcile.errors import InputError
from reconcile.framing import build_framing
from reconcile.ground import ground_claim
from reconcile.group import claim_order, group_claims
from reconcile.lexicon import Lexicon, SourceBook, as_lexicon, as_source_book
from reconcile.models import (
    Article,
    ArticleFailure,
    Claim,
    ExtractionRun,
    Gazetteer,
    Grounding,
    IngestProblem,
    IngestResult,
    Quote,
    Report,
    RunInfo,
)
from reconcile.normalize import load_gazetteer, normalize_claims

UNCHECKED_GROUNDING = (
    "Grounding was taken from the claims as given, unchecked: no article texts were given, "
    "so no quote or number was checked against its article."
)


def reconcile(
    claims: Sequence[Claim] | ExtractionRun,
    articles: Sequence[Article] | IngestResult | None = None,
    *,
    gazetteer: Gazetteer | str | Path | None = None,
    lexicon: Lexicon | str | Path | None = None,
    source_aliases: SourceBook | str | Path | None = None,
) -> Report:
    """Re-ground and normalise the claims, group them into events, judge each fact, compare framing.

    ``claims`` is a list of claims, or the ``ExtractionRun`` that ``extract`` returns:
    then the report also carries the run's model, mode, replay directory, who wrote
    the replayed answers, usage (per article too), warnings and failed articles.

    ``articles`` (a list, or the ``IngestResult`` of ``ingest``): every claim's quote
    and numbers are checked again against its article's text, whatever grounding the
    claim arrived with; a claim whose article is not among them is kept as unchecked
    and counts for nothing. Without articles the claims' own grounding is trusted,
    and the report's ``run.warnings`` says so. Articles also let framing entries point
    at where each expression is.

    ``gazetteer``, ``lexicon`` and ``source_aliases`` (original sources and the names
    articles attribute claims to; not article metadata) each take a loaded object or
    a YAML file that extends the shipped one. A file that cannot be used raises
    ``InputError`` naming it.
    """
    run = claims if isinstance(claims, ExtractionRun) else None
    given: list[Claim] = list(claims.claims if isinstance(claims, ExtractionRun) else claims)
    problems: list[IngestProblem] = []
    if isinstance(articles, IngestResult):
        problems = list(articles.problems)
        articles = articles.articles
    texts = list(articles or ())
    _check_ids(given)
    places = as_gazetteer(gazetteer)
    words, book = as_lexicon(lexicon), as_source_book(source_aliases)

    warnings = list(run.warnings) if run is not None else []
    if texts:
        given, missing = _reground(given, texts)
        if missing:
            warnings.append(_missing_articles_warning(missing, given))
    elif given:
        warnings.append(UNCHECKED_GROUNDING)

    with _collector_paused():
        normalized = normalize_claims(given, gazetteer=places)
        events = group_claims(normalized, lexicon=words, gazetteer=places)
        events, findings = compare_events(events, normalized, lexicon=words, sources=book, gazetteer=places)
        framing = build_framing(normalized, events, texts, lexicon=words, gazetteer=places)
    normalized.sort(key=claim_order)
    try:
        return Report(
            articles=texts,
            claims=normalized,
            events=events,
            findings=findings,
            framing=framing,
            failures=_failures(run, texts),
            problems=problems,
            run=_run_info(run, warnings),
        )
    except ValidationError as error:
        first = error.errors()[0]
        raise InputError(f"the claims do not fit their articles: {first['msg']}.") from None


def as_gazetteer(gazetteer: Gazetteer | str | Path | None) -> Gazetteer | None:
    """A ``Gazetteer`` as given, None for the shipped one, or the shipped one extended by a file."""
    if gazetteer is None or isinstance(gazetteer, Gazetteer):
        return gazetteer
    try:
        return load_gazetteer(extra=gazetteer)
    except UnicodeDecodeError:
        raise InputError(f"{gazetteer}: not UTF-8 text.") from None


def _reground(claims: Sequence[Claim], articles: Sequence[Article]) -> tuple[list[Claim], list[str]]:
    """Every claim's quote located again in its article and its numbers checked against it.

    A claims file can be edited by hand or be stale: the grounding it carries is never
    taken on trust when the article is at hand. The previous offsets serve as a hint.
    """
    texts = {a.id: a.text for a in articles}
    checked: list[Claim] = []
    missing: list[str] = []
    for claim in claims:
        text = texts.get(claim.article_id)
        if text is not None:
            checked.append(ground_claim(claim, text))
            continue
        missing.append(claim.article_id)
        note = f"its article {claim.article_id} was not among the articles given: the quote was not checked"
        checked.append(
            claim.model_copy(
                update={
                    "quote": Quote(text=claim.quote.text, match="unchecked"),
                    "grounding": Grounding(status="unchecked", note=note),
                }
            )
        )
    return checked, sorted(set(missing))


def _missing_articles_warning(missing: list[str], claims: Sequence[Claim]) -> str:
    absent = set(missing)
    count = sum(1 for c in claims if c.article_id in absent)
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    return (
        f"{count} claim{'s' if count != 1 else ''} refer to articles that were not given ({shown}): "
        "kept as unchecked, they count for nothing."
    )


def _failures(run: ExtractionRun | None, articles: Sequence[Article]) -> list[ArticleFailure]:
    if run is None:
        return []
    paths = {a.id: a.path for a in articles}
    return [
        f if f.path or f.article_id not in paths else f.model_copy(update={"path": paths[f.article_id]})
        for f in run.failures
    ]


def _run_info(run: ExtractionRun | None, warnings: list[str]) -> RunInfo:
    if run is None:
        return RunInfo(warnings=warnings)
    return RunInfo(
        model=run.model,
        mode=run.mode,
        replay_dir=run.replay_dir,
        recorded_by=sorted(set(run.recorded_by)),
        usage=run.usage,
        article_usage=dict(run.article_usage),
        warnings=warnings,
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while the stages build millions of small objects.

    The stages create no reference cycles, and with a large corpus in memory every
    full collection walks all of it: paused, time grows with the corpus, not faster.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_ids(claims: Sequence[Claim]) -> None:
    seen: set[str] = set()
    for claim in claims:
        if claim.id in seen:
            raise InputError(f"claim id {claim.id} appears more than once; each claim needs its own id.")
        seen.add(claim.id)


def read_claims(path: str | Path) -> tuple[list[Claim], list[IngestProblem]]:
    """Claims from a JSON Lines file (one ``Claim`` per line, as ``reconcile extract`` writes).

    A line that is not a valid claim becomes a problem naming ``file:line``; the other
    lines are still read. A missing or unreadable file raises ``InputError``.
    """
    file = Path(path)
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{file}: no such file.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{file}: cannot be read ({error}).") from None
    claims: list[Claim] = []
    problems: list[IngestProblem] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{file}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(
                IngestProblem(path=where, problem=f"not valid JSON ({error.msg}, column {error.colno}).")
            )
            continue
        try:
            claim = Claim.model_validate(data)
        except ValidationError as error:
            problems.append(IngestProblem(path=where, problem=f"not a valid claim ({_first_error(error)})."))
            continue
        if claim.id in seen:
            problems.append(
                IngestProblem(
                    path=where, problem=f"claim id {claim.id} repeats line {seen[claim.id]}; line skipped."
                )
            )
            continue
        seen[claim.id] = number
        claims.append(claim)
    return claims, problems


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    more = error.error_count() - 1
    suffix = f"; and {more} more problem{'s' if more > 1 else ''}" if more else ""
    return f"{location}: {first['msg']}{suffix}" if location else f"{first['msg']}{suffix}"
