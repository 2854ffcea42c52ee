"""Group normalised claims into the real-world events they are about.

An article's claims with the same event (same type, resolved date and place) are
one *mention*. Mentions from different articles are linked when they are likely
the same event, judged on date, place, event type, perpetrator and target, and
linked mentions become one ``Event``. A link that is likely but not certain is
never merged: it is kept on both events as ``possibly_same_as`` with the reasons a
person needs to decide ("one day apart", "drone attack vs airstrike: different
type"). Background facts (troop numbers, tallies of attacks) are grouped by topic.

Only mentions that share a date window and a region are ever compared (blocking),
so the cost grows close to linearly with the number of claims.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from reconcile.lexicon import Lexicon, Referent, load_lexicon, load_sources, name_key, norm
from reconcile.models import Claim, Event, EventLink, Gazetteer, ResolvedDate, ResolvedPlace

# --- Tunables ---------------------------------------------------------------

MERGE_SCORE = 0.75  # at or above (and no veto): the same event
POSSIBLE_SCORE = 0.45  # between the two: "possibly the same event", shown, never merged
ATTACH_MARGIN = 0.05  # a vague mention joins the best event only if it beats the next by this
MAX_WINDOW_DAYS = 2  # mentions further apart are never compared (single days: one day apart at most)
MAX_RANGE_DAYS = 31  # a date range longer than this (a year) is too vague to place among days
UNDATED_CANDIDATES = 20  # comparisons for a mention with no date at all
MAX_POSSIBLE_LINKS = 5  # per event, the strongest ones
WEIGHTS = {"date": 0.30, "place": 0.30, "type": 0.20, "perpetrator": 0.10, "target": 0.10}
SHARED_COUNT_BONUS = 0.10

# Facts that are not about one happening: grouped by topic. A tally of attacks given
# as part of an attack report ("their second attack in a week") stays with the attack.
_CONCRETE_TYPES = frozenset(
    {"rocket_attack", "missile_attack", "drone_attack", "indirect_fire", "airstrike", "artillery_fire",
     "interception", "ground_assault", "explosion"}
)  # fmt: skip

# Event types fall into families of things that can be the same event.
_ATTACKS_ON_FORCES = {"rocket_attack", "missile_attack", "indirect_fire", "ground_assault"}
# Types that do not say what was fired: they can be any specific attack of their family.
_GENERIC_TYPES = frozenset({"indirect_fire", "other"})
_RELATED_FAMILIES = {
    frozenset({"attack", "interception"}),
    frozenset({"attack", "explosion"}),
    frozenset({"strike", "explosion"}),
    frozenset({"strike", "artillery"}),
    frozenset({"attack", "other"}),
    frozenset({"strike", "other"}),
    frozenset({"explosion", "other"}),
}
_FAMILY_NEIGHBOURS: dict[str, tuple[str, ...]] = {}
for _pair in _RELATED_FAMILIES:
    _a, _b = sorted(_pair)
    _FAMILY_NEIGHBOURS[_a] = (*_FAMILY_NEIGHBOURS.get(_a, ()), _b)
    _FAMILY_NEIGHBOURS[_b] = (*_FAMILY_NEIGHBOURS.get(_b, ()), _a)

# How specific a place is: a base or a field pins an event down, a province does not.
_SPECIFICITY = {
    "base": 3, "oil_field": 3, "gas_field": 3, "city": 2, "town": 2,
    "area": 1, "other": 1, "province": 1, "region": 1, "country": 0,
}  # fmt: skip
_SITE = 3
_FINE = 2

_UNKNOWN_ACTOR = re.compile(r"\b(?:unidentified|unknown|unclear|unnamed|not identified|anonymous)\b")
_FORCES_WORDS = re.compile(
    r"\b(?:base|bases|garrison|forces|troops|coalition|airport|airbase|camp|outpost|advisers|advisors|"
    r"personnel|mission support site|embassy|service members|patrol)\b"
)
_MILITIA_WORDS = re.compile(
    r"\b(?:militia|militias|group|groups|faction|factions|positions|depot|depots|launch sites|hideouts|"
    r"fighters|irgc|hezbollah|ammunition|weapons|headquarters of)\b"
)
_ACTOR_KINDS = ("armed_group", "state_actor")


# --- Mentions ---------------------------------------------------------------


@dataclass(eq=False)
class _Mention:
    index: int
    article_id: str
    claims: list[Claim]
    type: str
    family: str
    day_lo: int | None  # ordinal days; None when the date is unknown
    day_hi: int | None
    day_precise: bool
    published_only: bool  # no usable date: the days just before publication stand in
    speaker: str  # the original source of its first claim: who made a statement
    speaker_name: str
    date: ResolvedDate | None
    place: ResolvedPlace | None
    ancestors: tuple[str, ...]  # canonical name, then containing places
    specificity: int
    perpetrator: str | None
    perpetrator_actor: Referent | None
    target: str | None
    target_actor: Referent | None
    target_side: str | None
    counts: frozenset[tuple[str, float]]
    place_label: str = ""
    place_key: str = ""  # canonical name, or the words when the gazetteer does not know them
    coarse: bool = False  # a vague place or date: joins an event only when it fits one best
    district: str | None = None  # the province: the fine blocking key
    region: str | None = None  # the country: the coarse blocking key


@dataclass(frozen=True)
class _Scored:
    score: float
    confident: bool
    reasons: tuple[str, ...]


def claim_order(claim: Claim) -> tuple[str, list[int | str]]:
    """Article, then claim number as a number: "a.c2" before "a.c10"."""
    parts = re.split(r"(\d+)", claim.id)
    return claim.article_id, [int(p) if p.isdigit() else p for p in parts]


def _is_background(claim: Claim) -> bool:
    if claim.event.type == "background" or claim.facet == "troop_count":
        return True
    return claim.facet == "attack_count" and claim.event.type not in _CONCRETE_TYPES


def _days(claim: Claim) -> tuple[int | None, int | None, bool]:
    """The claim's date as ordinal days (low, high) and whether it is one day."""
    date = claim.event.date
    if (
        date is not None
        and date.start is not None
        and date.end is not None
        and date.precision != "unresolved"
    ):
        lo, hi = date.start.toordinal(), date.end.toordinal()
        if hi - lo <= MAX_RANGE_DAYS:
            return lo, hi, lo == hi
        return None, None, False  # a month or more: too vague to place among days
    if claim.published is not None and (date is None or date.start is None):
        # No date given, or one that cannot be resolved on its own ("later in the night"):
        # news reports recent events, so the days just before publication.
        hi = claim.published.toordinal()
        return hi - MAX_WINDOW_DAYS, hi, False
    return None, None, False


