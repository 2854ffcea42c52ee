"""Every data type of the pipeline, in one place.

Stages meet only through these models: ingest produces ``Article``; the LLM
answers with ``ExtractionResponse`` (a list of ``ClaimDraft``); extract and
ground turn drafts into ``Claim``; normalize fills the resolved date, place and
quantity; group makes ``Event``; compare makes ``Finding`` and ``FramingTable``;
render reads a ``Report``. This module imports nothing else of the package.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

SCHEMA_VERSION = "1"

# --- Vocabularies -----------------------------------------------------------

Facet = Literal[
    "munition_count",  # how many rockets, drones, shells were fired
    "munition_type",  # Katyusha rockets, Iranian-made missiles, UAV
    "killed",
    "injured",
    "casualties",  # killed and injured together ("no casualties", "several casualties")
    "damage",
    "perpetrator",  # who did it, as the claim attributes it
    "responsibility",  # a group claiming responsibility
    "target",
    "location",
    "time",
    "launch_site",
    "response",  # what the attacked side did in return
    "outcome",  # intercepted, fell short, hit the base
    "troop_count",  # background: troops deployed
    "attack_count",  # background: tallies of attacks
    "statement",  # an official statement or warning, not a countable fact
    "other",
]
FACETS: tuple[str, ...] = Facet.__args__  # type: ignore[attr-defined]

EventType = Literal[
    "rocket_attack",
    "missile_attack",
    "drone_attack",
    "indirect_fire",  # unspecified projectiles / indirect fire
    "airstrike",
    "artillery_fire",
    "interception",
    "ground_assault",
    "explosion",
    "statement",
    "background",  # not an event: troop numbers, tallies, context
    "other",
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]

Stance = Literal["asserted", "reported", "alleged", "denied"]

# How a quote was found in its article: exactly, after normalising whitespace,
# quote marks, dashes and case, by fuzzy alignment above a floor, or not at all.
MatchKind = Literal["exact", "normalized", "fuzzy", "not_found", "unchecked"]

GroundingStatus = Literal["grounded", "quote_not_found", "number_not_in_quote", "unchecked"]

Verdict = Literal["agree", "compatible", "contradict", "complementary", "single_source"]
VERDICTS: tuple[str, ...] = Verdict.__args__  # type: ignore[attr-defined]

Qualifier = Literal[
    "exact",  # "eight"
    "at_least",  # "at least 16"
    "more_than",  # "more than 20"
    "at_most",  # "at most 3"
    "up_to",  # "up to 90 percent"
    "approximate",  # "about", "roughly", "approximately", "nearly", "some 19"
    "range",  # "7 to 10"
    "vague",  # "several", "a number of", "dozens", "some"
    "none",  # "no casualties" = 0
]

SourceKind = Literal[
    "military",  # a military command or coalition statement
    "government",  # ministries, the Pentagon, a White House statement
    "monitor",  # SOHR and other monitoring groups
    "media",  # another outlet (Reuters, Deir Ezzor 24, Lebanese media)
    "armed_group",  # a claim of responsibility
    "anonymous",  # "sources said", "local sources"
    "outlet",  # the outlet's own voice, no attribution
    "other",
]

ReferentKind = Literal["base", "armed_group", "strike", "state_actor", "place", "person", "other"]
Voice = Literal["own", "quoted"]

DatePrecision = Literal["day", "range", "week", "month", "year", "unresolved"]
PlaceKind = Literal[
    "city", "town", "base", "oil_field", "gas_field", "province", "region", "country", "area", "other"
]

_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


def _check_id(value: str) -> str:
    """Ids become file names and HTML anchors: no separators, no ``..`` tricks."""
    if not _ID_PATTERN.match(value) or ".." in value:
        raise ValueError(f"invalid id {value!r}: use letters, digits, '.', '_' or '-'")
    return value


class Model(BaseModel):
    """Base: forbid unknown fields so typos in fixtures and gold files surface."""

    model_config = ConfigDict(extra="forbid")


# --- Ingest -----------------------------------------------------------------


class Article(Model):
    id: str = Field(description="Stable id, from the file name (or the JSONL id field).")
    path: str | None = Field(None, description="Where it was read from.")
    outlet: str = Field(description="The outlet's name, or the file name when unknown.")
    outlet_known: bool = Field(True, description="False when `outlet` is the file-name fallback.")
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    language: str | None = None
    text: str
    sha256: str
    notes: dict[str, str] = Field(default_factory=dict, description="Free notes from the metadata file.")

    @field_validator("id")
    @classmethod
    def _safe_id(cls, value: str) -> str:
        return _check_id(value)

    @field_validator("sha256")
    @classmethod
    def _hex_digest(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{64}", value):
            raise ValueError("sha256 must be 64 lowercase hex digits")
        return value

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("article text is empty")
        return value

    @property
    def word_count(self) -> int:
        return len(self.text.split())


class IngestProblem(Model):
    path: str
    problem: str = Field(description="One sentence a person can act on.")
    severity: Literal["error", "warning"] = "error"
    duplicate_of: str | None = Field(None, description="Article id this file duplicates.")

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


class IngestResult(Model):
    articles: list[Article] = Field(default_factory=list)
    problems: list[IngestProblem] = Field(default_factory=list)


# --- What the LLM returns ---------------------------------------------------


class EventDraft(Model):
    """The event a claim is about, in the article's own words."""

    type: EventType
    date_as_written: str | None = Field(None, description='As written: "yesterday, Wednesday".')
    place_as_written: str | None = Field(None, description='As written: "near al-Mayadeen".')
    perpetrator: str | None = Field(None, description="As the article names them.")
    target: str | None = None


