"""The optional executive summary: a few sentences an LLM writes from the findings alone.

The prompt (``prompts/summary.j2``) carries only the findings: verdicts,
outlets, values and original sources, never article text. Every sentence the
model returns must cite finding ids, and is checked against them before it
reaches the brief. A sentence is dropped (and listed with the reason in
``Report.summary_dropped``) when, checked in this order, it:

1. cites nothing, or cites an unknown finding id;
2. states a number its cited findings do not contain (values, counts, dates);
3. names an outlet or source its cited findings do not mention;
4. counts sources or outlets wrongly: "three independent sources", "one source",
   "the same source" must equal the original sources of a cited finding (or of
   all of them together); "two outlets", "both articles" the outlets. "Independent"
   always counts original sources, whatever noun follows;
5. names a place (a gazetteer name or alias, matched as ``resolve_place`` reads
   names) that is neither a place of the cited findings nor a place containing one
   ("Deir Ezzor province" for Green Village is fine, "Conoco" for Green Village is
   not). The cited places are the events' places and the places named in their
   labels and grounded values. A country's name counts as a place only after a
   locative word ("in Syria"), because on its own it usually names a government
   ("Iran fired"); outlet and source names ("Deir Ezzor 24") are not places;
6. uses a verdict word its cited verdicts do not fit: "agree"/"concur" need
   ``agree``; "confirm"/"corroborate" need ``agree`` from two or more independent
   original sources; "contradict"/"conflict"/"dispute"/"inconsistent" need
   ``contradict``; "differ"/"diverge" need contradict, complementary or compatible;
   "compatible"/"consistent" need compatible or agree; "complement" needs
   complementary. Negated, the word asks the opposite ("do not conflict": not
   contradict; "do not agree": not agree; "do not differ": agree);
7. negates a fact a cited value states: the first content word after "no", "not",
   "never", "without", "neither"/"nor" ("no airstrikes") appears in a cited value
   and never inside a negation there ("No casualties" may be repeated as such);
8. presents as proven ("proved", "proof", "established", "it is certain",
   "certainly", "conclusively", "beyond doubt", ...) what a cited value only
   reports, alleges or denies (stance other than ``asserted``).

The rules are deterministic word rules; they catch the usual ways a summary
overstates its findings, not every one (an actor named as perpetrator that no
cited value mentions, for instance, is not checked).

The call goes through the shared ``LLMClient`` as stage ``"summary"``, so it is
cached, recorded (``--record``) and replayed (``--replay``) like extraction.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconcile.errors import FixtureError
from reconcile.llm.client import LLMClient
from reconcile.llm.prompting import RenderedPrompt, llm_facing, render
from reconcile.models import (
    Claim,
    DroppedSentence,
    Event,
    Finding,
    FindingValue,
    Gazetteer,
    Report,
    SummaryDraft,
    SummaryResponse,
    SummarySentence,
    Usage,
)
from reconcile.normalize import load_gazetteer, place_key, resolve_place
from reconcile.numbers import number_spans, numbers_in

STAGE = "summary"
TEMPLATE = "summary.j2"
# The prompt carries the highest-ranked findings; a long tail of single-source facts adds cost, not value.
MAX_FINDINGS = 60


@dataclass
class SummaryOutcome:
    sentences: list[SummarySentence] = field(default_factory=list)
    dropped: list[DroppedSentence] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    recorded_by: str | None = None


def findings_for_prompt(report: Report) -> list[dict[str, Any]]:
    """The findings as the model sees them: no quotes, no article text, ungrounded values left out."""
    events = {e.id: e for e in report.events}
    chosen = sorted(report.findings, key=lambda f: (-f.rank, f.id))[:MAX_FINDINGS]
    digest = []
    for finding in chosen:
        values = [v for v in finding.values if v.grounded]
        if not values:
            continue
        event = events.get(finding.event_id)
        digest.append(
            {
                "id": finding.id,
                "event": event.label if event else finding.event_id,
                "event_date": _event_date(event),
                "fact": finding.facet,
                "verdict": finding.verdict,
                "outlets": finding.outlets,
                "original_sources": finding.original_sources,
                # The stance tells the model which values are only reported or alleged.
                "values": [
                    {"outlet": v.outlet, "value": v.value, "source": v.source.name, "stance": v.stance}
                    for v in values
                ],
            }
        )
    return digest


def _event_date(event: Event | None) -> str | None:
    if event is None or event.date is None or event.date.start is None or event.date.end is None:
        return None
    if event.date.start == event.date.end:
        return event.date.start.isoformat()
    return f"{event.date.start.isoformat()}/{event.date.end.isoformat()}"


def summary_input(report: Report) -> tuple[str, str]:
    """(the findings as JSON for the prompt, its sha256: what a recording is matched on)."""
    findings_json = json.dumps(findings_for_prompt(report), indent=1, ensure_ascii=False, sort_keys=True)
    return findings_json, hashlib.sha256(findings_json.encode("utf-8")).hexdigest()


def render_summary_prompt(findings_json: str, *, mode: str = "tools") -> RenderedPrompt:
    # The delimiter depends on the findings, so no value inside them can close it.
    marker = f"findings_{hashlib.sha256(findings_json.encode('utf-8')).hexdigest()[:12]}"
    return render(TEMPLATE, llm_facing(SummaryResponse), mode, findings_json=findings_json, marker=marker)


def _allowed_numbers(findings: list[Finding], events: dict[str, Event]) -> set[float]:
    """Every number a sentence citing ``findings`` may state."""
    allowed: set[float] = {float(len(findings))}
    for finding in findings:
        grounded = [v for v in finding.values if v.grounded]
        allowed |= {float(len(finding.outlets)), float(len(finding.original_sources)), float(len(grounded))}
        texts = [*(v.value for v in grounded), *(v.source.name for v in grounded), *finding.original_sources]
        event = events.get(finding.event_id)
        if event is not None:
            texts.append(event.label)
            for day in (event.date.start, event.date.end) if event.date else ():
                if day is not None:
                    allowed |= {float(day.day), float(day.year)}
        for text in texts:
            allowed |= set(numbers_in(text))
        for value in grounded:
            if value.quantity is not None:
                allowed.add(value.quantity.low)
                if value.quantity.high is not None:
                    allowed.add(value.quantity.high)
    return allowed


def _names_in(text: str, names: set[str]) -> set[str]:
    folded = text.casefold()
    return {name for name in names if re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", folded)}


@dataclass
class _Cited:
    """The findings a sentence cites, with what the rules look up about them."""

    findings: list[Finding]
    events: dict[str, Event]
    claims: dict[str, Claim]
    gazetteer: Gazetteer
    known_names: set[str]

    @property
    def verdicts(self) -> set[str]:
        return {f.verdict for f in self.findings}

    @property
    def values(self) -> list[FindingValue]:
        return [v for f in self.findings for v in f.values if v.grounded]


def check_sentence(draft: SummaryDraft, report: Report, gazetteer: Gazetteer | None = None) -> str | None:
    """Why the sentence must be dropped, or None when its cited findings support it.

    ``gazetteer`` is the one the report's places were resolved with (the default one
    when None). The rules, in the order they are tried, are listed in the module's
    docstring; the first that fails gives the reason.
    """
    if not draft.text.strip():
        return "empty sentence"
    if not draft.finding_ids:
        return "cites no finding"
    by_id = {f.id: f for f in report.findings}
    unknown = [i for i in draft.finding_ids if i not in by_id]
    if unknown:
        return f"cites unknown finding{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"
    cited = [by_id[i] for i in dict.fromkeys(draft.finding_ids)]
    events = {e.id: e for e in report.events}
    text = " ".join(draft.text.split())

    allowed = _allowed_numbers(cited, events)
    stray = [n for n in numbers_in(text) if n not in allowed]
    if stray:
        shown = ", ".join(f"{n:g}" for n in dict.fromkeys(stray))
        return f"states {shown}, which the cited findings do not contain"

    # Outlets and sources named in the sentence must be among those of its cited findings.
    known_names = {a.outlet for a in report.articles if a.outlet_known}
    known_names |= {v.source.name for f in report.findings for v in f.values if v.source.kind != "outlet"}
    known_names |= {s for f in report.findings for s in f.original_sources}
    cited_names = {v.outlet for f in cited for v in f.values if v.grounded}
    cited_names |= {v.source.name for f in cited for v in f.values if v.grounded}
    cited_names |= {s for f in cited for s in f.original_sources}
    foreign = sorted(_names_in(text, known_names) - _names_in(text, cited_names))
    if foreign:
        return f"names {', '.join(foreign)}, which the cited findings do not mention"

    context = _Cited(
        findings=cited,
        events=events,
        claims={c.id: c for c in report.claims},
        gazetteer=gazetteer or load_gazetteer(),
        known_names=known_names | {a.outlet for a in report.articles},
    )
    for rule in (_wrong_counts, _foreign_places, _unfit_verdict_words, _negated_facts, _upgraded_stance):
        reason = rule(text, context)
        if reason is not None:
            return reason
    return None


# --- 4. Counts of sources and outlets -------------------------------------------

# Between the number and the noun: the words that qualify what is counted.
_COUNT_QUALIFIERS = r"(?:(?:independent|original|separate|distinct|primary|different|news|media)\s+)*"
_COUNTED = re.compile(
    rf"^\s+(?P<qualifiers>{_COUNT_QUALIFIERS})"
    r"(?P<noun>sources?|confirmations?|outlets?|articles?|publications?|newspapers?)\b",
    re.IGNORECASE,
)
_SAME_SOURCE = re.compile(r"\b(?:the\s+)?same\s+(?:original\s+|independent\s+)?source\b", re.IGNORECASE)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _wrong_counts(text: str, cited: _Cited) -> str | None:
    """ "Three independent sources" must be three original sources of what it cites."""
    source_counts = {len(f.original_sources) for f in cited.findings}
    source_counts.add(len({s for f in cited.findings for s in f.original_sources}))
    outlet_counts = {len(f.outlets) for f in cited.findings}
    outlet_counts.add(len({o for f in cited.findings for o in f.outlets}))
    stated: list[tuple[str, int, bool]] = []  # (as written, number, counts original sources)
    for start, end, value in number_spans(text):
        counted = _COUNTED.match(text[end:])
        if counted is None or value != int(value):
            continue
        noun = counted.group("noun").casefold()
        independent = "independent" in counted.group("qualifiers").casefold()
        of_sources = independent or noun.startswith(("source", "confirmation"))
        stated.append((text[start : end + counted.end()], int(value), of_sources))
    stated.extend((m.group(0), 1, True) for m in _SAME_SOURCE.finditer(text))
    for written, number, of_sources in stated:
        if of_sources and number not in source_counts:
            have = " or ".join(_plural(n, "original source") for n in sorted(source_counts))
            return f"says {written!r}, but the cited findings have {have}"
        if not of_sources and number not in outlet_counts:
            have = " or ".join(_plural(n, "outlet") for n in sorted(outlet_counts))
            return f"says {written!r}, but the cited findings have {have}"
    return None


# --- 5. Places ------------------------------------------------------------------

# After place_key (which also drops "at" with the articles): words that make a country a place.
_LOCATIVES = frozenset({
    "in", "near", "inside", "into", "across", "around", "towards", "toward", "outside", "within",
    "throughout", "from",
})  # fmt: skip


@dataclass(frozen=True)
class _PlaceMention:
    canonical: str
    written: str
    after_locative: bool


def _place_mentions(text: str, gazetteer: Gazetteer) -> list[_PlaceMention]:
    """Gazetteer names and aliases in ``text``, longest first, not overlapping."""
    tokens = place_key(text).split()
    if not tokens:
        return []
    names = _place_names(gazetteer)
    longest = max((len(key) for key in names), default=0)
    taken: set[int] = set()
    found: list[tuple[int, _PlaceMention]] = []
    for length in range(min(longest, len(tokens)), 0, -1):
        for start in range(len(tokens) - length + 1):
            span = range(start, start + length)
            canonical = names.get(tuple(tokens[start : start + length]))
            if canonical is None or any(i in taken for i in span):
                continue
            taken.update(span)
            after_locative = start > 0 and tokens[start - 1] in _LOCATIVES
            found.append(
                (start, _PlaceMention(canonical, " ".join(tokens[span.start : span.stop]), after_locative))
            )
    return [mention for _, mention in sorted(found, key=lambda item: item[0])]


_NAME_TABLES: dict[int, tuple[Gazetteer, dict[tuple[str, ...], str]]] = {}


def _place_names(gazetteer: Gazetteer) -> dict[tuple[str, ...], str]:
    """Every name and alias, as place-key words, to its canonical name (built once per gazetteer)."""
    cached = _NAME_TABLES.get(id(gazetteer))
    if cached is not None and cached[0] is gazetteer:
        return cached[1]
    names: dict[tuple[str, ...], str] = {}
    for entry in gazetteer.entries:
        for written in (entry.name, *entry.aliases):
            names.setdefault(tuple(place_key(written).split()), entry.name)
    if len(_NAME_TABLES) >= 8:
        _NAME_TABLES.pop(next(iter(_NAME_TABLES)))
    _NAME_TABLES[id(gazetteer)] = (gazetteer, names)
    return names


def _without_names(text: str, names: set[str]) -> str:
    """``text`` with outlet and source names blanked: "Deir Ezzor 24" is an outlet, not a place."""
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " , ", text, flags=re.IGNORECASE)
    return text


def _with_containers(canonical: str, gazetteer: Gazetteer) -> set[str]:
    resolved = resolve_place(canonical, gazetteer)
    return {canonical, *(resolved.within if resolved.canonical == canonical else ())}


def _cited_places(cited: _Cited) -> set[str]:
    """Every place the cited findings name, with every place containing one of them."""
    places: set[str] = set()
    texts: list[str] = []
    for finding in cited.findings:
        event = cited.events.get(finding.event_id)
        if event is not None:
            texts.append(event.label)
            if event.place is not None and event.place.canonical:
                places.add(event.place.canonical)
                places.update(event.place.within)
    for value in cited.values:
        texts.append(value.value)
        claim = cited.claims.get(value.claim_id)
        if claim is not None and claim.event.place is not None and claim.event.place.canonical:
            places.add(claim.event.place.canonical)
            places.update(claim.event.place.within)
    for text in texts:
        places.update(
            m.canonical for m in _place_mentions(_without_names(text, cited.known_names), cited.gazetteer)
        )
    closure: set[str] = set()
    for place in places:
        closure |= _with_containers(place, cited.gazetteer)
    return closure


def _foreign_places(text: str, cited: _Cited) -> str | None:
    """A place the sentence names must be one of the cited findings' places, or contain one."""
    kinds = {entry.name: entry.kind for entry in cited.gazetteer.entries}
    mentions = [
        m
        for m in _place_mentions(_without_names(text, cited.known_names), cited.gazetteer)
        if kinds.get(m.canonical) != "country" or m.after_locative
    ]
    if not mentions:
        return None
    allowed = _cited_places(cited)
    foreign = list(dict.fromkeys(m.canonical for m in mentions if m.canonical not in allowed))
    if not foreign:
        return None
    named = ", ".join(foreign)
    where = ", ".join(
        sorted({e.place.canonical for e in _cited_events(cited) if e.place and e.place.canonical})
    )
    return f"names {named}, which is neither a place of the cited findings nor contains one" + (
        f" (they are about {where})" if where else ""
    )


