"""Render a ``Report`` as a Markdown brief, a self-contained HTML page, or JSON.

The templates live in ``reconcile/templates``. Article-derived text (values,
quotes, outlet names, titles) only ever reaches a template as data: the HTML
environment autoescapes it, and the Markdown environment escapes every
expression through ``finalize``, so neither HTML nor Markdown nor template
syntax inside an article can change the brief. Everything a brief says about
an event is built here from its findings, and every fact keeps its finding id,
claim id and quote so it can be checked.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import math
import os
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote as url_quote
from urllib.parse import urlparse

import jinja2
from markupsafe import Markup, escape

from reconcile.errors import ConfigError
from reconcile.models import (
    Article,
    Claim,
    Event,
    Finding,
    FindingValue,
    FramingEntry,
    Quantity,
    Quote,
    Report,
    ResolvedDate,
    RunInfo,
    Usage,
)

__all__ = ["render_html", "render_json", "render_markdown", "report_json_schema", "write_brief"]

VERDICT_MARKS = {
    "agree": "✔",
    "compatible": "≈",
    "contradict": "✖",
    "complementary": "+",
    "single_source": "①",
}
VERDICT_LABELS = {
    "agree": "agree",
    "compatible": "compatible",
    "contradict": "contradict",
    "complementary": "complementary",
    "single_source": "single source",
}
FACET_LABELS = {
    "munition_count": "munitions fired",
    "munition_type": "type of munition",
    "killed": "killed",
    "injured": "injured",
    "casualties": "casualties",
    "damage": "damage",
    "perpetrator": "perpetrator",
    "responsibility": "claim of responsibility",
    "target": "target",
    "location": "location",
    "time": "time",
    "launch_site": "launch site",
    "response": "response",
    "outcome": "outcome",
    "troop_count": "troop numbers",
    "attack_count": "number of attacks",
    "statement": "statement",
    "other": "other fact",
}
GROUNDING_LABELS = {
    "quote_not_found": "quote not found in the article",
    "number_not_in_quote": "number not in the quote",
    "unchecked": "quote not checked",
    "grounded": "grounded",
}
# Beyond every contradiction, how many other cross-outlet findings the key findings show,
# and on which facts: numbers, casualties, attribution and responses, not descriptions of targets.
KEY_FINDINGS_BEYOND_CONTRADICTIONS = 6
KEY_FACETS = frozenset(
    {
        "munition_count",
        "munition_type",
        "killed",
        "injured",
        "casualties",
        "damage",
        "perpetrator",
        "responsibility",
        "launch_site",
        "response",
        "troop_count",
        "attack_count",
    }
)
# How many "possibly the same event" pairs the key findings list (the strongest first).
KEY_EVENT_PAIRS = 5


# --- View model: what the templates show ------------------------------------


@dataclass
class Part:
    """A piece of a template-built sentence; ``value`` pieces are article-derived and emphasised."""

    text: str
    value: bool = False
    href: str | None = None


@dataclass
class QuoteView:
    """A quote as the brief shows it.

    A grounded quote found only approximately (normalised or fuzzy) is shown in the
    article's own words at its offsets, marked as such, with the extracted version
    beside it: the reader must never take the extraction's wording for the article's.
    An ungrounded quote is shown as given, with the closest passage when one was found.
    """

    text: str
    linked: bool  # located in the article, so the HTML links to it there
    match: str
    label: str | None = None  # "fuzzy match 96%: the article's words"; None for an exact match
    other: str | None = None  # the other wording: as extracted, or (ungrounded) the article's
    other_label: str | None = None  # "extracted as" / "the article has"


@dataclass
class ValueRow:
    claim_id: str
    article_id: str
    outlet: str
    value: str
    quote: QuoteView
    source: str
    source_kind: str
    stance: str


@dataclass
class FindingView:
    id: str
    event_id: str
    event_label: str
    facet: str
    facet_label: str
    verdict: str
    mark: str
    verdict_label: str
    explanation: str
    sentence: list[Part]
    rows: list[ValueRow]
    outlets: list[str]
    original_sources: list[str]
    rank: float


@dataclass
class ClaimRow:
    """A claim shown outside a finding: ungrounded, or not compared."""

    claim_id: str
    article_id: str
    event_id: str | None
    event_label: str | None
    outlet: str
    facet_label: str
    value: str
    quote: QuoteView
    source: str
    reason: str


@dataclass
class TimelineEntry:
    date: str
    sort_key: tuple[int, str]
    mentions: list[tuple[str, str]]  # (outlet, as written)


@dataclass
class LinkView:
    event_id: str
    label: str
    score: float
    reasons: list[str]


@dataclass
class PairView:
    """Two events that may be one, with the reasons for and against."""

    first: LinkView
    second: LinkView


@dataclass
class EventView:
    id: str
    label: str
    kind: str
    cross_outlet: bool  # reported by more than one outlet: shown in full, first
    type_label: str
    date: str
    place: str
    outlets: list[str]
    summary: list[FindingView]  # shown as their sentences, with the verdict mark
    timeline: list[TimelineEntry]
    when: str  # the timeline in one line, for compact listings
    findings: list[FindingView]
    single_source: list[FindingView]
    not_compared: list[ClaimRow]
    links: list[LinkView]


@dataclass
class FramingCell:
    expression: str
    voice: str
    quoted_from: str | None
    loaded_terms: list[str]
    claim_id: str | None  # set only when the claim's quote can be shown in its article
    parts: list[Part] = field(default_factory=list)  # expression split so loaded terms can be marked


@dataclass
class FramingRow:
    outlet: str
    cells: list[FramingCell]


@dataclass
class FramingView:
    referent: str
    kind: str
    rows: list[FramingRow]
    any_loaded: bool


@dataclass
class SourceView:
    article_id: str
    outlet: str
    outlet_known: bool
    title: str | None
    url: str | None  # only http(s) URLs; anything else is shown as text, never linked
    url_text: str | None
    published: str
    path: str | None
    claims: int
    usage: str | None  # what the model calls for this article cost; None when the run does not say
    not_processed: str | None  # the stage that failed, for an article that could not be processed


@dataclass
class ProblemView:
    subject: str
    stage: str
    reason: str


@dataclass
class SummaryView:
    text: str
    finding_ids: list[str]
    reason: str | None = None  # why a dropped sentence was left out


@dataclass
class ArticleText:
    id: str
    outlet: str
    title: str | None
    html: Markup


@dataclass
class BriefView:
    title: str
    generated_at: str | None
    outlets: list[str]  # outlets with claims, from the articles that were processed
    date_span: str
    producer: str
    producer_known: bool  # False: no extraction run is attached to the claims
    usage: str | None  # None when no run is attached (zeros would suggest a free run)
    warnings: list[str]  # the run's warnings (stale fixtures...), shown at the top
    any_approximate: bool  # some quote shown was found only approximately: the legend explains the marks
    counts: dict[str, int]
    summary: list[SummaryView]
    summary_dropped: list[SummaryView]
    key_findings: list[FindingView]
    event_pairs: list[PairView]
    events: list[EventView]
    framing: list[FramingView]
    ungrounded: list[ClaimRow]
    unprocessed: list[ProblemView]
    sources: list[SourceView]
    articles: list[ArticleText]


# --- Formatting helpers -----------------------------------------------------


def format_date(value: dt.date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "undated"


def format_resolved_date(date: ResolvedDate | None, as_written: str | None = None) -> str:
    if date is None or date.start is None or date.end is None or date.precision == "unresolved":
        return f"date unresolved (“{as_written}”)" if as_written else "date unresolved"
    if date.precision == "day" or date.start == date.end:
        text = format_date(date.start)
    elif date.precision == "month":
        text = f"{date.start:%B %Y}"
    elif date.precision == "year":
        text = f"{date.start:%Y}"
    else:
        text = f"{format_date(date.start)} – {format_date(date.end)}"
    if date.weekday_mismatch:
        text += " (weekday does not fit)"
    return text


def _date_sort_key(date: ResolvedDate | None) -> tuple[int, str]:
    if date is None or date.start is None:
        return (1, "")
    return (0, date.start.isoformat())


def format_number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0").rstrip(".")


def format_quantity(quantity: Quantity) -> str:
    """An interval in words: "8 rockets", "at least 16", "7–10", "no casualties"."""
    unit = f" {quantity.unit}" if quantity.unit else ""
    low = format_number(quantity.low)
    if quantity.qualifier == "none":
        return f"0{unit}"
    if quantity.high is None:
        return f"at least {low}{unit}"
    high = format_number(quantity.high)
    if quantity.low == quantity.high:
        return f"about {low}{unit}" if quantity.qualifier == "approximate" else f"{low}{unit}"
    if quantity.low == 0:
        return f"up to {high}{unit}"
    return f"{low}–{high}{unit}"


def format_cost(cost: float | None) -> str:
    return "cost unknown (no price for this model)" if cost is None else f"cost ${cost:.4f}"


def format_usage(run: RunInfo) -> str:
    usage = run.usage
    tokens = usage.input_tokens + usage.output_tokens
    parts = [
        f"{usage.calls} LLM call{'s' if usage.calls != 1 else ''}",
        f"{tokens:,} tokens ({usage.input_tokens:,} in, {usage.output_tokens:,} out)",
        format_cost(usage.cost_usd),
    ]
    # Usage grows fields over time; show the optional counters that exist and are non-zero.
    for name, label in (
        ("replayed", "replayed from recordings"),
        ("cache_hits", "answered from cache"),
        ("retries", "transport retries"),
        ("reasks", "re-asks"),
    ):
        count = getattr(usage, name, 0) or 0
        if count:
            parts.append(f"{count} {label}")
    return " · ".join(parts)


def format_article_usage(usage: Usage) -> str:
    """One article's share of the run: calls, tokens and cost (unknown cost said so, not $0)."""
    tokens = usage.input_tokens + usage.output_tokens
    if usage.calls or tokens:
        cost = "cost unknown" if usage.cost_usd is None else f"${usage.cost_usd:.4f}"
        parts = [_plural(usage.calls, "LLM call"), f"{tokens:,} tokens", cost]
    else:
        parts = ["no LLM call"]  # replayed or cached: nothing was paid for
    for count, one, many in (
        (usage.replayed, "answer replayed from recordings", "answers replayed from recordings"),
        (usage.cache_hits, "answer from cache", "answers from cache"),
        (usage.retries, "transport retry", "transport retries"),
        (usage.reasks, "re-ask", "re-asks"),
    ):
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    return ", ".join(parts)


