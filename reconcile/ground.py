"""Grounding: find each claim's quote in its article and check its numbers against it.

A quote is looked for exactly, then after normalising (whitespace, quote marks,
dashes, ellipses, case), then by fuzzy alignment above a similarity floor. Offsets
are always into the ORIGINAL article text, so ``text[start:end]`` is what a reader
sees highlighted. A claim whose quote is not found, or whose numbers are not in the
quoted words, is kept but marked ungrounded: it never counts as support.

A fuzzy match forgives wording, never meaning: if the quote and the article's words
at the matched span differ in a negation, a number or a critical word ("killed" for
"wounded"), the claim is ungrounded. A zero ("no casualties") is grounded only by
words that state it, not by any negation somewhere in the quote.

Article text and quotes are untrusted: no regex is built from them unescaped, and
nothing here raises on empty, huge or strange input.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz

from reconcile.errors import InputError
from reconcile.models import Article, Claim, Grounding, Quote
from reconcile.numbers import number_in_text, number_spans, numbers_in

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


# --- What the words say: negations, numbers and other words that carry the meaning -----------------
#
# A fuzzy match forgives what does not change the meaning (punctuation, a typo, a dropped
# "the", "towards" for "toward", British spelling). It must never forgive what does: "the
# militia did fire rockets" scores 96 against "the militia did not fire rockets". So a fuzzy
# quote is compared with the article's own words at the matched span on the words that carry
# the meaning, and any difference leaves the claim ungrounded.

_TOKEN = re.compile(r"[\w\u064b-\u065f\u0670]+(?:'[\w\u064b-\u065f\u0670]+)*")
_ARABIC_MARKS = re.compile(r"[\u064b-\u065f\u0670]")  # Arabic short vowels: optional in writing
# "north-east", "north east" and "northeast" are one spelling of one direction.
_COMPASS_COMPOUND = re.compile(r"\b(north|south)[\s-]+(east|west)")

# Negations, by meaning: "didn't", "did not" and "cannot" all say "not".
_NEGATIONS = {
    "not": "not", "cannot": "not", "no": "no", "never": "never", "neither": "neither", "nor": "nor",
    "none": "none", "nobody": "nobody", "nothing": "nothing", "nowhere": "nowhere",
    "without": "without", "deny": "deny", "denies": "deny", "denied": "deny", "denying": "deny",
    "denial": "deny", "denials": "deny",
}  # fmt: skip
# Arabic particles ("لم يسفر عن أي إصابات": caused no casualties), which may carry the
# conjunction "و" or "ف" joined to them.
_ARABIC_NEGATIONS = frozenset({"لا", "لم", "لن", "ليس", "ليست", "دون", "بدون", "بلا", "عدم"})

# Other words whose change changes the fact, as classes of words that say the same thing
# ("killed" and "dead" are one class; "killed" and "wounded" are not). Kept small on purpose:
# a word missing here is forgiven like any other wording change.
_CRITICAL_CLASSES = {
    "killed": "kill kills killed killing dead die died dies death deaths fatality fatalities",
    "wounded": "wound wounds wounded wounding injure injures injured injuring injury injuries hurt",
    "casualties": "casualty casualties",
    "damaged": "damage damages damaged destroy destroys destroyed destruction",
    "intercepted": "intercept intercepts intercepted interception interceptions",
    "reportedly": "reportedly allegedly alleged purportedly supposedly apparently unconfirmed",
    "possibly": "may might possibly probably perhaps likely",
    "before": "before",
    "after": "after",
    "inside": "inside",
    "outside": "outside",
    "north": "north northern",
    "south": "south southern",
    "east": "east eastern",
    "west": "west western",
    "northeast": "northeast northeastern",
    "northwest": "northwest northwestern",
    "southeast": "southeast southeastern",
    "southwest": "southwest southwestern",
}
_CRITICAL_WORDS = {word: key for key, words in _CRITICAL_CLASSES.items() for word in words.split()}
# Words that bound the number right after them: "at least 900" is not "approximately 900".
_BOUNDS = {
    "at least": "at least", "no fewer than": "at least", "no less than": "at least",
    "more than": "more than", "over": "more than", "upwards of": "more than",
    "in excess of": "more than", "at most": "at most", "up to": "at most",
    "no more than": "at most", "fewer than": "fewer than", "less than": "fewer than",
    "under": "fewer than", "about": "about", "around": "about", "approximately": "about",
    "roughly": "about", "some": "about", "an estimated": "about", "close to": "about",
    "nearly": "nearly", "almost": "nearly",
}  # fmt: skip
_BOUND_BEFORE = re.compile(
    r"\b({})\s+$".format("|".join(map(re.escape, sorted(_BOUNDS, key=len, reverse=True))))
)


@dataclass(frozen=True)
class _Word:
    text: str  # case-folded, Arabic short vowels dropped; "n't" reads as "not"
    start: int  # offsets into the folded text the word was read from
    end: int


def _folded_words(text: str) -> tuple[str, list[_Word]]:
    """The text case-folded and normalised, and its words: "didn't" gives "did", "not"."""
    folded = _COMPASS_COMPOUND.sub(r"\1\2", _fold_uncached(text).text)
    words: list[_Word] = []
    for match in _TOKEN.finditer(folded):
        word = _ARABIC_MARKS.sub("", match.group(0))
        if word.endswith("n't") and len(word) > 3:
            words.append(_Word(word[:-3], match.start(), match.end() - 3))
            words.append(_Word("not", match.end() - 3, match.end()))
        elif word == "one" and words and words[-1].text == "no" and _joined(folded, words[-1], match):
            words[-1] = _Word("nobody", words[-1].start, match.end())  # "no one", "no-one"
        else:
            words.append(_Word(word, match.start(), match.end()))
    return folded, words


def _joined(folded: str, previous: _Word, match: re.Match[str]) -> bool:
    return folded[previous.end : match.start()] in (" ", "-")


def _negation(word: str) -> str | None:
    """The negation a word expresses ("denied" -> "deny", "ولم" -> "لم"), or None."""
    if word in _NEGATIONS:
        return _NEGATIONS[word]
    if word[:1] in ("و", "ف") and word[1:] in _ARABIC_NEGATIONS:
        return word[1:]
    return word if word in _ARABIC_NEGATIONS else None


def _meaning_marks(text: str) -> list[tuple[str, str]]:
    """The meaning-bearing words of ``text`` as (what they mean, how they are written)."""
    folded, words = _folded_words(text)
    marks: list[tuple[str, str]] = []
    for word in words:
        negation = _negation(word.text)
        if negation is not None:
            marks.append((f"negation {negation}", word.text))
        elif word.text in _CRITICAL_WORDS:
            marks.append((f"word {_CRITICAL_WORDS[word.text]}", word.text))
    for start, end, value in number_spans(folded):
        marks.append((f"number {_format_number(value)}", folded[start:end]))
        bound = _BOUND_BEFORE.search(folded, max(0, start - 20), start)
        if bound is not None:
            marks.append((f"bound {_BOUNDS[bound.group(1)]}", f"{bound.group(1)} {folded[start:end]}"))
    return marks


def meaning_differences(quote: str, article_words: str) -> list[str]:
    """How ``quote`` differs in meaning from the article's words it was matched to, or [].

    Compared: negations ("not", "n't", "never", "without", "denied", Arabic "لم"...),
    numbers (as values: "8" and "eight" are the same), a short list of critical words
    in classes of synonyms (killed/dead, wounded/injured, damaged, intercepted,
    reportedly, may, before/after, inside/outside, compass directions) and the bound
    in front of a number ("at least", "about", "up to"). Everything else a fuzzy match
    forgives.
    """
    in_quote, in_article = _meaning_marks(quote), _meaning_marks(article_words)
    quote_counts = Counter(key for key, _ in in_quote)
    article_counts = Counter(key for key, _ in in_article)
    differences: list[str] = []
    for marks, more, fewer, how in (
        (in_article, article_counts, quote_counts, "missing from the quote"),
        (in_quote, quote_counts, article_counts, "added by the quote"),
    ):
        seen: set[str] = set()
        for key, written in marks:
            if key not in seen and more[key] > fewer[key]:
                differences.append(f"'{written}' {how}")
            seen.add(key)
    return differences


# --- A stated zero ---------------------------------------------------------------------------------
#
# "no casualties" is grounded only by words that say so: a negation whose reach covers the
# thing counted ("no casualties", "did not result in any casualties", "without casualties",
# "no one was hurt", "nobody was killed", "none of the rockets hit"). Any negation anywhere
# ("it was not immediately clear whether anyone was hurt") is not enough. The rule: the
# thing counted must come at most ZERO_WINDOW words after the negation, with no punctuation
# or clause break between them, and no word of doubt ("clear", "confirm", "say"...) either.
# A window, not a parser: "rockets that did not explode wounded two" would still pass.


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


ZERO_WINDOW = 6  # "no one was reported to have been killed": six words from "no one" to "killed"
_ZERO_WORDS = frozenset({"zero", "0", "nil", "صفر"})
# Words that end a negation's reach before it gets to the thing counted: a new clause
# ("but", "whether", "if"...), or doubt ("not clear", "did not say", "could not confirm").
_SCOPE_ENDS = _word_set(
    "but and though although while whereas however except because unless until when after before there"
    " whether if how what which who clear unclear known unknown know knew immediately immediate"
    " yet confirm confirmed confirmation say said comment commented specify specified disclose"
    " disclosed elaborate detail details give gave provide provided release released verify"
    " verified determine determined possible able word information figure figures toll estimate"
    " estimates"
    # Arabic: "if", "whether", "but", "while", and "clear", "known", "confirm", "mention".
    " إذا اذا هل لكن ولكن بينما يتضح واضحا واضح يعرف يعلم معروف يؤكد تؤكد تأكيد يذكر تذكر"
)
# Punctuation that ends a clause (Arabic comma, semicolon and question mark too); a full stop
# only after a word of two letters or more, so "no U.S. personnel were hurt" reads on.
_SCOPE_BREAK = re.compile(r"[,;:?!()\[\]\u060c\u061b\u061f]|\s-\s|(?<=\w\w)\.(?:\s|$)")

# What a zero counts: deaths, injuries, damage. "no casualties" needs both deaths and
# injuries denied ("no one was hurt", "no deaths or injuries"); "not killed" alone denies
# only deaths ("two soldiers were wounded, not killed" is no zero of casualties), while
# "no one was injured" denies deaths too, as news writing means it.
_KILLED, _INJURED, _PROPERTY = "killed", "injured", "property"
_CASUALTIES = frozenset({_KILLED, _INJURED})
_ANY_HARM = frozenset({_KILLED, _INJURED, _PROPERTY})
_DEATHS, _DAMAGE = frozenset({_KILLED}), frozenset({_PROPERTY})
# Words for harm, and what they say was harmed; English words by stem.
_HARM_STEMS = {
    "casualt": _CASUALTIES, "victim": _CASUALTIES, "harm": _CASUALTIES, "injur": _CASUALTIES,
    "wound": _CASUALTIES, "kill": _DEATHS, "death": _DEATHS, "fatalit": _DEATHS, "martyr": _DEATHS,
    "damag": _DAMAGE, "destroy": _DAMAGE, "destruct": _DAMAGE,
}  # fmt: skip
_HARM_WORDS = {
    "hurt": _CASUALTIES, "dead": _DEATHS, "die": _DEATHS, "died": _DEATHS, "dies": _DEATHS,
    "life": _DEATHS, "lives": _DEATHS, "loss": _ANY_HARM, "losses": _ANY_HARM,
}  # fmt: skip
# Arabic words by what they contain (the article "ال" and conjunctions join the word):
# "إصابات" is the usual word for casualties, "جرحى" the wounded, "قتلى" the dead.
_ARABIC_HARM = {
    "صاب": _CASUALTIES, "صيب": _CASUALTIES, "ضحايا": _CASUALTIES, "ضحية": _CASUALTIES,
    "أذى": _CASUALTIES, "اذى": _CASUALTIES, "جرح": _CASUALTIES, "جريح": _CASUALTIES, "قتل": _DEATHS,
    "قتيل": _DEATHS, "وفيات": _DEATHS, "وفاة": _DEATHS, "أضرار": _DAMAGE, "اضرار": _DAMAGE,
    "ضرر": _DAMAGE, "دمار": _DAMAGE, "تدمير": _DAMAGE, "خسائر": _ANY_HARM, "خسارة": _ANY_HARM,
}  # fmt: skip
# Words that are their own zero: "all personnel were unharmed", "the base remained intact".
_UNHARMED = {
    "unharmed": _CASUALTIES, "unhurt": _CASUALTIES, "uninjured": _CASUALTIES,
    "unscathed": _CASUALTIES, "undamaged": _DAMAGE, "intact": _DAMAGE,
}  # fmt: skip
_FACET_HARM = {"killed": _DEATHS, "injured": _CASUALTIES, "casualties": _CASUALTIES, "damage": _DAMAGE}
_HARM_NAMES = {
    _CASUALTIES: "casualties",
    _DEATHS: "deaths",
    _DAMAGE: "damage",
    _ANY_HARM: "casualties or damage",
}
_FILLER = _word_set(
    "the a an of to in on at any all were was is are be been by for from with and or that this"
    " there their its it as"
)


def _harm(word: str) -> frozenset[str]:
    """What a word says was harmed (deaths, injuries, property), or nothing."""
    if word in _HARM_WORDS:
        return _HARM_WORDS[word]
    for stem, harmed in _HARM_STEMS.items():
        if word.startswith(stem):
            return harmed
    for stem, harmed in _ARABIC_HARM.items():
        if stem in word:
            return harmed
    return frozenset()


@dataclass(frozen=True)
class _ZeroOf:
    """What a zero claim says there were none of: kinds of harm, or else the value's own words."""

    harmed: frozenset[str]
    heads: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.heads:
            return " or ".join(f"'{head}'" for head in self.heads)
        if self.harmed in _HARM_NAMES:
            return _HARM_NAMES[self.harmed]
        return "deaths or damage"  # the one combination left