def _cited_events(cited: _Cited) -> list[Event]:
    return [cited.events[f.event_id] for f in cited.findings if f.event_id in cited.events]


# --- Negation -----------------------------------------------------------------

_NEGATOR = re.compile(r"\b(?:no|not|never|without|neither|nor|none)\b|n't\b", re.IGNORECASE)
_SCOPE_ENDS = frozenset({"and", "but", "while", "although", "though", "yet", "whereas", "which", "who"})
_NEGATION_REACH = 5  # how far "no", "nor" reach inside a cited value


def _negated(text: str, start: int, between: int = 3) -> bool:
    """Does a negator come at most ``between`` words before ``start``, in the same clause?"""
    for match in _NEGATOR.finditer(text[:start]):
        gap = text[match.end() : start]
        words = re.findall(r"[\w'\u2019-]+", gap)
        clean = re.fullmatch(r"[\w\s'\u2019-]*", gap) is not None
        if clean and len(words) <= between and not {w.casefold() for w in words} & _SCOPE_ENDS:
            return True
    return False


def _words_after(text: str, start: int, limit: int) -> list[str]:
    """Up to ``limit`` words after ``start``, stopping at punctuation or a new clause."""
    words: list[str] = []
    for match in re.finditer(r"[\w'\u2019-]+|[^\w\s]", text[start:]):
        token = match.group(0)
        if not re.match(r"\w", token) or token.casefold() in _SCOPE_ENDS or len(words) >= limit:
            break
        words.append(token.casefold())
    return words


