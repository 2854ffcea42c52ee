"""Judge each fact of each event across outlets, counting original sources.

For every event (or background topic) and facet, one ``Finding``: every outlet's
value with its quote and original source, and a verdict:

- ``agree``: the same value;
- ``compatible``: values that can all be true, at different precision (8 and
  "several"; "approximately 900" and "at least 900");
- ``contradict``: values that cannot all be true (3 and 8 rockets; "no casualties"
  and two wounded; a gas field and an oil field; different perpetrators);
- ``complementary``: different facts that do not conflict (six artillery shells in
  response; airstrikes on launch sites before the attack);
- ``single_source``: one voice only, nothing to compare with.

Only grounded claims take part in a verdict. Ungrounded ones are listed with
``grounded=False`` and counted for nothing. Corroboration counts distinct original
sources (``data/sources.yaml``), not outlets: three outlets repeating one coalition
statement are one source, and the explanation says so.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from reconcile.group import PlaceIndex, find_actor
from reconcile.lexicon import Lexicon, Referent, SourceBook, load_lexicon, load_sources, name_key, norm
from reconcile.models import FACETS, Claim, Event, Finding, FindingValue, Gazetteer, Quantity, ResolvedPlace
from reconcile.normalize import munition_compatible, normalize_munition, resolve_place

COUNT_FACETS = frozenset({"munition_count", "killed", "injured", "casualties", "troop_count", "attack_count"})
CASUALTY_PARTS = ("killed", "injured")
ACTOR_FACETS = frozenset({"perpetrator", "responsibility"})
NEGATABLE_FACETS = frozenset({"damage", "response", "outcome", "casualties", "killed", "injured"})
SAME_TEXT = 90.0  # rapidfuzz similarity at or above which two values say the same (or one repeats the other)

# How much a finding matters: contradictions first, and among them numbers,
# casualties and attribution.
# One band per verdict, the most telling first: what conflicts, then what differs without
# conflict (a reader would otherwise take it for a contradiction), then agreement, then
# single voices. Within a band: the facet (numbers, casualties, attribution first), then
# how many outlets speak.
_VERDICT_RANK = {
    "contradict": 400.0,
    "compatible": 300.0,
    "complementary": 200.0,
    "agree": 100.0,
    "single_source": 0.0,
}
_FACET_RANK = {
    "casualties": 30.0, "killed": 30.0, "injured": 30.0, "munition_count": 28.0,
    "perpetrator": 25.0, "responsibility": 25.0, "munition_type": 15.0, "target": 12.0, "location": 12.0,
    "damage": 10.0, "outcome": 10.0, "time": 8.0, "launch_site": 6.0, "response": 5.0,
    "troop_count": 4.0, "attack_count": 4.0,
}  # fmt: skip
_FACET_ORDER = {facet: index for index, facet in enumerate(FACETS)}
_NEGATION = re.compile(r"\b(?:no|none|not|without|nothing|zero|neither|nor)\b|\bn't\b")
_UNKNOWN_ACTOR = re.compile(r"\b(?:unidentified|unknown|unclear|unnamed|not identified)\b")
_FIELD_KINDS = frozenset({"oil_field", "gas_field"})
_SITE_KINDS = frozenset({"base", "oil_field", "gas_field"})

Relation = str  # "same" | "overlap" | "conflict" | "different"


@dataclass(frozen=True)
class _Item:
    """One value taking part in a comparison."""

    claim: Claim
    source_key: str
    source_name: str
    implied: str | None = None  # "injured" when an injury count stands for casualties

    @property
    def voice(self) -> tuple[str, str]:
        return (self.claim.outlet, self.source_key)


@dataclass(frozen=True)
class _Judged:
    relation: Relation
    detail: str = ""


class _Judge:
    """Pairwise relations between values, per kind of facet, with caches for big corpora."""

    def __init__(self, lexicon: Lexicon, places: PlaceIndex) -> None:
        self.lexicon = lexicon
        self.places = places
        self._actors: dict[str, Referent | None] = {}
        self._places: dict[str, tuple[str, ...]] = {}

    # numbers ----------------------------------------------------------------
    def counts(self, a: _Item, b: _Item) -> _Judged:
        if a.claim.quantity is None and b.claim.quantity is None:
            # Words on both sides ("casualties among the militias", "Soleimani"): compare
            # the words; two reports of casualties without a number can both be true.
            worded = self.text(a, b)
            if worded.relation == "different" and _interval(a) == _interval(b) == (1.0, math.inf):
                return _Judged("overlap", "both report some, neither gives a number")
            return worded
        qa, qb = _interval(a), _interval(b)
        if qa is None or qb is None:
            return self.text(a, b)
        if a.claim.facet == "munition_count" and b.claim.facet == "munition_count":
            apart = self._different_munitions(a.claim, b.claim)
            if apart:
                return _Judged("different", apart)
        if a.claim.facet in ("troop_count", "attack_count") and not self._same_scope(a.claim, b.claim):
            return _Judged("different", "different places or periods")
        if qa == qb:
            return _Judged("same")
        if _overlaps(qa, qb):
            return _Judged("overlap", "different precision")
        return _Judged("conflict")

    def _different_munitions(self, a: Claim, b: Claim) -> str | None:
        words_a, words_b = a.unit or a.value, b.unit or b.value
        kind_a, kind_b = normalize_munition(words_a), normalize_munition(words_b)
        if kind_a and kind_b and not munition_compatible(kind_a, kind_b):
            return f"{kind_a} vs {kind_b}: different munitions"
        return None

    # munition types ---------------------------------------------------------
    def munition_type(self, a: _Item, b: _Item) -> _Judged:
        kind_a, kind_b = normalize_munition(a.claim.value), normalize_munition(b.claim.value)
        if kind_a is None or kind_b is None:
            return self.text(a, b)
        if kind_a == kind_b:
            if name_key(a.claim.value) == name_key(b.claim.value):
                return _Judged("same")
            return _Judged("overlap", "different precision")
        if munition_compatible(kind_a, kind_b):
            return _Judged("overlap", f"{kind_a} / {kind_b}")
        return _Judged("conflict", f"{kind_a} vs {kind_b}")

    # who did it -------------------------------------------------------------
    def actor_in(self, text: str) -> Referent | None:
        """A known actor named by the text or inside it ("positions of Iran-backed militias")."""
        key = f"in:{text}"
        if key not in self._actors:
            self._actors[key] = find_actor(text, self.lexicon)
        return self._actors[key]

    def actor(self, text: str) -> Referent | None:
        if text not in self._actors:
            self._actors[text] = self.lexicon.referent_for(text, ("armed_group", "state_actor"))
        return self._actors[text]

    def actors(self, a: _Item, b: _Item) -> _Judged:
        text_a, text_b = a.claim.value, b.claim.value
        unknown_a, unknown_b = (
            bool(_UNKNOWN_ACTOR.search(text_a.lower())),
            bool(_UNKNOWN_ACTOR.search(text_b.lower())),
        )
        if unknown_a or unknown_b:
            if unknown_a and unknown_b:
                return _Judged("same")
            return _Judged("overlap", "one does not name the perpetrator")
        actor_a, actor_b = self.actor(text_a), self.actor(text_b)
        if actor_a is not None and actor_b is not None:
            relation = self.lexicon.actor_relation(actor_a, actor_b)
            if relation == "same":
                return _Judged("same")
            if relation == "part":
                return _Judged("overlap", f"{actor_a.name} / {actor_b.name}: one is part of the other")
            return _Judged("conflict", f"{actor_a.name} vs {actor_b.name}")
        if _same_words(text_a, text_b):
            return _Judged("same")
        similarity = fuzz.token_set_ratio(name_key(text_a), name_key(text_b))
        if similarity >= 60:
            return _Judged("overlap", "different names, possibly the same group")
        return _Judged("conflict", f"{text_a} vs {text_b}")

    # places and times -------------------------------------------------------
    def location(self, a: _Item, b: _Item) -> _Judged:
        exclusive = self._exclusive(a.claim.value, b.claim.value)
        if exclusive is not None:
            return exclusive
        chain_a, chain_b = _chain(a.claim.event.place), _chain(b.claim.event.place)
        if not chain_a or not chain_b:
            return self.text(a, b)
        relation, _common = self.places.relation(chain_a, chain_b)
        if relation == "same":
            return _Judged("same")
        if relation in ("contains", "contained"):
            return _Judged("overlap", "one place is within the other")
        return _Judged("conflict", f"{chain_a[0]} vs {chain_b[0]}")

    def time(self, a: _Item, b: _Item) -> _Judged:
        da, db = a.claim.event.date, b.claim.event.date
        if (
            da is None
            or db is None
            or da.start is None
            or db.start is None
            or da.end is None
            or db.end is None
        ):
            return self.text(a, b)
        if (da.start, da.end) == (db.start, db.end):
            return _Judged("same")
        if da.start <= db.end and db.start <= da.end:
            return _Judged("overlap", "different precision")
        return _Judged("conflict", f"{da.start.isoformat()} vs {db.start.isoformat()}")

    # free text --------------------------------------------------------------
    def text(self, a: _Item, b: _Item) -> _Judged:
        exclusive = self._exclusive(a.claim.value, b.claim.value)
        if exclusive is not None:
            return exclusive
        if a.claim.facet in NEGATABLE_FACETS and b.claim.facet in NEGATABLE_FACETS:
            negative_a, negative_b = _negative(a.claim), _negative(b.claim)
            if negative_a != negative_b:
                return _Judged("conflict")
        if _same_words(a.claim.value, b.claim.value):
            return _Judged("same")
        if self._same_category(a.claim.value, b.claim.value):
            return _Judged("overlap", "the same in other words")
        if _contained_words(a.claim.value, b.claim.value):
            return _Judged("overlap", "one says more than the other")
        return _Judged("different", "different facts")

    def _same_category(self, text_a: str, text_b: str) -> bool:
        """Both name the same category of an exclusive set ("landed inside" / "fell within")."""
        hits_b = {(h.group, h.category) for h in self.lexicon.exclusive_hits(text_b)}
        return any((h.group, h.category) in hits_b for h in self.lexicon.exclusive_hits(text_a))

    # targets ----------------------------------------------------------------
    def place_of(self, text: str) -> tuple[str, ...]:
        chain = self._places.get(text)
        if chain is None:
            chain = self._places[text] = _chain(resolve_place(text, self.places.gazetteer))
        return chain

    def target(self, a: _Item, b: _Item) -> _Judged:
        """Targets compare as places ("coalition forces at Green Village") or as actors."""
        exclusive = self._exclusive(a.claim.value, b.claim.value)
        if exclusive is not None:
            return exclusive
        chain_a, chain_b = self.place_of(a.claim.value), self.place_of(b.claim.value)
        if chain_a and chain_b:
            relation, _common = self.places.relation(chain_a, chain_b)
            if relation == "same":
                return _Judged("same")
            if relation in ("contains", "contained"):
                return _Judged("overlap", "one place is within the other")
            kinds = self.places.kinds
            if kinds.get(chain_a[0]) in _SITE_KINDS and kinds.get(chain_b[0]) in _SITE_KINDS:
                return _Judged("conflict", f"{chain_a[0]} vs {chain_b[0]}")
        actor_a, actor_b = self.actor_in(a.claim.value), self.actor_in(b.claim.value)
        if actor_a is not None and actor_b is not None:
            relation = self.lexicon.actor_relation(actor_a, actor_b)
            if relation == "same":
                return _Judged("same")
            if relation == "part":
                return _Judged("overlap", f"{actor_a.name} / {actor_b.name}: one is part of the other")
        return self.text(a, b)

    def _exclusive(self, text_a: str, text_b: str) -> _Judged | None:
        hits_a, hits_b = self.lexicon.exclusive_hits(text_a), self.lexicon.exclusive_hits(text_b)
        for hit_a in hits_a:
            for hit_b in hits_b:
                if hit_a.group != hit_b.group or hit_a.category == hit_b.category:
                    continue
                both_a = any(h.group == hit_b.group and h.category == hit_b.category for h in hits_a)
                both_b = any(h.group == hit_a.group and h.category == hit_a.category for h in hits_b)
                if not both_a and not both_b:
                    return _Judged("conflict", f"{hit_a.term} vs {hit_b.term}")
        return None

    def _same_scope(self, a: Claim, b: Claim) -> bool:
        """Background counts compare only for the same place (and, for tallies, the same period)."""
        chain_a, chain_b = _chain(a.event.place), _chain(b.event.place)
        if (
            chain_a
            and chain_b
            and self.places.relation(chain_a, chain_b)[0] not in ("same", "contains", "contained")
        ):
            return False
        if a.facet == "attack_count":
            da, db = a.event.date, b.event.date
            span_a = (da.start, da.end) if da is not None else (None, None)
            span_b = (db.start, db.end) if db is not None else (None, None)
            return span_a == span_b
        return True

    def relation(self, facet: str, a: _Item, b: _Item) -> _Judged:
        if facet in COUNT_FACETS:
            return self.counts(a, b)
        if facet in ACTOR_FACETS:
            return self.actors(a, b)
        if facet == "munition_type":
            return self.munition_type(a, b)
        if facet == "location":
            return self.location(a, b)
        if facet == "target":
            return self.target(a, b)
        if facet == "time":
            return self.time(a, b)
        return self.text(a, b)


def _chain(place: ResolvedPlace | None) -> tuple[str, ...]:
    if place is None or not place.canonical:
        return ()
    return (place.canonical, *place.within)


def _same_words(a: str, b: str) -> bool:
    """The same words, give or take spelling ("Qassem" / "Qasem") and articles."""
    norm_a, norm_b = name_key(a), name_key(b)
    return norm_a == norm_b or fuzz.ratio(norm_a, norm_b) >= SAME_TEXT


def _contained_words(a: str, b: str) -> bool:
    """One value repeats the other and adds to it ("minor damage" / "causing minor damage")."""
    return fuzz.token_set_ratio(name_key(a), name_key(b)) >= SAME_TEXT


def _negative(claim: Claim) -> bool:
    if claim.quantity is not None and claim.quantity.high == 0:
        return True
    return bool(_NEGATION.search(claim.value.lower()))


def _interval(item: _Item) -> tuple[float, float] | None:
    """The value as a closed interval; an injury count standing for casualties is a floor."""
    quantity: Quantity | None = item.claim.quantity
    if quantity is None:
        if item.claim.facet in ("casualties", "killed", "injured") or item.implied:
            # "casualties were reported" is at least one; "no casualties" is none.
            low = 0.0 if _negative(item.claim) else 1.0
            return (low, 0.0 if low == 0.0 else math.inf)
        return None
    high = math.inf if quantity.high is None else quantity.high
    if item.implied:
        return (quantity.low, math.inf)
    return (quantity.low, high)


def _overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


# --- Findings ---------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _support(items: Sequence[_Item]) -> tuple[list[str], list[str], str]:
    outlets = sorted({i.claim.outlet for i in items})
    sources = sorted({(i.source_key, i.source_name) for i in items})
    names = sorted({name for _key, name in sources})
    text = (
        f"{_plural(len(outlets), 'outlet')} · {_plural(len(sources), 'original source')} ({', '.join(names)})"
    )
    return outlets, names, text


def _quoted(item: _Item) -> str:
    implied = f", {item.implied}" if item.implied else ""
    return f"“{item.claim.value}” ({item.claim.outlet}{implied})"


def _verdict(facet: str, items: Sequence[_Item], judge: _Judge) -> tuple[str, str]:
    """The verdict over grounded items and the words that explain it."""
    voices = {i.voice for i in items}
    if len(voices) < 2:
        return "single_source", ""
    # Compare distinct values, not every pair of claims: a topic can hold thousands.
    distinct: dict[tuple[object, ...], list[_Item]] = {}
    for item in items:
        distinct.setdefault(_signature(item), []).append(item)
    groups = list(distinct.values())
    found: dict[str, tuple[_Item, _Item, _Judged]] = {}
    for index, group in enumerate(groups):
        if len({i.voice for i in group}) > 1:
            found.setdefault("same", (group[0], group[1], _Judged("same")))
        for other in groups[index + 1 :]:
            pair = _cross_voice_pair(group, other)
            if pair is None:
                continue
            judged = judge.relation(facet, pair[0], pair[1])
            found.setdefault(judged.relation, (pair[0], pair[1], judged))
    if "conflict" in found:
        a, b, judged = found["conflict"]
        detail = f"{_quoted(a)} vs {_quoted(b)}"
        return "contradict", f"{detail}: {judged.detail}" if judged.detail else detail
    if "different" in found:
        a, b, judged = found["different"]
        return (
            "complementary",
            f"{judged.detail or 'different facts'} that do not conflict: {_quoted(a)}; {_quoted(b)}",
        )
    if "overlap" in found:
        a, b, judged = found["overlap"]
        return "compatible", f"{judged.detail or 'can both be true'}: {_quoted(a)}; {_quoted(b)}"
    return "agree", ""


def _signature(item: _Item) -> tuple[object, ...]:
    claim = item.claim
    quantity = claim.quantity
    interval = (quantity.low, quantity.high, quantity.qualifier) if quantity is not None else None
    place = claim.event.place.canonical if claim.event.place is not None else None
    date = claim.event.date
    span = (date.start, date.end) if date is not None else None
    return (claim.facet, item.implied, norm(claim.value), norm(claim.unit), interval, place, span)


def _cross_voice_pair(a: Sequence[_Item], b: Sequence[_Item]) -> tuple[_Item, _Item] | None:
    for item_a in a:
        for item_b in b:
            if item_a.voice != item_b.voice:
                return item_a, item_b
    return None


def _rank(verdict: str, facet: str, outlets: int, sources: int, topic: bool) -> float:
    rank = _VERDICT_RANK[verdict] + _FACET_RANK.get(facet, 0.0) + 5 * min(outlets, 6) + min(sources, 9) / 10
    return round(rank - (20.0 if topic else 0.0), 2)


def _finding(
    event: Event,
    facet: str,
    claims: Sequence[Claim],
    implied: Sequence[Claim],
    judge: _Judge,
    book: SourceBook,
) -> Finding | None:
    items = []
    for claim in (*claims, *implied):
        if not claim.grounded:
            continue
        identity = book.identify(claim.source.name, claim.source.kind, claim.outlet)
        part = claim.facet if claim.facet != facet else None
        items.append(_Item(claim, identity.key, identity.name, implied=part))
    if not items:
        return None  # nothing grounded: the claims stay in the report, set apart as unsupported
    if all(i.implied for i in items):
        return None  # the injury and death counts have findings of their own
    verdict, detail = _verdict(facet, items, judge)
    outlets, sources, support = _support(items)
    ungrounded = sum(1 for c in (*claims, *implied) if not c.grounded)
    words = ["single source" if verdict == "single_source" else verdict]
    if detail:
        words.append(detail)
    words.append(support)
    if ungrounded:
        words.append(f"{_plural(ungrounded, 'ungrounded value')} not counted")
    values = [FindingValue.of(c) for c in (*claims, *implied)]
    return Finding(
        id="F0",
        event_id=event.id,
        facet=facet,  # type: ignore[arg-type]
        verdict=verdict,  # type: ignore[arg-type]
        values=values,
        outlets=outlets,
        original_sources=sources,
        explanation=" · ".join(words),
        rank=_rank(verdict, facet, len(outlets), len(sources), event.kind == "topic"),
    )


def _event_findings(event: Event, claims: Sequence[Claim], judge: _Judge, book: SourceBook) -> list[Finding]:
    by_facet: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        by_facet[claim.facet].append(claim)
    found: dict[str, Finding] = {}
    for facet in sorted(by_facet, key=lambda f: _FACET_ORDER.get(f, 99)):
        implied: list[Claim] = []
        if facet == "casualties":
            # "No casualties" and "two wounded" speak about the same people.
            implied = [c for part in CASUALTY_PARTS for c in by_facet.get(part, [])]
        finding = _finding(event, facet, by_facet[facet], implied, judge, book)
        if finding is not None:
            found[facet] = finding
    casualties = found.get("casualties")
    in_casualties = {v.claim_id for v in casualties.values} if casualties is not None else set()
    for part in CASUALTY_PARTS:
        alone = found.get(part)
        # Already weighed against the casualty reports in the casualties finding: a second,
        # single-source finding on the same claims would show them twice in one event.
        if (
            alone is not None
            and alone.verdict == "single_source"
            and {v.claim_id for v in alone.values} <= in_casualties
        ):
            del found[part]
    return list(found.values())


# --- How a place is described -----------------------------------------------


def _place_descriptions(
    claims: Iterable[Claim], judge: _Judge, book: SourceBook, first_event_number: int
) -> tuple[list[Event], list[Finding]]:
    """Outlets that call the same field a gas field and an oil field contradict each other.

    The words describe the place, not one event, so the finding hangs on a topic for the
    place, across events.
    """
    by_place: dict[str, list[tuple[Claim, str]]] = defaultdict(list)
    for claim in claims:
        place = claim.event.place
        if place is None or not place.canonical or place.kind not in _FIELD_KINDS or not claim.grounded:
            continue
        names = {norm(place.canonical), norm(place.matched)} - {""}
        texts = [claim.event.place_as_written or ""]
        if claim.facet in ("location", "target"):
            texts.append(claim.value)
        for text in texts:
            normalized = norm(text)
            if any(
                name in normalized or normalized in name for name in names
            ) and judge.lexicon.exclusive_hits(text):
                by_place[place.canonical].append((claim, text))
                break
    events: list[Event] = []
    findings: list[Finding] = []
    for canonical in sorted(by_place):
        entries = by_place[canonical]
        seen: dict[tuple[str, str], tuple[Claim, str]] = {}
        for claim, text in sorted(entries, key=lambda e: e[0].id):
            hits = tuple(sorted((h.group, h.category) for h in judge.lexicon.exclusive_hits(text)))
            seen.setdefault((claim.article_id, str(hits)), (claim, text))
        items = [
            _Item(claim.model_copy(update={"value": text}), f"outlet:{norm(claim.outlet)}", claim.outlet)
            for claim, text in seen.values()
        ]
        conflict = None
        for index, a in enumerate(items):
            for b in items[index + 1 :]:
                if a.claim.outlet != b.claim.outlet:
                    judged = judge._exclusive(a.claim.value, b.claim.value)
                    if judged is not None and conflict is None:
                        conflict = (a, b, judged)
        if conflict is None:
            continue
        a, b, judged = conflict
        event = Event(
            id=f"E{first_event_number + len(events)}",
            kind="topic",
            type="background",
            label=f"{canonical} · how outlets describe the place",
            place=next(c.event.place for c, _t in seen.values()),
            claim_ids=[],
            article_ids=sorted({c.article_id for c, _t in seen.values()}),
        )
        outlets, sources, support = _support(items)
        findings.append(
            Finding(
                id="F0",
                event_id=event.id,
                facet="location",
                verdict="contradict",
                values=[FindingValue.of(i.claim) for i in items],
                outlets=outlets,
                original_sources=sources,
                explanation=" · ".join(
                    ["contradict", f"{_quoted(a)} vs {_quoted(b)}: {judged.detail}", support]
                ),
                rank=_rank("contradict", "location", len(outlets), len(sources), topic=False),
            )
        )
        events.append(event)
    return events, findings


# --- Public -----------------------------------------------------------------


def compare_events(
    events: Sequence[Event],
    claims: Sequence[Claim],
    *,
    lexicon: Lexicon | None = None,
    sources: SourceBook | None = None,
    gazetteer: Gazetteer | None = None,
) -> tuple[list[Event], list[Finding]]:
    """Findings for every event and facet, ranked, with ids F1, F2, ...

    Returns the events (the given ones, plus a topic for each place that outlets describe
    in exclusive ways, such as a gas field called an oil field) and the findings, most
    important first: contradictions on numbers, casualties and attribution lead.
    """
    judge = _Judge(lexicon or load_lexicon(), PlaceIndex(gazetteer))
    book = sources or load_sources()
    by_id = {c.id: c for c in claims}
    order = {event.id: index for index, event in enumerate(events)}
    findings: list[Finding] = []
    for event in events:
        members = [by_id[cid] for cid in event.claim_ids if cid in by_id]
        findings.extend(_event_findings(event, members, judge, book))
    extra_events, place_findings = _place_descriptions(claims, judge, book, len(events) + 1)
    all_events = [*events, *extra_events]
    order.update({event.id: len(order) + index for index, event in enumerate(extra_events)})
    findings.extend(place_findings)
    findings.sort(key=lambda f: (-f.rank, order[f.event_id], _FACET_ORDER.get(f.facet, 99)))
    for number, finding in enumerate(findings, start=1):
        finding.id = f"F{number}"
    return all_events, findings