class ReferringExpression(Model):
    """How the article names a key referent (a base, an armed group, a strike)."""

    referent: str = Field(description='Neutral name: "Green Village base".')
    referent_kind: ReferentKind
    expression: str = Field(description="The words used, verbatim.")
    voice: Voice = Field(description="quoted: inside someone's quotation; own: the outlet's words.")
    quoted_from: str | None = None


class ClaimDraft(Model):
    """One checkable factual claim as the model extracts it, before grounding."""

    facet: Facet
    value: str = Field(description='As written: "eight rockets", "at least 16 times".')
    number: float | None = Field(None, description="8 for 'eight'.")
    number_high: float | None = Field(None, description="Upper end of a range.")
    qualifier: Qualifier | None = None
    unit: str | None = Field(None, description='What is counted: "rockets".')
    event: EventDraft
    source: str = Field(description='Original source it is attributed to, or "outlet" for its own voice.')
    source_kind: SourceKind = "outlet"
    stance: Stance
    quote: str = Field(description="Exact words of the article that state the claim.")
    referring_expressions: list[ReferringExpression] = Field(default_factory=list)

    def to_claim(self, article: Article, claim_id: str, *, chunk_index: int = 0) -> Claim:
        """This draft as a ``Claim`` of ``article``, not yet grounded."""
        return Claim(
            id=claim_id,
            article_id=article.id,
            outlet=article.outlet,
            published=article.published,
            facet=self.facet,
            value=self.value,
            event=ClaimEvent(
                type=self.event.type,
                date_as_written=self.event.date_as_written,
                place_as_written=self.event.place_as_written,
                perpetrator=self.event.perpetrator,
                target=self.event.target,
            ),
            source=SourceRef(name=self.source, kind=self.source_kind),
            stance=self.stance,
            quote=Quote(text=self.quote),
            referring_expressions=list(self.referring_expressions),
            chunk_index=chunk_index,
            number=self.number,
            number_high=self.number_high,
            qualifier=self.qualifier,
            unit=self.unit,
        )


class Chunk(Model):
    """A piece of a long article sent to the model on its own; offsets are into Article.text."""

    index: int = Field(ge=0)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str

    @model_validator(mode="after")
    def _span(self) -> Chunk:
        if self.end < self.start or self.end - self.start != len(self.text):
            raise ValueError(f"chunk {self.index}: offsets {self.start}-{self.end} do not fit its text")
        return self


class ExtractionResponse(Model):
    """The whole answer for one article (or one chunk of it)."""

    claims: list[ClaimDraft]


# --- Grounded, normalised claims --------------------------------------------


