"""Grounding: every quote is found in its article, and every offset slices back to it.

The tests plant known spans in text and check the offsets against the text they
came from, for each way a quote can be written differently from the article.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from reconcile.errors import InputError
from reconcile.ground import (
    DEFAULT_FUZZY_FLOOR,
    ground_claim,
    ground_claims,
    locate_expression,
    locate_quote,
    normalize_text,
)
from reconcile.models import Article, Claim, ClaimEvent, Quote, SourceRef

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
JPOST = (SEEDS / "001_ff319505259e0261.txt").read_text(encoding="utf-8")  # Jerusalem Post
ALMAYADEEN = (SEEDS / "000_c264fff437d45357.txt").read_text(encoding="utf-8")
RT = (SEEDS / "003_5f9ea44ed39dbe39.txt").read_text(encoding="utf-8")
JPOST_QUOTE = 'accused "Iran-supported malign actors" of firing eight rockets towards a coalition base'

PLANTED = "firing eight rockets towards a coalition base"
BEFORE = "The US-led coalition said on Wednesday that militias were "
AFTER = " in the Deir Ezzor region of eastern Syria.\n\nNo casualties were reported."
# One word changed in a sentence-long quote keeps it above the floor.
FUZZY_SPAN = PLANTED + " in the Deir Ezzor region"
FUZZY_QUOTE = FUZZY_SPAN.replace("rockets", "missiles")


def assert_slices_back(quote: Quote, text: str) -> None:
    """The offsets of a located quote point at the words it claims to quote."""
    assert quote.start is not None and quote.end is not None, quote
    span = text[quote.start : quote.end]
    if quote.match == "exact":
        assert span == quote.text
    elif quote.match == "normalized":
        assert normalize_text(span) == normalize_text(quote.text)
    else:
        assert quote.match == "fuzzy"
        assert quote.score is not None and quote.score >= DEFAULT_FUZZY_FLOOR
    assert span == span.strip(), "a span does not start or end in whitespace"


def make_claim(quote: str, value: str = "eight rockets", **fields: Any) -> Claim:
    base: dict[str, Any] = {
        "id": "a1.c1",
        "article_id": "a1",
        "outlet": "Example Post",
        "facet": "munition_count",
        "value": value,
        "event": ClaimEvent(type="rocket_attack"),
        "source": SourceRef(name="US-led coalition statement", kind="military"),
        "stance": "reported",
        "quote": Quote(text=quote),
    }
    base.update(fields)
    return Claim(**base)


def make_article(article_id: str, text: str) -> Article:
    sha = hashlib.sha256(text.encode()).hexdigest()
    return Article(id=article_id, outlet="Example Post", text=text, sha256=sha)


# --- Locating quotes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quote", "match", "expected_span"),
    [
        pytest.param(BEFORE + PLANTED + AFTER, PLANTED, "exact", PLANTED, id="exact"),
        pytest.param(
            BEFORE + "firing eight\n  rockets towards a   coalition base" + AFTER,
            PLANTED,
            "normalized",
            "firing eight\n  rockets towards a   coalition base",
            id="whitespace-differs",
        ),
        pytest.param(
            "The coalition accused \u201cIran-supported malign actors\u201d of firing rockets.",
            'accused "Iran-supported malign actors" of firing',
            "normalized",
            "accused \u201cIran-supported malign actors\u201d of firing",
            id="curly-quotes-in-text-straight-in-quote",
        ),
        pytest.param(
            "forces inside Iraq said to be acting in an 'advisory' capacity, it's said",
            "acting in an \u2018advisory\u2019 capacity, it\u2019s said",
            "normalized",
            "acting in an 'advisory' capacity, it's said",
            id="straight-apostrophes-in-text-curly-in-quote",
        ),
        pytest.param(
            "the US base at the Conoco Gas Field \u2013 Syria\u2019s biggest gas facility \u2013 also",
            "the US base at the Conoco Gas Field - Syria's biggest gas facility",
            "normalized",
            "the US base at the Conoco Gas Field \u2013 Syria\u2019s biggest gas facility",
            id="en-dash-in-text-hyphen-in-quote",
        ),
        pytest.param(
            "rockets were launched \u2014 eight of them \u2014 at dawn",
            "launched - eight of them - at dawn",
            "normalized",
            "launched \u2014 eight of them \u2014 at dawn",
            id="em-dash-in-text",
        ),
        pytest.param(
            BEFORE + PLANTED + AFTER,
            "FIRING Eight Rockets towards a Coalition Base",
            "normalized",
            PLANTED,
            id="case-differs",
        ),
        pytest.param(
            "He said: \u201cwe will respond\u2026 at a time of our choosing\u201d.",
            "we will respond... at a time of our choosing",
            "normalized",
            "we will respond\u2026 at a time of our choosing",
            id="ellipsis-character",
        ),
        pytest.param(
            BEFORE + PLANTED + AFTER,
            "\u201cfiring eight rockets towards a coalition base\u201d",
            "normalized",
            PLANTED,
            id="quote-wrapped-in-quotation-marks",
        ),
        pytest.param(
            BEFORE + PLANTED + AFTER,
            "...firing eight rockets towards a coalition base...",
            "normalized",
            PLANTED,
            id="quote-with-leading-and-trailing-ellipsis",
        ),
        pytest.param(
            BEFORE + "fir\u00ading eight rockets towards a coalition base" + AFTER,
            PLANTED,
            "normalized",
            "fir\u00ading eight rockets towards a coalition base",
            id="soft-hyphen-inside-a-word",
        ),
        pytest.param(BEFORE + PLANTED + AFTER, FUZZY_QUOTE, "fuzzy", FUZZY_SPAN, id="fuzzy-one-word-changed"),
        pytest.param(
            BEFORE + PLANTED + AFTER,
            "firing eight rockets toward the coalition base",
            "fuzzy",
            PLANTED,
            id="fuzzy-small-wording-changes",
        ),
    ],
)
def test_quote_is_located_and_its_offsets_slice_back(
    text: str, quote: str, match: str, expected_span: str
) -> None:
    located = locate_quote(quote, text)
    assert located.match == match
    assert located.text == quote
    assert_slices_back(located, text)
    assert located.start is not None and located.end is not None
    assert text[located.start : located.end] == expected_span


@pytest.mark.parametrize(
    "quote",
    [
        pytest.param("The coalition blamed Tehran's proxies for a barrage on its troops", id="paraphrase"),
        pytest.param("firing six missiles at an American outpost", id="too-different"),
        pytest.param("Eight rockets struck the airport in Damascus", id="unrelated"),
    ],
)
def test_a_paraphrase_far_below_the_floor_is_not_found(quote: str) -> None:
    located = locate_quote(quote, BEFORE + PLANTED + AFTER)
    assert located.match == "not_found"
    assert (located.start, located.end, located.score) == (None, None, None)


@pytest.mark.parametrize(
    "quote",
    [
        pytest.param("", id="empty"),
        pytest.param("   \n ", id="blank"),
        pytest.param("...", id="only-an-ellipsis"),
        pytest.param("rockts", id="short-typo"),
        pytest.param("eihgt", id="short-word"),
        pytest.param(".*(", id="regex-metacharacters"),
        pytest.param("[a-z]+\\", id="unbalanced-regex"),
    ],
)
def test_empty_short_and_strange_quotes_do_not_match_anywhere(quote: str) -> None:
    assert locate_quote(quote, BEFORE + PLANTED + AFTER).match == "not_found"


@pytest.mark.parametrize(
    "quote",
    [
        pytest.param("x" * 1_000_000, id="huge-quote"),
        pytest.param(BEFORE + PLANTED + AFTER + " and then some more words", id="longer-than-the-text"),
        pytest.param("\x00\ufeff\u200b", id="control-and-invisible-characters"),
        pytest.param("(?P<x>" * 50, id="regex-group-syntax"),
    ],
)
def test_untrusted_quotes_never_raise(quote: str) -> None:
    located = locate_quote(quote, BEFORE + PLANTED + AFTER)
    if located.start is not None:
        assert_slices_back(located, BEFORE + PLANTED + AFTER)


def test_regex_metacharacters_in_a_quote_are_matched_literally() -> None:
    text = "The price rose (again) by 5.5% [sic] to $3.50 *per* barrel."
    quote = "(again) by 5.5% [sic] to $3.50 *per*"
    located = locate_quote(quote, text)
    assert located.match == "exact"
    assert_slices_back(located, text)


def test_an_empty_article_finds_nothing() -> None:
    assert locate_quote(PLANTED, "").match == "not_found"


def test_seed_quote_from_the_jerusalem_post_grounds_exactly() -> None:
    located = locate_quote(JPOST_QUOTE, JPOST)
    assert located.match == "exact"
    assert_slices_back(located, JPOST)


def test_a_repeated_quote_is_taken_from_the_hint_span() -> None:
    # The Jerusalem Post says it twice: in the standfirst and in the body.
    first = JPOST.find(JPOST_QUOTE)
    second = JPOST.find(JPOST_QUOTE, first + 1)
    assert 0 <= first < second
    body = (second - 200, len(JPOST))
    assert locate_quote(JPOST_QUOTE, JPOST).start == first
    assert locate_quote(JPOST_QUOTE, JPOST, hint=body).start == second
    # Normalised matches honour the hint too.
    shouted = JPOST_QUOTE.upper()
    assert locate_quote(shouted, JPOST).start == first
    located = locate_quote(shouted, JPOST, hint=body)
    assert (located.match, located.start) == ("normalized", second)


def test_a_hint_outside_the_quote_picks_the_nearest_occurrence() -> None:
    text = "eight rockets were fired. " * 3 + "x" * 500 + " eight rockets were fired."
    last = text.rfind("eight rockets")
    located = locate_quote("eight rockets", text, hint=(len(text) - 5, len(text)))
    assert located.start == last


def test_whole_word_occurrence_wins_over_one_inside_a_longer_word() -> None:
    text = "They often said ten rockets."
    located = locate_quote("ten", text)
    assert text[located.start : located.end] == "ten"  # type: ignore[misc]
    assert located.start == text.index(" ten ") + 1


def test_arabic_quote_grounds_exactly() -> None:
    text = (
        "أعلن التحالف الدولي أن قاعدة عسكرية في ريف دير الزور الشرقي "
        "تعرضت لهجوم بثماني قذائف صاروخية، دون وقوع إصابات."
    )
    quote = "تعرضت لهجوم بثماني قذائف صاروخية"
    located = locate_quote(quote, text)
    assert located.match == "exact"
    assert_slices_back(located, text)


def test_arabic_quote_with_different_spacing_grounds_after_normalising() -> None:
    text = "قاعدة عسكرية في ريف  دير الزور\nالشرقي تعرضت لهجوم"
    located = locate_quote("ريف دير الزور الشرقي", text)
    assert located.match == "normalized"
    assert_slices_back(located, text)


def test_fuzzy_match_records_its_score() -> None:
    located = locate_quote(FUZZY_QUOTE, BEFORE + PLANTED + AFTER)
    assert located.match == "fuzzy"
    assert located.score is not None and DEFAULT_FUZZY_FLOOR <= located.score < 100


def test_fuzzy_floor_is_adjustable() -> None:
    quote = PLANTED.replace("rockets", "missiles")  # scores about 88
    text = BEFORE + PLANTED + AFTER
    assert locate_quote(quote, text).match == "not_found"
    assert locate_quote(quote, text, fuzzy_floor=80).match == "fuzzy"
    assert locate_quote(FUZZY_QUOTE, text, fuzzy_floor=99.5).match == "not_found"


def test_fuzzy_match_in_a_long_article_is_found_around_its_words() -> None:
    # Far larger than what is aligned in one pass, so only windows around the
    # quote's rarer words are compared.
    filler = "The weather in the region was mild and the markets were calm that week. " * 30_000
    text = filler + BEFORE + PLANTED + AFTER + filler
    located = locate_quote(FUZZY_QUOTE, text)
    assert located.match == "fuzzy"
    assert text[located.start : located.end] == FUZZY_SPAN  # type: ignore[misc]


def test_normalised_match_in_a_long_article_maps_back_to_original_offsets() -> None:
    filler = "Paragraph  with   odd \u2014 spacing\u2026 and \u201cmarks\u201d.\n\n" * 50_000
    text = filler + BEFORE + PLANTED.replace(" ", "  ") + AFTER
    located = locate_quote(PLANTED.upper(), text)
    assert located.match == "normalized"
    assert_slices_back(located, text)
    assert located.start == len(filler) + len(BEFORE)


# --- Referring expressions --------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("Iran-backed militias", "Iran-backed militias"),
        ("iran\u2013backed  militias", "Iran-backed militias"),
        ("self-defense militias", None),  # not in the text, and never matched fuzzily
        ("", None),
    ],
)
def test_locate_expression_is_exact_or_normalised_never_fuzzy(expression: str, expected: str | None) -> None:
    span = locate_expression(expression, JPOST)
    if expected is None:
        assert span is None
    else:
        assert span is not None
        assert JPOST[span[0] : span[1]] == expected


def test_locate_expression_prefers_the_occurrence_near_the_claim() -> None:
    quote_start = JPOST.index("No casualties were reported")
    span = locate_expression("Iran-backed militias", JPOST, near=(quote_start, quote_start + 200))
    assert span is not None
    nearest = JPOST.rfind("Iran-backed militias", 0, quote_start)
    assert span[0] == nearest != JPOST.find("Iran-backed militias")


# --- Grounding claims: the quote and the numbers ----------------------------------


@pytest.mark.parametrize(
    ("value", "number", "number_high", "quote", "status", "missing"),
    [
        pytest.param("eight rockets", 8, None, "firing eight rockets", "grounded", [], id="word-in-quote"),
        pytest.param(
            "8 rockets", 8, None, "firing eight rockets", "grounded", [], id="digits-claimed-word-quoted"
        ),
        pytest.param(
            "eight rockets", 8, None, "firing 8 rockets", "grounded", [], id="word-claimed-digits-quoted"
        ),
        pytest.param(
            "2,500 troops", 2500, None, "2500 troops in Iraq", "grounded", [], id="thousands-separator"
        ),
        pytest.param("12 rockets", 12, None, "a dozen rockets", "grounded", [], id="a-dozen-is-12"),
        pytest.param("a dozen bases", 12, None, "roughly a dozen bases", "grounded", [], id="idiom-in-both"),
        pytest.param(
            "approximately 900", 900, None, "approximately 900 US troops", "grounded", [], id="hedged"
        ),
        pytest.param(
            "seven to ten rockets", 7, 10, "between seven and ten rockets", "grounded", [], id="range"
        ),
        pytest.param(
            "eight rockets",
            8,
            None,
            "firing six rockets",
            "number_not_in_quote",
            ["8"],
            id="eight-claimed-six-quoted",
        ),
        pytest.param(
            "7 to 10 rockets", 7, 10, "seven rockets", "number_not_in_quote", ["10"], id="range-end-missing"
        ),
        pytest.param(
            "several rockets", 5, None, "several rockets", "number_not_in_quote", ["5"], id="invented-number"
        ),
        pytest.param(
            "eighty rockets",
            None,
            None,
            "eight rockets",
            "number_not_in_quote",
            ["80"],
            id="number-in-value-text",
        ),
        pytest.param(
            "no casualties", 0, None, "No casualties were reported", "grounded", [], id="no-casualties"
        ),
        pytest.param(
            "no casualties",
            0,
            None,
            "the attack did not result in any casualties",
            "grounded",
            [],
            id="did-not",
        ),
        pytest.param("none", None, None, "nobody was hurt", "grounded", [], id="nobody"),
        pytest.param(
            "no casualties",
            0,
            None,
            "casualties were reported among the militias",
            "number_not_in_quote",
            ["0"],
            id="no-claimed-without-negation",
        ),
        pytest.param(
            "Iran-backed militias", None, None, "Iran-backed militias", "grounded", [], id="no-number"
        ),
    ],
)
def test_every_number_of_the_value_must_be_in_the_quote(
    value: str, number: float | None, number_high: float | None, quote: str, status: str, missing: list[str]
) -> None:
    text = f"Reports said: {quote}. Later, more was said."
    claim = make_claim(quote, value=value, number=number, number_high=number_high)
    grounded = ground_claim(claim, text)
    assert grounded.quote.match == "exact"
    assert grounded.grounding.status == status
    assert grounded.grounding.missing_numbers == missing
    assert grounded.grounding.note
    assert grounded.grounded is (status == "grounded")


def test_seed_claim_eight_rockets_is_grounded_with_offsets() -> None:
    claim = make_claim(JPOST_QUOTE, value="eight rockets", number=8, qualifier="exact", unit="rockets")
    grounded = ground_claim(claim, JPOST)
    assert grounded.grounding.status == "grounded"
    assert grounded.quote.match == "exact"
    assert_slices_back(grounded.quote, JPOST)


def test_number_elsewhere_in_the_article_but_not_in_the_quote_is_ungrounded() -> None:
    quote = "The rockets fell short of the base, according to the coalition."
    assert "eight" in JPOST and quote in JPOST
    grounded = ground_claim(make_claim(quote, value="eight rockets", number=8), JPOST)
    assert grounded.grounding.status == "number_not_in_quote"
    assert grounded.grounding.missing_numbers == ["8"]
    assert not grounded.grounded
    assert_slices_back(grounded.quote, JPOST)  # the quote itself was found


def test_numbers_are_checked_against_the_article_not_the_models_quote() -> None:
    # The model changed "six" into "eight"; the fuzzy match finds the real sentence,
    # whose words do not carry the claimed number.
    quote = "returned fire with eight artillery shells towards the source of the fire"
    grounded = ground_claim(make_claim(quote, value="eight artillery shells", number=8), ALMAYADEEN)
    assert grounded.quote.match == "fuzzy"
    span = ALMAYADEEN[grounded.quote.start : grounded.quote.end]  # type: ignore[misc]
    assert "six artillery shells" in span
    # the value's own number is what is missing, so that is the status; the note says both
    assert grounded.grounding.status == "number_not_in_quote"
    assert grounded.grounding.missing_numbers == ["8"]
    assert "'six' missing from the quote, 'eight' added by the quote" in (grounded.grounding.note or "")


def test_seed_no_casualties_in_curly_quotes_grounds_after_normalising() -> None:
    quote = 'citing "some minor damage to infrastructure" but "no casualties."'
    grounded = ground_claim(
        make_claim(quote, value="no casualties", facet="casualties", qualifier="none"), RT
    )
    assert grounded.quote.match == "normalized"
    assert grounded.grounding.status == "grounded"
    assert_slices_back(grounded.quote, RT)


def test_a_quote_not_in_the_article_is_kept_but_ungrounded() -> None:
    claim = make_claim("The coalition blamed Tehran for ten rockets", value="ten rockets", number=10)
    grounded = ground_claim(claim, JPOST)
    assert grounded.grounding.status == "quote_not_found"
    assert grounded.quote.match == "not_found"
    assert grounded.quote.text == claim.quote.text
    assert not grounded.grounded
    assert grounded.id == claim.id and grounded.value == claim.value


def test_a_near_miss_below_the_floor_says_how_close_it_was() -> None:
    claim = make_claim(
        "accused Iran-backed actors of launching nine missiles at a coalition base", number=None
    )
    grounded = ground_claim(claim, JPOST)
    assert grounded.grounding.status == "quote_not_found"
    assert "below the floor" in (grounded.grounding.note or "")


def test_a_claim_without_a_quote_is_not_grounded() -> None:
    grounded = ground_claim(make_claim("", value="Iran-backed militias"), JPOST)
    assert grounded.grounding.status == "quote_not_found"
    assert grounded.grounding.note == "the claim has no quote"


def test_grounding_returns_a_copy_and_leaves_the_claim_untouched() -> None:
    claim = make_claim(JPOST_QUOTE, number=8)
    grounded = ground_claim(claim, JPOST)
    assert claim.quote.match == "unchecked" and claim.grounding.status == "unchecked"
    assert grounded is not claim
    assert grounded.model_dump(exclude={"quote", "grounding"}) == claim.model_dump(
        exclude={"quote", "grounding"}
    )


def test_ground_claim_uses_the_hint_and_previous_offsets_for_repeated_quotes() -> None:
    second = JPOST.find(JPOST_QUOTE, JPOST.find(JPOST_QUOTE) + 1)
    chunk = (second - 100, second + 400)
    grounded = ground_claim(make_claim(JPOST_QUOTE, number=8), JPOST, hint=chunk)
    assert grounded.quote.start == second
    # Grounding again without a hint keeps the same occurrence.
    assert ground_claim(grounded, JPOST).quote.start == second


def test_ground_claims_takes_articles_by_id_or_as_a_list() -> None:
    article = make_article("a1", JPOST)
    claims = [make_claim(JPOST_QUOTE, number=8), make_claim("ten drones hit the base", value="ten drones")]
    for articles in ({"a1": article}, [article]):
        grounded = ground_claims(claims, articles)
        assert [c.grounding.status for c in grounded] == ["grounded", "quote_not_found"]


def test_ground_claims_names_a_missing_article() -> None:
    with pytest.raises(InputError, match="a1.c1.*'a1'"):
        ground_claims([make_claim(JPOST_QUOTE)], [make_article("other", JPOST)])


# --- A fuzzy match never hides a change of meaning ----------------------------------
#
# Fuzzy matching forgives wording; it must never forgive meaning. Each quote below is
# close enough to the article to pass the similarity floor, so only the comparison of
# the words that carry the meaning (negations, numbers, a few critical words) decides.

ARTICLE = (
    "The US-led coalition said on Wednesday that Iran-backed militias fired eight rockets toward the "
    "Green Village base in the Deir Ezzor region of eastern Syria. The militia did not fire rockets at "
    "the nearby Conoco gas field, which hosts about 900 US troops. Two soldiers were killed in a separate "
    "attack on the base after the strike. The drones were intercepted before reaching the base, the "
    "defence ministry said. The attack ended without casualties among the troops. The group denied "
    "responsibility for the attack on the base. Six missiles have reportedly rained down on the base "
    "at the Al-Omar oil field northeast of Deir ez-Zor. "
    "أعلن التحالف أن الهجوم لم يسفر عن أي إصابات في صفوف الجنود."
)


def ground_in_article(quote: str) -> Claim:
    """Ground a claim whose value carries no number, so only the quote's words decide."""
    claim = make_claim(quote, value="a coalition base", facet="target")
    return ground_claim(claim, ARTICLE)


