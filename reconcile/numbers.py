"""Cardinal numbers written as digits or as words ("eight", "2,500", "twenty-five", "ثمانية").

Shared by grounding (is the claimed number really in the quote?) and by
quantity normalisation (words to intervals). Deterministic, no dependencies.
Number words are English, plus the Arabic cardinals, because quotes stay in
the article's own script; digits of any script count (Arabic-Indic "٦" is 6).
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


# Arabic cardinals, masculine and feminine, with and without hamza. "عشر"/"عشرة" after a
# unit makes a teen ("ثلاثة عشر" = 13); "و" before a tens word adds it ("خمسة وعشرون" = 25).
_ARABIC_UNITS = {
    "صفر": 0, "واحد": 1, "واحدة": 1, "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2,
    "ثلاثة": 3, "ثلاث": 3, "أربعة": 4, "أربع": 4, "اربعة": 4, "اربع": 4, "خمسة": 5, "خمس": 5,
    "ستة": 6, "ست": 6, "سبعة": 7, "سبع": 7, "ثمانية": 8, "ثماني": 8, "ثمان": 8, "تسعة": 9,
    "تسع": 9, "عشرة": 10, "عشر": 10,
}  # fmt: skip
_ARABIC_TEEN_HEADS = {"أحد": 1, "احد": 1, "إحدى": 1, "احدى": 1, "اثنا": 2, "اثنتا": 2, "اثني": 2, "اثنتي": 2}
_ARABIC_TENS = {
    stem + ending: value
    for stem, value in (
        ("عشر", 20), ("ثلاث", 30), ("أربع", 40), ("اربع", 40), ("خمس", 50), ("ست", 60), ("سبع", 70),
        ("ثمان", 80), ("تسع", 90),
    )
    for ending in ("ون", "ين")
}  # fmt: skip
_ARABIC_SCALES = {
    "مئة": 100, "مائة": 100, "مئات": 100, "ألف": 1_000, "الف": 1_000, "آلاف": 1_000, "الاف": 1_000,
    "مليون": 1_000_000, "ملايين": 1_000_000,
}  # fmt: skip
_ARABIC_WORD = re.compile(r"[\u0621-\u064a\u064b-\u065f\u0670]+")
_ARABIC_MARKS = re.compile(r"[\u064b-\u065f\u0670]")  # short vowels and other diacritics


def _arabic_word(token: str, table: dict[str, int], *, after_and: bool = False) -> int | None:
    """The token's value in ``table``; with ``after_and`` it must carry the conjunction "و"."""
    word = _ARABIC_MARKS.sub("", token)
    if after_and:
        return table.get(word[1:]) if word.startswith("و") else None
    if word in table:
        return table[word]
    # "وثمانية" is "and eight"; "واحد" itself starts with the same letter, hence the order.
    return table.get(word[1:]) if word.startswith("و") and len(word) > 2 else None


def _arabic_number_spans(text: str) -> list[tuple[int, int, float]]:
    tokens = list(_ARABIC_WORD.finditer(text))
    found: list[tuple[int, int, float]] = []

    def next_token(i: int) -> str | None:
        """The following token, if only spaces separate it from token ``i``."""
        if i + 1 < len(tokens) and not text[tokens[i].end() : tokens[i + 1].start()].strip():
            return tokens[i + 1].group(0)
        return None

    i = 0
    while i < len(tokens):
        token = tokens[i].group(0)
        unit = _arabic_word(token, _ARABIC_UNITS)
        head = _arabic_word(token, _ARABIC_TEEN_HEADS)
        value = unit if unit is not None else _arabic_word(token, _ARABIC_TENS)
        value = value if value is not None else _arabic_word(token, _ARABIC_SCALES)
        end = i
        following = next_token(end)
        if (unit is not None or head is not None) and following in ("عشر", "عشرة"):
            value, end = (unit if unit is not None else head or 0) + 10, end + 1
        elif unit is not None and following is not None:
            tens = _arabic_word(following, _ARABIC_TENS, after_and=True)
            if tens is not None:
                value, end = unit + tens, end + 1
        if value is None:  # a teen head alone ("أحد") is "one of" or Sunday, not a number
            i += 1
            continue
        following = next_token(end)
        scale = _arabic_word(following, _ARABIC_SCALES) if following is not None else None
        if scale is not None and 0 < value < scale:
            value, end = value * scale, end + 1
        found.append((tokens[i].start(), tokens[end].end(), float(value)))
        i = end + 1
    return found


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
    found.extend(span for span in _arabic_number_spans(text) if free(span[0], span[1]))
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
