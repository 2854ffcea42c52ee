"""Grounding: find each claim's quote in its article and check its numbers against it.

A quote is looked for exactly, then after normalising (whitespace, quote marks,
dashes, ellipses, case), then by fuzzy alignment above a similarity floor. Offsets
are always into the ORIGINAL article text, so ``text[start:end]`` is what a reader
sees highlighted. A claim whose quote is not found, or whose numbers are not in the
quoted words, is kept but marked ungrounded: it never counts as support.

Article text and quotes are untrusted: no regex is built from them unescaped, and
nothing here raises on empty, huge or strange input.
"""

from __future__ import annotations

import bisect
import functools
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz

from reconcile.errors import InputError
from reconcile.models import Article, Claim, Grounding, Quote
from reconcile.numbers import number_in_text, numbers_in

DEFAULT_FUZZY_FLOOR = 90.0
# Below this many characters a fuzzy match is meaningless ("six" is 67% like "sixty").
MIN_FUZZY_CHARS = 8
# A real quote is a sentence or two; longer ones are only looked for exactly or normalised.
MAX_FUZZY_QUOTE_CHARS = 5_000
# Texts up to this size are aligned in one pass; longer ones only around anchor words.
FULL_FUZZY_SCAN_CHARS = 1_000_000
MAX_ANCHOR_WINDOWS = 400
# How many occurrences of a repeated quote are weighed when picking the one nearest the hint.
MAX_CANDIDATES = 64

_QUOTE_MARKS = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
}
_DASHES = dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-")
_ZERO_WIDTH = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# Characters whose normal form has a different length: runs of whitespace, the
# ellipsis character, invisible characters. Everything else folds one to one.
_RESIZING = re.compile(r"\s{2,}|\u2026|[" + _ZERO_WIDTH + "]")
_WORD_CHAR = re.compile(r"\w")
_ANCHOR_WORD = re.compile(r"\w{4,}")
# English, and Arabic for quotes kept in Arabic script ("لم يسفر عن أي إصابات": caused no
# casualties), where the conjunctions "و"/"ف" may be joined to the particle.
_NEGATION = re.compile(
    r"\b(?:no|none|not|never|nobody|nothing|neither|nor|without|zero|no-one)\b|n't\b|\b0\b"
    r"|\b[وف]?(?:لا|لم|لن|ليس|ليست|دون|بدون|بلا|عدم|صفر)\b",
    re.IGNORECASE,
)


def _fold_char(char: str) -> str:
    """One character's normal form, always one character long."""
    if char in _QUOTE_MARKS:
        return _QUOTE_MARKS[char]
    if char in _DASHES:
        return "-"
    if char.isspace():
        return " "
    for folded in (char.casefold(), char.lower()):
        if len(folded) == 1:
            return folded
    return char  # "ß" -> "ss" would shift offsets; such characters stay as they are


@dataclass(frozen=True)
class _Folded:
    """A normalised text and the way back from its positions to the original ones.

    Segments are stored, not one entry per character, so a 10 MB article costs a
    few arrays of breakpoints: a segment either maps one to one (most text) or is
    a whole run (several spaces, an ellipsis) that maps to its original span.
    """

    text: str
    norm_starts: array[int]
    orig_starts: array[int]
    orig_lengths: array[int]  # -1 marks a one-to-one segment

    def _segment(self, norm_pos: int) -> int:
        return bisect.bisect_right(self.norm_starts, norm_pos) - 1

    def orig_start(self, norm_pos: int) -> int:
        seg = self._segment(norm_pos)
        if self.orig_lengths[seg] < 0:
            return self.orig_starts[seg] + norm_pos - self.norm_starts[seg]
        return self.orig_starts[seg]

    def orig_end(self, norm_end: int) -> int:
        """Original end offset of a normalised span ending (exclusively) at ``norm_end``."""
        if norm_end <= 0:
            return 0
        seg = self._segment(norm_end - 1)
        if self.orig_lengths[seg] < 0:
            return self.orig_starts[seg] + norm_end - self.norm_starts[seg]
        return self.orig_starts[seg] + self.orig_lengths[seg]

    def norm_pos(self, orig_pos: int) -> int:
        """Normalised position of an original offset (used to carry a hint span across)."""
        seg = max(bisect.bisect_right(self.orig_starts, orig_pos) - 1, 0)
        if self.orig_lengths[seg] < 0:
            return self.norm_starts[seg] + max(orig_pos - self.orig_starts[seg], 0)
        return self.norm_starts[seg]