@pytest.mark.parametrize(
    ("quote", "article_words"),
    [
        pytest.param(
            "fired eight rockets towards the Green Village base in the Deir Ezzor region of eastern Syria",
            "fired eight rockets toward the Green Village base in the Deir Ezzor region of eastern Syria",
            id="towards-for-toward",
        ),
        pytest.param(
            "fired eight rockets toward Green Village base in the Deir Ezzor region of eastern Syria",
            "fired eight rockets toward the Green Village base in the Deir Ezzor region of eastern Syria",
            id="a-dropped-the",
        ),
        pytest.param(
            "fired eight rockets toward the Green Vilage base in the Deir Ezzor region of eastern Syria",
            "fired eight rockets toward the Green Village base in the Deir Ezzor region of eastern Syria",
            id="a-typo",
        ),
        pytest.param(
            "The drones were intercepted before reaching the base the defence ministry said",
            "The drones were intercepted before reaching the base, the defence ministry said",
            id="a-dropped-comma",
        ),
        pytest.param(
            "The drones were intercepted before reaching the base, the defense ministry said",
            "The drones were intercepted before reaching the base, the defence ministry said",
            id="american-spelling",
        ),
        pytest.param(
            "the Green Village base in the Deir ez-Zor region of eastern Syria",
            "the Green Village base in the Deir Ezzor region of eastern Syria",
            id="a-place-spelled-another-way",
        ),
        pytest.param(
            "Iran-backed militias fired 8 rockets toward the Green Village base",
            "Iran-backed militias fired eight rockets toward the Green Village base",
            id="digits-for-a-number-word",
        ),
        pytest.param(
            "The militia didn't fire rockets at the nearby Conoco gas field",
            "The militia did not fire rockets at the nearby Conoco gas field",
            id="a-contracted-negation",
        ),
        pytest.param(
            "Two soldiers were dead in a separate attack on the base after the strike",
            "Two soldiers were killed in a separate attack on the base after the strike",
            id="a-synonym-of-the-same-fact",
        ),
        pytest.param(
            "rained down on the base at the Al-Omar oil field north-east of Deir ez-Zor",
            "rained down on the base at the Al-Omar oil field northeast of Deir ez-Zor",
            id="a-hyphenated-direction",
        ),
        pytest.param(
            "أعلن التحالف ان الهجوم لم يسفر عن اي إصابات في صفوف الجنود",
            "أعلن التحالف أن الهجوم لم يسفر عن أي إصابات في صفوف الجنود",
            id="arabic-without-hamza",
        ),
    ],
)
def test_a_fuzzy_match_that_keeps_the_meaning_grounds(quote: str, article_words: str) -> None:
    grounded = ground_in_article(quote)
    assert grounded.quote.match == "fuzzy"
    assert_slices_back(grounded.quote, ARTICLE)
    assert ARTICLE[grounded.quote.start : grounded.quote.end] == article_words  # type: ignore[misc]
    assert grounded.grounding.status == "grounded", grounded.grounding.note


