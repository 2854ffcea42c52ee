"""How each outlet names the same things: one framing table per referent.

A referent is a base, an armed group, a state actor or a strike. Outlets name it
differently ("illegal US military base" / "a base hosting US forces";
"Iran-supported malign actors" / "self-defense militias"); the table lists every
outlet's words, whether in its own voice or inside a quote (and whose), with the
evaluative or loaded terms marked from ``data/lexicon.yaml``, and where the words
are in the article.

The same referent named differently by several outlets is one table: names are
matched through the lexicon's aliases, bases through the gazetteer (and through the
event the claim is about), other names by close fuzzy match within the same kind.
Strikes are events, so a strike's table is tied to its event.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from reconcile.ground import locate_expression
from reconcile.lexicon import FUZZY_FLOOR, Lexicon, load_lexicon, name_key
from reconcile.models import Article, Claim, Event, FramingEntry, FramingTable, Gazetteer, ReferringExpression

_KIND_ORDER = {kind: index for index, kind in enumerate(
    ["base", "armed_group", "state_actor", "strike", "place", "person", "other"]
)}  # fmt: skip
_ACTOR_KINDS = ("armed_group", "state_actor")


@dataclass(frozen=True)
class _Raw:
    claim: Claim
    expression: ReferringExpression
    event_id: str | None


class _BaseResolver:
    """Bases by place: "US base at al-Omar" is the one base the gazetteer puts at al-Omar."""

    def __init__(self, gazetteer: Gazetteer | None) -> None:
        from reconcile.normalize import load_gazetteer, resolve_place  # normalise owns places

        self.gazetteer = gazetteer or load_gazetteer()
        self._resolve: Callable[..., object] = resolve_place
        self.kinds = {e.name: e.kind for e in self.gazetteer.entries}
        bases_in: dict[str, list[str]] = defaultdict(list)
        for entry in self.gazetteer.entries:
            if entry.kind == "base" and entry.within:
                bases_in[entry.within].append(entry.name)
        self.bases_in = dict(bases_in)
        self._cache: dict[str, str | None] = {}

    def base(self, text: str | None) -> str | None:
        if not text:
            return None
        if text not in self._cache:
            place = self._resolve(text, self.gazetteer)
            canonical = getattr(place, "canonical", None)
            self._cache[text] = self.base_at(canonical)
        return self._cache[text]

    def base_at(self, canonical: str | None) -> str | None:
        if canonical is None:
            return None
        kind = self.kinds.get(canonical)
        if kind == "base":
            return canonical
        if kind in ("oil_field", "gas_field"):
            bases = self.bases_in.get(canonical, [])
            if len(bases) == 1:
                return bases[0]
            return f"base at {canonical}"
        return None


class _Keys:
    """Which table each expression belongs to."""

    def __init__(
        self, lexicon: Lexicon, bases: _BaseResolver | None, event_places: dict[str, str | None]
    ) -> None:
        self.lexicon = lexicon
        self.bases = bases
        self.event_places = event_places
        self._fuzzy: dict[str, list[str]] = defaultdict(list)  # kind -> representative name keys

    def key(self, raw: _Raw) -> tuple[str, str]:
        expression = raw.expression
        kind = expression.referent_kind
        if kind == "strike":
            return ("strike", raw.event_id or f"claim:{raw.claim.id}")
        kinds: tuple[str, ...] = _ACTOR_KINDS if kind in _ACTOR_KINDS else (kind,)
        if kind == "base" and self.bases is not None:
            # A base is the place it is at: whatever the words, one gazetteer base is one table.
            base = self._base(raw)
            if base is not None:
                known = self.lexicon.referent_for(base, ("base",))
                return ("base", known.name if known is not None else base)
        for text in (expression.referent, expression.expression):
            known = self.lexicon.referent_for(text, kinds)
            if known is not None:
                return (_family(known.kind), known.name)
        return (_family(kind), self._closest(kind, expression.referent))

    def _base(self, raw: _Raw) -> str | None:
        assert self.bases is not None
        expression = raw.expression
        base = self.bases.base(expression.referent) or self.bases.base(expression.expression)
        if base is None:
            known = self.lexicon.referent_for(expression.referent, ("base",))
            base = self.bases.base(known.name) if known is not None else None
        if base is None and raw.event_id is not None:
            base = self.bases.base_at(self.event_places.get(raw.event_id))
        return base

    def _closest(self, kind: str, name: str) -> str:
        """A name not in the lexicon: the table of a close enough earlier name, or a new one."""
        key = name_key(name)
        for representative in self._fuzzy[kind]:
            if fuzz.token_set_ratio(key, representative) >= FUZZY_FLOOR:
                return f"~{representative}"
        self._fuzzy[kind].append(key)
        return f"~{key}"


def _family(kind: str) -> str:
    return "actor" if kind in _ACTOR_KINDS else kind


def build_framing(
    claims: Sequence[Claim],
    events: Sequence[Event] = (),
    articles: Sequence[Article] = (),
    *,
    lexicon: Lexicon | None = None,
    gazetteer: Gazetteer | None = None,
) -> list[FramingTable]:
    """One table per referent: every outlet's words for it, loaded terms marked.

    With ``articles``, each entry carries the offsets of its words in the article
    (near the claim's quote when the words occur more than once).
    """
    lexicon = lexicon or load_lexicon()
    event_of_claim = {cid: e.id for e in events for cid in e.claim_ids}
    event_places = {e.id: (e.place.canonical if e.place is not None else None) for e in events}
    raws = [
        _Raw(claim, expression, event_of_claim.get(claim.id))
        for claim in sorted(claims, key=lambda c: c.id)
        for expression in claim.referring_expressions
        if expression.expression.strip()
    ]
    needs_places = any(r.expression.referent_kind == "base" for r in raws)
    keys = _Keys(lexicon, _BaseResolver(gazetteer) if needs_places else None, event_places)
    texts = {a.id: a.text for a in articles}

    grouped: dict[tuple[str, str], list[_Raw]] = defaultdict(list)
    # Known names first, so fuzzy matching compares against the most common spellings.
    by_frequency = Counter(name_key(r.expression.referent) for r in raws)
    for raw in sorted(raws, key=lambda r: (-by_frequency[name_key(r.expression.referent)], r.claim.id)):
        grouped[keys.key(raw)].append(raw)

    tables = []
    for (family, key), members in grouped.items():
        entries = _entries(members, lexicon, texts)
        kinds = Counter(r.expression.referent_kind for r in members)
        kind = sorted(kinds, key=lambda k: (-kinds[k], _KIND_ORDER.get(k, 99)))[0]
        title = key if family != "strike" and not key.startswith("~") else _most_common_name(members)
        tables.append(FramingTable(referent=title, referent_kind=kind, entries=entries))
    tables.sort(
        key=lambda t: (
            _KIND_ORDER.get(t.referent_kind, 99),
            -len({e.outlet for e in t.entries}),
            t.referent.lower(),
        )
    )
    return tables


def _most_common_name(members: Sequence[_Raw]) -> str:
    names = Counter(r.expression.referent for r in members)
    return sorted(names, key=lambda n: (-names[n], n))[0]


def _entries(members: Sequence[_Raw], lexicon: Lexicon, texts: dict[str, str]) -> list[FramingEntry]:
    seen: set[tuple[str, str, str, str | None]] = set()
    entries = []
    for raw in sorted(members, key=lambda r: r.claim.id):
        expression, claim = raw.expression, raw.claim
        identity = (claim.article_id, expression.expression, expression.voice, expression.quoted_from)
        if identity in seen:
            continue  # the same words in the same article, repeated across claims
        seen.add(identity)
        span = None
        text = texts.get(claim.article_id)
        if text is not None:
            quote = claim.quote
            near = (quote.start, quote.end) if quote.start is not None and quote.end is not None else None
            span = locate_expression(expression.expression, text, near=near)
        entries.append(
            FramingEntry(
                outlet=claim.outlet,
                article_id=claim.article_id,
                expression=expression.expression,
                voice=expression.voice,
                quoted_from=expression.quoted_from,
                loaded_terms=lexicon.loaded_in(expression.expression),
                claim_id=claim.id,
                start=span[0] if span else None,
                end=span[1] if span else None,
            )
        )
    entries.sort(
        key=lambda e: (e.outlet.lower(), e.article_id, e.start if e.start is not None else -1, e.expression)
    )
    return entries
