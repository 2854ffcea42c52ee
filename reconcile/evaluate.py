"""Evaluation: score a run (a ``Report``) against hand-made gold annotations.

Four questions, each answered with numbers:

- claims: did the run find the claims a careful reader finds? A run claim matches a
  gold claim when article and facet are the same, the quotes overlap (character
  offsets, or fuzzy text when offsets are unknown) and the values agree (same
  numbers, similar words). Matching is one-to-one and greedy by score.
- grouping: are the matched claims grouped into the same events as in gold?
  Pairwise precision/recall/F1 and B-cubed. Pairs that gold marks as uncertain
  (two events that may or may not be one) are neither rewarded nor penalised in
  these; each uncertain pair is counted apart as linked as possibly the same
  (right), merged (a silent merge) or kept apart with no link (missed).
- findings: run findings are paired one-to-one with gold findings (same facet,
  most shared claims, so the same event or place). For each gold finding, is the
  verdict right (``also_accept`` verdicts are right but counted as borderline),
  and are the outlets and independent original sources counted right? With a
  confusion table, finding precision and recall (all findings, and comparisons
  only: verdict not ``single_source``), and the false contradictions: run
  findings saying ``contradict`` where gold neither says nor accepts it.
- grounding: the share of the run's claims whose quote and numbers were found.

Deterministic; reads nothing but its arguments (``load_gold`` reads the gold files).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError
from rapidfuzz import fuzz, utils

from reconcile.errors import InputError
from reconcile.models import (
    VERDICTS,
    Article,
    Claim,
    ClaimMatch,
    ClaimScores,
    EvalResult,
    Finding,
    FindingCheck,
    FindingMatching,
    FindingScores,
    Gold,
    GoldClaim,
    GoldEvent,
    GoldFinding,
    GroundingScores,
    GroupingScores,
    PrecisionRecall,
    Report,
)
from reconcile.numbers import numbers_in

# A run claim must overlap the gold quote by at least half of the shorter quote, and
# its value must read alike (token-set similarity) with no conflicting number.
QUOTE_OVERLAP_FLOOR = 0.5
VALUE_SIMILARITY_FLOOR = 0.6
MISSING = "missing"  # the confusion-table column for gold findings the run does not have

_GOLD_SUFFIXES = (".yaml", ".yml", ".json")


# --- Loading gold ------------------------------------------------------------


def load_gold(path: str | Path) -> Gold:
    """Read gold annotations from a directory of YAML/JSON files (merged) or from one file."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in _GOLD_SUFFIXES and p.is_file())
        if not files:
            raise InputError(f"{path}: no gold files (*.yaml, *.yml, *.json) in this directory")
    elif path.is_file():
        files = [path]
    else:
        raise InputError(f"{path}: gold annotations not found (give a directory or a YAML/JSON file)")
    parts = [_read_gold_file(file) for file in files]
    if len(parts) == 1:
        return parts[0]
    articles: dict[str, str] = {}
    for file, part in zip(files, parts, strict=True):
        for alias, name in part.articles.items():
            if articles.get(alias, name) != name:
                raise InputError(
                    f"{file}: article alias {alias!r} means {name}, "
                    f"but another gold file says {articles[alias]}"
                )
            articles[alias] = name
    try:
        return Gold(
            articles=articles,
            events=[event for part in parts for event in part.events],
            uncertain_pairs=[pair for part in parts for pair in part.uncertain_pairs],
            places=[place for part in parts for place in part.places],
        )
    except ValidationError as error:
        raise InputError(f"{path}: the gold files do not fit together: {_first_error(error)}") from None