@pytest.mark.parametrize(
    ("quote", "article_words", "difference"),
    [
        pytest.param(
            "the militia did fire rockets at the nearby Conoco gas field",
            "The militia did not fire rockets at the nearby Conoco gas field",
            "'not' missing from the quote",
            id="a-dropped-not",
        ),
        pytest.param(
            "The drones were not intercepted before reaching the base",
            "The drones were intercepted before reaching the base",
            "'not' added by the quote",
            id="an-added-not",
        ),
        pytest.param(
            "The militia never fired rockets at the nearby Conoco gas field",
            "The militia did not fire rockets at the nearby Conoco gas field",
            "'not' missing from the quote, 'never' added by the quote",
            id="never-for-not",
        ),
        pytest.param(
            "The attack ended with casualties among the troops",
            "The attack ended without casualties among the troops",
            "'without' missing from the quote",
            id="with-for-without",
        ),
        pytest.param(
            "The group confirmed responsibility for the attack on the base",
            "The group denied responsibility for the attack on the base",
            "'denied' missing from the quote",
            id="confirmed-for-denied",
        ),
        pytest.param(
            "fired nine rockets toward the Green Village base in the Deir Ezzor region",
            "fired eight rockets toward the Green Village base in the Deir Ezzor region",
            "'eight' missing from the quote, 'nine' added by the quote",
            id="a-number-word",
        ),
        pytest.param(
            "the nearby Conoco gas field, which hosts about 800 US troops",
            "the nearby Conoco gas field, which hosts about 900 US troops",
            "'900' missing from the quote, '800' added by the quote",
            id="digits",
        ),
        pytest.param(
            "the nearby Conoco gas field, which hosts at least 900 US troops",
            "the nearby Conoco gas field, which hosts about 900 US troops",
            "'about 900' missing from the quote, 'at least 900' added by the quote",
            id="the-bound-of-a-number",
        ),
        pytest.param(
            "Two soldiers were wounded in a separate attack on the base after the strike",
            "Two soldiers were killed in a separate attack on the base after the strike",
            "'killed' missing from the quote, 'wounded' added by the quote",
            id="wounded-for-killed",
        ),
        pytest.param(
            "Two soldiers were killed in a separate attack on the base before the strike",
            "Two soldiers were killed in a separate attack on the base after the strike",
            "'after' missing from the quote, 'before' added by the quote",
            id="before-for-after",
        ),
        pytest.param(
            "the Green Village base in the Deir Ezzor region of western Syria",
            "the Green Village base in the Deir Ezzor region of eastern Syria",
            "'eastern' missing from the quote, 'western' added by the quote",
            id="a-direction",
        ),
        pytest.param(
            "Six missiles have rained down on the base at the Al-Omar oil field",
            "Six missiles have reportedly rained down on the base at the Al-Omar oil field",
            "'reportedly' missing from the quote",
            id="a-dropped-reportedly",
        ),
        pytest.param(
            "أعلن التحالف أن الهجوم أسفر عن إصابات في صفوف الجنود",
            "أعلن التحالف أن الهجوم لم يسفر عن أي إصابات في صفوف الجنود",
            "'لم' missing from the quote",
            id="an-arabic-negation",
        ),
    ],
)
def test_a_fuzzy_match_that_changes_the_meaning_is_never_grounded(
    quote: str, article_words: str, difference: str
) -> None:
    grounded = ground_in_article(quote)
    # found, above the floor, and kept for display at the article's own words...
    assert grounded.quote.match == "fuzzy"
    assert grounded.quote.score is not None and grounded.quote.score >= DEFAULT_FUZZY_FLOOR
    assert ARTICLE[grounded.quote.start : grounded.quote.end] == article_words  # type: ignore[misc]
    # ...but the quote is not what the article says there
    assert grounded.grounding.status == "quote_not_found"
    assert not grounded.grounded
    assert grounded.grounding.note is not None
    assert grounded.grounding.note.endswith(f"the article's words differ from the quote: {difference}")