class Quote(Model):
    text: str = Field(description="The quote as the model gave it.")
    start: int | None = Field(None, ge=0, description="Character offset into Article.text.")
    end: int | None = Field(None, ge=0)
    match: MatchKind = "unchecked"
    score: float | None = Field(None, ge=0, le=100, description="Similarity for fuzzy matches, 0-100.")

    @model_validator(mode="after")
    def _span(self) -> Quote:
        if (self.start is None) != (self.end is None):
            raise ValueError("quote start and end must both be set or both be empty")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"quote end {self.end} is before start {self.start}")
        if self.match in ("exact", "normalized", "fuzzy") and self.start is None:
            raise ValueError(f"a {self.match} match needs offsets")
        return self

    def check_against(self, text: str) -> None:
        """Raise ValueError if the offsets fall outside ``text``."""
        if self.end is not None and self.end > len(text):
            raise ValueError(
                f"quote offsets {self.start}-{self.end} outside a text of {len(text)} characters"
            )


class Quantity(Model):
    """A number as an interval; ``high=None`` means unbounded ("at least 16")."""

    low: float = Field(ge=0)
    high: float | None = Field(None, ge=0)
    qualifier: Qualifier
    unit: str | None = None
    as_written: str

    @field_validator("low", "high")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and math.isnan(value):
            raise ValueError("quantity bounds must be numbers")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Quantity:
        if self.high is not None and self.low > self.high:
            raise ValueError(f"quantity low {self.low} is greater than high {self.high}")
        return self

    @property
    def is_exact(self) -> bool:
        return self.high is not None and self.low == self.high

    def overlaps(self, other: Quantity) -> bool:
        hi_self = math.inf if self.high is None else self.high
        hi_other = math.inf if other.high is None else other.high
        return self.low <= hi_other and other.low <= hi_self


class ResolvedDate(Model):
    start: dt.date | None = None
    end: dt.date | None = None
    precision: DatePrecision = "unresolved"
    note: str | None = Field(None, description="Why it is unresolved, or a weekday that does not fit.")
    weekday_mismatch: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> ResolvedDate:
        if (self.start is None) != (self.end is None):
            raise ValueError("date start and end must both be set or both be empty")
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"date start {self.start} is after end {self.end}")
        if self.precision != "unresolved" and self.start is None:
            raise ValueError("a resolved date needs a start")
        return self


class ResolvedPlace(Model):
    canonical: str | None = Field(None, description="Gazetteer name, or None when unknown.")
    kind: PlaceKind | None = None
    within: list[str] = Field(default_factory=list, description="Containing places, innermost first.")
    matched: str | None = Field(None, description="The alias or name that matched.")
    score: float | None = Field(None, ge=0, le=100)
    note: str | None = Field(None, description="Why it is unknown, or which several places were named.")


class GazetteerEntry(Model):
    """One known place: canonical name, the other ways it is written, and what contains it."""

    name: str = Field(min_length=1, description="Canonical name.")
    kind: PlaceKind
    aliases: list[str] = Field(default_factory=list)
    within: str | None = Field(None, description="Canonical name of the containing place (one parent).")
    also_within: list[str] = Field(
        default_factory=list,
        description='Informal regions that also contain it ("eastern Syria"); they may overlap.',
    )
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    note: str | None = None


class Gazetteer(Model):
    """Known places; every parent named in ``within`` / ``also_within`` is an entry, with no cycles."""

    entries: list[GazetteerEntry]
    sources: list[str] = Field(default_factory=list, description="Files it was loaded from, in order.")

    @model_validator(mode="after")
    def _consistent(self) -> Gazetteer:
        names: dict[str, GazetteerEntry] = {}
        for entry in self.entries:
            if entry.name.casefold() in names:
                raise ValueError(f"gazetteer names the place {entry.name!r} more than once")
            names[entry.name.casefold()] = entry
        for entry in self.entries:
            for parent in [entry.within, *entry.also_within]:
                if parent is not None and parent.casefold() not in names:
                    raise ValueError(f"gazetteer place {entry.name!r} is within unknown place {parent!r}")
        for entry in self.entries:  # walk up every chain: a cycle would loop forever later
            pending, seen_up = [entry.name.casefold()], set()
            while pending:
                container = names[pending.pop()]
                for up in [container.within, *container.also_within]:
                    if up is None:
                        continue
                    if up.casefold() == entry.name.casefold():
                        raise ValueError(f"gazetteer place {entry.name!r} is (indirectly) within itself")
                    if up.casefold() not in seen_up:
                        seen_up.add(up.casefold())
                        pending.append(up.casefold())
        return self


class ClaimEvent(Model):
    type: EventType
    date_as_written: str | None = None
    date: ResolvedDate | None = None
    place_as_written: str | None = None
    place: ResolvedPlace | None = None
    perpetrator: str | None = None
    target: str | None = None