# --- 6. Verdict words -----------------------------------------------------------

_NOT_AGREE = frozenset({"contradict", "complementary", "compatible"})
_NOT_CONTRADICT = frozenset({"agree", "compatible", "complementary"})


@dataclass(frozen=True)
class _VerdictWord:
    what: str  # what the sentence speaks of, for the reason
    words: re.Pattern[str]
    fits: frozenset[str]  # cited verdicts that support the word
    negated_fits: frozenset[str] | None  # ... when negated ("do not conflict"); None: not checked
    needs_independent_sources: bool = False


_VERDICT_WORDS = (
    _VerdictWord("agreement", re.compile(r"\b(agree\w*|concur\w*)", re.I), frozenset({"agree"}), _NOT_AGREE),
    _VerdictWord(
        "confirmation",
        re.compile(r"\b(confirm\w*|corroborat\w*)", re.I),
        frozenset({"agree"}),
        None,
        needs_independent_sources=True,
    ),
    _VerdictWord(
        "a contradiction",
        re.compile(r"\b(contradict\w*|disagree\w*|conflict\w*|disput\w*|inconsisten\w*|at odds)", re.I),
        frozenset({"contradict"}),
        _NOT_CONTRADICT,
    ),
    _VerdictWord(
        "a difference",
        re.compile(r"\b(differ|differs|differed|differing|difference\w*|diverg\w*)\b", re.I),
        _NOT_AGREE,
        frozenset({"agree"}),
    ),
    _VerdictWord(
        "compatibility",
        re.compile(r"\b(compatib\w*|consistent\w*)", re.I),
        frozenset({"compatible", "agree"}),
        frozenset({"contradict"}),
    ),
    _VerdictWord(
        "complementary facts", re.compile(r"\bcomplement\w*", re.I), frozenset({"complementary"}), None
    ),
)


