"""Long articles in overlapping chunks, and the duplicate claims that overlap produces.

A chunk ends at the last paragraph break that fits, else the last line break, else
the last sentence end, else the last space, else (text with no boundaries at all)
at the size limit. The next chunk starts a little before the previous one ends, on
a sentence or paragraph start, so a claim cut in two by one chunk is whole in the
other. Offsets are always into the whole article: ``chunk.text == text[start:end]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reconcile.errors import ConfigError
from reconcile.ground import normalize_text
from reconcile.models import Chunk, Claim, Quote
from reconcile.numbers import number_spans

DEFAULT_MAX_CHARS = 12_000
DEFAULT_OVERLAP_CHARS = 800

_PARAGRAPH_END = re.compile(r"\n[^\S\n]*\n\s*")
_LINE_END = re.compile(r"\n\s*")
# ".", "!", "?", the Arabic question mark and the ellipsis, then closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?\u061f\u2026][\"'\u201d\u2019\u00bb)\]]*\s+")
_SPACE = re.compile(r"\s+")
_CUT_PREFERENCE = (_PARAGRAPH_END, _LINE_END, _SENTENCE_END, _SPACE)
_SENTENCE_START = re.compile(_LINE_END.pattern + "|" + _SENTENCE_END.pattern)


def split_into_chunks(
    text: str, *, max_chars: int = DEFAULT_MAX_CHARS, overlap_chars: int = DEFAULT_OVERLAP_CHARS
) -> list[Chunk]:
    """Split ``text`` into chunks of at most ``max_chars`` that overlap by about ``overlap_chars``.

    A text that fits is one chunk. Work is linear in the length of the text: each
    boundary search looks only at the end of the chunk being cut.
    """
    if max_chars < 1:
        raise ConfigError(f"chunk size must be at least 1 character, not {max_chars}")
    if not 0 <= overlap_chars < max_chars:
        raise ConfigError(
            f"chunk overlap must be between 0 and the chunk size ({max_chars}), not {overlap_chars}"
        )
    length = len(text)
    if length <= max_chars:
        return [Chunk(index=0, start=0, end=length, text=text)]

    # Each chunk is at least this long, and each next chunk starts at least
    # ``min_step`` later, so the number of chunks stays proportional to the text.
    min_step = max(1, (max_chars - overlap_chars) // 2)
    min_fill = overlap_chars + min_step
    chunks: list[Chunk] = []
    start = 0
    while True:
        end = length if length - start <= max_chars else _cut(text, start + min_fill, start + max_chars)
        chunks.append(Chunk(index=len(chunks), start=start, end=end, text=text[start:end]))
        if end >= length:
            return chunks
        start = _next_start(text, end, overlap_chars, start + min_step) if overlap_chars else end


def _last_match_end(pattern: re.Pattern[str], text: str, lo: int, hi: int) -> int | None:
    last = None
    for match in pattern.finditer(text, lo, hi):
        last = match.end()
    return last


def _cut(text: str, lo: int, hi: int) -> int:
    """Where to end a chunk: the best boundary in [lo, hi], else a hard cut at ``hi``."""
    for pattern in _CUT_PREFERENCE:
        end = _last_match_end(pattern, text, lo, hi)
        if end is not None and end > lo:
            return end
    return hi


def _next_start(text: str, cut: int, overlap: int, floor: int) -> int:
    """Where the next chunk starts: a sentence or line start about ``overlap`` before ``cut``."""
    lo = max(floor, cut - overlap)
    for match in _SENTENCE_START.finditer(text, lo, cut):
        if match.end() < cut:
            return match.end()  # the earliest start keeps the most whole sentences
    # A sentence longer than the overlap: start at its beginning if that is not too far back.
    earlier = _last_match_end(_SENTENCE_START, text, max(floor, cut - 2 * overlap), lo)
    if earlier is not None:
        return earlier
    space = _SPACE.search(text, lo, cut)
    if space is not None and space.end() < cut:
        return space.end()
    return lo


# --- De-duplication across chunks ---------------------------------------------

_STATUS_RANK = {"grounded": 3, "number_not_in_quote": 2, "unchecked": 1, "quote_not_found": 0}
_MATCH_RANK = {"exact": 4, "normalized": 3, "fuzzy": 2, "unchecked": 1, "not_found": 0}


def _value_key(value: str) -> str:
    """ "Eight rockets" and "8 rockets" are the same value; "8 drones" is not."""
    normal = normalize_text(value)
    parts: list[str] = []
    last = 0
    for start, end, number in number_spans(normal):
        parts.append(normal[last:start])
        parts.append(f" {number:g} ")
        last = end
    parts.append(normal[last:])
    return " ".join(re.sub(r"[^\w.]+", " ", "".join(parts)).split())


def _quotes_overlap(first: Quote, second: Quote) -> bool:
    """The same words: spans sharing at least half of the shorter one, or equal normalised text."""
    a_start, a_end, b_start, b_end = first.start, first.end, second.start, second.end
    if a_start is not None and a_end is not None and b_start is not None and b_end is not None:
        shared = min(a_end, b_end) - max(a_start, b_start)
        shorter = min(a_end - a_start, b_end - b_start)
        if shorter > 0 and shared * 2 >= shorter:
            return True
    first_text, second_text = normalize_text(first.text), normalize_text(second.text)
    return bool(first_text) and first_text == second_text


def _grounding_rank(claim: Claim) -> tuple[int, int, float]:
    score = claim.quote.score if claim.quote.score is not None else 100.0
    return (_STATUS_RANK.get(claim.grounding.status, 0), _MATCH_RANK.get(claim.quote.match, 0), score)


def dedupe_claims(claims: Iterable[Claim]) -> list[Claim]:
    """Drop claims read twice from the overlap of two chunks; keep the better-grounded copy.

    Two claims are the same when they come from the same article, have the same
    facet, event type and value ("eight rockets" = "8 rockets"), and quote the same
    words (overlapping offsets or equal normalised quotes). The kept claim also
    takes any referring expressions only the dropped copy had, so framing loses
    nothing. Survivors keep the order in which each was first read.
    """
    ordered = list(claims)
    groups: dict[tuple[str, str, str, str], list[int]] = {}
    for index, claim in enumerate(ordered):
        key = (claim.article_id, claim.facet, claim.event.type, _value_key(claim.value))
        groups.setdefault(key, []).append(index)

    # Within a group, join duplicates into clusters (union-find over the pairs).
    parent = list(range(len(ordered)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for members in groups.values():
        for pos, i in enumerate(members):
            for j in members[pos + 1 :]:
                if root(i) != root(j) and _quotes_overlap(ordered[i].quote, ordered[j].quote):
                    parent[root(j)] = root(i)

    clusters: dict[int, list[int]] = {}
    for index in range(len(ordered)):
        clusters.setdefault(root(index), []).append(index)

    kept: list[Claim] = []
    for members in sorted(clusters.values(), key=lambda m: m[0]):
        best_index = max(members, key=lambda i: (_grounding_rank(ordered[i]), -i))
        best = ordered[best_index]
        expressions = list(best.referring_expressions)
        seen = {(e.referent, e.expression, e.voice) for e in expressions}
        for other in members:
            for expression in ordered[other].referring_expressions:
                if (expression.referent, expression.expression, expression.voice) not in seen:
                    seen.add((expression.referent, expression.expression, expression.voice))
                    expressions.append(expression)
        if len(expressions) != len(best.referring_expressions):
            best = best.model_copy(update={"referring_expressions": expressions})
        kept.append(best)
    return kept