class SourceRef(Model):
    name: str = Field(description="The original source as the article attributes it.")
    kind: SourceKind = "outlet"


class Grounding(Model):
    status: GroundingStatus = "unchecked"
    missing_numbers: list[str] = Field(
        default_factory=list, description="Numbers of the value not in the quote."
    )
    note: str | None = None


class Claim(Model):
    id: str = Field(description='"<article id>.c<n>", stable across runs on the same answer.')
    article_id: str
    outlet: str
    published: dt.date | None = Field(
        None, description="The article's publication date, for resolving dates."
    )
    facet: Facet
    value: str = Field(description="The value as written.")
    quantity: Quantity | None = Field(None, description="Filled by normalize when the value is numeric.")
    event: ClaimEvent
    source: SourceRef
    stance: Stance
    quote: Quote
    grounding: Grounding = Field(default_factory=Grounding)
    referring_expressions: list[ReferringExpression] = Field(default_factory=list)
    chunk_index: int = Field(0, ge=0)
    # Raw numbers from the model, kept so normalize can build the interval.
    number: float | None = None
    number_high: float | None = None
    qualifier: Qualifier | None = None
    unit: str | None = None

    @field_validator("id", "article_id")
    @classmethod
    def _ids(cls, value: str) -> str:
        return _check_id(value)

    @property
    def grounded(self) -> bool:
        return self.grounding.status == "grounded"


# --- Events, findings, framing ----------------------------------------------


class EventLink(Model):
    """An uncertain link: the two events may be one, shown with the reasons."""

    event_id: str
    score: float = Field(ge=0, le=1)
    reasons: list[str]


class Event(Model):
    id: str
    kind: Literal["event", "topic"] = Field(
        "event", description="topic: background facts grouped by subject, not a dated event."
    )
    type: EventType
    label: str
    date: ResolvedDate | None = None
    place: ResolvedPlace | None = None
    claim_ids: list[str]
    article_ids: list[str]
    possibly_same_as: list[EventLink] = Field(default_factory=list)


class FindingValue(Model):
    """One outlet's value for a fact, with everything needed to check it."""

    claim_id: str
    article_id: str
    outlet: str
    value: str
    quantity: Quantity | None = None
    quote: Quote
    source: SourceRef
    stance: Stance
    grounded: bool

    @classmethod
    def of(cls, claim: Claim) -> FindingValue:
        """The claim's value as a finding shows it."""
        # Every field comes from a validated claim: construct without validating again.
        return cls.model_construct(
            claim_id=claim.id,
            article_id=claim.article_id,
            outlet=claim.outlet,
            value=claim.value,
            quantity=claim.quantity,
            quote=claim.quote,
            source=claim.source,
            stance=claim.stance,
            grounded=claim.grounded,
        )


class Finding(Model):
    id: str
    event_id: str
    facet: Facet
    verdict: Verdict
    values: list[FindingValue]
    outlets: list[str] = Field(description="Distinct outlets with grounded support.")
    original_sources: list[str] = Field(description="Distinct independent original sources.")
    explanation: str = Field(description='"3 outlets, 1 original source (US-led coalition statement)".')
    rank: float = Field(0.0, description="Higher is more important; contradictions on numbers rank first.")

    @field_validator("verdict", mode="before")
    @classmethod
    def _known_verdict(cls, value: Any) -> Any:
        if value not in VERDICTS:
            raise ValueError(f"unknown verdict {value!r}; expected one of {', '.join(VERDICTS)}")
        return value


class FramingEntry(Model):
    outlet: str
    article_id: str
    expression: str
    voice: Voice
    quoted_from: str | None = None
    loaded_terms: list[str] = Field(
        default_factory=list, description="Evaluative words found in the expression."
    )
    claim_id: str | None = None
    start: int | None = Field(None, ge=0)
    end: int | None = Field(None, ge=0)

    @property
    def loaded(self) -> bool:
        return bool(self.loaded_terms)


class FramingTable(Model):
    referent: str
    referent_kind: ReferentKind
    entries: list[FramingEntry]


# --- LLM run accounting -----------------------------------------------------