def test_a_quote_that_drops_the_articles_not_is_not_grounded() -> None:
    # The case that scored 96.4 and was grounded: the article says the opposite.
    text = "Officials said the militia did not fire rockets at the Green Village base on Wednesday."
    claim = make_claim("the militia did fire rockets at the Green Village base", value="fired rockets")
    grounded = ground_claim(claim, text)
    assert (grounded.quote.match, grounded.quote.score) == ("fuzzy", 96.4)
    assert text[grounded.quote.start : grounded.quote.end] == (  # type: ignore[misc]
        "the militia did not fire rockets at the Green Village base"
    )
    assert grounded.grounding.status == "quote_not_found"
    assert grounded.grounding.note == (
        "closest passage found by fuzzy match (score 96.4) at 15-73, "
        "but the article's words differ from the quote: 'not' missing from the quote"
    )


def test_exact_and_normalised_matches_are_the_articles_own_words_and_need_no_comparison() -> None:
    quote = "The militia did not fire rockets at the nearby Conoco gas field"
    assert ground_in_article(quote).grounding.status == "grounded"
    assert ground_in_article(quote.upper()).grounding.status == "grounded"


# --- A zero must be stated ------------------------------------------------------------
#
# "no casualties" is grounded only by words that deny what it counts: a negation
# followed, within a few words and inside the same clause, by the thing counted.
# A negation anywhere else in the quote ("not clear whether...") is not a zero.