def _zero_of(claim: Claim) -> _ZeroOf:
    """The harm the value names ("no casualties"), else the value's own words ("none of the
    rockets hit"), else what the claim's facet counts."""
    _, value_words = _folded_words(f"{claim.value} {claim.unit or ''}")
    harmed = frozenset(kind for word in value_words for kind in _harm(word.text))
    if harmed:
        return _ZeroOf(harmed)
    heads: list[str] = []
    for word in value_words:
        text = word.text
        if len(text) < 3 or text in _FILLER or text in _ZERO_WORDS or _negation(text) or numbers_in(text):
            continue
        head = text[:-1] if text.endswith("s") and len(text) > 4 else text  # "rockets" covers "rocket"
        if head not in heads:
            heads.append(head)
    if heads:
        return _ZeroOf(frozenset(), tuple(heads))
    return _ZeroOf(_FACET_HARM.get(claim.facet, _CASUALTIES))


def states_zero(claim: Claim, quoted: str) -> bool:
    """True if ``quoted`` says there were none of what the zero claim counts (see ZERO_WINDOW).

    The words the negation reaches together must cover what the value denies: "no deaths or
    injuries" states "no casualties", "not killed" does not.
    """
    zero_of = _zero_of(claim)
    folded, words = _folded_words(quoted)
    for index, word in enumerate(words):
        if not zero_of.heads and zero_of.harmed <= _UNHARMED.get(word.text, frozenset()):
            return True
        if _negation(word.text) is None and word.text not in _ZERO_WORDS:
            continue
        denied: set[str] = set()
        for previous, following in itertools.pairwise(words[index : index + 1 + ZERO_WINDOW]):
            if _SCOPE_BREAK.search(folded, previous.end, following.start) or following.text in _SCOPE_ENDS:
                break
            if zero_of.heads:
                if any(following.text.startswith(head) for head in zero_of.heads):
                    return True
                continue
            denied |= _harm(following.text)
            if zero_of.harmed <= denied:
                return True
    return False


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _claimed_numbers(claim: Claim) -> list[float]:
    values: list[float] = []
    for value in (claim.number, claim.number_high, *numbers_in(claim.value)):
        if value is not None and not any(abs(value - seen) < 1e-9 for seen in values):
            values.append(value)
    return values