def _fold_uncached(text: str) -> _Folded:
    """Normalise ``text`` keeping the map back to original offsets."""
    table = {ord(c): f for c in set(text) if (f := _fold_char(c)) != c}
    pieces: list[str] = []
    norm_starts, orig_starts, orig_lengths = array("q"), array("q"), array("q")
    norm_len = 0
    orig_pos = 0

    def one_to_one(until: int) -> None:
        nonlocal norm_len
        if until > orig_pos:
            piece = text[orig_pos:until].translate(table)
            norm_starts.append(norm_len)
            orig_starts.append(orig_pos)
            orig_lengths.append(-1)
            pieces.append(piece)
            norm_len += len(piece)

    for match in _RESIZING.finditer(text):
        one_to_one(match.start())
        found = match.group(0)
        replacement = "..." if found == "\u2026" else "" if found in _ZERO_WIDTH else " "
        if replacement:
            norm_starts.append(norm_len)
            orig_starts.append(match.start())
            orig_lengths.append(len(found))
            pieces.append(replacement)
            norm_len += len(replacement)
        orig_pos = match.end()
    one_to_one(len(text))
    if not norm_starts:  # empty text: one empty segment keeps the lookups simple
        norm_starts.append(0)
        orig_starts.append(0)
        orig_lengths.append(-1)
    return _Folded("".join(pieces), norm_starts, orig_starts, orig_lengths)


# Every claim of an article needs the same folded article; quotes go through the uncached one.
_fold = functools.lru_cache(maxsize=8)(_fold_uncached)


def normalize_text(text: str) -> str:
    """Whitespace collapsed, quote marks, dashes and ellipses unified, case folded, trimmed.

    Also drops what models add around a quote: leading or trailing "..." and one
    pair of enclosing quotation marks. Two strings that read the same to a person
    checking a quote normalise to the same string.
    """
    folded = _fold_uncached(text).text.strip(" ")
    while folded.startswith("...") or folded.endswith("..."):
        folded = folded.removeprefix("...").removesuffix("...").strip(" ")
    if len(folded) >= 2 and folded[0] == folded[-1] and folded[0] in "\"'":
        folded = folded[1:-1].strip(" ")
    return folded


def _bounded(text: str, start: int, end: int) -> bool:
    """True if the span does not cut a word in two at either end."""
    before_ok = start == 0 or not (_WORD_CHAR.match(text[start - 1]) and _WORD_CHAR.match(text[start]))
    after_ok = end >= len(text) or not (_WORD_CHAR.match(text[end - 1]) and _WORD_CHAR.match(text[end]))
    return before_ok and after_ok


def _occurrences(haystack: str, needle: str, start: int, end: int, limit: int) -> Iterator[int]:
    pos = haystack.find(needle, start, end)
    while pos >= 0 and limit > 0:
        yield pos
        limit -= 1
        pos = haystack.find(needle, pos + 1, end)


def _occurrences_before(haystack: str, needle: str, end: int, limit: int) -> Iterator[int]:
    pos = haystack.rfind(needle, 0, end)
    while pos >= 0 and limit > 0:
        yield pos
        limit -= 1
        pos = haystack.rfind(needle, 0, pos + len(needle) - 1)


