"""Synthetic news coverage for the benchmarks: events, articles, model answers and claims.

A seeded generator of a world that looks like the real corpus at scale: attacks on bases,
strikes on militias and background tallies, spread over two years and over the places of
the project's gazetteer, each event reported by several of ~30 outlets that mostly repeat
a few original sources (a coalition statement, a monitor, a local outlet), sometimes with
different numbers, hedges, vague words, other names for the same place and relative dates
("yesterday, Wednesday") resolved against each article's publication date.

Two views of the same world:

- ``synthetic_corpus(n_articles)``: short articles plus, for each, the answer a model would
  give (an ``ExtractionResponse`` whose quotes are verbatim sentences of the article and
  whose numbers appear in those quotes). Used to drive the extraction benchmark through a
  fake server.
- ``synthetic_claims(n_claims)``: grounded ``Claim`` objects as extract + ground would hand
  them to normalise (dates, places and quantities still as written). Used for the
  reconciler scaling benchmark.

Everything is deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from reconcile.models import (
    Article,
    Claim,
    ClaimDraft,
    EventDraft,
    ExtractionResponse,
    Grounding,
    Quote,
    ReferringExpression,
)

GAZETTEER = Path(__file__).resolve().parent.parent / "reconcile" / "data" / "gazetteer.yaml"

START = dt.date(2022, 1, 1)
SPAN_DAYS = 730  # two years of coverage

# ~30 outlets with very different reach: a few wires publish a lot, most publish little.
OUTLETS: list[tuple[str, int]] = [
    ("Reuters", 12), ("Associated Press", 10), ("AFP", 9), ("Al Jazeera", 8), ("RT", 6),
    ("The Jerusalem Post", 6), ("Iran International", 5), ("SANA", 5), ("Tasnim News", 4),
    ("Al-Monitor", 4), ("The National", 4), ("Kurdistan24", 4), ("Rudaw", 4),
    ("North Press Agency", 4), ("Enab Baladi", 3), ("Asharq Al-Awsat", 3), ("Al Mayadeen", 3),
    ("Press TV", 3), ("Fars News", 3), ("The New Arab", 3), ("Middle East Eye", 2),
    ("Anadolu Agency", 2), ("Defense Post", 2), ("Military Times", 2), ("Stars and Stripes", 2),
    ("Shafaq News", 2), ("Baghdad Today", 2), ("Syria Direct", 1), ("Levant24", 1), ("Hawar News", 1),
]  # fmt: skip

# Original sources: (name, kind, phrase used in a sentence).
SOURCES: dict[str, tuple[str, str, str]] = {
    "coalition": ("US-led coalition statement", "military", "the US-led coalition said in a statement"),
    "centcom": ("US Central Command", "military", "US Central Command said"),
    "pentagon": ("Pentagon", "government", "the Pentagon said"),
    "sohr": (
        "Syrian Observatory for Human Rights",
        "monitor",
        "the Syrian Observatory for Human Rights said",
    ),
    "dez24": ("Deir Ezzor 24", "media", "the local outlet Deir Ezzor 24 reported"),
    "iraq_security": ("Iraqi security officials", "government", "Iraqi security officials said"),
    "resistance": ("Islamic Resistance in Iraq", "armed_group", "the Islamic Resistance in Iraq said"),
    "sana": ("Syrian state media", "media", "Syrian state media reported"),
    "local": ("local sources", "anonymous", "local sources said"),
    "outlet": ("outlet", "outlet", ""),
}

NUMBER_WORDS = {
    1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
    9: "nine", 10: "ten", 11: "eleven", 12: "twelve", 15: "fifteen", 20: "twenty",
}  # fmt: skip

# Event types with their weight and the facets a report of them usually carries.
EVENT_KINDS: dict[str, tuple[int, list[str], str]] = {
    "rocket_attack": (
        30,
        ["munition_count", "casualties", "damage", "perpetrator", "outcome", "response"],
        "rockets",
    ),
    "drone_attack": (22, ["munition_count", "injured", "damage", "perpetrator", "outcome"], "drones"),
    "indirect_fire": (8, ["casualties", "damage", "outcome", "perpetrator"], "projectiles"),
    "missile_attack": (6, ["munition_count", "injured", "damage", "perpetrator"], "missiles"),
    "airstrike": (20, ["killed", "injured", "target", "perpetrator", "damage"], "airstrikes"),
    "artillery_fire": (6, ["munition_count", "target", "casualties"], "artillery shells"),
    "interception": (5, ["munition_count", "outcome"], "drones"),
    "explosion": (3, ["killed", "injured", "damage"], "explosions"),
}

PERPETRATORS = {
    "attack": [
        ("Iran-backed militias", "own", None),
        ("Iran-supported malign actors", "quoted", "US-led coalition"),
        ("the Islamic Resistance in Iraq", "own", None),
        ("unidentified attackers", "own", None),
        ("resistance factions", "own", None),
        ("pro-Iranian groups", "own", None),
    ],
    "airstrike": [
        ("US-led coalition aircraft", "own", None),
        ("unidentified drones", "own", None),
        ("US warplanes", "own", None),
        ("American aggression", "own", None),
        ("Israeli jets", "own", None),
    ],
}
BASE_EXPRESSIONS = [
    ("a base hosting US forces", "own", None),
    ("the coalition base", "own", None),
    ("an illegal US military base", "own", None),
    ("the US occupation base", "own", None),
    ("a base used by coalition advisers", "own", None),
]
DAMAGE_VALUES = ["minor damage", "no damage", "material damage", "damage to a vehicle", "significant damage"]
OUTCOME_VALUES = [
    "fell short of the base", "landed inside the base", "landed in barren areas", "were intercepted",
    "hit a warehouse", "struck near the perimeter",
]  # fmt: skip
RESPONSE_VALUES = [
    "returned fire with six artillery shells", "carried out airstrikes against launch sites",
    "responded with counter-battery fire", "shot down the drones",
]  # fmt: skip
FILLER = [
    "The attack comes amid rising tension across the region.",
    "Officials did not immediately respond to a request for comment.",
    "Attacks of this kind have become more frequent in recent months.",
    "The area has seen repeated incidents since the start of the year.",
    "Residents reported hearing several explosions in the area.",
    "No group immediately claimed responsibility.",
]


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    aliases: tuple[str, ...]
    within: tuple[str, ...]

    def as_written(self, rng: random.Random) -> str:
        name = rng.choice((self.name, *self.aliases)) if self.aliases else self.name
        pattern = rng.random()
        if self.kind == "base" and any(
            w in name.lower() for w in ("base", "site", "centre", "center", "garrison")
        ):
            return name if pattern < 0.7 else f"near {name}"
        if self.kind == "base":
            return name if pattern < 0.6 else f"a base near {name}" if pattern < 0.8 else f"the {name} base"
        if self.kind in ("oil_field", "gas_field"):
            return f"the {name} field" if "field" not in name.lower() and pattern < 0.5 else name
        if self.kind in ("province", "region"):
            return (
                f"{name} province" if pattern < 0.3 else f"the {name} countryside" if pattern < 0.5 else name
            )
        return f"near {name}" if pattern < 0.4 else name


# Bases and fields are attacked far more often than a province as a whole; events are not
# reported as happening "in Syria".
_PLACE_WEIGHTS = {"base": 5.0, "oil_field": 4.0, "gas_field": 4.0, "town": 3.0, "city": 3.0, "area": 1.0}
_PLACE_WEIGHTS |= {"province": 1.0, "region": 0.3, "country": 0.0}
THEATRE = ("Syria", "Iraq")


def load_places(path: Path = GAZETTEER) -> list[Place]:
    """The gazetteer's places in Syria and Iraq, with their aliases and containing places."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = data.get("places", data) if isinstance(data, dict) else data
    places: list[Place] = []
    items = entries.items() if isinstance(entries, dict) else ((None, e) for e in entries)
    for key, entry in items:
        entry = entry or {}
        name = entry.get("name") or entry.get("canonical") or key
        within = entry.get("within") or []
        if isinstance(within, str):
            within = [within]
        places.append(
            Place(
                name=str(name),
                kind=str(entry.get("kind", "other")),
                aliases=tuple(str(a) for a in entry.get("aliases") or []),
                within=tuple(str(w) for w in within),
            )
        )
    by_name = {p.name: p for p in places}

    def country(place: Place) -> str:
        seen = set()
        while place.within and place.within[0] in by_name and place.name not in seen:
            seen.add(place.name)
            place = by_name[place.within[0]]
        return place.name

    theatre = [p for p in places if country(p) in THEATRE and p.name not in THEATRE]
    if not theatre:
        raise ValueError(f"{path}: no places in {' or '.join(THEATRE)} found")
    return theatre