UNKNOWN_PROVENANCE = "claims of unknown provenance (no extraction run attached)"


def run_attached(run: RunInfo) -> bool:
    """Whether the report says anything about how its claims were extracted."""
    return bool(
        run.model or run.replay_dir is not None or run.recorded_by or run.usage.calls or run.article_usage
    )


def describe_producer(run: RunInfo) -> str:
    """Who wrote the claims: a model, replayed fixtures and who wrote those, or nobody known."""
    authors = sorted(set(run.recorded_by))
    if run.replay_dir is not None:
        if not authors:
            return "replayed fixtures (who wrote them is not recorded)"
        if authors == ["hand-written"]:
            return "replayed fixtures (hand-written)"
        return f"replayed fixtures (recorded by {', '.join(authors)})"
    if run.model:
        return f"{run.model} ({run.mode} mode)" if run.mode else run.model
    if authors:
        return f"answers recorded by {', '.join(authors)}"
    # A bare list of claims: saying "no model" would still suggest one wrote them.
    return UNKNOWN_PROVENANCE


def match_label(quote: Quote) -> str:
    """How a quote was found: "fuzzy match 96%", "normalised match"."""
    if quote.match == "fuzzy":
        # Rounded down: a 99.6% fuzzy match must not read as a 100% one.
        return f"fuzzy match {math.floor(quote.score)}%" if quote.score is not None else "fuzzy match"
    if quote.match == "normalized":
        return "normalised match"
    return f"{quote.match} match"


