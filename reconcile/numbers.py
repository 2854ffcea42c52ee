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
IDIOMS = {
    "half a dozen": 6, "a dozen": 12, "dozen": 12, "a couple of": 2, "a pair of": 2, "both": 2,
    "a single": 1,
}  # fmt: skip

_WORD = "(?:{})".format("|".join(sorted([*UNITS, *TENS, *SCALES, "and"], key=len, reverse=True)))
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORD_RUN = re.compile(rf"\b{_WORD}(?:[\s-]+{_WORD})*\b", re.IGNORECASE)
# The group matters: without it the look-behind guards only the first alternative, and
# "Ez3.14" would read as 3.14.
_DIGIT_RUN = re.compile(rf"(?<![\w.])(?:{_DIGITS})(?:\s*(?:{'|'.join(SCALES)})\b)?", re.IGNORECASE)
_IDIOM_RUN = re.compile(
    r"\b(?:{})\b".format("|".join(map(re.escape, sorted(IDIOMS, key=len, reverse=True)))), re.IGNORECASE
)


def words_to_number(words: str) -> float | None:
    """"twenty-five" -> 25, "two thousand five hundred" -> 2500; None if not one number.

    "five and six" or "ten two" are two numbers, not one, so they give None here.
    """
    tokens = [t.lower() for t in re.split(r"[\s-]+", words.strip()) if t]
    numbers = _read_word_numbers(tokens)
    if len(numbers) == 1 and numbers[0][:2] == (0, len(tokens)):
        return numbers[0][2]
    return None


def _word_kind(token: str) -> str | None:
    if token in ("no", "none", "single", "a single"):  # zeros and ones only in context
        return None
    if token in UNITS:
        return "unit" if 1 <= UNITS[token] <= 9 else "teen"  # "teen" also covers zero and ten
    if token in TENS:
        return "tens"
    if token == "hundred":
        return "hundred"
    if token in SCALES:
        return "scale"
    if token == "and":
        return "and"
    return None


# Which kind of word may follow which inside one number ("twenty-five", "two hundred and
# five", "three thousand"); anything else starts a new number ("five and six" = 5, 6).
_MAY_FOLLOW = {
    None: {"unit", "teen", "tens", "hundred", "scale"},
    "unit": {"hundred", "scale"},
    "teen": {"hundred", "scale"},
    "tens": {"unit", "hundred", "scale"},
    "hundred": {"unit", "teen", "tens", "scale", "and"},
    "scale": {"unit", "teen", "tens", "and"},
    "and": {"unit", "teen", "tens"},
}


def _read_word_numbers(tokens: list[str]) -> list[tuple[int, int, float]]:
    """Split number words into the numbers they spell: (first token, end token, value)."""
    found: list[tuple[int, int, float]] = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "no" and tokens[i + 1 : i + 2] == ["one"]:
            i += 2  # "no one was hurt" is nobody, not 1
            continue
        total, current, last, last_scale, j = 0, 0, None, None, i
        while j < len(tokens):
            kind = _word_kind(tokens[j])
            if kind not in _MAY_FOLLOW[last] or kind is None:
                break
            token = tokens[j]
            following = _word_kind(tokens[j + 1]) if j + 1 < len(tokens) else None
            if kind == "and" and following not in _MAY_FOLLOW["and"]:
                break  # "a hundred and" followed by no number: the "and" is not part of it
            if kind == "hundred" and current >= 100:
                break
            if kind == "scale":
                scale = SCALES[token]
                if last_scale is not None and scale >= last_scale:
                    break  # "thousand thousand" is two numbers
                total += max(current, 1) * scale
                current, last_scale = 0, scale
            elif kind == "hundred":
                current = max(current, 1) * 100
            elif kind != "and":
                current += UNITS[token] if token in UNITS else TENS[token]
            last = kind
            j += 1
            if token == "zero":
                break
        if j == i or last == "and":
            i += 1  # not a number word here ("and", "no"): skip it
            continue
        found.append((i, j, float(total + current)))
        i = j
    return found


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


def number_spans(text: str) -> list[tuple[int, int, float]]:
    """Every cardinal number in ``text`` as (start, end, value), in order of appearance.

    Digits, number words and idioms ("a dozen"). "no" and "none" are not counted:
    "no casualties" is a zero only in context, which quantity normalisation decides.
    """
    found: list[tuple[int, int, float]] = []
    taken: list[tuple[int, int]] = []  # spans already read, so "100 billion" counts once

    def free(start: int, end: int) -> bool:
        return not any(start < t_end and t_start < end for t_start, t_end in taken)

    for match in _DIGIT_RUN.finditer(text):
        found.append((match.start(), match.end(), _digits_value(match.group(0))))
        taken.append(match.span())
    for match in _IDIOM_RUN.finditer(text):
        if free(*match.span()):
            found.append((match.start(), match.end(), float(IDIOMS[match.group(0).lower()])))
            taken.append(match.span())
    for match in _WORD_RUN.finditer(text):
        tokens = list(re.finditer(r"[^\s-]+", match.group(0)))
        for first, end, value in _read_word_numbers([t.group(0).lower() for t in tokens]):
            start = match.start() + tokens[first].start()
            stop = match.start() + tokens[end - 1].end()
            if free(start, stop):
                found.append((start, stop, value))
    return sorted(found)


def numbers_in(text: str) -> list[float]:
    """Every cardinal number in ``text``, in order of appearance (digits, words, idioms).

    "no" and "none" are not counted here: "no casualties" is a zero only in context,
    which quantity normalisation decides.
    """
    return [value for _, _, value in number_spans(text)]


def number_in_text(value: float, text: str) -> bool:
    """True if ``value`` is written in ``text``, as digits or as words."""
    return any(abs(found - value) < 1e-9 for found in numbers_in(text))