@dataclass
class _Event:
    index: int
    type: str
    date: dt.date
    place: Place
    unit: str
    truth: dict[str, float]
    sources: list[str]
    perpetrator: tuple[str, str, str | None]


@dataclass
class SyntheticArticle:
    article: Article
    response: ExtractionResponse
    event_indices: list[int] = field(default_factory=list)


def _weekday(day: dt.date) -> str:
    return day.strftime("%A")


def _date_as_written(rng: random.Random, event_day: dt.date, published: dt.date) -> str | None:
    """How an outlet writes the event's date, relative to its own publication date."""
    delta = (published - event_day).days
    weekday = _weekday(event_day)
    month_day = f"{event_day.strftime('%B')} {event_day.day}"
    roll = rng.random()
    if roll < 0.08:
        return None  # many sentences give no date at all
    if delta == 0:
        options = ["today", f"on {weekday}", f"early {weekday}", f"on {month_day}", f"earlier on {weekday}"]
    elif delta == 1:
        options = [
            "yesterday",
            f"yesterday, {weekday}",
            f"on {weekday}",
            f"late {weekday}",
            f"on {month_day}",
        ]
    else:
        options = [f"on {weekday}", f"on {month_day}", f"on {event_day.day} {event_day.strftime('%B %Y')}"]
    if roll > 0.97:
        return "last week"
    return rng.choice(options)