def quote_view(quote: Quote, article_text: str | None, grounded: bool) -> QuoteView:
    """The quote to show: the article's own words for an approximate match (see ``QuoteView``)."""
    located = quote.start is not None and quote.end is not None
    words = None
    if located and article_text is not None and quote.end is not None and quote.end <= len(article_text):
        words = article_text[quote.start : quote.end]
    if quote.match not in ("normalized", "fuzzy") or words is None:
        return QuoteView(text=quote.text, linked=located, match=quote.match)
    differs = _WHITESPACE.sub(" ", words).strip() != _WHITESPACE.sub(" ", quote.text).strip()
    if grounded:
        return QuoteView(
            text=words,
            linked=True,
            match=quote.match,
            label=f"{match_label(quote)}: the article's words",
            other=quote.text if differs else None,
            other_label="extracted as",
        )
    return QuoteView(
        text=quote.text,
        linked=True,
        match=quote.match,
        label=f"closest passage: {match_label(quote)}",
        other=words if differs else None,
        other_label="the article has",
    )


def safe_url(url: str | None) -> str | None:
    """Only http(s) URLs become links: a ``javascript:`` URL in metadata must stay text."""
    if not url:
        return None
    parsed = urlparse(url.strip())
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
        return None
    # Percent-encode what could end a Markdown link or an HTML attribute early.
    return url_quote(url.strip(), safe=":/?#@!$&'*+,;=%~-._")


_ANCHOR_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def anchor_id(*parts: str) -> str:
    """An HTML id from a prefix and ids; anything but letters, digits, '.', '_' and '-' becomes '_'."""
    return "-".join(_ANCHOR_UNSAFE.sub("_", str(p)) for p in parts)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- Building the view ------------------------------------------------------


def _value_rows(finding: Finding, texts: dict[str, str]) -> list[ValueRow]:
    return [_value_row(v, texts.get(v.article_id)) for v in finding.values if v.grounded]


def source_label(name: str, kind: str) -> str:
    """The outlet's own voice is shown as such, not as a source called "outlet"."""
    if kind == "outlet" or name.strip().casefold() in ("outlet", "the outlet"):
        return "the outlet itself"
    return name


def _value_row(value: FindingValue, article_text: str | None) -> ValueRow:
    return ValueRow(
        claim_id=value.claim_id,
        article_id=value.article_id,
        outlet=value.outlet,
        value=value.value,
        quote=quote_view(value.quote, article_text, grounded=True),
        source=source_label(value.source.name, value.source.kind),
        source_kind=value.source.kind,
        stance=value.stance,
    )


def _distinct_values(values: Iterable[FindingValue], citing: bool = False) -> list[tuple[str, list[str]]]:
    """Group values that say the same (same interval, or same words), keeping outlets in order.

    "no casualties" and "did not result in any casualties" are one group when both are
    [0, 0]; each group is shown with the first wording met.
    """
    groups: dict[object, tuple[str, list[str]]] = {}
    for value in values:
        key: object = " ".join(value.value.casefold().split())
        if value.quantity is not None:
            key = (value.quantity.low, value.quantity.high)
        text, outlets = groups.setdefault(key, (value.value, []))
        who = value.outlet
        if citing and source_label(value.source.name, value.source.kind) != "the outlet itself":
            who = f"{value.outlet} citing {value.source.name}"
        if who not in outlets:
            outlets.append(who)
    return list(groups.values())


def _sources_clause(finding: Finding) -> list[Part]:
    sources = finding.original_sources
    if not sources:
        return []
    if len(sources) == 1:
        scope = "all from" if len(finding.outlets) > 1 else "from"
        source = source_label(sources[0], "")
        return [Part(f", {scope} 1 original source ("), Part(source, value=True), Part(")")]
    parts = [Part(f", from {len(sources)} independent original sources (")]
    for index, source in enumerate(sources):
        if index:
            parts.append(Part(", "))
        parts.append(Part(source_label(source, ""), value=True))
    parts.append(Part(")"))
    return parts