def _unfit_verdict_words(text: str, cited: _Cited) -> str | None:
    """ "Agree", "confirm", "contradict", "differ", "compatible" must fit the cited verdicts."""
    verdicts = cited.verdicts
    shown = ", ".join(sorted(verdicts))
    for word in _VERDICT_WORDS:
        for match in word.words.finditer(text):
            negated = _negated(text, match.start())
            if negated and word.negated_fits is not None and not verdicts & word.negated_fits:
                return f"says {match.group(0)!r} negated, but the cited findings are {shown}"
            if negated:
                continue
            if not verdicts & word.fits:
                return f"speaks of {word.what} ({match.group(0)!r}), but the cited findings are {shown}"
            if word.needs_independent_sources and not any(
                f.verdict == "agree" and len(f.original_sources) >= 2 for f in cited.findings
            ):
                return (
                    f"speaks of {word.what} ({match.group(0)!r}), but no cited finding has two or more "
                    "independent original sources agreeing"
                )
    return None


# --- 7. Negated facts -----------------------------------------------------------

_NOT_FACTS = frozenset({
    "the", "any", "such", "single", "further", "other", "more", "than", "that", "this", "these", "those",
    "there", "been", "being", "were", "have", "having", "does", "doing", "also", "only", "even", "ever",
    "much", "many", "some", "their", "them", "they", "from", "with", "into", "onto", "about", "said",
    "says", "saying", "reported", "reports", "report", "known", "longer", "once", "clear", "sign", "word",
    "evidence", "mention", "mentions", "mentioned",
})  # fmt: skip