def _ancestors(place: ResolvedPlace | None) -> tuple[str, ...]:
    if place is None or not place.canonical:
        return ()
    return (place.canonical, *place.within)


def _specificity(place: ResolvedPlace | None) -> int:
    if place is None or not place.canonical:
        return -1
    return _SPECIFICITY.get(place.kind or "other", 1)


def find_actor(text: str | None, lexicon: Lexicon) -> Referent | None:
    """The known actor a text names: an alias of it, or an alias inside a longer phrase."""
    if not text:
        return None
    return lexicon.referent_for(text, _ACTOR_KINDS) or _actor_inside(text, lexicon)


def _actor_inside(text: str, lexicon: Lexicon) -> Referent | None:
    """A known actor named inside a longer phrase: "positions of Iran-backed militias"."""
    pattern, referent_of = _actor_pattern(lexicon)
    found = pattern.findall(name_key(text))
    if not found:
        return None
    return lexicon.referents[referent_of[max(found, key=lambda alias: (len(alias), alias))]]


_ACTOR_PATTERNS: dict[int, tuple[re.Pattern[str], dict[str, str]]] = {}


def _actor_pattern(lexicon: Lexicon) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every actor alias (longer than three letters, so "is" never matches)."""
    cached = _ACTOR_PATTERNS.get(id(lexicon))
    if cached is None:
        referent_of = {
            alias: ref
            for alias, ref in lexicon.alias_index.items()
            if lexicon.referents[ref].kind in _ACTOR_KINDS and len(alias) > 3
        }
        ordered = sorted(referent_of, key=lambda alias: (-len(alias), alias))
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(alias) for alias in ordered) + r")\b")
        cached = _ACTOR_PATTERNS[id(lexicon)] = (pattern, referent_of)
    return cached


def _target_side(target: str | None, actor: Referent | None) -> str | None:
    """Whether a target is on the side of the forces (a base) or of the militias."""
    if actor is not None:
        return "militia" if actor.kind == "armed_group" else "forces"
    text = norm(target)
    if not text:
        return None
    if _FORCES_WORDS.search(text):
        return "forces"
    if _MILITIA_WORDS.search(text):
        return "militia"
    return None


def _family(event_type: str, target_side: str | None, perpetrator: Referent | None) -> str:
    if event_type in _ATTACKS_ON_FORCES:
        return "attack"
    if event_type == "drone_attack":
        struck_militias = target_side == "militia" or (
            perpetrator is not None and perpetrator.kind == "state_actor"
        )
        return "strike" if struck_militias else "attack"
    return {
        "airstrike": "strike",
        "artillery_fire": "artillery",
        "interception": "interception",
        "explosion": "explosion",
        "statement": "statement",
    }.get(event_type, "other")


class _Features:
    """Per-text features cached across mentions: a corpus repeats the same few names."""

    def __init__(self, lexicon: Lexicon, places: PlaceIndex) -> None:
        self.lexicon = lexicon
        self.places = places
        self.sources = load_sources()
        self._actors: dict[str | None, Referent | None] = {}
        self._similar: dict[tuple[str, str], float] = {}
        # Pair scores depend only on these few attributes, which repeat across a corpus.
        self.caches: dict[str, dict[tuple[Any, ...], Any]] = {
            "type": {},
            "place": {},
            "perpetrator": {},
            "target": {},
        }

    def actor(self, text: str | None) -> Referent | None:
        if text not in self._actors:
            self._actors[text] = find_actor(text, self.lexicon)
        return self._actors[text]

    def similarity(self, a: str, b: str) -> float:
        key = (a, b) if a <= b else (b, a)
        value = self._similar.get(key)
        if value is None:
            value = fuzz.token_set_ratio(name_key(a), name_key(b)) / 100.0
            self._similar[key] = value
        return value


def _first(values: Iterable[str | None]) -> str | None:
    """The most common non-empty value (ties: alphabetical)."""
    present = [v for v in values if v]
    if len(set(present)) <= 1:
        return present[0] if present else None
    counts = Counter(present)
    if not counts:
        return None
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0]


def _mention_key(claim: Claim) -> tuple[object, ...]:
    date = claim.event.date
    place = claim.event.place
    place_key = (
        place.canonical if place is not None and place.canonical else norm(claim.event.place_as_written)
    )
    date_key = (
        (date.start, date.end)
        if date is not None and date.start is not None
        else norm(claim.event.date_as_written)
    )
    return (claim.article_id, claim.event.type, date_key, place_key)


def _build_mentions(claims: Sequence[Claim], features: _Features) -> list[_Mention]:
    places = features.places
    by_key: dict[tuple[object, ...], list[Claim]] = {}
    for claim in claims:
        by_key.setdefault(_mention_key(claim), []).append(claim)
    mentions: list[_Mention] = []
    for members in sorted(by_key.values(), key=lambda group: (group[0].article_id, group[0].id)):
        first = members[0]
        # The most specific place and the narrowest date any claim of the mention gives.
        place = max(
            (c.event.place for c in members if c.event.place is not None),
            key=lambda p: (_specificity(p), len(p.within)),
            default=None,
        )
        lo, hi, precise = _days(first)
        published_only = lo is not None and (first.event.date is None or first.event.date.start is None)
        perpetrator = _first(c.event.perpetrator for c in members)
        target = _first(c.event.target for c in members)
        perpetrator_actor = None if _unknown_actor(perpetrator) else features.actor(perpetrator)
        speaker = features.sources.identify(first.source.name, first.source.kind, first.outlet)
        target_actor = features.actor(target)
        side = _target_side(target, target_actor)
        counts = frozenset(
            (c.unit and norm(c.unit) or "", c.quantity.low)
            for c in members
            if c.facet == "munition_count" and c.quantity is not None and c.quantity.is_exact and c.grounded
        )
        mention = _Mention(
            index=len(mentions),
            article_id=first.article_id,
            claims=members,
            type=first.event.type,
            family=_family(first.event.type, side, perpetrator_actor),
            day_lo=lo,
            day_hi=hi,
            day_precise=precise,
            published_only=published_only,
            date=first.event.date,
            place=place,
            ancestors=_ancestors(place),
            specificity=_specificity(place),
            perpetrator=perpetrator,
            perpetrator_actor=perpetrator_actor,
            speaker=speaker.key,
            speaker_name=speaker.name,
            target=target,
            target_actor=target_actor,
            target_side=side,
            counts=counts,
        )
        mention.place_label = _place_label(place, first.event.place_as_written)
        mention.place_key = mention.ancestors[0] if mention.ancestors else f"?{mention.place_label}"
        mention.coarse = not precise or mention.specificity < _FINE
        if mention.ancestors:
            mention.district = places.first_of_kind(mention.ancestors, "province")
            mention.region = places.country(mention.ancestors)
        mentions.append(mention)
    return mentions


def _unknown_actor(text: str | None) -> bool:
    return not text or bool(_UNKNOWN_ACTOR.search(text.lower()))


def _place_label(place: ResolvedPlace | None, as_written: str | None) -> str:
    if place is not None and place.canonical:
        return place.canonical
    return as_written.strip() if as_written and as_written.strip() else "place unknown"


# --- Scoring a pair ---------------------------------------------------------


def _fmt_day(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


def _fmt_days(lo: int, hi: int) -> str:
    return _fmt_day(lo) if lo == hi else f"{_fmt_day(lo)} to {_fmt_day(hi)}"


_NUMBER_WORDS = {1: "one day", 2: "two days"}


def _when(mention: _Mention) -> str:
    if mention.published_only:
        published = _fmt_day(mention.day_hi or 0)
        return f"no date given, published {published}"
    return _fmt_days(mention.day_lo or 0, mention.day_hi or 0)


def _date_part(a: _Mention, b: _Mention, explain: bool) -> tuple[float, str | None, bool] | None:
    """(score, reason, same time) for the dates, or None when too far apart."""
    if a.day_lo is None or b.day_lo is None or a.day_hi is None or b.day_hi is None:
        unknown = "date unknown in one" if (a.day_lo is None) != (b.day_lo is None) else "dates unknown"
        return 0.3, unknown, False
    gap = max(a.day_lo - b.day_hi, b.day_lo - a.day_hi, 0)
    if gap > MAX_WINDOW_DAYS or (gap > 1 and a.day_precise and b.day_precise):
        return None
    if gap == 0:
        if a.day_precise and b.day_precise:
            return 1.0, f"same day ({_fmt_day(a.day_lo)})" if explain else None, True
        reason: str | None = None
        if explain:
            reason = f"dates overlap ({_when(a)} and {_when(b)})"
        return 0.6, reason, True
    apart: str | None = None
    if explain:
        first, second = sorted((a, b), key=lambda m: (m.day_lo, m.day_hi))
        apart = f"{_NUMBER_WORDS[gap]} apart ({_when(first)} and {_when(second)})"
    return (0.5 if gap == 1 else 0.2), apart, False


def _place_part(a: _Mention, b: _Mention, places: PlaceIndex) -> tuple[float, str, bool] | None:
    """(score, reason, compatible) for the places, or None when they are different places."""
    if not a.ancestors or not b.ancestors:
        if a.ancestors or b.ancestors:
            known = a if a.ancestors else b
            return 0.35, f"place unknown in one (the other: {known.place_label})", False
        return 0.35, "places unknown", False
    relation, common = places.relation(a.ancestors, b.ancestors)
    name_a, name_b = a.ancestors[0], b.ancestors[0]
    if relation == "same":
        return 1.0, f"same place ({name_a})", True
    if relation == "contains":
        return 0.75, f"{name_b} is in {name_a}", True
    if relation == "contained":
        return 0.75, f"{name_a} is in {name_b}", True
    if relation == "sibling":
        if a.specificity >= _SITE and b.specificity >= _SITE:
            return None  # two different bases or fields: never one event
        if a.specificity >= _SITE or b.specificity >= _SITE:
            return 0.2, f"{name_a} and {name_b} are different places in {common}", False
        return 0.4, f"{name_a} and {name_b} are both in {common}", False
    return None


class PlaceIndex:
    """Kinds of places from the gazetteer, and how two places relate (cached per pair)."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        if gazetteer is None:
            from reconcile.normalize import load_gazetteer  # normalisation owns the gazetteer

            gazetteer = load_gazetteer()
        self.gazetteer = gazetteer
        self.kinds: dict[str, str] = {entry.name: entry.kind for entry in gazetteer.entries}
        self._relations: dict[tuple[str, str], tuple[str, str | None]] = {}

    def is_country(self, name: str, chain: Sequence[str]) -> bool:
        kind = self.kinds.get(name)
        if kind is None:  # a place from another gazetteer: its outermost container stands for the country
            return name == chain[-1]
        return kind == "country"

    def first_of_kind(self, chain: Sequence[str], kind: str) -> str | None:
        return next((name for name in chain if self.kinds.get(name) == kind), None)

    def country(self, chain: Sequence[str]) -> str | None:
        return next((name for name in chain if self.is_country(name, chain)), None)

    def relation(self, a: Sequence[str], b: Sequence[str]) -> tuple[str, str | None]:
        """("same" | "contains" | "contained" | "sibling" | "different", nearest shared container).

        ``a`` and ``b`` are containment chains: the place, then what contains it. Places
        that share only a country are "different"; sharing a province or a region below
        the country makes them "sibling".
        """
        key = (a[0], b[0])
        cached = self._relations.get(key)
        if cached is None:
            cached = self._relate(a, b)
            self._relations[key] = cached
        return cached

    def _relate(self, a: Sequence[str], b: Sequence[str]) -> tuple[str, str | None]:
        if a[0] == b[0]:
            return "same", a[0]
        if a[0] in b[1:]:
            return "contains", a[0]
        if b[0] in a[1:]:
            return "contained", b[0]
        outer_b = set(b[1:])
        for container in a[1:]:
            if container in outer_b and not self.is_country(container, a):
                return "sibling", container
        return "different", None