def _read_gold_file(path: Path) -> Gold:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))  # YAML also reads JSON
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the gold file ({error})") from None
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML ({_one_line(str(error))})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: a gold file is a mapping with 'articles', 'events' and 'uncertain_pairs'")
    try:
        return Gold.model_validate(data)
    except ValidationError as error:
        raise InputError(f"{path}: invalid gold annotations: {_first_error(error)}") from None


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    extra = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{where + ': ' if where else ''}{message}{extra}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def load_report(path: str | Path) -> Report:
    """Read a run to evaluate: a report JSON file (``models.Report``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            f"{path}: cannot read the report ({getattr(error, 'strerror', None) or error})"
        ) from None
    try:
        return Report.model_validate_json(text)
    except ValidationError as error:
        raise InputError(f"{path}: not a report JSON file: {_first_error(error)}") from None


# --- Gold helpers ------------------------------------------------------------


def gold_claim_id(event: GoldEvent, index: int) -> str:
    return f"{event.id}#{index + 1}"


def gold_findings(event: GoldEvent, gold: Gold | None = None) -> list[GoldFinding]:
    """The event's findings, with ``single_source`` filled in for facets only one article reports."""
    explicit = {f.facet: f for f in event.findings}
    findings: list[GoldFinding] = []
    for facet in dict.fromkeys(c.facet for c in event.claims):  # in order of first claim
        if facet in explicit:
            findings.append(explicit[facet])
            continue
        claims = [c for c in event.claims if c.facet == facet]
        sources = dict.fromkeys(_source_label(c, gold) for c in claims)
        findings.append(
            GoldFinding(
                facet=facet,
                verdict="single_source",
                outlets=1,
                original_sources=list(sources),
                reason="only one article reports this",
            )
        )
    return findings


def _source_label(claim: GoldClaim, gold: Gold | None) -> str:
    # The outlet's own voice is its own source, distinct per article.
    if claim.source.strip().lower() == "outlet":
        article = gold.articles.get(claim.article, claim.article) if gold else claim.article
        return f"{article} (own voice)"
    return claim.source


# --- Matching claims ---------------------------------------------------------


@dataclass(frozen=True)
class _GoldItem:
    id: str
    event_id: str
    article_id: str | None  # None: the article is not in the run
    claim: GoldClaim
    spans: tuple[tuple[int, int], ...]  # where the quote sits in the article text


def _article_keys(article: Article) -> set[str]:
    keys = {article.id}
    if article.path:
        keys.update({Path(article.path).name, Path(article.path).stem})
    return keys


def _resolve_articles(report: Report, gold: Gold) -> tuple[dict[str, str | None], dict[str, str]]:
    """Map every gold article reference to a run article id; also give the texts known."""
    by_key: dict[str, str] = {}
    for article in report.articles:
        for key in _article_keys(article):
            by_key.setdefault(key, article.id)
    for run_claim in report.claims:  # a run without article texts still names its articles
        by_key.setdefault(run_claim.article_id, run_claim.article_id)
    resolved: dict[str, str | None] = {}
    for event in gold.events:
        for claim in event.claims:
            name = gold.articles.get(claim.article, claim.article)
            candidates = [name, Path(name).name, Path(name).stem, _as_id(Path(name).stem)]
            resolved[claim.article] = next((by_key[c] for c in candidates if c in by_key), None)
    texts = {a.id: a.text for a in report.articles}
    return resolved, texts


