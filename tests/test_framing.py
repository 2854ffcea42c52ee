"""Framing tables: one per referent, every outlet's words, loaded terms marked, offsets in the article."""

from __future__ import annotations

from pathlib import Path

from claimkit import article, claim, expression

from reconcile.framing import build_framing
from reconcile.group import group_claims
from reconcile.lexicon import load_lexicon
from reconcile.models import FramingTable


def _table(tables: list[FramingTable], referent: str) -> FramingTable:
    return next(t for t in tables if t.referent == referent)


def _militia_claims() -> list:
    return [
        claim("jpost.c1", referring=[
            expression("Iran-backed militias", "armed_group", "Iran-supported malign actors", "quoted",
                       "US-led coalition"),
            expression("Iran-backed militias", "armed_group", "Iran-backed militias"),
        ], outlet="The Jerusalem Post"),
        claim("arabic.c1", referring=[
            expression("Iranian-affiliated groups", "armed_group", "Iranian-affiliated groups"),
        ], outlet="Asharq"),
        claim("rt.c1", referring=[
            expression("self-defense militias", "armed_group", "self-defense militias"),
        ], outlet="RT"),
        claim("regional.c1", referring=[
            expression("IRGC proxies", "armed_group", "the IRGC and its proxies"),
        ], outlet="Regional"),
    ]  # fmt: skip


def test_names_for_the_same_militias_across_outlets_are_one_table() -> None:
    tables = build_framing(_militia_claims())

    militias = _table(tables, "Iran-backed militias")
    assert militias.referent_kind == "armed_group"
    assert [(e.outlet, e.expression, e.voice, e.quoted_from) for e in militias.entries] == [
        ("Asharq", "Iranian-affiliated groups", "own", None),
        ("Regional", "the IRGC and its proxies", "own", None),
        ("RT", "self-defense militias", "own", None),
        ("The Jerusalem Post", "Iran-backed militias", "own", None),
        ("The Jerusalem Post", "Iran-supported malign actors", "quoted", "US-led coalition"),
    ]
    assert len(tables) == 1


def test_loaded_terms_are_marked_whoever_says_them() -> None:
    militias = _table(build_framing(_militia_claims()), "Iran-backed militias")

    loaded = {e.expression: e.loaded_terms for e in militias.entries}
    assert loaded == {
        "Iranian-affiliated groups": [],
        "the IRGC and its proxies": ["proxies"],
        "self-defense militias": ["self-defense"],
        "Iran-backed militias": [],
        "Iran-supported malign actors": ["malign"],
    }


def test_the_same_base_under_different_names_is_one_table() -> None:
    claims = [
        claim("rt.c1", at="the Al-Omar oil field", outlet="RT", referring=[
            expression("US base at al-Omar", "base", "an illegal US military base"),
        ]),
        claim("jpost.c1", outlet="The Jerusalem Post", referring=[
            expression("Green Village base", "base", "base hosting US forces"),
        ]),
        claim("regional.c1", outlet="Regional", referring=[
            expression("Mission Support Site Green Village", "base", "Mission Support Site Green Village"),
        ]),
    ]  # fmt: skip

    tables = build_framing(claims)

    assert [t.referent for t in tables] == ["Green Village base"]
    entries = {e.outlet: (e.expression, e.loaded_terms) for e in tables[0].entries}
    assert entries == {
        "RT": ("an illegal US military base", ["illegal"]),
        "The Jerusalem Post": ("base hosting US forces", []),
        "Regional": ("Mission Support Site Green Village", []),
    }


def test_a_generic_base_name_is_placed_by_the_event_it_belongs_to() -> None:
    claims = [
        claim("jpost.c1", at="a coalition base in the Deir Ezzor region", outlet="The Jerusalem Post",
              amount=None, referring=[expression("coalition base", "base", "a coalition base")]),
        claim("jpost.c2", at="the Green Village", outlet="The Jerusalem Post"),
        claim("regional.c1", at="Green Village", outlet="Regional",
              referring=[expression("Green Village", "base", "Green Village")]),
    ]  # fmt: skip

    tables = build_framing(claims, group_claims(claims))

    assert [(t.referent, len(t.entries)) for t in tables] == [("Green Village base", 2)]