class Usage(Model):
    calls: int = Field(0, description="Requests sent to the model, retries and re-asks included.")
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = Field(0.0, description="None when a model's price is unknown (not 0).")
    cache_hits: int = 0
    retries: int = Field(0, description="Transport retries (timeouts, 429, 5xx, dropped connections).")
    reasks: int = Field(0, description="Schema-invalid answers sent back with their validation error.")
    replayed: int = Field(0, description="Answers served from recorded exchanges, with no network.")

    def __add__(self, other: Usage) -> Usage:
        total = {k: getattr(self, k) + getattr(other, k) for k in Usage.model_fields if k != "cost_usd"}
        unknown = self.cost_usd is None or other.cost_usd is None
        return Usage(**total, cost_usd=None if unknown else self.cost_usd + other.cost_usd)  # type: ignore[operator]


class ArticleFailure(Model):
    article_id: str
    path: str | None = None
    stage: str = "extract"
    reason: str
    attempts: int = 0


class Exchange(Model):
    """One recorded LLM exchange: readable JSON, replayable with no network."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    stage: str = Field(description='"extract", "summary", ...')
    article_id: str | None = None
    input_sha256: str = Field(description="sha256 of the exact input answered (article text or chunk).")
    chunk_index: int = 0
    model: str
    mode: str
    prompt_fingerprint: str
    request: dict[str, Any] = Field(description="The request body sent (messages, tools...), no headers.")
    response: dict[str, Any] = Field(description="The raw response body, as JSON.")
    responses: list[dict[str, Any]] = Field(
        default_factory=list, description="Further raw bodies for re-asks, in order."
    )
    usage: dict[str, Any] = Field(default_factory=dict)
    latency_ms: float | None = None
    recorded_at: str
    recorded_by: str = Field(description='The model that answered, or "hand-written".')


class ExtractionRun(Model):
    """What an extraction run produced: the claims, the articles that failed, and what it cost."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    claims: list[Claim] = Field(default_factory=list)
    failures: list[ArticleFailure] = Field(default_factory=list)
    article_ids: list[str] = Field(default_factory=list, description="Every article attempted, in order.")
    usage: Usage = Field(default_factory=Usage)
    article_usage: dict[str, Usage] = Field(default_factory=dict, description="Per article id.")
    model: str | None = None
    mode: str | None = None
    replay_dir: str | None = None
    recorded_by: list[str] = Field(default_factory=list, description="Who wrote the replayed answers.")
    warnings: list[str] = Field(default_factory=list, description="Stale fixtures and other non-fatal notes.")

    @property
    def ok_article_ids(self) -> list[str]:
        failed = {f.article_id for f in self.failures}
        return [a for a in self.article_ids if a not in failed]


class RunInfo(Model):
    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model: str | None = None
    mode: str | None = None
    replay_dir: str | None = None
    recorded_by: list[str] = Field(default_factory=list, description="Who wrote the replayed answers.")
    usage: Usage = Field(default_factory=Usage)
    article_usage: dict[str, Usage] = Field(default_factory=dict, description="Per article id.")
    warnings: list[str] = Field(
        default_factory=list, description="Stale fixtures and other non-fatal notes the reader must see."
    )
    started_at: dt.datetime | None = None
    duration_s: float | None = None


class SummarySentence(Model):
    text: str
    finding_ids: list[str] = Field(min_length=1)


class SummaryDraft(Model):
    """One sentence of the executive summary as the LLM writes it, before it is checked."""

    text: str = Field(description="One sentence using only facts, numbers and names in the cited findings.")
    finding_ids: list[str] = Field(default_factory=list, description="Ids of the findings it rests on.")


class SummaryResponse(Model):
    """The executive summary the LLM writes from the findings alone."""

    sentences: list[SummaryDraft]


class DroppedSentence(Model):
    """A summary sentence left out of the brief, and why (no citation, or not supported)."""

    text: str
    finding_ids: list[str] = Field(default_factory=list)
    reason: str