def _listed_values(groups: list[tuple[str, list[str]]], joiner: str) -> list[Part]:
    parts: list[Part] = []
    for index, (text, outlets) in enumerate(groups):
        if index:
            parts.append(Part(joiner))
        parts.append(Part(text, value=True))
        parts.append(Part(f" ({', '.join(outlets)})"))
    return parts


def finding_sentence(finding: Finding) -> list[Part]:
    """One sentence from the finding alone: its verdict, values, outlets and original sources."""
    grounded = [v for v in finding.values if v.grounded]
    facet = FACET_LABELS.get(finding.facet, finding.facet)
    groups = _distinct_values(grounded)
    outlets = len(finding.outlets)
    if not groups:
        return [Part(f"No grounded value for {facet}: nothing here counts as support.")]
    if finding.verdict == "agree":
        shared = groups[0][0]
        quantities = {(v.quantity.low, v.quantity.high) for v in grounded if v.quantity}
        if len(quantities) == 1 and all(v.quantity for v in grounded) and len(groups) > 1:
            quantity = grounded[0].quantity
            assert quantity is not None
            shared = format_quantity(quantity)
        parts = [Part(f"{_plural(outlets, 'outlet')} agree on {facet}: "), Part(shared, value=True)]
        return [*parts, *_sources_clause(finding), Part(".")]
    if finding.verdict == "compatible":
        parts = [Part(f"{_plural(outlets, 'outlet')} give compatible {facet}: ")]
        return [*parts, *_listed_values(groups, ", "), *_sources_clause(finding), Part(".")]
    if finding.verdict == "contradict":
        # Who says what matters most here: each side names its outlet and the source it cites.
        sides = _distinct_values(grounded, citing=True)
        who = "Outlets" if outlets > 1 else f"Sources reported by {grounded[0].outlet}"
        parts = [Part(f"{who} contradict each other on {facet}: ")]
        return [*parts, *_listed_values(sides, " versus "), Part(".")]
    if finding.verdict == "complementary":
        parts = [Part(f"Different facts on {facet}, not a contradiction: ")]
        return [*parts, *_listed_values(groups, "; "), *_sources_clause(finding), Part(".")]
    value = grounded[0]
    parts = [Part(f"Only {value.outlet} reports {facet}: "), Part(value.value, value=True)]
    source = source_label(value.source.name, value.source.kind)
    return [*parts, Part(" (source: "), Part(source, value=True), Part(").")]


def _finding_view(finding: Finding, event_labels: dict[str, str], texts: dict[str, str]) -> FindingView:
    return FindingView(
        id=finding.id,
        event_id=finding.event_id,
        event_label=event_labels.get(finding.event_id, finding.event_id),
        facet=finding.facet,
        facet_label=FACET_LABELS.get(finding.facet, finding.facet),
        verdict=finding.verdict,
        mark=VERDICT_MARKS[finding.verdict],
        verdict_label=VERDICT_LABELS[finding.verdict],
        explanation=finding.explanation,
        sentence=finding_sentence(finding),
        rows=_value_rows(finding, texts),
        outlets=finding.outlets,
        original_sources=finding.original_sources,
        rank=finding.rank,
    )


def _is_cross_outlet(finding: Finding) -> bool:
    return finding.verdict != "single_source" and len(finding.outlets) > 1


def select_key_findings(findings: list[Finding]) -> list[Finding]:
    """Every contradiction first, then the highest-ranked cross-outlet findings on key facts."""
    by_rank = sorted(findings, key=lambda f: (-f.rank, f.id))
    contradictions = [f for f in by_rank if f.verdict == "contradict"]
    others = [
        f for f in by_rank if f.verdict != "contradict" and _is_cross_outlet(f) and f.facet in KEY_FACETS
    ]
    return contradictions + others[:KEY_FINDINGS_BEYOND_CONTRADICTIONS]


def select_event_pairs(events: list[Event]) -> list[PairView]:
    """The strongest "possibly the same event" links, each pair once."""
    labels = {e.id: e.label for e in events}
    seen: set[frozenset[str]] = set()
    pairs: list[PairView] = []
    links = sorted(
        ((event, link) for event in events for link in event.possibly_same_as if link.event_id in labels),
        key=lambda item: (-item[1].score, item[0].id, item[1].event_id),
    )
    for event, link in links:
        key = frozenset((event.id, link.event_id))
        if key in seen or len(key) < 2:
            continue
        seen.add(key)
        pairs.append(
            PairView(
                LinkView(event.id, event.label, link.score, []),
                LinkView(link.event_id, labels[link.event_id], link.score, link.reasons),
            )
        )
    return pairs[:KEY_EVENT_PAIRS]


def _timeline(claims: list[Claim]) -> list[TimelineEntry]:
    entries: dict[str, TimelineEntry] = {}
    for claim in claims:
        # Ungrounded claims are not evidence, and claims that say nothing about when add nothing.
        resolved = claim.event.date is not None and claim.event.date.precision != "unresolved"
        if not claim.grounded or (not resolved and not claim.event.date_as_written):
            continue
        label = format_resolved_date(claim.event.date)
        entry = entries.setdefault(label, TimelineEntry(label, _date_sort_key(claim.event.date), []))
        mention = (claim.outlet, claim.event.date_as_written or "")
        if mention not in entry.mentions:
            entry.mentions.append(mention)
    return sorted(entries.values(), key=lambda e: (e.sort_key, e.date))