def _type_part(a: _Mention, b: _Mention) -> tuple[float, str] | None:
    """Same type; a generic type and a specific one ("indirect fire" / "rocket attack");
    different types of one family (never merged); related families; or unrelated (None)."""
    type_a, type_b = a.type.replace("_", " "), b.type.replace("_", " ")
    if a.type == b.type and a.family == b.family:
        return 1.0, f"same type ({type_a})"
    if a.family == b.family:
        if a.type in _GENERIC_TYPES or b.type in _GENERIC_TYPES:
            return 0.8, f"{type_a} vs {type_b}: one is less specific"
        return 0.5, f"{type_a} vs {type_b}: different type"
    if b.family in _FAMILY_NEIGHBOURS.get(a.family, ()):
        return 0.35, f"{type_a} vs {type_b}: related types"
    return None


def _perpetrator_part(a: _Mention, b: _Mention, features: _Features) -> tuple[float, str | None]:
    unknown_a, unknown_b = _unknown_actor(a.perpetrator), _unknown_actor(b.perpetrator)
    if unknown_a or unknown_b:
        return 0.5, "perpetrator unknown in one" if unknown_a != unknown_b else "perpetrator unknown"
    actor_a, actor_b = a.perpetrator_actor, b.perpetrator_actor
    if actor_a is not None and actor_b is not None:
        relation = features.lexicon.actor_relation(actor_a, actor_b)
        if relation == "same":
            return 1.0, f"same perpetrator ({actor_a.name})"
        if relation == "part":
            return 0.8, f"perpetrators overlap ({actor_a.name} / {actor_b.name})"
        return 0.0, f"different perpetrators ({a.perpetrator} vs {b.perpetrator})"
    similarity = features.similarity(a.perpetrator or "", b.perpetrator or "")
    if similarity >= 0.8:
        return similarity, f"similar perpetrators ({a.perpetrator} / {b.perpetrator})"
    return similarity, f"different perpetrators ({a.perpetrator} vs {b.perpetrator})"