class Report(Model):
    schema_version: str = SCHEMA_VERSION
    generated_at: dt.datetime | None = None
    articles: list[Article] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    framing: list[FramingTable] = Field(default_factory=list)
    failures: list[ArticleFailure] = Field(default_factory=list)
    problems: list[IngestProblem] = Field(default_factory=list)
    summary: list[SummarySentence] = Field(default_factory=list)
    summary_dropped: list[DroppedSentence] = Field(
        default_factory=list, description="Summary sentences dropped as uncited or unsupported."
    )
    run: RunInfo = Field(default_factory=RunInfo)

    @model_validator(mode="after")
    def _consistent(self) -> Report:
        texts = {a.id: a.text for a in self.articles}
        claim_ids = set()
        for claim in self.claims:
            claim_ids.add(claim.id)
            # A claim whose article was not given may stay only as unchecked: no offsets, no support.
            unchecked = claim.grounding.status == "unchecked" and claim.quote.start is None
            if texts and claim.article_id not in texts and not unchecked:
                raise ValueError(f"claim {claim.id} refers to unknown article {claim.article_id}")
            if claim.article_id in texts:
                try:
                    claim.quote.check_against(texts[claim.article_id])
                except ValueError as exc:
                    raise ValueError(f"claim {claim.id}: {exc}") from None
        event_ids = {e.id for e in self.events}
        for event in self.events:
            unknown = [c for c in event.claim_ids if c not in claim_ids]
            if unknown:
                raise ValueError(f"event {event.id} refers to unknown claims {unknown}")
        finding_ids = set()
        for finding in self.findings:
            finding_ids.add(finding.id)
            if finding.event_id not in event_ids:
                raise ValueError(f"finding {finding.id} refers to unknown event {finding.event_id}")
        for sentence in self.summary:
            missing = [f for f in sentence.finding_ids if f not in finding_ids]
            if missing:
                raise ValueError(f"summary sentence cites unknown findings {missing}")
        return self

    def article(self, article_id: str) -> Article:
        return next(a for a in self.articles if a.id == article_id)

    def claim(self, claim_id: str) -> Claim:
        return next(c for c in self.claims if c.id == claim_id)


# --- Gold annotations and evaluation ----------------------------------------


class GoldClaim(Model):
    """A claim an article makes, as a careful reader annotated it."""

    article: str = Field(description="An alias from Gold.articles, an article id or a file name.")
    facet: Facet
    value: str
    source: str = Field(description='The original source, or "outlet" for the article\'s own voice.')
    quote: str = Field(min_length=1, description="Verbatim words of the article.")


class GoldFinding(Model):
    """The verdict a careful reader expects for one facet of one event, and why."""

    facet: Facet
    verdict: Verdict
    also_accept: list[Verdict] = Field(
        default_factory=list, description="Other verdicts a careful reader would not call wrong."
    )
    outlets: int = Field(ge=1)
    original_sources: list[str] = Field(min_length=1, description="The independent original sources.")
    reason: str = ""


class GoldEvent(Model):
    id: str
    kind: Literal["event", "topic"] = "event"
    type: EventType | None = None
    label: str
    claims: list[GoldClaim] = Field(min_length=1)
    findings: list[GoldFinding] = Field(default_factory=list)

    @model_validator(mode="after")
    def _findings_fit(self) -> GoldEvent:
        facets = {c.facet for c in self.claims}
        seen: set[str] = set()
        for finding in self.findings:
            if finding.facet not in facets:
                raise ValueError(
                    f"event {self.id}: finding on {finding.facet!r}, but no claim has that facet"
                )
            if finding.facet in seen:
                raise ValueError(f"event {self.id}: two findings on {finding.facet!r}")
            seen.add(finding.facet)
        for facet in sorted(facets - seen):
            # Only one voice (one article, one original source) is single_source by default;
            # anything with two voices is a comparison a reader must judge.
            voices = {(c.article, c.source.strip().lower()) for c in self.claims if c.facet == facet}
            if len(voices) > 1:
                raise ValueError(
                    f"event {self.id}: {facet!r} comes from {len(voices)} article/source pairs, "
                    "so it needs a written finding"
                )
        return self


class GoldUncertainPair(Model):
    """Two gold events that may or may not be one real-world event."""

    events: tuple[str, str]
    reason: str


class GoldPlace(Model):
    """How outlets describe one place across events ("gas field" vs "oil field"): one finding."""

    id: str
    place: str | None = Field(None, description="The place's canonical (gazetteer) name, for the reader.")
    label: str
    claims: list[str] = Field(
        min_length=2, description='Gold claims whose words describe the place, as "<event id>#<n>".'
    )
    finding: GoldFinding