def _same_word(a: str, b: str) -> bool:
    """Two forms of one word ("airstrike"/"airstrikes", "fire"/"fired")."""
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 4 and longer.startswith(shorter)


def _negated_facts(text: str, cited: _Cited) -> str | None:
    """ "No airstrikes" drops a sentence whose cited values report airstrikes."""
    stated: list[str] = []
    negated: list[str] = []
    for value in cited.values:
        stated.extend(w.casefold() for w in re.findall(r"[\w'\u2019-]+", value.value))
        for match in _NEGATOR.finditer(value.value):
            negated.extend(_words_after(value.value, match.end(), _NEGATION_REACH))
    for match in _NEGATOR.finditer(text):
        following = _words_after(text, match.end(), 3)
        if following[:1] == ["only"]:
            continue  # "not only X but also Y" affirms X
        fact = next(
            (w for w in following if len(w) >= 4 and w.isalpha() and w not in _NOT_FACTS),
            None,
        )
        if fact is None:
            continue
        if any(_same_word(fact, w) for w in stated) and not any(_same_word(fact, w) for w in negated):
            return f"denies {fact!r} ({match.group(0)} {fact}), which a cited finding reports"
    return None


# --- 8. Stance: reported is not proven ------------------------------------------

_PROOF_WORDS = re.compile(
    r"\b(prov(?:e|es|ed|en|ing)|proof|established|it is certain|is certain|for certain|certainly|definitely|"
    r"conclusive(?:ly)?|undeniabl[ey]|incontrovertibl[ey]|indisputabl[ey]|beyond (?:any |all )?doubt|"
    r"without (?:any |a )?doubt)\b",
    re.IGNORECASE,
)