def _target_part(a: _Mention, b: _Mention, features: _Features) -> tuple[float, str | None]:
    if not a.target or not b.target:
        return 0.5, None
    if (
        a.target_actor is not None
        and b.target_actor is not None
        and features.lexicon.actor_relation(a.target_actor, b.target_actor) != "different"
    ):
        return 1.0, f"same target ({a.target_actor.name})"
    if a.target_side and b.target_side and a.target_side != b.target_side:
        return 0.1, f"different targets ({a.target} vs {b.target})"
    similarity = features.similarity(a.target, b.target)
    if a.target_side and a.target_side == b.target_side:
        similarity = max(similarity, 0.7)
    if similarity >= 0.7:
        return similarity, f"similar targets ({a.target} / {b.target})"
    return similarity, None


_MISSING: Any = object()


def _score(a: _Mention, b: _Mention, features: _Features, explain: bool = False) -> _Scored | None:
    """How likely two mentions are one event; reasons only when ``explain`` (they cost)."""
    # Cheapest rejections first; the parts other than the date repeat across a corpus,
    # so they are cached by the attributes they depend on.
    caches = features.caches
    place_key = (a.place_key, b.place_key)
    place = caches["place"].get(place_key, _MISSING)
    if place is _MISSING:
        place = caches["place"][place_key] = _place_part(a, b, features.places)
    if place is None:
        return None
    type_key = (a.type, a.family, b.type, b.family)
    type_part = caches["type"].get(type_key, _MISSING)
    if type_part is _MISSING:
        type_part = caches["type"][type_key] = _type_part(a, b)
    if type_part is None:
        return None
    if type_part[0] < 0.5 and not place[2]:
        return None  # related kinds of event (a strike, an explosion) only at the same place
    if a.family == "statement":
        if a.speaker != b.speaker:
            return None  # statements by different speakers are different statements
        if not place[2] and (not a.ancestors or not b.ancestors):
            # Where a statement was made is rarely said; who made it is what counts.
            place = (0.75, f"same speaker ({a.speaker_name}), place not given", True)
    date = _date_part(a, b, explain)
    if date is None:
        return None
    perpetrator_key = (a.perpetrator, b.perpetrator)
    perpetrator = caches["perpetrator"].get(perpetrator_key, _MISSING)
    if perpetrator is _MISSING:
        perpetrator = caches["perpetrator"][perpetrator_key] = _perpetrator_part(a, b, features)
    target_key = (a.target, b.target)
    target = caches["target"].get(target_key, _MISSING)
    if target is _MISSING:
        target = caches["target"][target_key] = _target_part(a, b, features)
    score = (
        WEIGHTS["date"] * date[0]
        + WEIGHTS["place"] * place[0]
        + WEIGHTS["type"] * type_part[0]
        + WEIGHTS["perpetrator"] * perpetrator[0]
        + WEIGHTS["target"] * target[0]
    )
    shared = a.counts & b.counts if a.counts and b.counts else None
    if shared:
        score = min(1.0, score + SHARED_COUNT_BONUS)
    if score < POSSIBLE_SCORE:
        return None
    same_time, same_place = date[2], place[2]
    # An unknown place is allowed only with strong other evidence.
    strong_without_place = (
        (not a.ancestors or not b.ancestors)
        and a.type == b.type
        and perpetrator[0] >= 0.8
        and target[0] >= 0.7
    )
    # Two vague dates ("last week") overlap easily: then only the same place and type will do.
    vague_dates = not a.day_precise and not b.day_precise
    confident = (
        score >= MERGE_SCORE
        and same_time
        and type_part[0] >= 0.8
        and (same_place or strong_without_place)
        and a.day_lo is not None
        and b.day_lo is not None
        and (not vague_dates or (a.place_key == b.place_key and a.type == b.type))
    )
    reasons: tuple[str, ...] = ()
    if explain:
        parts = [date[1], place[1], type_part[1], perpetrator[1], target[1]]
        if shared:
            unit, number = sorted(shared)[0]
            parts.append(f"same count ({number:g} {unit})".strip())
        reasons = tuple(p for p in parts if p)
    return _Scored(round(score, 3), confident, reasons)