def _count_words(rng: random.Random, count: int, unit: str) -> tuple[str, float | None, float | None, str]:
    """A count as an outlet writes it: value, number, number_high, qualifier."""
    roll = rng.random()
    word = NUMBER_WORDS.get(count) if rng.random() < 0.7 else None
    written = word or f"{count:,}"
    if roll < 0.72:
        return f"{written} {unit}", float(count), None, "exact"
    if roll < 0.80:
        return f"at least {written} {unit}", float(count), None, "at_least"
    if roll < 0.86:
        return f"about {written} {unit}", float(count), None, "approximate"
    if roll < 0.90 and count >= 3:
        return f"{count - 1} to {count + 1} {unit}", float(count - 1), float(count + 1), "range"
    if roll < 0.95:
        return f"several {unit}", None, None, "vague"
    return f"a number of {unit}", None, None, "vague"


def _make_event(rng: random.Random, index: int, places: list[Place]) -> _Event:
    kinds = list(EVENT_KINDS)
    kind = rng.choices(kinds, weights=[EVENT_KINDS[k][0] for k in kinds])[0]
    unit = EVENT_KINDS[kind][2]
    date = START + dt.timedelta(days=rng.randrange(SPAN_DAYS))
    place = rng.choices(places, weights=[_PLACE_WEIGHTS.get(p.kind, 1.0) for p in places])[0]
    truth: dict[str, float] = {
        "munition_count": rng.choice([2, 3, 3, 4, 5, 6, 8, 8, 10, 12]),
        "killed": rng.choice([0, 0, 0, 1, 2, 3, 5, 8, 12, 20]),
        "injured": rng.choice([0, 0, 1, 2, 3, 4, 8, 19]),
    }
    if kind in ("airstrike", "explosion"):
        sources = rng.sample(["sohr", "pentagon", "centcom", "sana", "local", "dez24"], k=rng.randint(1, 3))
        perpetrator = rng.choice(PERPETRATORS["airstrike"])
    else:
        sources = rng.sample(
            ["coalition", "centcom", "sohr", "dez24", "iraq_security", "resistance", "local"],
            k=rng.randint(1, 3),
        )
        perpetrator = rng.choice(PERPETRATORS["attack"])
    return _Event(index, kind, date, place, unit, truth, sources, perpetrator)


def _at(place_text: str) -> str:
    """The place with the preposition a sentence needs ("near X" already has one)."""
    if place_text.startswith("near ") or place_text.startswith("a base near "):
        return place_text if place_text.startswith("near ") else f"at {place_text}"
    if place_text.endswith(("countryside", "province")):
        return f"in {place_text}"
    return f"at {place_text}"


def _sentence(attribution: str, body: str, date_text: str | None) -> str:
    when = f" {date_text}" if date_text else ""
    if attribution:
        return f"{attribution[0].upper()}{attribution[1:]} that {body}{when}."
    return f"{body[0].upper()}{body[1:]}{when}."