def _claims_none(claim: Claim) -> bool:
    """True for "no casualties", "none" and the like: a zero the quote must state."""
    return (
        claim.qualifier == "none"
        or claim.number == 0
        or re.search(r"\b(?:no|none|nobody|nothing|zero)\b|\bno[ -]one\b", claim.value, re.IGNORECASE)
        is not None
    )


def missing_numbers(claim: Claim, quoted: str) -> list[str]:
    """Numbers of the claim's value that the quoted words do not contain (digits or words).

    A zero ("no casualties") is "0" here unless the quoted words state it (``states_zero``).
    """
    missing: list[str] = []
    for value in _claimed_numbers(claim):
        if value == 0:
            continue  # a zero is checked as a stated negation below
        if not number_in_text(value, quoted):
            missing.append(_format_number(value))
    if _claims_none(claim) and not states_zero(claim, quoted):
        missing.append("0")
    return missing


def ground_claim(claim: Claim, text: str, *, hint: tuple[int, int] | None = None) -> Claim:
    """Return a copy of ``claim`` with its quote located in ``text`` and its numbers checked.

    The numbers are checked against the article's own words at the located span,
    not the model's quote, so a fuzzy match that changed "six" into "eight" fails.
    A fuzzy match whose words differ in meaning from the article's (a negation, a
    number, a critical word: see ``meaning_differences``) is not grounded either: the
    claim gets ``quote_not_found`` (or ``number_not_in_quote`` when the value's own
    numbers are what is missing), and keeps the offsets of the closest passage so a
    reader can see it. Without a hint, the claim's previous offsets (if any) serve as one.
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
        return claim.model_copy(update={"quote": quote, "grounding": grounding})

    quoted = text[quote.start : quote.end]
    missing = missing_numbers(claim, quoted)
    differences = meaning_differences(quote.text, quoted) if quote.match == "fuzzy" else []
    how = {"exact": "exactly", "normalized": "after normalising"}.get(quote.match)
    how = how or f"by fuzzy match (score {quote.score})"
    where = f"found {how} at {quote.start}-{quote.end}"
    differ = f"the article's words differ from the quote: {', '.join(differences)}"
    if missing:
        shown = ", ".join(
            f"a stated zero (no negation bears on {_zero_of(claim).describe()})" if m == "0" else m
            for m in missing
        )
        but = f"{differ}; they do not contain" if differences else "it does not contain"
        grounding = Grounding(
            status="number_not_in_quote",
            missing_numbers=missing,
            note=f"quote {where}, but {but} {shown} from the value {claim.value!r}",
        )
    elif differences:
        grounding = Grounding(status="quote_not_found", note=f"closest passage {where}, but {differ}")
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