# --- Blocking ---------------------------------------------------------------


def _candidate_pairs(mentions: list[_Mention]) -> set[tuple[int, int]]:
    """Pairs worth scoring: a shared date window and related places; never all pairs.

    Mentions are indexed by day and event family, and by place: where they are, and
    every place that contains them. A mention meets those at its own place, at the
    places containing it (a base meets "Deir Ezzor province"), and those inside it (a
    province meets its bases and towns); a town or an area also meets the other towns
    and areas of its province. Two different bases never meet: they are never one
    event. An unknown place meets the whole day; no date at all, a few mentions of the
    same place.
    """
    at_place: dict[tuple[int, str, str], list[int]] = defaultdict(list)  # (day, place, family)
    inside: dict[tuple[int, str, str], list[int]] = defaultdict(list)  # (day, container, family)
    local: dict[tuple[int, str, str], list[int]] = defaultdict(list)  # towns and areas of a province
    by_day: dict[tuple[int, str], list[int]] = defaultdict(list)
    undated: dict[tuple[str, str], list[int]] = defaultdict(list)  # (place, family)
    for m in mentions:
        if m.day_lo is None or m.day_hi is None:
            if m.ancestors:
                undated[(m.ancestors[0], m.family)].append(m.index)
            continue
        for day in range(m.day_lo, m.day_hi + 1):
            by_day[(day, m.family)].append(m.index)
            if not m.ancestors:
                continue
            at_place[(day, m.ancestors[0], m.family)].append(m.index)
            for container in m.ancestors[1:]:
                inside[(day, container, m.family)].append(m.index)
            if _is_local(m):
                local[(day, m.district or "", m.family)].append(m.index)

    pairs: set[tuple[int, int]] = set()

    def add(i: int, candidates: Iterable[int]) -> None:
        for j in candidates:
            if j != i:
                pairs.add((i, j) if i < j else (j, i))

    for m in mentions:
        families = (m.family, *_FAMILY_NEIGHBOURS.get(m.family, ()))
        if m.day_lo is None or m.day_hi is None:
            if m.ancestors:
                same_place = undated[(m.ancestors[0], m.family)]
                add(m.index, [j for j in same_place if j < m.index][-UNDATED_CANDIDATES:])
            continue
        # Two single days more than a day apart are not compared; a range gets more slack.
        window = 1 if m.day_precise else MAX_WINDOW_DAYS
        days = range(m.day_lo - window, m.day_hi + window + 1)
        is_local = _is_local(m)
        for family in families:
            for day in days:
                if not m.ancestors:
                    add(m.index, by_day.get((day, family), ()))
                    continue
                for place in m.ancestors:
                    add(m.index, at_place.get((day, place, family), ()))
                add(m.index, inside.get((day, m.ancestors[0], family), ()))
                if is_local and family == m.family:
                    add(m.index, local.get((day, m.district or "", family), ()))
    return pairs


