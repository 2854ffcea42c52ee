"""From claims to a report: normalise, group, compare, framing.

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
from reconcile.group import claim_order, group_claims
from reconcile.lexicon import load_lexicon, load_sources
from reconcile.models import Article, Claim, Gazetteer, IngestProblem, Report
from reconcile.normalize import normalize_claims


def reconcile(
    claims: Sequence[Claim],
    articles: Sequence[Article] | None = None,
    *,
    gazetteer: Gazetteer | None = None,
) -> Report:
    """Normalise the claims, group them into events, judge each fact, compare framing.

    ``articles`` (optional) adds the article texts to the report and lets framing
    entries point at where each expression is in its article. ``gazetteer``
    replaces the shipped one (see ``normalize.load_gazetteer`` to extend it).
    """
    _check_ids(claims, articles)
    lexicon, sources = load_lexicon(), load_sources()
    with _collector_paused():
        normalized = normalize_claims(claims, gazetteer=gazetteer)
        events = group_claims(normalized, lexicon=lexicon, gazetteer=gazetteer)
        events, findings = compare_events(
            events, normalized, lexicon=lexicon, sources=sources, gazetteer=gazetteer
        )
        framing = build_framing(normalized, events, articles or (), lexicon=lexicon, gazetteer=gazetteer)
    normalized.sort(key=claim_order)
    try:
        return Report(
            articles=list(articles or ()),
            claims=normalized,
            events=events,
            findings=findings,
            framing=framing,
        )
    except ValidationError as error:
        first = error.errors()[0]
        raise InputError(f"the claims do not fit their articles: {first['msg']}.") from None


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


def _check_ids(claims: Sequence[Claim], articles: Sequence[Article] | None) -> None:
    seen: set[str] = set()
    for claim in claims:
        if claim.id in seen:
            raise InputError(f"claim id {claim.id} appears more than once; each claim needs its own id.")
        seen.add(claim.id)
    if articles:
        missing = sorted({c.article_id for c in claims} - {a.id for a in articles})
        if missing:
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise InputError(f"claims refer to articles that were not given: {', '.join(missing[:5])}{more}.")


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