@pytest.mark.parametrize(
    ("value", "facet", "quote"),
    [
        pytest.param("no casualties", "casualties", "No casualties were reported", id="no-casualties"),
        pytest.param(
            "no casualties",
            "casualties",
            "the attack did not result in any casualties",
            id="did-not-result-in-any",
        ),
        pytest.param("no casualties", "casualties", "the convoy passed without casualties", id="without"),
        pytest.param("no casualties", "casualties", "no one was hurt", id="no-one-was-hurt"),
        pytest.param("no casualties", "casualties", "No-one was injured in the attack", id="no-one-hyphen"),
        pytest.param(
            "no casualties",
            "casualties",
            "no U.S. personnel were injured",
            id="abbreviation-with-full-stops",
        ),
        pytest.param(
            "no casualties", "casualties", "there were no deaths or injuries", id="deaths-and-injuries"
        ),
        pytest.param("no casualties", "casualties", "all coalition personnel were unharmed", id="unharmed"),
        pytest.param("no casualties", "casualties", "the coalition denied that anyone was hurt", id="denied"),
        pytest.param("no casualties", "casualties", "zero casualties", id="zero"),
        pytest.param("none", "killed", "nobody was killed", id="nobody-was-killed"),
        pytest.param(
            "no one killed",
            "killed",
            "two soldiers were wounded, but none were killed",
            id="no-deaths-among-injuries",
        ),
        pytest.param(
            "no damage",
            "damage",
            "There were no casualties or damage to infrastructure",
            id="damage-in-a-list",
        ),
        pytest.param(
            "none of the rockets hit",
            "outcome",
            "none of the rockets hit the base",
            id="the-values-own-noun",
        ),
        pytest.param("لم يسفر عن أي إصابات", "casualties", "إن الهجوم لم يسفر عن أي إصابات", id="arabic-lam"),
        pytest.param("no casualties", "casualties", "دون وقوع إصابات", id="arabic-without"),
    ],
)
def test_a_zero_grounds_when_the_quote_states_it(value: str, facet: str, quote: str) -> None:
    claim = make_claim(quote, value=value, facet=facet, number=0, qualifier="none")
    grounded = ground_claim(claim, f"Reports said: {quote}. Later, more was said.")
    assert grounded.grounding.status == "grounded", grounded.grounding.note