def _find(haystack: str, needle: str, hint: tuple[int, int] | None) -> int | None:
    """Start of the best occurrence of ``needle``: inside the hint, else nearest to it.

    Whole-word occurrences win over ones that cut a word ("ten" in "often").
    """
    if not needle:
        return None
    if hint is None:
        candidates = list(_occurrences(haystack, needle, 0, len(haystack), MAX_CANDIDATES))
        lo = hi = 0
    else:
        lo, hi = hint
        inside = list(_occurrences(haystack, needle, lo, hi, MAX_CANDIDATES))
        if inside:
            candidates = inside
        else:
            candidates = [
                *_occurrences(haystack, needle, lo, len(haystack), MAX_CANDIDATES),
                *_occurrences_before(haystack, needle, hi, MAX_CANDIDATES),
            ]
    if not candidates:
        return None

    def rank(pos: int) -> tuple[bool, int, int]:
        end = pos + len(needle)
        distance = 0 if hint is None or (pos < hi and lo < end) else min(abs(pos - hi), abs(lo - end))
        return (not _bounded(haystack, pos, end), distance, pos)

    return min(candidates, key=rank)


def _clean_hint(hint: tuple[int, int] | None, length: int) -> tuple[int, int] | None:
    if hint is None:
        return None
    lo, hi = (max(0, min(int(v), length)) for v in hint)
    return (lo, hi) if lo < hi else None


@dataclass(frozen=True)
class _Located:
    quote: Quote
    best_score: float | None = None  # best fuzzy score seen, even below the floor


def _locate(quote: str, text: str, fuzzy_floor: float, hint: tuple[int, int] | None) -> _Located:
    hint = _clean_hint(hint, len(text))
    if not quote.strip() or not text:
        return _Located(Quote(text=quote, match="not_found"))

    start = _find(text, quote, hint)
    if start is not None:
        return _Located(Quote(text=quote, start=start, end=start + len(quote), match="exact"))

    wanted = normalize_text(quote)
    if not wanted:  # only marks and dots
        return _Located(Quote(text=quote, match="not_found"))
    folded = _fold(text)
    norm_hint = (folded.norm_pos(hint[0]), folded.norm_pos(hint[1])) if hint else None
    norm_start = _find(folded.text, wanted, norm_hint)
    if norm_start is not None:
        start = folded.orig_start(norm_start)
        end = folded.orig_end(norm_start + len(wanted))
        return _Located(Quote(text=quote, start=start, end=end, match="normalized"))

    if len(wanted) < MIN_FUZZY_CHARS or len(wanted) > MAX_FUZZY_QUOTE_CHARS:
        return _Located(Quote(text=quote, match="not_found"))
    span, score = _fuzzy(wanted, folded.text, norm_hint, fuzzy_floor)
    if span is not None and score >= fuzzy_floor:
        start, end = folded.orig_start(span[0]), folded.orig_end(span[1])
        return _Located(Quote(text=quote, start=start, end=end, match="fuzzy", score=round(score, 1)))
    return _Located(Quote(text=quote, match="not_found"), best_score=score if span else None)


def _fuzzy(
    wanted: str, haystack: str, hint: tuple[int, int] | None, floor: float
) -> tuple[tuple[int, int] | None, float]:
    """Best fuzzy span of ``wanted`` in ``haystack`` (both normalised) and its score.

    The hint region (the chunk the claim came from) is tried first; then the whole
    text if it is not huge, else only windows around the quote's rarest words.
    """
    best: tuple[tuple[int, int] | None, float] = (None, 0.0)
    regions: list[tuple[int, int]] = []
    if hint:
        pad = len(wanted)
        regions.append((max(0, hint[0] - pad), min(len(haystack), hint[1] + pad)))
    if len(haystack) <= FULL_FUZZY_SCAN_CHARS:
        regions.append((0, len(haystack)))
    else:
        regions.extend(_anchor_windows(wanted, haystack))
    for index, (lo, hi) in enumerate(regions):
        span, score = _align(wanted, haystack, lo, hi)
        if span is not None and score > best[1]:
            best = (span, score)
        if index == 0 and hint and best[1] >= floor:
            break  # found in the claim's own chunk: do not look elsewhere
    return best


