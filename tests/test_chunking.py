"""Chunking long articles, and de-duplicating what two overlapping chunks both yield."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconcile.chunking import dedupe_claims, split_into_chunks
from reconcile.errors import ConfigError
from reconcile.ground import ground_claim
from reconcile.models import Chunk, Claim, ClaimEvent, Grounding, Quote, ReferringExpression, SourceRef

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
# All five sample articles one after another: a realistic long text with paragraphs.
CORPUS = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))


def assert_chunks_cover(chunks: list[Chunk], text: str, max_chars: int) -> None:
    """Offsets slice back, every character is in some chunk, no chunk is too long."""
    assert chunks[0].start == 0
    assert chunks[-1].end == len(text)
    for index, chunk in enumerate(chunks):
        assert chunk.index == index
        assert chunk.text == text[chunk.start : chunk.end]
        assert 0 < chunk.end - chunk.start <= max_chars
    for previous, following in zip(chunks, chunks[1:], strict=False):
        assert previous.start < following.start <= previous.end, "chunks move forward with no gap"


def overlaps(chunks: list[Chunk]) -> list[int]:
    return [previous.end - following.start for previous, following in zip(chunks, chunks[1:], strict=False)]


def test_a_short_article_is_one_chunk() -> None:
    text = (SEEDS / "001_ff319505259e0261.txt").read_text(encoding="utf-8")
    assert split_into_chunks(text) == [Chunk(index=0, start=0, end=len(text), text=text)]


def test_empty_text_is_one_empty_chunk() -> None:
    assert split_into_chunks("") == [Chunk(index=0, start=0, end=0, text="")]


@pytest.mark.parametrize(
    ("max_chars", "overlap_chars"),
    [(12_000, 800), (4_000, 400), (2_000, 300), (1_000, 0), (600, 100)],
)
def test_chunk_offsets_slice_back_to_the_whole_article(max_chars: int, overlap_chars: int) -> None:
    chunks = split_into_chunks(CORPUS, max_chars=max_chars, overlap_chars=overlap_chars)
    assert len(chunks) > 1
    assert_chunks_cover(chunks, CORPUS, max_chars)


def test_chunks_end_on_paragraph_breaks_when_the_text_has_them() -> None:
    chunks = split_into_chunks(CORPUS, max_chars=3_000, overlap_chars=300)
    for chunk in chunks[:-1]:
        assert chunk.text.endswith("\n"), repr(chunk.text[-40:])


def test_consecutive_chunks_overlap_by_about_the_overlap_in_whole_sentences() -> None:
    chunks = split_into_chunks(CORPUS, max_chars=3_000, overlap_chars=300)
    assert all(0 < shared <= 2 * 300 for shared in overlaps(chunks))
    for chunk in chunks[1:]:
        # The overlap starts at the beginning of a sentence or of a line.
        before = CORPUS[: chunk.start]
        assert before[-1].isspace(), repr(before[-20:])
        assert before.rstrip(" ")[-1] in '\n.?!"\u201d', repr(before[-20:])


def test_without_paragraphs_chunks_end_on_sentence_boundaries() -> None:
    sentence = "The coalition said eight rockets were fired at the base. "
    text = sentence * 400
    chunks = split_into_chunks(text, max_chars=2_000, overlap_chars=200)
    assert len(chunks) > 1
    assert_chunks_cover(chunks, text, 2_000)
    for chunk in chunks:
        assert chunk.text.startswith("The coalition")
        assert chunk.text.endswith("the base. ")


def test_without_sentences_chunks_end_between_words() -> None:
    text = "rockets " * 2_000
    chunks = split_into_chunks(text, max_chars=1_000, overlap_chars=100)
    assert_chunks_cover(chunks, text, 1_000)
    assert all(chunk.text.startswith("rockets") for chunk in chunks)


def test_a_ten_megabyte_single_line_is_cut_hard_and_offsets_still_hold() -> None:
    text = "x" * 10_000_000
    chunks = split_into_chunks(text)
    assert_chunks_cover(chunks, text, 12_000)
    assert all(shared == 800 for shared in overlaps(chunks))


def test_a_ten_megabyte_line_of_words_is_cut_between_words() -> None:
    text = "word " * 2_000_000
    chunks = split_into_chunks(text)
    assert_chunks_cover(chunks, text, 12_000)
    assert all(chunk.text.startswith("word") for chunk in chunks)


def test_the_sentences_before_each_cut_are_repeated_at_the_start_of_the_next_chunk() -> None:
    overlap = 400
    chunks = split_into_chunks(CORPUS, max_chars=2_500, overlap_chars=overlap)
    for previous, following in zip(chunks, chunks[1:], strict=False):
        body_end = previous.start + len(previous.text.rstrip())
        last_sentence = max(
            CORPUS.rfind(". ", previous.start, body_end - 1) + 2,
            CORPUS.rfind("\n", previous.start, body_end) + 1,
        )
        if body_end - last_sentence <= overlap:
            assert following.start <= last_sentence, (
                "a claim in the last sentence is seen with what follows it"
            )


@pytest.mark.parametrize(
    ("max_chars", "overlap_chars"),
    [(0, 0), (100, 100), (100, 800), (100, -1)],
)
def test_impossible_chunk_sizes_are_a_config_error(max_chars: int, overlap_chars: int) -> None:
    with pytest.raises(ConfigError, match="chunk"):
        split_into_chunks("text " * 100, max_chars=max_chars, overlap_chars=overlap_chars)


# --- De-duplication across the overlap --------------------------------------------


def make_claim(claim_id: str, quote: Quote, value: str = "eight rockets", **fields: Any) -> Claim:
    base: dict[str, Any] = {
        "id": claim_id,
        "article_id": "a1",
        "outlet": "Example Post",
        "facet": "munition_count",
        "value": value,
        "event": ClaimEvent(type="rocket_attack"),
        "source": SourceRef(name="US-led coalition statement", kind="military"),
        "stance": "reported",
        "quote": quote,
        "grounding": Grounding(status="grounded"),
    }
    base.update(fields)
    return Claim(**base)


def exact(text: str, start: int) -> Quote:
    return Quote(text=text, start=start, end=start + len(text), match="exact")


def test_a_claim_read_from_both_chunks_of_an_overlap_is_kept_once() -> None:
    quote = 'accused "Iran-supported malign actors" of firing eight rockets towards a coalition base'
    text = "filler. " * 500 + quote + "." + " more filler." * 500
    start = text.index(quote)
    chunks = split_into_chunks(text, max_chars=4_400, overlap_chars=800)
    holding = [c for c in chunks if c.start <= start and start + len(quote) <= c.end]
    assert len(holding) >= 2, "the quote lies in the overlap of two chunks"
    claims = [
        ground_claim(
            make_claim(f"a1.c{n}", Quote(text=quote), chunk_index=chunk.index),
            text,
            hint=(chunk.start, chunk.end),
        )
        for n, chunk in enumerate(holding)
    ]
    assert {(c.quote.start, c.quote.end) for c in claims} == {(start, start + len(quote))}, "article offsets"
    assert [c.id for c in dedupe_claims(claims)] == ["a1.c0"]


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        pytest.param(
            exact("firing eight rockets", 100), exact("firing eight rockets", 100), True, id="same-span"
        ),
        pytest.param(
            exact("accused militias of firing eight rockets", 90),
            exact("firing eight rockets at the base", 110),
            True,
            id="overlapping-spans",
        ),
        pytest.param(
            Quote(text="Firing  eight rockets"),
            Quote(text="firing eight rockets"),
            True,
            id="equal-when-normalised",
        ),
        pytest.param(
            exact("firing eight rockets", 100),
            exact("firing eight rockets", 5_000),
            True,
            id="repeated-sentence",
        ),
        pytest.param(
            exact("militias were firing eight rockets", 100),
            exact("eight rockets hit the base", 5_000),
            False,
            id="different-passages",
        ),
        pytest.param(
            exact("a long passage about the attack and eight rockets fired at dawn", 100),
            exact("rockets fired at dawn; later eight more", 150),
            False,
            id="spans-touching-only-at-the-edge",
        ),
        pytest.param(Quote(text=""), Quote(text=""), False, id="no-quotes-at-all"),
    ],
)
def test_duplicates_are_claims_quoting_the_same_words(first: Quote, second: Quote, same: bool) -> None:
    claims = [make_claim("a1.c1", first), make_claim("a1.c2", second)]
    assert len(dedupe_claims(claims)) == (1 if same else 2)


@pytest.mark.parametrize(
    ("changes", "same"),
    [
        pytest.param({"value": "8 rockets"}, True, id="eight-equals-8"),
        pytest.param({"value": "Eight  Rockets"}, True, id="case-and-spacing"),
        pytest.param({"value": "six rockets"}, False, id="different-number"),
        pytest.param({"value": "eight drones"}, False, id="different-unit"),
        pytest.param({"facet": "outcome"}, False, id="different-facet"),
        pytest.param({"event": ClaimEvent(type="drone_attack")}, False, id="different-event-type"),
        pytest.param({"article_id": "a2", "id": "a2.c2"}, False, id="different-article"),
    ],
)
def test_only_the_same_fact_with_the_same_value_is_a_duplicate(changes: dict[str, Any], same: bool) -> None:
    quote = exact("firing eight rockets", 100)
    first = make_claim("a1.c1", quote)
    second = make_claim("a1.c2", quote).model_copy(update=changes)
    assert len(dedupe_claims([first, second])) == (1 if same else 2)


def test_the_better_grounded_copy_is_kept() -> None:
    fuzzy = make_claim(
        "a1.c1", Quote(text="firing eight rockts", start=100, end=120, match="fuzzy", score=93.0)
    )
    missing = make_claim(
        "a1.c2", exact("firing eight rockets", 100), grounding=Grounding(status="number_not_in_quote")
    )
    exact_copy = make_claim("a1.c3", exact("firing eight rockets", 100))
    assert [c.id for c in dedupe_claims([fuzzy, missing, exact_copy])] == ["a1.c3"]
    assert [c.id for c in dedupe_claims([fuzzy, missing])] == ["a1.c1"]


def test_referring_expressions_of_a_dropped_copy_are_kept() -> None:
    militias = ReferringExpression(
        referent="Iran-backed militias",
        referent_kind="armed_group",
        expression="Iran-supported malign actors",
        voice="quoted",
        quoted_from="US-led coalition",
    )
    base = ReferringExpression(
        referent="Green Village base", referent_kind="base", expression="a coalition base", voice="own"
    )
    first = make_claim("a1.c1", exact("firing eight rockets", 100), referring_expressions=[militias])
    second = make_claim("a1.c2", exact("firing eight rockets", 100), referring_expressions=[militias, base])
    (kept,) = dedupe_claims([first, second])
    assert kept.id == "a1.c1"
    assert kept.referring_expressions == [militias, base]


def test_survivors_keep_their_reading_order() -> None:
    claims = [
        make_claim("a1.c1", exact("firing eight rockets", 100)),
        make_claim(
            "a1.c2", exact("no casualties were reported", 300), value="no casualties", facet="casualties"
        ),
        make_claim("a1.c3", exact("firing eight rockets", 100)),
        make_claim("a1.c4", exact("minor damage", 400), value="minor damage", facet="damage"),
    ]
    assert [c.id for c in dedupe_claims(claims)] == ["a1.c1", "a1.c2", "a1.c4"]
    assert dedupe_claims([]) == []