def _when(entry: TimelineEntry) -> str:
    written = list(dict.fromkeys(f"“{w}”" for _, w in entry.mentions if w))
    return f"{entry.date} ({', '.join(written)})" if written else entry.date


def _claim_row(claim: Claim, event: Event | None, reason: str, article_text: str | None) -> ClaimRow:
    return ClaimRow(
        claim_id=claim.id,
        article_id=claim.article_id,
        event_id=event.id if event else None,
        event_label=event.label if event else None,
        outlet=claim.outlet,
        facet_label=FACET_LABELS.get(claim.facet, claim.facet),
        value=claim.value,
        quote=quote_view(claim.quote, article_text, grounded=claim.grounded),
        source=source_label(claim.source.name, claim.source.kind),
        reason=reason,
    )


def _ungrounded_reason(claim: Claim) -> str:
    reason = GROUNDING_LABELS.get(claim.grounding.status, claim.grounding.status)
    if claim.grounding.missing_numbers:
        reason += f" (missing: {', '.join(claim.grounding.missing_numbers)})"
    if claim.grounding.note:
        reason += f"; {claim.grounding.note}"
    return reason


def _event_view(
    event: Event,
    findings: list[Finding],
    claims: dict[str, Claim],
    event_labels: dict[str, str],
    compared_claims: set[str],
    texts: dict[str, str],
) -> EventView:
    event_claims = [claims[c] for c in event.claim_ids if c in claims]
    ordered = sorted(findings, key=lambda f: (f.verdict == "single_source", -f.rank, f.id))
    views = [_finding_view(f, event_labels, texts) for f in ordered]
    multi = [v for v in views if v.verdict != "single_source"]
    single = [v for v in views if v.verdict == "single_source"]
    outlets = list(dict.fromkeys(c.outlet for c in event_claims if c.grounded))
    not_compared = [
        _claim_row(c, event, "not compared with other outlets", texts.get(c.article_id))
        for c in event_claims
        if c.grounded and c.id not in compared_claims
    ]
    place = ""
    if event.place is not None:
        place = event.place.canonical or event.place.matched or ""
    type_label = event.type.replace("_", " ") if event.kind == "event" else "background topic"
    timeline = _timeline(event_claims) if event.kind == "event" else []
    # Labels often already name the type and place; the line under them should not repeat it.
    label = event.label.casefold()
    return EventView(
        id=event.id,
        label=event.label,
        kind=event.kind,
        cross_outlet=len(outlets) > 1,
        type_label="" if type_label in label else type_label,
        date=format_resolved_date(event.date) if event.kind == "event" else "",
        place="" if place.casefold() in label else place,
        outlets=outlets,
        summary=multi or single[:3],
        timeline=timeline,
        when="; ".join(_when(entry) for entry in timeline),
        findings=multi,
        single_source=single,
        not_compared=not_compared,
        links=[
            LinkView(link.event_id, event_labels.get(link.event_id, link.event_id), link.score, link.reasons)
            for link in event.possibly_same_as
        ],
    )


def _event_order(event: Event, findings: list[Finding]) -> tuple[Any, ...]:
    """Background topics last; then events with contradictions, then by outlets, then by date."""
    contradictions = sum(f.verdict == "contradict" for f in findings)
    top_rank = max((f.rank for f in findings), default=0.0)
    return (
        event.kind == "topic",
        -contradictions,
        -len(event.article_ids),
        -top_rank,
        _date_sort_key(event.date),
    )


def _split_loaded(expression: str, terms: list[str]) -> list[Part]:
    """Split an expression so each loaded term is its own part (marked in the brief)."""
    spans: list[tuple[int, int]] = []
    lowered = expression.casefold()
    for term in terms:
        start = lowered.find(term.casefold()) if term else -1
        if start >= 0:
            spans.append((start, start + len(term)))
    parts: list[Part] = []
    cursor = 0
    for start, end in sorted(spans):
        if start < cursor:
            continue
        if start > cursor:
            parts.append(Part(expression[cursor:start]))
        parts.append(Part(expression[start:end], value=True))
        cursor = end
    if cursor < len(expression):
        parts.append(Part(expression[cursor:]))
    return parts


def _framing_views(report: Report) -> list[FramingView]:
    """One table per referent (tables for the same referent merged), most outlets first."""
    located = {c.id for c in report.claims if c.quote.start is not None}
    merged: dict[tuple[str, str], list[FramingEntry]] = {}
    for table in report.framing:
        merged.setdefault((table.referent, table.referent_kind), []).extend(table.entries)
    views = []
    for (referent, referent_kind), entries in merged.items():
        rows: dict[str, FramingRow] = {}
        seen: set[tuple[str, str, str]] = set()
        for entry in entries:
            key = (entry.outlet, entry.expression.casefold(), entry.voice)
            if key in seen:
                continue
            seen.add(key)
            row = rows.setdefault(entry.outlet, FramingRow(entry.outlet, []))
            row.cells.append(
                FramingCell(
                    expression=entry.expression,
                    voice=entry.voice,
                    quoted_from=entry.quoted_from,
                    loaded_terms=entry.loaded_terms,
                    # Linked to the quote of the claim it came from, when that quote is in the text.
                    claim_id=entry.claim_id if entry.claim_id in located else None,
                    parts=_split_loaded(entry.expression, entry.loaded_terms),
                )
            )
        views.append(
            FramingView(
                referent=referent,
                kind=referent_kind.replace("_", " "),
                rows=list(rows.values()),
                any_loaded=any(e.loaded_terms for e in entries),
            )
        )
    return sorted(views, key=lambda v: (-len(v.rows), not v.any_loaded))


