"""Cardinal numbers written as digits or as English words ("eight", "2,500", "twenty-five").

Shared by grounding (is the claimed number really in the quote?) and by
quantity normalisation (words to intervals). Deterministic, no dependencies.
"""

from __future__ import annotations

import re

UNITS = {
    "zero": 0, "no": 0, "none": 0, "one": 1, "a single": 1, "single": 1, "two": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
# Words that stand for a number on their own ("a dozen rockets" = 12, "a couple" = 2).
IDIOMS = {"half a dozen": 6, "a dozen": 12, "dozen": 12, "a couple of": 2, "a pair of": 2, "both": 2}

_WORD = r"(?:%s)" % "|".join(sorted([*UNITS, *TENS, *SCALES, "and"], key=len, reverse=True))
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORD_RUN = re.compile(rf"\b{_WORD}(?:[\s-]+{_WORD})*\b", re.IGNORECASE)
_DIGIT_RUN = re.compile(rf"(?<![\w.]){_DIGITS}(?:\s*(?:{'|'.join(SCALES)})\b)?", re.IGNORECASE)
_IDIOM_RUN = re.compile(r"\b(?:%s)\b" % "|".join(sorted(IDIOMS, key=len, reverse=True)), re.IGNORECASE)


def words_to_number(words: str) -> float | None:
    """"twenty-five" -> 25, "two thousand five hundred" -> 2500; None if not a number."""
    tokens = [t for t in re.split(r"[\s-]+", words.lower().strip()) if t and t != "and"]
    if not tokens:
        return None
    total, current, seen = 0, 0, False
    for token in tokens:
        if token in UNITS and token not in ("no", "none", "single"):
            current += UNITS[token]
        elif token in TENS:
            current += TENS[token]
        elif token in SCALES:
            scale = SCALES[token]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
        else:
            return None
        seen = True
    return float(total + current) if seen else None


def parse_number(text: str) -> float | None:
    """One number written as digits ("2,500", "16") or words ("eight"); None otherwise."""
    text = text.strip()
    match = _DIGIT_RUN.fullmatch(text)
    if match:
        return _digits_value(match.group(0))
    lowered = text.lower()
    if lowered in IDIOMS:
        return float(IDIOMS[lowered])
    return words_to_number(text)


def _digits_value(run: str) -> float:
    parts = run.lower().split()
    value = float(parts[0].replace(",", ""))
    if len(parts) > 1 and parts[-1] in SCALES:
        value *= SCALES[parts[-1]]
    return value


def numbers_in(text: str) -> list[float]:
    """Every cardinal number in ``text``, in order of appearance (digits, words, idioms).

    "no" and "none" are not counted here: "no casualties" is a zero only in context,
    which quantity normalisation decides.
    """
    found: list[tuple[int, float]] = []
    taken: list[tuple[int, int]] = []  # spans already read, so "100 billion" counts once

    def free(match: re.Match[str]) -> bool:
        return not any(start < match.end() and match.start() < end for start, end in taken)

    for match in _DIGIT_RUN.finditer(text):
        found.append((match.start(), _digits_value(match.group(0))))
        taken.append(match.span())
    for match in _IDIOM_RUN.finditer(text):
        if free(match):
            found.append((match.start(), float(IDIOMS[match.group(0).lower()])))
            taken.append(match.span())
    for match in _WORD_RUN.finditer(text):
        value = words_to_number(match.group(0))
        if value is not None and free(match):
            found.append((match.start(), value))
    return [value for _, value in sorted(found)]


def number_in_text(value: float, text: str) -> bool:
    """True if ``value`` is written in ``text``, as digits or as words."""
    return any(abs(found - value) < 1e-9 for found in numbers_in(text))