class Gold(Model):
    articles: dict[str, str] = Field(default_factory=dict, description="Alias -> article file name or id.")
    events: list[GoldEvent]
    uncertain_pairs: list[GoldUncertainPair] = Field(default_factory=list)
    places: list[GoldPlace] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Gold:
        ids = [e.id for e in self.events]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"event ids used twice: {duplicates}")
        for pair in self.uncertain_pairs:
            unknown = [e for e in pair.events if e not in ids]
            if unknown:
                raise ValueError(f"uncertain pair names unknown events {unknown}")
            if pair.events[0] == pair.events[1]:
                raise ValueError(f"uncertain pair links event {pair.events[0]} to itself")
        claim_counts = {e.id: len(e.claims) for e in self.events}
        for place in self.places:
            if place.id in claim_counts or [p.id for p in self.places].count(place.id) > 1:
                raise ValueError(f"place {place.id}: the id is already used")
            for ref in place.claims:
                event_id, _, number = ref.rpartition("#")
                if not number.isdigit() or not 1 <= int(number) <= claim_counts.get(event_id, 0):
                    raise ValueError(f'place {place.id}: no gold claim {ref!r} (write "<event id>#<n>")')
        return self


class PrecisionRecall(Model):
    """None where a ratio has nothing to divide by (no predicted pairs, no gold claims)."""

    precision: float | None
    recall: float | None
    f1: float | None


class ClaimScores(PrecisionRecall):
    gold: int
    predicted: int
    matched: int


class GroupingScores(Model):
    claims_scored: int = Field(description="Matched claims: grouping is scored on these only.")
    pairwise: PrecisionRecall
    bcubed: PrecisionRecall
    gold_pairs: int
    predicted_pairs: int
    correct_pairs: int
    uncertain_pairs: int
    uncertain_pairs_shown: int = Field(description="Uncertain gold pairs the run merged or linked.")
    uncertain_pairs_linked: int = Field(0, description="Kept apart and linked as possibly the same (good).")
    uncertain_pairs_merged: int = Field(0, description="Merged into one event: a silent merge (bad).")
    uncertain_pairs_missed: int = Field(0, description="Kept apart with no possibly-same link (missed).")


class FindingCheck(Model):
    event_id: str
    facet: Facet
    gold_verdict: Verdict
    predicted_verdict: Verdict | None = Field(None, description="None: the run has no finding for it.")
    correct: bool
    borderline: bool = Field(False, description="Right only through the gold finding's also_accept.")
    finding_id: str | None = None
    gold_sources: int
    predicted_sources: int | None = None
    gold_outlets: int
    predicted_outlets: int | None = None


class FindingMatching(PrecisionRecall):
    """Run findings matched one-to-one to gold findings: precision over run, recall over gold."""

    gold: int
    run: int
    matched: int
    unmatched_run: list[str] = Field(default_factory=list, description="Run finding ids with no gold match.")


class FindingScores(Model):
    gold: int
    found: int
    correct: int
    accuracy: float | None
    confusion: dict[str, dict[str, int]] = Field(
        description='gold verdict -> predicted verdict (or "missing").'
    )
    source_count_correct: int
    source_count_accuracy: float | None = Field(description="Over the gold findings the run found.")
    outlet_count_correct: int
    outlet_count_accuracy: float | None
    extra_predicted: int = Field(description="Findings of the run that answer no gold finding.")
    borderline: int = Field(0, description="Verdicts right only through also_accept (counted in correct).")
    strict_accuracy: float | None = Field(None, description="Right verdicts not counting also_accept.")
    matching: FindingMatching | None = Field(None, description="All findings, one-to-one by event and facet.")
    cross_source_matching: FindingMatching | None = Field(
        None, description="Comparisons only: findings whose verdict is not single_source."
    )
    false_contradictions: list[str] = Field(
        default_factory=list,
        description="Run findings saying contradict where gold neither says nor accepts it.",
    )


class GroundingScores(Model):
    claims: int
    grounded: int
    rate: float | None


class ClaimMatch(Model):
    gold_id: str = Field(description='"<gold event id>#<n>", n counting from 1 within the event.')
    claim_id: str
    score: float


class EvalResult(Model):
    claims: ClaimScores
    grouping: GroupingScores
    findings: FindingScores
    grounding: GroundingScores
    matches: list[ClaimMatch] = Field(default_factory=list)
    unmatched_gold: list[str] = Field(default_factory=list)
    unmatched_predicted: list[str] = Field(default_factory=list)
    finding_checks: list[FindingCheck] = Field(default_factory=list)
    missing_articles: list[str] = Field(
        default_factory=list, description="Gold articles absent from the run."
    )