def _report(
    rng: random.Random, event: _Event, outlet: str, published: dt.date
) -> tuple[list[str], list[ClaimDraft]]:
    """One outlet's sentences about one event and the claims a model would extract from them."""
    facets = EVENT_KINDS[event.type][1]
    chosen = rng.sample(facets, k=min(len(facets), rng.randint(2, 5)))
    place_text = event.place.as_written(rng)
    at_place = _at(place_text)
    date_text = _date_as_written(rng, event.date, published)
    main_source = event.sources[0]
    perp_text, perp_voice, perp_quoted = event.perpetrator
    perp_text_sentence = f'"{perp_text}"' if perp_voice == "quoted" else perp_text
    base_expr = rng.choice(BASE_EXPRESSIONS)
    noun = event.type.replace("_", " ")
    sentences: list[str] = []
    drafts: list[ClaimDraft] = []
    for facet in chosen:
        # Most outlets repeat the first statement; some cite another source or speak for themselves.
        roll = rng.random()
        source_key = main_source if roll < 0.7 else rng.choice(event.sources) if roll < 0.9 else "outlet"
        source_name, source_kind, attribution = SOURCES[source_key]
        number = number_high = None
        qualifier = None
        unit = None
        referring: list[ReferringExpression] = []
        if facet in ("munition_count", "killed", "injured", "casualties"):
            if facet == "munition_count":
                true_count = int(event.truth["munition_count"])
                count_unit = event.unit
            elif facet == "casualties":
                true_count = int(event.truth["killed"] + event.truth["injured"])
                count_unit = "casualties"
            else:
                true_count = int(event.truth[facet])
                count_unit = "people killed" if facet == "killed" else "people injured"
            if rng.random() < 0.12 and true_count > 0:  # an outlet with a different figure
                true_count = max(1, true_count + rng.choice([-2, -1, 1, 2, 4]))
            if true_count == 0:
                value = {"casualties": "no casualties", "killed": "no deaths", "injured": "no injuries"}.get(
                    facet, f"no {count_unit}"
                )
                number, qualifier = 0.0, "none"
                body = f"there were {value} in the {noun}"
            else:
                value, number, number_high, qualifier = _count_words(rng, true_count, count_unit)
                if facet == "munition_count":
                    body = f"{value} were fired at {base_expr[0]} {at_place}"
                else:
                    body = f"the {noun} {at_place} left {value}"
            unit = count_unit
        elif facet == "perpetrator":
            value = perp_text
            body = f"{perp_text_sentence} carried out the {noun} {at_place}"
            referring.append(
                ReferringExpression(
                    referent="Iran-backed militias" if event.type != "airstrike" else "the strikers",
                    referent_kind="armed_group" if event.type != "airstrike" else "state_actor",
                    expression=perp_text,
                    voice=perp_voice,  # type: ignore[arg-type]
                    quoted_from=perp_quoted,
                )
            )
        elif facet == "target":
            value = "militia positions" if rng.random() < 0.6 else "a weapons depot"
            body = f"the {noun} hit {value} {at_place}"
        elif facet == "damage":
            value = rng.choice(DAMAGE_VALUES)
            body = f"the {noun} on {base_expr[0]} {at_place} caused {value}"
            referring.append(
                ReferringExpression(
                    referent=f"{event.place.name} base",
                    referent_kind="base",
                    expression=base_expr[0],
                    voice=base_expr[1],  # type: ignore[arg-type]
                    quoted_from=base_expr[2],
                )
            )
        elif facet == "outcome":
            value = rng.choice(OUTCOME_VALUES)
            body = f"the {event.unit} {value} {at_place}"
        else:  # response
            value = rng.choice(RESPONSE_VALUES)
            body = f"coalition forces {value} after the attack {at_place}"
        sentence = _sentence(attribution, body, date_text)
        sentences.append(sentence)
        stance = "asserted" if source_key == "outlet" else "alleged" if facet == "perpetrator" else "reported"
        drafts.append(
            ClaimDraft(
                facet=facet,  # type: ignore[arg-type]
                value=value,
                number=number,
                number_high=number_high,
                qualifier=qualifier,  # type: ignore[arg-type]
                unit=unit,
                event=EventDraft(
                    type=event.type,  # type: ignore[arg-type]
                    date_as_written=date_text,
                    place_as_written=place_text,
                    perpetrator=perp_text,
                    target=base_expr[0] if event.type != "airstrike" else "militia positions",
                ),
                source=source_name,
                source_kind=source_kind,  # type: ignore[arg-type]
                stance=stance,  # type: ignore[arg-type]
                quote=sentence,
                referring_expressions=referring,
            )
        )
    return sentences, drafts