def _as_id(stem: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("._-")


def _spans(quote: str, text: str | None) -> tuple[tuple[int, int], ...]:
    if not text:
        return ()
    found: list[tuple[int, int]] = []
    start = text.find(quote)
    while start != -1 and len(found) < 10:
        found.append((start, start + len(quote)))
        start = text.find(quote, start + 1)
    return tuple(found)


def _quote_overlap(item: _GoldItem, claim: Claim) -> float:
    quote = claim.quote
    if quote.match == "not_found":
        return 0.0  # the run itself found no such words in the article: a paraphrase or an invention
    if item.spans and quote.start is not None and quote.end is not None and quote.end > quote.start:
        best = 0.0
        for start, end in item.spans:
            shared = min(end, quote.end) - max(start, quote.start)
            if shared > 0:
                best = max(best, shared / min(end - start, quote.end - quote.start))
        return best
    return fuzz.partial_ratio(claim.quote.text, item.claim.quote, processor=utils.default_process) / 100


def _value_similarity(gold_value: str, claim: Claim) -> float:
    gold_numbers = set(numbers_in(gold_value))
    run_numbers = set(numbers_in(claim.value))
    if claim.number is not None and claim.number != 0:
        run_numbers.add(claim.number)
    if gold_numbers and run_numbers and not gold_numbers & run_numbers:
        return 0.0  # "six rockets" is not "eight rockets", however alike the words
    return fuzz.token_set_ratio(gold_value, claim.value, processor=utils.default_process) / 100


def _match_claims(items: list[_GoldItem], claims: list[Claim]) -> list[tuple[_GoldItem, Claim, float]]:
    by_key: dict[tuple[str, str], list[tuple[int, Claim]]] = defaultdict(list)
    for order, claim in enumerate(claims):
        by_key[(claim.article_id, claim.facet)].append((order, claim))
    candidates: list[tuple[float, int, int, _GoldItem, Claim]] = []
    for gold_order, item in enumerate(items):
        if item.article_id is None:
            continue
        for order, claim in by_key.get((item.article_id, item.claim.facet), []):
            overlap = _quote_overlap(item, claim)
            if overlap < QUOTE_OVERLAP_FLOOR:
                continue
            similarity = _value_similarity(item.claim.value, claim)
            if similarity < VALUE_SIMILARITY_FLOOR:
                continue
            candidates.append((overlap + similarity, gold_order, order, item, claim))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    taken_gold: set[str] = set()
    taken_run: set[str] = set()
    matches: list[tuple[_GoldItem, Claim, float]] = []
    for score, _, _, item, claim in candidates:
        if item.id in taken_gold or claim.id in taken_run:
            continue
        taken_gold.add(item.id)
        taken_run.add(claim.id)
        matches.append((item, claim, round(score / 2, 4)))
    return matches


# --- Scores ------------------------------------------------------------------


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _prf(precision: float | None, recall: float | None) -> PrecisionRecall:
    if precision is None or recall is None:
        f1 = None
    elif precision + recall == 0:
        f1 = 0.0
    else:
        f1 = 2 * precision * recall / (precision + recall)
    return PrecisionRecall(precision=precision, recall=recall, f1=f1)


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _grouping(matches: list[tuple[_GoldItem, Claim, float]], report: Report, gold: Gold) -> GroupingScores:
    event_of_claim: dict[str, str] = {}
    for event in report.events:
        for claim_id in event.claim_ids:
            event_of_claim.setdefault(claim_id, event.id)
    # A claim the run left out of every event is an event of its own.
    assigned = [
        (item.event_id, event_of_claim.get(claim.id, f"claim:{claim.id}")) for item, claim, _ in matches
    ]
    uncertain = {frozenset(pair.events) for pair in gold.uncertain_pairs}
    partners: dict[str, set[str]] = defaultdict(set)
    for pair in gold.uncertain_pairs:
        a, b = pair.events
        partners[a].add(b)
        partners[b].add(a)

    cell = Counter(assigned)  # (gold event, run event) -> matched claims
    gold_size = Counter(g for g, _ in assigned)
    run_size = Counter(r for _, r in assigned)
    per_run: dict[str, Counter[str]] = defaultdict(Counter)
    for (g, r), n in cell.items():
        per_run[r][g] += n

    correct = sum(_pairs(n) for n in cell.values())
    gold_pairs = sum(_pairs(n) for n in gold_size.values())
    # Pairs the run put together across two events gold calls uncertain: not counted either way.
    excused = sum(
        counts[a] * counts[b]
        for counts in per_run.values()
        for a, b in (tuple(p) for p in uncertain)
        if a != b
    )
    predicted_pairs = sum(_pairs(n) for n in run_size.values()) - excused

    precisions: list[float] = []
    recalls: list[float] = []
    for (g, r), n in cell.items():
        excused_here = sum(per_run[r][h] for h in partners[g])
        precisions.extend([n / (run_size[r] - excused_here)] * n)
        recalls.extend([n / gold_size[g]] * n)

    # An uncertain pair is shown right when kept apart and linked as possibly the same; merging
    # it is a silent merge (a reader never learns it might be two events); no link misses it.
    linked = merged = 0
    links = {(e.id, link.event_id) for e in report.events for link in e.possibly_same_as}
    for pair in gold.uncertain_pairs:
        a, b = pair.events
        run_a = {r for g, r in assigned if g == a}
        run_b = {r for g, r in assigned if g == b}
        if run_a & run_b:
            merged += 1
        elif any((x, y) in links or (y, x) in links for x in run_a for y in run_b):
            linked += 1

    return GroupingScores(
        claims_scored=len(assigned),
        pairwise=_prf(_ratio(correct, predicted_pairs), _ratio(correct, gold_pairs)),
        bcubed=_prf(_ratio(sum(precisions), len(precisions)), _ratio(sum(recalls), len(recalls))),
        gold_pairs=gold_pairs,
        predicted_pairs=predicted_pairs,
        correct_pairs=correct,
        uncertain_pairs=len(gold.uncertain_pairs),
        uncertain_pairs_shown=linked + merged,
        uncertain_pairs_linked=linked,
        uncertain_pairs_merged=merged,
        uncertain_pairs_missed=len(gold.uncertain_pairs) - linked - merged,
    )


@dataclass(frozen=True)
class _Expected:
    """One gold finding and the gold claims it rests on."""

    where: str  # the gold event or place id
    finding: GoldFinding
    claim_ids: tuple[str, ...]


def _expected_findings(gold: Gold) -> list[_Expected]:
    expected: list[_Expected] = []
    for event in gold.events:
        for finding in gold_findings(event, gold):
            ids = tuple(
                gold_claim_id(event, i)
                for i, claim in enumerate(event.claims)
                if claim.facet == finding.facet
            )
            expected.append(_Expected(event.id, finding, ids))
    for place in gold.places:
        # How a place is described: the claims' own facets differ (an outcome, a target), the finding's
        # facet is the description's.
        expected.append(_Expected(place.id, place.finding, tuple(place.claims)))
    return expected


def _pair_findings(
    expected: list[_Expected], matches: list[tuple[_GoldItem, Claim, float]], report: Report
) -> dict[int, Finding]:
    """Gold finding (by position) -> its run finding: same facet, most shared claims, one-to-one.

    The shared claims tie a run finding to the gold event (or place): a finding on the right
    facet of another event shares none. Best overlap first; ties go to gold order, then run order.
    """
    run_claim_of = {item.id: claim.id for item, claim, _ in matches}
    claims_of_finding = [{v.claim_id for v in f.values} for f in report.findings]
    candidates: list[tuple[int, int, int]] = []
    for gold_order, item in enumerate(expected):
        wanted = {run_claim_of[i] for i in item.claim_ids if i in run_claim_of}
        for run_order, finding in enumerate(report.findings):
            if finding.facet == item.finding.facet:
                overlap = len(claims_of_finding[run_order] & wanted)
                if overlap:
                    candidates.append((overlap, gold_order, run_order))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    paired: dict[int, Finding] = {}
    taken: set[int] = set()
    for _, gold_order, run_order in candidates:
        if gold_order not in paired and run_order not in taken:
            paired[gold_order] = report.findings[run_order]
            taken.add(run_order)
    return paired


def _matching(
    expected: list[_Expected], paired: dict[int, Finding], report: Report, *, comparisons_only: bool
) -> FindingMatching:
    """Precision over run findings, recall over gold findings; comparisons: verdict not single_source."""

    def counts(verdict: str) -> bool:
        return not comparisons_only or verdict != "single_source"

    gold_ids = [i for i, item in enumerate(expected) if counts(item.finding.verdict)]
    run = [f for f in report.findings if counts(f.verdict)]
    matched_run = {paired[i].id for i in gold_ids if i in paired and counts(paired[i].verdict)}
    matched = len(matched_run)
    return FindingMatching(
        gold=len(gold_ids),
        run=len(run),
        matched=matched,
        unmatched_run=[f.id for f in run if f.id not in matched_run],
        **_prf(_ratio(matched, len(run)), _ratio(matched, len(gold_ids))).model_dump(),
    )


def _findings(
    matches: list[tuple[_GoldItem, Claim, float]], report: Report, gold: Gold
) -> tuple[FindingScores, list[FindingCheck]]:
    expected = _expected_findings(gold)
    paired = _pair_findings(expected, matches, report)
    checks: list[FindingCheck] = []
    confusion: dict[str, dict[str, int]] = {v: dict.fromkeys((*VERDICTS, MISSING), 0) for v in VERDICTS}
    for order, item in enumerate(expected):
        wanted = item.finding
        best = paired.get(order)
        predicted = best.verdict if best else None
        confusion[wanted.verdict][predicted or MISSING] += 1
        accepted = predicted is not None and (predicted == wanted.verdict or predicted in wanted.also_accept)
        checks.append(
            FindingCheck(
                event_id=item.where,
                facet=wanted.facet,
                gold_verdict=wanted.verdict,
                predicted_verdict=predicted,
                correct=accepted,
                borderline=accepted and predicted != wanted.verdict,
                finding_id=best.id if best else None,
                gold_sources=len(wanted.original_sources),
                predicted_sources=len(best.original_sources) if best else None,
                gold_outlets=wanted.outlets,
                predicted_outlets=len(best.outlets) if best else None,
            )
        )
    # A contradiction the run reports where gold sees none is the costliest error for a reader.
    gold_of_run = {paired[i].id: expected[i].finding for i in paired}
    false_contradictions = [
        f.id
        for f in report.findings
        if f.verdict == "contradict"
        and (
            f.id not in gold_of_run
            or "contradict" not in {gold_of_run[f.id].verdict, *gold_of_run[f.id].also_accept}
        )
    ]
    found = [c for c in checks if c.finding_id is not None]
    sources_right = sum(c.predicted_sources == c.gold_sources for c in found)
    outlets_right = sum(c.predicted_outlets == c.gold_outlets for c in found)
    correct = sum(c.correct for c in checks)
    borderline = sum(c.borderline for c in checks)
    scores = FindingScores(
        gold=len(checks),
        found=len(found),
        correct=correct,
        accuracy=_ratio(correct, len(checks)),
        confusion=confusion,
        source_count_correct=sources_right,
        source_count_accuracy=_ratio(sources_right, len(found)),
        outlet_count_correct=outlets_right,
        outlet_count_accuracy=_ratio(outlets_right, len(found)),
        extra_predicted=len(report.findings) - len(paired),
        borderline=borderline,
        strict_accuracy=_ratio(correct - borderline, len(checks)),
        matching=_matching(expected, paired, report, comparisons_only=False),
        cross_source_matching=_matching(expected, paired, report, comparisons_only=True),
        false_contradictions=false_contradictions,
    )
    return scores, checks


def evaluate(report: Report, gold: Gold, *, articles: Iterable[Article] | None = None) -> EvalResult:
    """Score ``report`` against ``gold``: claims, event grouping, findings and grounding.

    ``articles`` supplies article texts when the report carries none; with no texts,
    quotes are compared as text (fuzzy) instead of by character offsets.
    """
    resolved, texts = _resolve_articles(report, gold)
    for article in articles or ():
        texts.setdefault(article.id, article.text)
    items: list[_GoldItem] = []
    for event in gold.events:
        for index, claim in enumerate(event.claims):
            article_id = resolved[claim.article]
            spans = _spans(claim.quote, texts.get(article_id)) if article_id else ()
            items.append(_GoldItem(gold_claim_id(event, index), event.id, article_id, claim, spans))

    matches = _match_claims(items, report.claims)
    matched_gold = {item.id for item, _, _ in matches}
    matched_run = {claim.id for _, claim, _ in matches}
    precision = _ratio(len(matches), len(report.claims))
    recall = _ratio(len(matches), len(items))
    claim_scores = ClaimScores(
        gold=len(items),
        predicted=len(report.claims),
        matched=len(matches),
        **_prf(precision, recall).model_dump(),
    )
    finding_scores, checks = _findings(matches, report, gold)
    grounded = sum(claim.grounded for claim in report.claims)
    missing_articles = sorted(
        {gold.articles.get(ref, ref) for ref, run_id in resolved.items() if run_id is None}
    )
    return EvalResult(
        claims=claim_scores,
        grouping=_grouping(matches, report, gold),
        findings=finding_scores,
        grounding=GroundingScores(
            claims=len(report.claims), grounded=grounded, rate=_ratio(grounded, len(report.claims))
        ),
        matches=[
            ClaimMatch(gold_id=item.id, claim_id=claim.id, score=score) for item, claim, score in matches
        ],
        unmatched_gold=[item.id for item in items if item.id not in matched_gold],
        unmatched_predicted=[claim.id for claim in report.claims if claim.id not in matched_run],
        finding_checks=checks,
        missing_articles=missing_articles,
    )


def format_score(value: float | None) -> str:
    """0.8333 -> "0.833"; None -> "n/a" (nothing to divide by)."""
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:.3f}"