def _source_view(
    article: Article, claim_count: int, usage: str | None, failed_stage: str | None
) -> SourceView:
    url = safe_url(article.url)
    return SourceView(
        article_id=article.id,
        outlet=article.outlet,
        outlet_known=article.outlet_known,
        title=article.title,
        url=url,
        url_text=article.url if article.url and not url else None,
        published=format_date(article.published),
        path=article.path,
        claims=claim_count,
        usage=usage,
        not_processed=failed_stage,
    )


def _article_usage(run: RunInfo, article_id: str) -> str | None:
    if not run.article_usage:
        return None  # the run keeps no per-article accounting: say nothing rather than guess
    usage = run.article_usage.get(article_id)
    return format_article_usage(usage) if usage is not None else "no usage recorded"


def _date_span(articles: list[Article]) -> str:
    dates = sorted(a.published for a in articles if a.published)
    undated = len(articles) - len(dates)
    if not dates:
        text = "no publication dates"
    elif dates[0] == dates[-1]:
        text = format_date(dates[0])
    else:
        text = f"{format_date(dates[0])} – {format_date(dates[-1])}"
    if dates and undated:
        text += f" ({undated} undated)"
    return text


def highlight_article(text: str, spans: list[tuple[int, int, str, str | None]]) -> Markup:
    """Article text with each quote in a ``<mark>``, built by slicing and escaping each piece.

    ``spans`` are (start, end, claim id, anchor of the fact row that cites it). Quotes
    may overlap, so the text is cut at every boundary and each piece is marked with
    all the claims that cover it; a claim's anchor sits where its quote begins.
    """
    valid = [(s, e, c, back) for s, e, c, back in spans if 0 <= s < e <= len(text)]
    cuts = sorted({0, len(text), *(s for s, _, _, _ in valid), *(e for _, e, _, _ in valid)})
    out: list[str] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        piece = escape(text[start:end])
        covering = [(s, e, c, back) for s, e, c, back in valid if s <= start and end <= e]
        if not covering:
            out.append(str(piece))
            continue
        starting = [c for s, _, c, _ in covering if s == start]
        claim_ids = " ".join(c for _, _, c, _ in covering)
        mark_id = f' id="{anchor_id("q", starting[0])}"' if starting else ""
        anchors = "".join(f'<span class="anchor" id="{anchor_id("q", c)}"></span>' for c in starting[1:])
        title = escape("claim " + ", ".join(c for _, _, c, _ in covering))
        out.append(f'<mark class="quote"{mark_id} data-claims="{escape(claim_ids)}" title="{title}">')
        out.append(f"{anchors}{piece}</mark>")
        for _, quote_end, _, back in covering:
            if quote_end == end and back:
                out.append(f'<a class="back" href="#{escape(back)}" title="back to the fact">↩</a>')
    return Markup("".join(out))