def _background(rng: random.Random) -> tuple[str, ClaimDraft]:
    """A background fact (troop numbers, tallies of attacks): grouped by topic, not by event."""
    if rng.random() < 0.6:
        country, troops = rng.choice([("Syria", 900), ("Iraq", 2500)])
        hedge = rng.choice(["approximately", "at least", "about", "some", "roughly"])
        value = f"{hedge} {troops:,} US troops"
        sentence = f"The US keeps {value} in {country}."
        qualifier = "at_least" if hedge == "at least" else "approximate"
        facet, unit, number = "troop_count", "US troops", float(troops)
    else:
        count = rng.choice([16, 19, 23, 40, 60, 100])
        value = f"at least {count} times"
        sentence = f"US forces in the region have been attacked {value} since October."
        qualifier, facet, unit, number = "at_least", "attack_count", "attacks", float(count)
    draft = ClaimDraft(
        facet=facet,  # type: ignore[arg-type]
        value=value,
        number=number,
        qualifier=qualifier,  # type: ignore[arg-type]
        unit=unit,
        event=EventDraft(type="background"),
        source="Pentagon",
        source_kind="government",
        stance="reported",
        quote=sentence,
    )
    return sentence, draft


def _articles(seed: int, places: list[Place]) -> Iterator[SyntheticArticle]:
    """An endless, seeded stream of articles; each covers one event, some add background."""
    rng = random.Random(seed)
    outlets = [name for name, _ in OUTLETS]
    weights = [weight for _, weight in OUTLETS]
    event_index = 0
    article_index = 0
    while True:
        event = _make_event(rng, event_index, places)
        event_index += 1
        # Several outlets per real event; big events draw many.
        n_reports = min(len(outlets), max(1, int(rng.expovariate(1 / 3.0)) + 1))
        reporting = set()
        while len(reporting) < n_reports:
            reporting.add(rng.choices(outlets, weights=weights)[0])
        for outlet in sorted(reporting):
            published = event.date + dt.timedelta(days=rng.choices([0, 1, 2], weights=[55, 40, 5])[0])
            title = f"{event.type.replace('_', ' ').capitalize()} reported at {event.place.name}"
            sentences, drafts = _report(rng, event, outlet, published)
            if rng.random() < 0.15:
                sentence, draft = _background(rng)
                sentences.append(sentence)
                drafts.append(draft)
            body = sentences + rng.sample(FILLER, k=2)
            rng.shuffle(body)
            text = (
                title + "\n\n" + "\n".join(" ".join(body[i : i + 2]) for i in range(0, len(body), 2)) + "\n"
            )
            article = Article(
                id=f"syn{article_index:07d}",
                outlet=outlet,
                title=title,
                published=published,
                language="en",
                text=text,
                sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            )
            article_index += 1
            yield SyntheticArticle(article, ExtractionResponse(claims=drafts), [event.index])


def synthetic_corpus(
    n_articles: int, seed: int = 7, places: list[Place] | None = None
) -> list[SyntheticArticle]:
    """``n_articles`` short articles, each with the model answer for it (verbatim quotes)."""
    stream = _articles(seed, places or load_places())
    return [next(stream) for _ in range(n_articles)]


def claims_from_answer(article: Article, response: ExtractionResponse) -> list[Claim]:
    """Grounded claims as extract + ground produce them from an answer with verbatim quotes."""
    claims = []
    for n, draft in enumerate(response.claims, start=1):
        start = article.text.find(draft.quote)
        if start < 0:
            raise ValueError(f"{article.id}: synthetic quote not in text: {draft.quote!r}")
        span = Quote(
            text=draft.quote, start=start, end=start + len(draft.quote), match="exact", score=100.0
        )
        claim = draft.to_claim(article, f"{article.id}.c{n}")
        claims.append(claim.model_copy(update={"quote": span, "grounding": Grounding(status="grounded")}))
    return claims


@dataclass
class ClaimSet:
    claims: list[Claim]
    articles: list[Article]
    true_event: dict[str, int]  # claim id -> the real event it is about (background claims absent)


def synthetic_claims(n_claims: int, seed: int = 7, places: list[Place] | None = None) -> ClaimSet:
    """Exactly ``n_claims`` grounded claims, their articles, and which real event each is about."""
    claims: list[Claim] = []
    articles: list[Article] = []
    true_event: dict[str, int] = {}
    for item in _articles(seed, places or load_places()):
        articles.append(item.article)
        for claim in claims_from_answer(item.article, item.response):
            claims.append(claim)
            if claim.event.type != "background":
                true_event[claim.id] = item.event_indices[0]
        if len(claims) >= n_claims:
            break
    for claim in claims[n_claims:]:
        true_event.pop(claim.id, None)
    del claims[n_claims:]
    kept = {c.article_id for c in claims}
    return ClaimSet(claims, [a for a in articles if a.id in kept], true_event)


if __name__ == "__main__":
    import sys

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    for item in synthetic_corpus(count):
        print(item.article.outlet, item.article.published, "\n" + item.article.text)
        print(item.response.model_dump_json(indent=1, exclude_none=True)[:1500], "\n")