def _align(wanted: str, haystack: str, lo: int, hi: int) -> tuple[tuple[int, int] | None, float]:
    region = haystack[lo:hi]
    if len(region) < len(wanted):
        return ((lo, hi), fuzz.ratio(wanted, region)) if region.strip() else (None, 0.0)
    alignment = fuzz.partial_ratio_alignment(wanted, region)
    if alignment is None:
        return (None, 0.0)
    start, end = _snap_to_words(wanted, region, alignment.dest_start, alignment.dest_end)
    return ((lo + start, lo + end), fuzz.ratio(wanted, region[start:end]))


def _snap_to_words(wanted: str, region: str, start: int, end: int) -> tuple[int, int]:
    """Move the edges of an alignment window to word boundaries where it reads closest.

    The window has the quote's length, so a quote with one longer or shorter word
    gets a window that cuts a word or spills into the next one.
    """
    slack = len(wanted) // 8 + 8

    def edges(pos: int, is_start: bool) -> list[int]:
        near = range(max(0, pos - slack), min(len(region), pos + slack) + 1)
        found = [
            p
            for p in near
            if not _mid_word(region, p)
            and (region[p : p + 1].strip() if is_start else region[p - 1 : p].strip())
        ]
        return sorted(found, key=lambda p: abs(p - pos))[:12] or [pos]

    candidates = [(s, e) for s in edges(start, True) for e in edges(end, False) if e > s]
    return max(candidates, key=lambda s_e: fuzz.ratio(wanted, region[s_e[0] : s_e[1]]), default=(start, end))


def _mid_word(text: str, pos: int) -> bool:
    """True if ``pos`` falls between two word characters."""
    return 0 < pos < len(text) and bool(_WORD_CHAR.match(text[pos - 1]) and _WORD_CHAR.match(text[pos]))


def _anchor_windows(wanted: str, haystack: str) -> list[tuple[int, int]]:
    """Windows of a huge text around occurrences of the quote's rarest longer words."""
    words: dict[str, int] = {}
    for match in _ANCHOR_WORD.finditer(wanted):
        words.setdefault(match.group(0), match.start())
    counted = sorted((haystack.count(word), word) for word in list(words)[:40])
    slack = len(wanted) // 4 + 16
    windows: list[tuple[int, int]] = []
    for count, word in counted:
        if count == 0:
            continue
        if len(windows) >= MAX_ANCHOR_WINDOWS or (windows and count > MAX_ANCHOR_WINDOWS):
            break
        offset = words[word]
        for pos in _occurrences(haystack, word, 0, len(haystack), MAX_ANCHOR_WINDOWS - len(windows)):
            lo = max(0, pos - offset - slack)
            windows.append((lo, min(len(haystack), lo + len(wanted) + 2 * slack)))
    windows.sort()
    merged: list[tuple[int, int]] = []
    for lo, hi in windows:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def locate_quote(
    quote: str,
    text: str,
    *,
    fuzzy_floor: float = DEFAULT_FUZZY_FLOOR,
    hint: tuple[int, int] | None = None,
) -> Quote:
    """Find ``quote`` in ``text``: exactly, then normalised, then fuzzily above ``fuzzy_floor``.

    ``hint`` is a span of ``text`` (usually the chunk the claim came from) where the
    quote is expected; when the quote occurs several times, the occurrence inside or
    nearest the hint is chosen. The returned offsets slice the original text:
    ``text[start:end] == quote`` for an exact match, equal after ``normalize_text``
    for a normalised one, and the best-aligned span (with its score) for a fuzzy one.
    """
    return _locate(quote, text, fuzzy_floor, hint).quote