def build_view(report: Report) -> BriefView:
    """Everything the templates show, computed from the report alone."""
    claims = {c.id: c for c in report.claims}
    texts = {a.id: a.text for a in report.articles}
    event_labels = {e.id: e.label for e in report.events}
    findings_by_event: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        findings_by_event[finding.event_id].append(finding)
    compared = {v.claim_id for f in report.findings for v in f.values}
    events = sorted(report.events, key=lambda e: _event_order(e, findings_by_event[e.id]))
    event_views = [
        _event_view(e, findings_by_event[e.id], claims, event_labels, compared, texts) for e in events
    ]
    event_of_claim = {c: e.id for e in report.events for c in e.claim_ids}
    events_by_id = {e.id: e for e in report.events}

    ungrounded = [
        _claim_row(
            c, events_by_id.get(event_of_claim.get(c.id, "")), _ungrounded_reason(c), texts.get(c.article_id)
        )
        for c in report.claims
        if not c.grounded
    ]
    # Where each quote's "back" link goes: the first place its claim is shown as a fact.
    back_anchor: dict[str, str] = {}
    for event_view in event_views:
        for finding_view in [*event_view.findings, *event_view.single_source]:
            for row in finding_view.rows:
                back_anchor.setdefault(row.claim_id, anchor_id("v", finding_view.id, row.claim_id))
        for claim_row in event_view.not_compared:
            back_anchor.setdefault(claim_row.claim_id, anchor_id("n", claim_row.claim_id))
    for claim_row in ungrounded:
        back_anchor.setdefault(claim_row.claim_id, anchor_id("u", claim_row.claim_id))

    spans_by_article: dict[str, list[tuple[int, int, str, str | None]]] = defaultdict(list)
    for claim in report.claims:
        if claim.quote.start is not None and claim.quote.end is not None:
            spans_by_article[claim.article_id].append(
                (claim.quote.start, claim.quote.end, claim.id, back_anchor.get(claim.id))
            )
    claims_per_article: dict[str, int] = defaultdict(int)
    for claim in report.claims:
        claims_per_article[claim.article_id] += 1

    unprocessed = [ProblemView(f.path or f.article_id, f.stage, f.reason) for f in report.failures]
    unprocessed += [
        ProblemView(p.path, "ingest" if p.severity == "error" else "ingest (warning)", p.problem)
        for p in report.problems
    ]
    failed_stage = {f.article_id: f.stage for f in report.failures}
    # Failed articles are still in report.articles (with their text); they are not coverage.
    processed_ids = [
        i
        for i in dict.fromkeys([*(a.id for a in report.articles), *(c.article_id for c in report.claims)])
        if i not in failed_stage
    ]
    processed_articles = [a for a in report.articles if a.id not in failed_stage]
    # Outlets with claims, in the order of the articles (then any outlet whose article is absent).
    outlets = list(
        dict.fromkeys(
            [
                *(a.outlet for a in processed_articles if claims_per_article[a.id]),
                *(c.outlet for c in report.claims if c.article_id not in failed_stage),
            ]
        )
    )
    key = [_finding_view(f, event_labels, texts) for f in select_key_findings(report.findings)]
    attached = run_attached(report.run)
    return BriefView(
        title="Cross-source brief",
        generated_at=report.generated_at.strftime("%Y-%m-%d %H:%M UTC") if report.generated_at else None,
        outlets=outlets,
        date_span=_date_span(processed_articles),
        producer=describe_producer(report.run),
        producer_known=attached,
        usage=format_usage(report.run) if attached else None,
        warnings=list(dict.fromkeys(w.strip() for w in report.run.warnings if w.strip())),
        any_approximate=any(c.quote.match in ("normalized", "fuzzy") for c in report.claims),
        counts={
            "articles": len(processed_ids),
            "outlets": len(outlets),
            "without_claims": sum(claims_per_article[i] == 0 for i in processed_ids),
            # Articles whose extraction failed and files that could not be read; ingest
            # warnings (a duplicate skipped, metadata ignored) are listed but not counted.
            "not_processed": len(failed_stage) + sum(p.severity == "error" for p in report.problems),
            "claims": len(report.claims),
            "events": sum(e.kind == "event" for e in report.events),
            "topics": sum(e.kind == "topic" for e in report.events),
            "findings": len(report.findings),
            "contradictions": sum(f.verdict == "contradict" for f in report.findings),
            "ungrounded": len(ungrounded),
            "unprocessed": len(unprocessed),
        },
        summary=[SummaryView(s.text, s.finding_ids) for s in report.summary],
        summary_dropped=[SummaryView(s.text, s.finding_ids, s.reason) for s in report.summary_dropped],
        key_findings=key,
        event_pairs=select_event_pairs(report.events),
        events=event_views,
        framing=_framing_views(report),
        ungrounded=ungrounded,
        unprocessed=unprocessed,
        sources=[
            _source_view(
                a, claims_per_article[a.id], _article_usage(report.run, a.id), failed_stage.get(a.id)
            )
            for a in report.articles
        ],
        articles=[
            ArticleText(a.id, a.outlet, a.title, highlight_article(a.text, spans_by_article[a.id]))
            for a in report.articles
        ],
    )


# --- Markdown escaping ------------------------------------------------------


class MarkdownSafe(str):
    """Text already safe for Markdown (built here, never from article text as is)."""


_WHITESPACE = re.compile(r"\s+")
_MD_ACTIVE = re.compile(r"([\\`*\[\]<>|~])")
# "_" inside a word (file_name_2) cannot start or end emphasis, so it stays as written.
_MD_LOOSE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# What opens a heading, list item or setext underline when it starts a line: "# ", "- ", "1. ", "===".
_MD_BLOCK_START = re.compile(r"^(#{1,6}|[+\-]|\d{1,9}[.)])(?=\s|$)|^=+(?=\s*$)")


def markdown_escape(value: Any) -> str:
    """Article text made inert in Markdown: one line, no tables broken, no HTML, links or emphasis."""
    if isinstance(value, MarkdownSafe):
        return value
    if value is None:
        return ""
    text = _WHITESPACE.sub(" ", str(value))
    text = _MD_ENTITY.sub("&amp;", text)
    text = _MD_ACTIVE.sub(r"\\\1", text)
    text = _MD_LOOSE_UNDERSCORE.sub(r"\\_", text)
    # A value at the start of a line must not open a heading or a list.
    return _MD_BLOCK_START.sub(_escape_block_start, text)


def _escape_block_start(match: re.Match[str]) -> str:
    token = match.group(0)  # "##", "-", "+", "===" or "12." / "12)"
    return f"{token[:-1]}\\{token[-1]}" if token[0].isdigit() else f"\\{token}"


def markdown_code(value: str) -> MarkdownSafe:
    """An id in a code span; ids are restricted to letters, digits, '.', '_' and '-'."""
    return MarkdownSafe(f"`{str(value).replace('`', '')}`")


def markdown_quoted(value: Any) -> MarkdownSafe:
    return MarkdownSafe(f"“{markdown_escape(value)}”")


def markdown_quote_view(view: QuoteView) -> MarkdownSafe:
    """A quote with, for an approximate match, how it was found and the other wording."""
    text = markdown_quoted(view.text)
    if not view.label:
        return text
    note = markdown_escape(view.label)
    if view.other is not None and view.other_label:
        note += f"; {markdown_escape(view.other_label)} {markdown_quoted(view.other)}"
    return MarkdownSafe(f"{text} ({note})")