def _upgraded_stance(text: str, cited: _Cited) -> str | None:
    """ "The coalition proved" is more than "the coalition says"."""
    hedged = sorted({v.stance for v in cited.values if v.stance != "asserted"})
    if not hedged:
        return None
    for match in _PROOF_WORDS.finditer(text):
        if match.group(0).casefold().startswith("without") or not _negated(
            text, match.start(), _NEGATION_REACH
        ):
            return (
                f"presents as proven ({match.group(0)!r}) what the cited findings only give as "
                f"{' or '.join(hedged)}"
            )
    return None


def check_summary(
    drafts: list[SummaryDraft], report: Report, gazetteer: Gazetteer | None = None
) -> tuple[list[SummarySentence], list[DroppedSentence]]:
    kept: list[SummarySentence] = []
    dropped: list[DroppedSentence] = []
    for draft in drafts:
        reason = check_sentence(draft, report, gazetteer)
        if reason is None:
            ids = list(dict.fromkeys(draft.finding_ids))
            kept.append(SummarySentence(text=" ".join(draft.text.split()), finding_ids=ids))
        else:
            dropped.append(DroppedSentence(text=draft.text, finding_ids=draft.finding_ids, reason=reason))
    return kept, dropped


def summary_record_command() -> str:
    return "reconcile brief PATHS... -o brief.html --summary --record DIR --model MODEL"


async def summarize_async(
    report: Report, client: LLMClient, *, gazetteer: Gazetteer | None = None
) -> SummaryOutcome:
    """Ask the model for the executive summary of ``report`` and keep only supported sentences.

    ``gazetteer``: the one the report's places were resolved with (default: the built-in one).

    With no findings there is nothing to summarise and no call is made. Raises
    what ``LLMClient.structured`` raises (``CallFailed``, ``FixtureError``).
    """
    findings_json, input_sha256 = summary_input(report)
    if not report.findings:
        return SummaryOutcome()
    prompt = render_summary_prompt(findings_json, mode=client.mode)
    result = await client.structured(
        STAGE,
        prompt,
        SummaryResponse,
        input_sha256=input_sha256,
        record_command=summary_record_command(),
    )
    kept, dropped = check_summary(result.value.sentences, report, gazetteer)
    return SummaryOutcome(kept, dropped, result.usage, getattr(result, "recorded_by", None))


# --- Hand-written answers ------------------------------------------------------

HAND_WRITTEN = "hand-written"


def write_summary_fixture(
    drafts: list[SummaryDraft], report: Report, out_dir: str | Path, *, mode: str = "tools"
) -> Path:
    """Record a hand-written summary for ``report`` as a replayable exchange in ``out_dir``.

    The answer goes through the real client in record mode (openai + instructor
    parse it, the request is the one the prompt produces), served by a local
    transport instead of an endpoint, and is labelled ``recorded_by: hand-written``.
    """
    import asyncio

    from pydantic import SecretStr

    from reconcile.llm.config import LLMSettings
    from reconcile.llm.fixtures import raw_response_body  # it imports this module
    from reconcile.llm.transport import CapturingTransport, ReplayPlan, ReplayTransport, current_replay

    findings_json, input_sha256 = summary_input(report)
    prompt = render_summary_prompt(findings_json, mode=mode)
    body = raw_response_body(SummaryResponse(sentences=drafts), mode)
    settings = LLMSettings(
        model=HAND_WRITTEN,
        api_key=SecretStr(HAND_WRITTEN),
        base_url="http://replay.invalid/v1",
        mode=mode,  # type: ignore[arg-type]
        cache_dir=None,
        record_dir=Path(out_dir),
    )

    async def record() -> None:
        client = LLMClient(settings, transport=CapturingTransport(ReplayTransport()))
        token = current_replay.set(ReplayPlan(bodies=[body]))
        try:
            await client.structured(STAGE, prompt, SummaryResponse, input_sha256=input_sha256)
        finally:
            current_replay.reset(token)
            await client.aclose()

    Path(out_dir).mkdir(parents=True, exist_ok=True)
    asyncio.run(record())
    from reconcile.llm.replay import ExchangeStore

    found = ExchangeStore(Path(out_dir)).find(STAGE, input_sha256, 0, mode)
    if found is None:  # the client records every answered call; a miss means it was not answered
        raise FixtureError(f"the hand-written summary could not be recorded in {out_dir}")
    return found[0]