def test_different_things_are_not_merged() -> None:
    claims = [
        claim("a.c1", referring=[expression("al-Tanf garrison", "base", "the al-Tanf garrison")]),
        claim("b.c1", referring=[expression("Green Village base", "base", "Green Village")]),
        claim("c.c1", referring=[expression("Liwa al-Quds", "armed_group", "Liwa al-Quds")]),
        claim("d.c1", referring=[expression("Kataib Hezbollah", "armed_group", "Kataib Hezbollah")]),
    ]

    tables = build_framing(claims)

    assert len(tables) == 4


def test_strikes_are_tables_of_their_own_event() -> None:
    claims = [
        claim("a.c1", event_type="airstrike", at="al-Mayadeen", on="2022-08-24",
              referring=[expression("coalition air strikes", "strike", "a series of coalition air strikes")]),
        claim("b.c1", event_type="airstrike", at="al-Mayadeen", on="2022-08-24",
              referring=[expression("US strikes", "strike", "American aggression")]),
        claim("c.c1", event_type="airstrike", at="al-Mayadeen", on="2023-10-26",
              referring=[expression("US strikes", "strike", "precision strikes")]),
    ]  # fmt: skip

    tables = build_framing(claims, group_claims(claims))

    assert sorted(len(t.entries) for t in tables) == [1, 2]
    assert all(t.referent_kind == "strike" for t in tables)


def test_each_entry_points_at_its_words_in_the_article() -> None:
    text = (
        'The coalition accused "Iran-supported malign actors" of firing eight rockets. '
        "Iran-backed militias have stepped up attacks. Iran-backed militias deny it."
    )
    quote = "Iran-backed militias deny it."
    claims = [
        claim("jpost.c1", quote=quote, referring=[
            expression("Iran-backed militias", "armed_group", "Iran-supported malign actors", "quoted",
                       "coalition"),
            expression("Iran-backed militias", "armed_group", "Iran-backed militias"),
        ]),
    ]  # fmt: skip
    claims[0] = claims[0].model_copy(
        update={"quote": claims[0].quote.model_copy(update={"start": text.index(quote), "end": len(text)})}
    )

    table = build_framing(claims, articles=[article("jpost", text)])[0]

    spans = {e.expression: (e.start, e.end) for e in table.entries}
    for words, (start, end) in spans.items():
        assert start is not None and end is not None
        assert text[start:end] == words
    assert spans["Iran-backed militias"][0] == text.index(quote)  # the occurrence in the claim's quote


def test_without_articles_there_are_no_offsets() -> None:
    table = build_framing(_militia_claims())[0]

    assert all(e.start is None and e.end is None for e in table.entries)


def test_the_same_words_repeated_in_one_article_are_listed_once() -> None:
    words = expression("Iran-backed militias", "armed_group", "Iran-backed militias")
    claims = [claim("a.c1", referring=[words]), claim("a.c2", referring=[words])]

    table = build_framing(claims)[0]

    assert [(e.claim_id, e.expression) for e in table.entries] == [("a.c1", "Iran-backed militias")]


def test_a_user_lexicon_adds_loaded_terms_and_aliases(tmp_path: Path) -> None:
    extra = tmp_path / "lexicon.yaml"
    extra.write_text(
        "loaded_terms: [heroic]\n"
        "referents:\n"
        "  - name: Tribal fighters\n"
        "    kind: armed_group\n"
        "    aliases: [Arab tribal forces, clan fighters]\n",
        encoding="utf-8",
    )
    lexicon = load_lexicon(extra)
    claims = [
        claim(
            "a.c1", referring=[expression("Arab tribal forces", "armed_group", "heroic Arab tribal forces")]
        ),
        claim("b.c1", referring=[expression("clan fighters", "armed_group", "clan fighters")]),
    ]

    tables = build_framing(claims, lexicon=lexicon)

    assert [t.referent for t in tables] == ["Tribal fighters"]
    assert tables[0].entries[0].loaded_terms == ["heroic"]