def markdown_link(text: Any, url: str | None) -> MarkdownSafe:
    label = markdown_escape(text)
    return MarkdownSafe(f"[{label}]({url})" if url else label)


def markdown_parts(parts: list[Part]) -> MarkdownSafe:
    out = []
    for part in parts:
        text = markdown_escape(part.text)
        out.append(f"**{text}**" if part.value and text else text)
    return MarkdownSafe("".join(out))


def html_parts(parts: list[Part], css_class: str | None = None) -> Markup:
    """Sentence parts as HTML: each piece escaped, article-derived values emphasised."""
    open_tag = Markup('<span class="{}">').format(css_class) if css_class else Markup("<strong>")
    close_tag = Markup("</span>") if css_class else Markup("</strong>")
    out = []
    for part in parts:
        text = escape(part.text)
        out.append(open_tag + text + close_tag if part.value else text)
    return Markup("").join(out)


# --- Environments and entry points -------------------------------------------


def _loader() -> jinja2.BaseLoader:
    return jinja2.PackageLoader("reconcile", "templates")


def _common_globals(env: jinja2.Environment) -> None:
    env.globals.update(
        verdict_marks=VERDICT_MARKS,
        verdict_labels=VERDICT_LABELS,
        anchor=anchor_id,
    )
    env.filters["num"] = format_number


def html_environment() -> jinja2.Environment:
    # Autoescape on for the HTML templates, and on by default for anything else loaded here.
    env = jinja2.Environment(
        loader=_loader(),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "html"), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    _common_globals(env)
    env.filters["parts"] = html_parts
    return env


def markdown_environment() -> jinja2.Environment:
    # No HTML autoescape in Markdown; instead every expression goes through markdown_escape.
    env = jinja2.Environment(
        loader=_loader(),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        finalize=markdown_escape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    _common_globals(env)
    env.filters["code"] = markdown_code
    # Only for the brief's own constants (verdict marks), never for article-derived text.
    env.filters["internal"] = MarkdownSafe
    env.filters["link"] = markdown_link
    env.filters["quoted"] = markdown_quoted
    env.filters["quote"] = markdown_quote_view
    env.filters["parts"] = markdown_parts
    return env


def render_markdown(report: Report) -> str:
    """The brief as Markdown, for notes and tickets."""
    text = markdown_environment().get_template("brief.md.j2").render(brief=build_view(report))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _inline_asset(env: jinja2.Environment, name: str) -> tuple[Markup, str]:
    """A stylesheet or script to inline, and its CSP hash: the page allows only that exact text."""
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
    return Markup(source), f"sha256-{digest}"


def render_html(report: Report) -> str:
    """The brief as one self-contained HTML page (no external resources).

    Its Content-Security-Policy allows no network fetch and only the page's own
    stylesheet and script (by hash), so even markup that slipped past escaping
    could not load or run anything.
    """
    env = html_environment()
    style, style_hash = _inline_asset(env, "brief.css")
    script, script_hash = _inline_asset(env, "brief.js")
    return env.get_template("brief.html.j2").render(
        brief=build_view(report), style=style, style_hash=style_hash, script=script, script_hash=script_hash
    )


def render_json(report: Report) -> str:
    """The full report as JSON; ``report_json_schema()`` describes it."""
    return report.model_dump_json(indent=2) + "\n"


def report_json_schema() -> str:
    """The JSON Schema of the JSON brief (the ``Report`` model), as indented JSON."""
    return json.dumps(Report.model_json_schema(), indent=2, ensure_ascii=False) + "\n"


_RENDERERS = {
    ".md": render_markdown,
    ".markdown": render_markdown,
    ".html": render_html,
    ".htm": render_html,
    ".json": render_json,
}


def write_brief(report: Report, path: str | os.PathLike[str]) -> Path | None:
    """Write the brief in the format the suffix names; ``-`` writes Markdown to stdout.

    The file is written to a temporary name beside the target and moved into place,
    so a reader never sees half a brief. Returns the path written, or None for stdout.
    """
    if brief_format(path) == "-":
        sys.stdout.write(render_markdown(report))
        sys.stdout.flush()
        return None
    target = Path(path)
    write_atomic(target, _RENDERERS[target.suffix.lower()](report))
    return target


def brief_format(path: str | os.PathLike[str]) -> str:
    """The format a brief path asks for (its suffix, or "-" for stdout); ConfigError if none fits."""
    if str(path) == "-":
        return "-"
    suffix = Path(path).suffix.lower()
    if suffix not in _RENDERERS:
        raise ConfigError(
            f"Cannot write a brief to {path}: use a name ending in .md, .html or .json, or '-' for stdout."
        )
    return suffix


def _new_file_mode(target: Path) -> int:
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(target: Path, content: str) -> None:
    """Write to a temporary file beside ``target``, then move it into place in one step."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
    ) as handle:
        temporary = Path(handle.name)
        try:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
            # Temporary files are private (0600); a brief gets the mode a plain new file would.
            os.chmod(handle.name, _new_file_mode(target))
        except BaseException:
            handle.close()
            temporary.unlink(missing_ok=True)
            raise
    try:
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