def locate_expression(
    expression: str, text: str, near: tuple[int, int] | None = None
) -> tuple[int, int] | None:
    """Offsets of a referring expression ("Iran-backed militias") in ``text``, or None.

    Exact, then normalised; never fuzzy, because a near-miss of a short expression
    is a different expression. ``near`` (e.g. the claim's quote) picks among repeats.
    """
    if not expression.strip() or not text:
        return None
    hint = _clean_hint(near, len(text))
    start = _find(text, expression, hint)
    if start is not None:
        return (start, start + len(expression))
    wanted = normalize_text(expression)
    if not wanted:
        return None
    folded = _fold(text)
    norm_hint = (folded.norm_pos(hint[0]), folded.norm_pos(hint[1])) if hint else None
    norm_start = _find(folded.text, wanted, norm_hint)
    if norm_start is None:
        return None
    return (folded.orig_start(norm_start), folded.orig_end(norm_start + len(wanted)))


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _claimed_numbers(claim: Claim) -> list[float]:
    values: list[float] = []
    for value in (claim.number, claim.number_high, *numbers_in(claim.value)):
        if value is not None and not any(abs(value - seen) < 1e-9 for seen in values):
            values.append(value)
    return values


def _claims_none(claim: Claim) -> bool:
    """True for "no casualties", "none" and the like: a zero that needs a negation in the quote."""
    return (
        claim.qualifier == "none"
        or claim.number == 0
        or re.search(r"\b(?:no|none|nobody|nothing|zero)\b|\bno[ -]one\b", claim.value, re.IGNORECASE)
        is not None
    )


def missing_numbers(claim: Claim, quoted: str) -> list[str]:
    """Numbers of the claim's value that the quoted words do not contain (digits or words)."""
    missing: list[str] = []
    for value in _claimed_numbers(claim):
        if value == 0:
            continue  # a zero is checked as a negation below
        if not number_in_text(value, quoted):
            missing.append(_format_number(value))
    if _claims_none(claim) and not _NEGATION.search(quoted):
        missing.append("0")
    return missing


def ground_claim(claim: Claim, text: str, *, hint: tuple[int, int] | None = None) -> Claim:
    """Return a copy of ``claim`` with its quote located in ``text`` and its numbers checked.

    The numbers are checked against the article's own words at the located span,
    not the model's quote, so a fuzzy match that changed "six" into "eight" fails.
    Without a hint, the claim's previous offsets (if any) serve as one.
    """
    if hint is None and claim.quote.start is not None and claim.quote.end is not None:
        hint = (claim.quote.start, claim.quote.end)
    located = _locate(claim.quote.text, text, DEFAULT_FUZZY_FLOOR, hint)
    quote = located.quote
    if quote.start is None or quote.end is None:
        if not claim.quote.text.strip():
            note = "the claim has no quote"
        elif located.best_score:
            note = (
                f"quote not found in the article (closest passage scores {located.best_score:.0f}, "
                f"below the floor of {DEFAULT_FUZZY_FLOOR:.0f})"
            )
        else:
            note = "quote not found in the article"
        grounding = Grounding(status="quote_not_found", note=note)
    else:
        quoted = text[quote.start : quote.end]
        missing = missing_numbers(claim, quoted)
        how = {"exact": "exactly", "normalized": "after normalising"}.get(quote.match)
        how = how or f"by fuzzy match (score {quote.score})"
        where = f"found {how} at {quote.start}-{quote.end}"
        if missing:
            shown = ", ".join("a negation (no/none/not)" if m == "0" else m for m in missing)
            grounding = Grounding(
                status="number_not_in_quote",
                missing_numbers=missing,
                note=f"quote {where}, but it does not contain {shown} from the value {claim.value!r}",
            )
        else:
            grounding = Grounding(status="grounded", note=f"quote {where}")
    return claim.model_copy(update={"quote": quote, "grounding": grounding})


def ground_claims(
    claims: Iterable[Claim], articles: Mapping[str, Article] | Iterable[Article]
) -> list[Claim]:
    """Ground every claim against its article (``articles`` by id, or a list of them)."""
    by_id = dict(articles) if isinstance(articles, Mapping) else {a.id: a for a in articles}
    grounded: list[Claim] = []
    for claim in claims:
        article = by_id.get(claim.article_id)
        if article is None:
            raise InputError(
                f"claim {claim.id} refers to article {claim.article_id!r}, "
                "which is not among the articles given"
            )
        grounded.append(ground_claim(claim, article.text))
    return grounded