@pytest.mark.parametrize(
    ("value", "facet", "quote"),
    [
        pytest.param(
            "no casualties",
            "casualties",
            "It was not immediately clear whether anyone was hurt",
            id="not-clear-whether",
        ),
        pytest.param(
            "no casualties", "casualties", "officials did not say whether anyone was killed", id="did-not-say"
        ),
        pytest.param(
            "no casualties",
            "casualties",
            "the Pentagon did not confirm any casualties",
            id="did-not-confirm",
        ),
        pytest.param(
            "no casualties",
            "casualties",
            "there were no immediate reports of casualties",
            id="no-immediate-reports",
        ),
        pytest.param(
            "no casualties",
            "casualties",
            "the rockets did not hit the base, but two soldiers were wounded",
            id="negation-in-another-clause",
        ),
        pytest.param(
            "no casualties",
            "casualties",
            "the base was not hit and there were casualties",
            id="negation-before-and",
        ),
        pytest.param(
            "no casualties", "casualties", "No damage was reported at the base", id="negation-of-damage"
        ),
        pytest.param(
            "no casualties",
            "casualties",
            "two soldiers were wounded, none were killed",
            id="deaths-denied-injuries-not",
        ),
        pytest.param(
            "no casualties",
            "casualties",
            "casualties were reported among the militias",
            id="no-negation-at-all",
        ),
        pytest.param(
            "none of the rockets hit",
            "outcome",
            "none of the soldiers were killed",
            id="the-values-noun-not-denied",
        ),
        pytest.param(
            "no casualties",
            "casualties",
            "لم يتضح ما إذا كانت هناك إصابات",
            id="arabic-not-clear-whether",
        ),
    ],
)
def test_a_zero_is_not_grounded_by_a_negation_that_denies_something_else(
    value: str, facet: str, quote: str
) -> None:
    claim = make_claim(quote, value=value, facet=facet, number=0, qualifier="none")
    grounded = ground_claim(claim, f"Reports said: {quote}. Later, more was said.")
    assert grounded.quote.match == "exact"
    assert grounded.grounding.status == "number_not_in_quote"
    assert grounded.grounding.missing_numbers == ["0"]
    assert "a stated zero" in (grounded.grounding.note or "")


def test_the_note_on_an_unstated_zero_names_what_was_not_denied() -> None:
    quote = "It was not immediately clear whether anyone was hurt"
    claim = make_claim(quote, value="no casualties", facet="casualties", number=0, qualifier="none")
    grounded = ground_claim(claim, quote)
    assert grounded.grounding.note == (
        "quote found exactly at 0-52, but it does not contain a stated zero "
        "(no negation bears on casualties) from the value 'no casualties'"
    )