def _is_local(mention: _Mention) -> bool:
    """A town or an area inside a province: it may be near the other towns there."""
    return (
        mention.district is not None
        and mention.specificity < _SITE
        and bool(mention.ancestors)
        and mention.ancestors[0] != mention.district
    )


# --- Clustering -------------------------------------------------------------


class _Clusters:
    """Union-find that refuses to merge clusters naming different places or days."""

    def __init__(self, mentions: list[_Mention], places: PlaceIndex) -> None:
        self.places = places
        self.parent = list(range(len(mentions)))
        self.sites: list[list[tuple[str, ...]]] = [
            [m.ancestors] if m.specificity >= _FINE else [] for m in mentions
        ]
        self.days: list[tuple[int, int] | None] = [
            (m.day_lo, m.day_hi) if m.day_lo is not None and m.day_hi is not None else None for m in mentions
        ]

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def compatible(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        days_a, days_b = self.days[ra], self.days[rb]
        if days_a and days_b and max(days_a[0], days_b[0]) > min(days_a[1], days_b[1]):
            return False
        for chain_a in self.sites[ra]:
            for chain_b in self.sites[rb]:
                if self.places.relation(chain_a, chain_b)[0] not in ("same", "contains", "contained"):
                    return False
        return True

    def union(self, a: int, b: int) -> bool:
        if not self.compatible(a, b):
            return False
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        keep, gone = (ra, rb) if ra < rb else (rb, ra)
        self.parent[gone] = keep
        self.sites[keep] = self.sites[keep] + [c for c in self.sites[gone] if c not in self.sites[keep]]
        days_keep, days_gone = self.days[keep], self.days[gone]
        if days_keep and days_gone:
            self.days[keep] = (max(days_keep[0], days_gone[0]), min(days_keep[1], days_gone[1]))
        else:
            self.days[keep] = days_keep or days_gone
        return True


@dataclass
class _Linking:
    """Uncertain links between mentions: score and an optional note; reasons come at the end."""

    possible: dict[tuple[int, int], tuple[float, str | None]] = field(default_factory=dict)

    def keep(self, i: int, j: int, score: float, note: str | None = None) -> None:
        key = (i, j) if i < j else (j, i)
        current = self.possible.get(key)
        if current is None or score > current[0]:
            self.possible[key] = (score, note)


def _cluster(mentions: list[_Mention], features: _Features) -> tuple[_Clusters, _Linking]:
    clusters = _Clusters(mentions, features.places)
    linking = _Linking()
    confident: list[tuple[int, float, int, int]] = []
    # Order does not matter here: confident links are sorted below, uncertain ones keep the best.
    for i, j in _candidate_pairs(mentions):
        scored = _score(mentions[i], mentions[j], features)
        if scored is None:
            continue
        if scored.confident:
            # Precise with precise first, then vague with vague, then vague with precise.
            coarse_i, coarse_j = mentions[i].coarse, mentions[j].coarse
            tier = 2 if coarse_i != coarse_j else 1 if coarse_i else 0
            confident.append((tier, -scored.score, i, j))
        else:
            linking.keep(i, j, scored.score)
    confident.sort()
    attach: dict[int, list[tuple[float, int]]] = defaultdict(list)  # vague mention -> [(score, other)]
    for tier, neg_score, i, j in confident:
        if tier == 2:
            vague, other = (i, j) if mentions[i].coarse else (j, i)
            attach[vague].append((-neg_score, other))
            continue
        if not clusters.union(i, j):
            linking.keep(i, j, -neg_score, "not merged: conflicts with the place or date of the event")
    _attach_vague(clusters, linking, attach)
    return clusters, linking


def _attach_vague(clusters: _Clusters, linking: _Linking, attach: dict[int, list[tuple[float, int]]]) -> None:
    """A vague mention (a province, a date range) joins an event only when it fits one best."""
    by_root: dict[int, list[tuple[float, int, int]]] = defaultdict(list)
    for vague, links in attach.items():
        for score, other in links:
            by_root[clusters.find(vague)].append((score, vague, other))
    for root in sorted(by_root):
        best_per_cluster: dict[int, tuple[float, int, int]] = {}
        for score, vague, other in by_root[root]:
            target = clusters.find(other)
            if target == clusters.find(root):
                continue
            current = best_per_cluster.get(target)
            if current is None or (score, -vague, -other) > (current[0], -current[1], -current[2]):
                best_per_cluster[target] = (score, vague, other)
        options = sorted(
            (
                (score, target, vague, other)
                for target, (score, vague, other) in best_per_cluster.items()
                if clusters.compatible(root, target)
            ),
            key=lambda item: (-item[0], item[1]),
        )
        if not options:
            for score, vague, other in by_root[root]:
                if clusters.find(vague) != clusters.find(other):
                    linking.keep(vague, other, score)
            continue
        best = options[0]
        runner_up = options[1] if len(options) > 1 else None
        if runner_up is None or best[0] - runner_up[0] >= ATTACH_MARGIN:
            clusters.union(best[2], best[3])
            rest = options[1:]
            note = "less likely than the event it was grouped with"
        else:
            rest = options
            note = "fits more than one event equally well"
        for score, _target, vague, other in rest:
            linking.keep(vague, other, score, note)


# --- Events -----------------------------------------------------------------

_TYPE_ORDER = {name: rank for rank, name in enumerate(
    ["rocket_attack", "missile_attack", "drone_attack", "airstrike", "artillery_fire", "interception",
     "ground_assault", "indirect_fire", "explosion", "statement", "other", "background"]
)}  # fmt: skip


def _event_type(members: Sequence[_Mention]) -> str:
    counts = Counter(m.type for m in members)
    return sorted(counts, key=lambda t: (-counts[t], _TYPE_ORDER.get(t, 99)))[0]


def _event_date(members: Sequence[_Mention]) -> ResolvedDate | None:
    """The date most members give at the finest precision."""
    dated = [
        m.date for m in members if m.date is not None and m.date.start is not None and m.date.end is not None
    ]
    if not dated:
        return next((m.date for m in members if m.date is not None), None)

    def width(date: ResolvedDate) -> int:
        assert date.start is not None and date.end is not None
        return (date.end - date.start).days

    counts = Counter((d.start, d.end) for d in dated)
    best = min(dated, key=lambda d: (width(d), -counts[(d.start, d.end)], d.start))
    return best


def _event_place(members: Sequence[_Mention]) -> tuple[ResolvedPlace | None, str]:
    placed = [m for m in members if m.place is not None and m.place.canonical]
    if not placed:
        label = _first(m.place_label for m in members if m.place_label != "place unknown")
        return (members[0].place if members else None), label or "place unknown"
    counts = Counter(m.ancestors[0] for m in placed)
    best = max(
        placed, key=lambda m: (m.specificity, len(m.ancestors), counts[m.ancestors[0]], m.ancestors[0])
    )
    return best.place, best.place_label


def _date_label(date: ResolvedDate | None) -> str:
    if date is None or date.start is None or date.end is None:
        return "date unknown"
    if date.start == date.end:
        return date.start.isoformat()
    if date.precision == "month":
        return date.start.strftime("%B %Y")
    return f"{date.start.isoformat()} to {date.end.isoformat()}"


def _topic_keys(claim: Claim, places: PlaceIndex) -> list[tuple[str, ...]]:
    """What a background fact is about; facts sharing any key form one topic.

    Troop numbers go by country, across articles. Other background facts of one
    article go together by the month they speak of (or, undated, by place); tallies
    of attacks also meet the tallies of other articles for the same month.
    """
    chain = _ancestors(claim.event.place)
    if claim.facet == "troop_count":
        country = (places.country(chain) if chain else None) or _place_label(
            claim.event.place, claim.event.place_as_written
        )
        return [("troops", country)]
    date = claim.event.date
    month = date.start.strftime("%Y-%m") if date is not None and date.start is not None else None
    keys: list[tuple[str, ...]] = [
        ("article", claim.article_id, month or _place_label(claim.event.place, claim.event.place_as_written))
    ]
    if claim.facet == "attack_count" and month is not None:
        keys.append(("attacks", month))
    return keys


def _background_topics(claims: Sequence[Claim], places: PlaceIndex) -> list[tuple[str, list[Claim]]]:
    """Background claims grouped into labelled topics (union of shared keys)."""
    parent: dict[tuple[str, ...], tuple[str, ...]] = {}

    def find(key: tuple[str, ...]) -> tuple[str, ...]:
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    keys_of = {claim.id: _topic_keys(claim, places) for claim in claims}
    for keys in keys_of.values():
        for key in keys[1:]:
            root_a, root_b = find(keys[0]), find(key)
            if root_a != root_b:
                parent[max(root_a, root_b)] = min(root_a, root_b)
    members: dict[tuple[str, ...], list[Claim]] = defaultdict(list)
    for claim in claims:
        members[find(keys_of[claim.id][0])].append(claim)
    topics = []
    for group in members.values():
        shared = {key for claim in group for key in keys_of[claim.id]}
        topics.append((_topic_label(shared, group), group))
    return topics


def _topic_label(keys: set[tuple[str, ...]], claims: Sequence[Claim]) -> str:
    troops = sorted(key[1] for key in keys if key[0] == "troops")
    if troops:
        return f"troop numbers · {troops[0]}"
    months = sorted(key[2] for key in keys if key[0] == "article" and re.fullmatch(r"\d{4}-\d\d", key[2]))
    period = dt.date.fromisoformat(f"{months[0]}-01").strftime("%B %Y") if months else ""
    if any(key[0] == "attacks" for key in keys):
        return f"attack tallies · {period}"
    place = _first(
        label
        for label in (_place_label(c.event.place, c.event.place_as_written) for c in claims)
        if label != "place unknown"
    )
    return " · ".join(part for part in ("background", place, period) if part)


def _article_ids(claims: Iterable[Claim]) -> list[str]:
    return sorted({c.article_id for c in claims})


def group_claims(
    claims: Sequence[Claim], *, lexicon: Lexicon | None = None, gazetteer: Gazetteer | None = None
) -> list[Event]:
    """Group normalised claims into events (and background topics), with ids E1, E2, ...

    Events come first, in date order; topics after them, by label. A claim belongs to
    exactly one event or topic.
    """
    features = _Features(lexicon or load_lexicon(), PlaceIndex(gazetteer))
    claims = sorted(claims, key=claim_order)  # the same claims in any order give the same events
    event_claims = [c for c in claims if not _is_background(c)]
    background = [c for c in claims if _is_background(c)]

    mentions = _build_mentions(event_claims, features)
    clusters, linking = _cluster(mentions, features)
    members: dict[int, list[_Mention]] = defaultdict(list)
    for m in mentions:
        members[clusters.find(m.index)].append(m)

    drafts: list[tuple[tuple[object, ...], int, Event]] = []
    for root, group in members.items():
        group_claims_ = [c for m in group for c in m.claims]
        date = _event_date(group)
        place, place_label = _event_place(group)
        event_type = _event_type(group)
        event = Event(
            id="E0",
            kind="event",
            type=event_type,  # type: ignore[arg-type]
            label=" · ".join((event_type.replace("_", " "), place_label, _date_label(date))),
            date=date,
            place=place,
            claim_ids=sorted(c.id for c in group_claims_),
            article_ids=_article_ids(group_claims_),
        )
        start = date.start.toordinal() if date is not None and date.start is not None else 10**7
        drafts.append(((0, start, event.label, event.claim_ids[0]), root, event))

    for label, topic_claims in _background_topics(background, features.places):
        event = Event(
            id="E0",
            kind="topic",
            type="background",
            label=label,
            claim_ids=sorted(c.id for c in topic_claims),
            article_ids=_article_ids(topic_claims),
        )
        drafts.append(((1, 0, label, event.claim_ids[0]), -1, event))

    drafts.sort(key=lambda item: item[0])
    event_of_root: dict[int, Event] = {}
    events = []
    for number, (_key, root, event) in enumerate(drafts, start=1):
        event.id = f"E{number}"
        if root >= 0:
            event_of_root[root] = event
        events.append(event)

    _link_events(mentions, linking, clusters, event_of_root, features)
    return events


def _link_events(
    mentions: list[_Mention],
    linking: _Linking,
    clusters: _Clusters,
    event_of_root: dict[int, Event],
    features: _Features,
) -> None:
    """Mention links become event links (the strongest few per event), with their reasons.

    Links between events that are now clearly apart are dropped, and reasons are
    worked out only for the links that are kept.
    """
    # Each pair of events is explained by its most precise pair of mentions (dated to the
    # day, at a known place), the strongest among those.
    best: dict[tuple[int, int], tuple[float, int, int, str | None]] = {}
    rank: dict[tuple[int, int], tuple[int, int, float, int, int]] = {}
    for (i, j), (score, note) in linking.possible.items():
        root_i, root_j = clusters.find(i), clusters.find(j)
        if root_i == root_j:
            continue
        key = (root_i, root_j) if root_i < root_j else (root_j, root_i)
        dated = mentions[i].day_precise + mentions[j].day_precise
        placed = min(mentions[i].specificity, mentions[j].specificity)
        candidate = (dated, placed, score, -i, -j)
        if key not in rank or candidate > rank[key]:
            rank[key] = candidate
            best[key] = (score, i, j, note)
    ranked = sorted(
        best.items(),
        key=lambda item: (
            -item[1][0],
            _id_number(event_of_root[item[0][0]].id),
            _id_number(event_of_root[item[0][1]].id),
        ),
    )
    counts: Counter[int] = Counter()
    links: dict[int, list[EventLink]] = defaultdict(list)
    for (root_a, root_b), (score, i, j, note) in ranked:
        if counts[root_a] >= MAX_POSSIBLE_LINKS or counts[root_b] >= MAX_POSSIBLE_LINKS:
            continue
        event_a, event_b = event_of_root[root_a], event_of_root[root_b]
        if _clearly_apart(event_a, event_b, features.places):
            continue
        explained = _score(mentions[i], mentions[j], features, explain=True)
        reasons = list(explained.reasons) if explained is not None else []
        if note:
            reasons.append(note)
        counts[root_a] += 1
        counts[root_b] += 1
        links[root_a].append(EventLink(event_id=event_b.id, score=score, reasons=reasons))
        links[root_b].append(EventLink(event_id=event_a.id, score=score, reasons=reasons))
    for root, event_links in links.items():
        event_links.sort(key=lambda link: (-link.score, _id_number(link.event_id)))
        event_of_root[root].possibly_same_as = event_links


def _clearly_apart(a: Event, b: Event, places: PlaceIndex) -> bool:
    """Two events pinned to different bases or fields, or to far-apart places, are not one.

    A vague claim ("a base in Deir Ezzor") can link two such events; once it has joined
    one of them, the link between the events themselves no longer holds.
    """
    if _specificity(a.place) < _FINE or _specificity(b.place) < _FINE:
        return False
    relation = places.relation(_ancestors(a.place), _ancestors(b.place))[0]
    both_sites = _specificity(a.place) >= _SITE and _specificity(b.place) >= _SITE
    return relation == "different" or (relation == "sibling" and both_sites)


def _id_number(event_id: str) -> int:
    return int(event_id[1:])
