"""Numbers written as digits, words and idioms, as grounding and normalisation read them."""

from __future__ import annotations

import pytest

from reconcile.numbers import number_in_text, number_spans, numbers_in, parse_number, words_to_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("firing eight rockets", [8]),
        ("2,500 troops and 16 attacks", [2500, 16]),
        ("twenty-five service members", [25]),
        ("two thousand five hundred", [2500]),
        ("one hundred and five", [105]),
        ("nine hundred and ninety-nine", [999]),
        ("one million two hundred thousand", [1_200_000]),
        ("fifteen hundred", [1500]),
        ("1.5 million barrels", [1_500_000]),
        ("a dozen rockets", [12]),
        ("half a dozen rockets", [6]),
        ("a couple of drones", [2]),
        ("a single rocket", [1]),
        ("seven to ten rockets", [7, 10]),
        ("one or two", [1, 2]),
        ("January 5, 2022", [5, 2022]),
    ],
)
def test_numbers_in_reads_digits_words_and_idioms(text: str, expected: list[float]) -> None:
    assert numbers_in(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("between five and six rockets", [5, 6]),  # not 11
        ("three and four", [3, 4]),  # not 7
        ("five-six rockets", [5, 6]),
        ("ten two", [10, 2]),
        ("a hundred and", [100]),  # a trailing "and" is not part of the number
        ("thousand thousand", [1000, 1000]),
    ],
)
def test_adjacent_number_words_are_separate_numbers_not_a_sum(text: str, expected: list[float]) -> None:
    assert numbers_in(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "no one was hurt",  # nobody, not 1
        "None of the rockets",
        "no casualties",
        "Deir Ez3.14",  # digits glued to a word are not a number of their own
        "and",
    ],
)
def test_words_that_are_not_counts_give_no_number(text: str) -> None:
    assert numbers_in(text) == []


def test_number_spans_give_offsets_that_slice_back_to_the_written_number() -> None:
    text = "eight rockets, 2,500 troops and a dozen drones"
    spans = number_spans(text)
    assert [(text[start:end], value) for start, end, value in spans] == [
        ("eight", 8),
        ("2,500", 2500),
        ("a dozen", 12),
    ]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("eight", 8),
        ("Twenty-Five", 25),
        ("two thousand five hundred", 2500),
        ("five and six", None),
        ("rockets", None),
        ("", None),
    ],
)
def test_words_to_number_reads_exactly_one_number(words: str, expected: float | None) -> None:
    assert words_to_number(words) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2,500", 2500), ("16", 16), ("eight", 8), ("a dozen", 12), ("2.5 million", 2_500_000), ("many", None)],
)
def test_parse_number(text: str, expected: float | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("value", "text", "present"),
    [
        (8, "accused militias of firing eight rockets", True),
        (8, "firing 8 rockets", True),
        (12, "a dozen rockets", True),
        (8, "firing six rockets", False),
        (80, "eighty rockets", True),
        (8, "eighty rockets", False),
    ],
)
def test_number_in_text(value: float, text: str, present: bool) -> None:
    assert number_in_text(value, text) is present
