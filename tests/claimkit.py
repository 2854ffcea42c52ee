"""Hand-made, already normalised claims for the reconciler tests.

Each helper builds a ``Claim`` as normalise would hand it on: the event's date and
place resolved, the quantity an interval. Dates and quantities are written out by
hand; places are resolved with the shipped gazetteer, so the names, kinds and
containment chains are the ones a real run sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from reconcile.models import (
    Article,
    Claim,
    ClaimEvent,
    Grounding,
    Quantity,
    Quote,
    ReferringExpression,
    ResolvedDate,
    ResolvedPlace,
    SourceRef,
)
from reconcile.normalize import resolve_place


def place(as_written: str | None) -> ResolvedPlace | None:
    """The place as normalise resolves it with the shipped gazetteer ("Koniko" -> Conoco)."""
    if as_written is None:
        return None
    return resolve_place(as_written)


def canonical(as_written: str) -> str:
    resolved = resolve_place(as_written)
    assert resolved.canonical is not None, f"the gazetteer does not know {as_written!r}"
    return resolved.canonical


def day(value: str | None, end: str | None = None) -> ResolvedDate:
    if value is None:
        return ResolvedDate(precision="unresolved", note="no date given")
    start = dt.date.fromisoformat(value)
    stop = dt.date.fromisoformat(end) if end else start
    return ResolvedDate(start=start, end=stop, precision="day" if stop == start else "range")


def quantity(
    low: float, high: float | None | str = "same", qualifier: str = "exact", as_written: str = ""
) -> Quantity:
    upper = low if high == "same" else high
    return Quantity(low=low, high=upper, qualifier=qualifier, as_written=as_written or f"{low:g}")  # type: ignore[arg-type]


def expression(
    referent: str, kind: str, words: str, voice: str = "own", quoted_from: str | None = None
) -> ReferringExpression:
    return ReferringExpression(
        referent=referent,
        referent_kind=kind,  # type: ignore[arg-type]
        expression=words,
        voice=voice,  # type: ignore[arg-type]
        quoted_from=quoted_from,
    )


def claim(
    claim_id: str,
    *,
    facet: str = "munition_count",
    value: str = "eight rockets",
    event_type: str = "rocket_attack",
    on: str | None = "2022-01-05",
    until: str | None = None,
    at: str | None = "Green Village",
    date_as_written: str | None = "on Wednesday",
    perpetrator: str | None = None,
    target: str | None = None,
    source: str = "outlet",
    source_kind: str = "outlet",
    amount: Quantity | None = None,
    grounded: bool = True,
    quote: str | None = None,
    outlet: str | None = None,
    published: str | None = "2022-01-06",
    referring: Sequence[ReferringExpression] = (),
    unit: str | None = None,
    **extra: Any,
) -> Claim:
    """One normalised claim; ``claim_id`` is "<article>.c<n>" and names its article.

    ``on`` / ``until`` give the resolved date, ``at`` the place as written (resolved
    with the gazetteer), ``amount`` the quantity as an interval.
    """
    article_id = claim_id.split(".")[0]
    text = quote or value
    return Claim(
        id=claim_id,
        article_id=article_id,
        outlet=outlet or f"Outlet {article_id}",
        published=dt.date.fromisoformat(published) if published else None,
        facet=facet,  # type: ignore[arg-type]
        value=value,
        quantity=amount,
        event=ClaimEvent(
            type=event_type,  # type: ignore[arg-type]
            date_as_written=date_as_written if on else None,
            date=day(on, until),
            place_as_written=at,
            place=place(at),
            perpetrator=perpetrator,
            target=target,
        ),
        source=SourceRef(name=source, kind=source_kind),  # type: ignore[arg-type]
        stance="reported" if source_kind != "outlet" else "asserted",
        quote=Quote(text=text, start=0, end=len(text), match="exact", score=100.0)
        if grounded
        else Quote(text=text, match="not_found"),
        grounding=Grounding(status="grounded" if grounded else "quote_not_found"),
        referring_expressions=list(referring),
        unit=unit,
        **extra,
    )


def as_extracted(claim: Claim) -> Claim:
    """The claim as extraction hands it on: nothing resolved yet, words and raw numbers only."""
    event = claim.event.model_copy(update={"date": None, "place": None})
    return claim.model_copy(update={"event": event, "quantity": None})


def article(
    article_id: str, text: str, outlet: str | None = None, published: str | None = "2022-01-06"
) -> Article:
    import hashlib

    return Article(
        id=article_id,
        outlet=outlet or f"Outlet {article_id}",
        published=dt.date.fromisoformat(published) if published else None,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
