"""Normalisation: dates against the publication date, places through the gazetteer,
quantities as intervals, munitions by type. Each table row is one documented rule."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from pydantic import ValidationError

from reconcile.errors import InputError
from reconcile.models import (
    Claim,
    ClaimEvent,
    Gazetteer,
    GazetteerEntry,
    Quote,
    ResolvedPlace,
    SourceRef,
)
from reconcile.normalize import (
    load_gazetteer,
    munition_compatible,
    normalize_claims,
    normalize_munition,
    parse_quantity,
    place_relation,
    places_compatible,
    resolve_date,
    resolve_place,
)

D = dt.date
INF = None  # an unbounded upper end

# Publication dates of the sample articles (seeds/sources.yaml).
SYRIA_ARABIC = D(2022, 1, 6)  # 000: a Thursday
JERUSALEM_POST = D(2022, 1, 5)  # 001: a Wednesday
IRAN_INTERNATIONAL = D(2024, 8, 13)  # 002: a Tuesday
RT = D(2023, 10, 27)  # 003: a Friday
REGIONAL = D(2022, 9, 20)  # 004: a Tuesday


# --- Dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_written", "published", "start", "end", "precision"),
    [
        # weekdays: the most recent such day on or before publication, the same day included
        ("yesterday, Wednesday", SYRIA_ARABIC, D(2022, 1, 5), D(2022, 1, 5), "day"),
        ("today, Thursday", SYRIA_ARABIC, D(2022, 1, 6), D(2022, 1, 6), "day"),
        ("on Wednesday", JERUSALEM_POST, D(2022, 1, 5), D(2022, 1, 5), "day"),
        ("On Wednesday night", JERUSALEM_POST, D(2022, 1, 5), D(2022, 1, 5), "day"),
        ("Wednesday evening", JERUSALEM_POST, D(2022, 1, 5), D(2022, 1, 5), "day"),
        ("Early Wednesday morning", JERUSALEM_POST, D(2022, 1, 5), D(2022, 1, 5), "day"),
        ("on Tuesday", JERUSALEM_POST, D(2022, 1, 4), D(2022, 1, 4), "day"),
        ("on Tuesday", IRAN_INTERNATIONAL, D(2024, 8, 13), D(2024, 8, 13), "day"),
        ("early Friday morning", RT, D(2023, 10, 27), D(2023, 10, 27), "day"),
        ("early Friday", RT, D(2023, 10, 27), D(2023, 10, 27), "day"),
        ("Friday morning", RT, D(2023, 10, 27), D(2023, 10, 27), "day"),
        ("in the early hours of Friday", RT, D(2023, 10, 27), D(2023, 10, 27), "day"),
        ("on Thursday", RT, D(2023, 10, 26), D(2023, 10, 26), "day"),
        ("late on Thursday", RT, D(2023, 10, 26), D(2023, 10, 26), "day"),
        ("Thursday's", RT, D(2023, 10, 26), D(2023, 10, 26), "day"),
        # "last Friday" on a Friday is a week back, not the same day
        ("last Friday", RT, D(2023, 10, 20), D(2023, 10, 20), "day"),
        ("Wednesday last week", SYRIA_ARABIC, D(2021, 12, 29), D(2021, 12, 29), "day"),
        # relative days
        ("yesterday", SYRIA_ARABIC, D(2022, 1, 5), D(2022, 1, 5), "day"),
        ("last night", SYRIA_ARABIC, D(2022, 1, 5), D(2022, 1, 5), "day"),
        ("earlier in the day", JERUSALEM_POST, D(2022, 1, 5), D(2022, 1, 5), "day"),
        ("earlier today", JERUSALEM_POST, D(2022, 1, 5), D(2022, 1, 5), "day"),
        ("the day before yesterday", SYRIA_ARABIC, D(2022, 1, 4), D(2022, 1, 4), "day"),
        ("overnight", SYRIA_ARABIC, D(2022, 1, 5), D(2022, 1, 6), "range"),
        ("in the past 24 hours", SYRIA_ARABIC, D(2022, 1, 5), D(2022, 1, 6), "range"),
        # periods: last week = the 7 days before publication; this month = 1st to publication
        ("last week", IRAN_INTERNATIONAL, D(2024, 8, 6), D(2024, 8, 12), "week"),
        ("last week", RT, D(2023, 10, 20), D(2023, 10, 26), "week"),
        ("the past week", RT, D(2023, 10, 20), D(2023, 10, 27), "week"),
        ("earlier this week", RT, D(2023, 10, 23), D(2023, 10, 27), "week"),
        ("earlier this month", RT, D(2023, 10, 1), D(2023, 10, 27), "month"),
        ("so far this month", RT, D(2023, 10, 1), D(2023, 10, 27), "month"),
        ("last month", RT, D(2023, 9, 1), D(2023, 9, 30), "month"),
        ("earlier this year", RT, D(2023, 1, 1), D(2023, 10, 27), "year"),
        ("last year", RT, D(2022, 1, 1), D(2022, 12, 31), "year"),
        ("over the previous two days", SYRIA_ARABIC, D(2022, 1, 4), D(2022, 1, 6), "range"),
        ("in recent days", SYRIA_ARABIC, D(2021, 12, 30), D(2022, 1, 6), "range"),
        # explicit ranges; a year-less range ends on or before publication
        ("between October 17 and 24", RT, D(2023, 10, 17), D(2023, 10, 24), "range"),
        ("October 17-24", RT, D(2023, 10, 17), D(2023, 10, 24), "range"),
        ("from 17 to 24 October", RT, D(2023, 10, 17), D(2023, 10, 24), "range"),
        ("between December 28 and January 3", SYRIA_ARABIC, D(2021, 12, 28), D(2022, 1, 3), "range"),
        ("since October 17", RT, D(2023, 10, 17), D(2023, 10, 27), "range"),
        ("early January 2022", RT, D(2022, 1, 1), D(2022, 1, 10), "range"),
        # month and day without a year: the most recent such date on or before publication
        ("On September 18", REGIONAL, D(2022, 9, 18), D(2022, 9, 18), "day"),
        ("on August 24", REGIONAL, D(2022, 8, 24), D(2022, 8, 24), "day"),
        ("On August 15", REGIONAL, D(2022, 8, 15), D(2022, 8, 15), "day"),
        ("January 5", REGIONAL, D(2022, 1, 5), D(2022, 1, 5), "day"),
        ("5 January", REGIONAL, D(2022, 1, 5), D(2022, 1, 5), "day"),
        ("on October 7", RT, D(2023, 10, 7), D(2023, 10, 7), "day"),
        ("December 30", SYRIA_ARABIC, D(2021, 12, 30), D(2021, 12, 30), "day"),
        # absolute dates
        ("on January 3, 2020", SYRIA_ARABIC, D(2020, 1, 3), D(2020, 1, 3), "day"),
        ("2022-01-05", RT, D(2022, 1, 5), D(2022, 1, 5), "day"),
        ("in January 2020", RT, D(2020, 1, 1), D(2020, 1, 31), "month"),
        ("in 2021", RT, D(2021, 1, 1), D(2021, 12, 31), "year"),
        ("in the 2010s", RT, D(2010, 1, 1), D(2019, 12, 31), "range"),
        # a month or a year that runs past publication ends at publication
        ("in October", RT, D(2023, 10, 1), D(2023, 10, 27), "month"),
        ("in 2023", RT, D(2023, 1, 1), D(2023, 10, 27), "year"),
        # what the rules do not cover goes to dateparser
        ("3 days ago", RT, D(2023, 10, 24), D(2023, 10, 24), "day"),
    ],
)
def test_date_resolves_against_the_publication_date(as_written, published, start, end, precision):
    resolved = resolve_date(as_written, published)
    assert (resolved.start, resolved.end, resolved.precision) == (start, end, precision)
    assert not resolved.weekday_mismatch


@pytest.mark.parametrize(
    ("as_written", "published", "kept", "stated", "actual"),
    [
        # the article was published on a Wednesday, so yesterday was a Tuesday
        ("yesterday, Wednesday", JERUSALEM_POST, D(2022, 1, 4), "Wednesday", "Tuesday"),
        ("today, Friday", SYRIA_ARABIC, D(2022, 1, 6), "Friday", "Thursday"),
        ("Wednesday, January 6, 2022", None, D(2022, 1, 6), "Wednesday", "Thursday"),
        ("Monday, September 18", REGIONAL, D(2022, 9, 18), "Monday", "Sunday"),
    ],
)
def test_weekday_that_does_not_fit_the_stated_date_is_flagged_and_the_date_kept(
    as_written, published, kept, stated, actual
):
    resolved = resolve_date(as_written, published)
    assert resolved.start == resolved.end == kept
    assert resolved.precision == "day"
    assert resolved.weekday_mismatch
    assert stated in resolved.note and actual in resolved.note


def test_weekday_that_fits_the_stated_date_is_not_flagged():
    resolved = resolve_date("Wednesday, January 5", REGIONAL)
    assert resolved.start == D(2022, 1, 5)
    assert not resolved.weekday_mismatch and resolved.note is None


@pytest.mark.parametrize(
    "as_written",
    ["on Wednesday", "yesterday, Wednesday", "last week", "earlier this month", "January 5", "in October"],
)
def test_relative_date_without_publication_date_stays_unresolved_and_says_so(as_written):
    resolved = resolve_date(as_written, None)
    assert resolved.precision == "unresolved" and resolved.start is None
    assert resolved.note == f"no publication date to resolve {as_written!r} against"


@pytest.mark.parametrize(
    ("as_written", "start", "precision"),
    [
        ("January 3, 2020", D(2020, 1, 3), "day"),
        ("2022-01-05", D(2022, 1, 5), "day"),
        ("in January 2020", D(2020, 1, 1), "month"),
        ("between October 17 and 24, 2023", D(2023, 10, 17), "range"),
    ],
)
def test_absolute_date_with_a_year_resolves_without_publication_date(as_written, start, precision):
    resolved = resolve_date(as_written, None)
    assert (resolved.start, resolved.precision) == (start, precision)


@pytest.mark.parametrize(
    ("as_written", "note"),
    [
        (None, "no date given"),
        ("   ", "no date given"),
        ("at some point", "could not read a date from 'at some point'"),
        # a shift the simple rules cannot do is not misread as plain "Wednesday"
        ("two days before Wednesday", "could not read a date from 'two days before Wednesday'"),
    ],
)
def test_date_that_cannot_be_read_stays_unresolved_with_the_reason(as_written, note):
    resolved = resolve_date(as_written, RT)
    assert resolved.precision == "unresolved"
    assert resolved.note == note


def test_date_after_publication_is_kept_with_a_note():
    resolved = resolve_date("2023-11-02", RT)
    assert resolved.start == D(2023, 11, 2)
    assert "after the publication date 2023-10-27" in resolved.note


def test_resolved_dates_are_independent_copies():
    first = resolve_date("on Wednesday", JERUSALEM_POST)
    first.note = "changed by a caller"
    assert resolve_date("on Wednesday", JERUSALEM_POST).note is None


# --- Places: the gazetteer ------------------------------------------------------------


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.mark.parametrize(
    ("as_written", "canonical", "kind"),
    [
        ("Deir Ezzor", "Deir Ezzor province", "province"),
        ("Deir ez-Zor", "Deir Ezzor province", "province"),
        ("Dayr az Zawr", "Deir Ezzor province", "province"),
        ("Deir al-Zour", "Deir Ezzor province", "province"),
        ("Deir Ezzor province", "Deir Ezzor province", "province"),
        ("Deir Ezzor city", "Deir Ezzor city", "city"),
        ("the city of Deir ez-Zor", "Deir Ezzor city", "city"),
        ("al-Mayadeen", "al-Mayadeen", "city"),
        ("Mayadin", "al-Mayadeen", "city"),
        ("Al-Mayadin", "al-Mayadeen", "city"),
        ("Conoco", "Conoco gas field", "gas_field"),
        ("Koniko", "Conoco gas field", "gas_field"),
        ("Conoco Gas Field", "Conoco gas field", "gas_field"),
        ("Conoco gas facility", "Conoco gas field", "gas_field"),
        ("Mission Support Site Euphrates", "Mission Support Site Euphrates", "base"),
        ("al-Omar oil field", "al-Omar oil field", "oil_field"),
        ("Al-Omar", "al-Omar oil field", "oil_field"),
        ("Omar oil field", "al-Omar oil field", "oil_field"),
        ("Green Village", "Green Village", "base"),
        ("Mission Support Site Green Village", "Green Village", "base"),
        ("Ain al-Asad", "Ain al-Asad airbase", "base"),
        ("Ain al-Assad", "Ain al-Asad airbase", "base"),
        ("Al Asad airbase", "Ain al-Asad airbase", "base"),
        ("al-Tanf garrison", "al-Tanf garrison", "base"),
        ("Al Tanf", "al-Tanf garrison", "base"),
        ("At Tanf", "al-Tanf garrison", "base"),
        ("Erbil", "Erbil", "city"),
        ("Erbil airport", "Erbil International Airport", "other"),
        ("Baghdad airport", "Baghdad International Airport", "other"),
        ("Victory base", "Victory Base Complex", "base"),
        ("Camp Victory", "Victory Base Complex", "base"),
        ("al-Nasr camp", "Victory Base Complex", "base"),
        ("Baghdad Diplomatic Support Center", "Baghdad Diplomatic Support Center", "base"),
        ("Bashur", "Bashur", "base"),
        ("Anbar", "Anbar province", "province"),
        ("Rumalyn", "Rmelan", "town"),
        ("Rmelan", "Rmelan", "town"),
        ("Rmeilan", "Rmelan", "town"),
        ("Tabni", "Tabni", "town"),
        ("Hawija Sakr", "Hawija Sakr", "area"),
        ("Hawija-Sakr", "Hawija Sakr", "area"),
        ("the Badiyah of Sarsak", "Badiyah of Sarsak", "area"),
        ("Sarrin", "Sarrin", "town"),
        ("al-Saiqa military camp", "al-Saiqa camp", "base"),
        ("Bukamal", "Bukamal", "city"),
        ("Abu Kamal", "Bukamal", "city"),
        ("Al-Bukamal", "Bukamal", "city"),
        ("al-Shaddadi", "al-Shaddadi", "town"),
        ("Hasakah", "Hasakah province", "province"),
        ("Qamishli", "Qamishli", "city"),
        ("Tal Baydar", "Tal Baydar", "base"),
        ("Kharab al-Jir", "Kharab al-Jir", "base"),
        ("the IRGC's Ayash weapons depots", "Ayash", "town"),
        ("Syria", "Syria", "country"),
        ("Iraq", "Iraq", "country"),
        ("the tri-border area", "Syria-Iraq-Jordan tri-border area", "region"),
        ("eastern Syria", "eastern Syria", "region"),
        ("northeastern Syria", "northeastern Syria", "region"),
        ("north-eastern Syria", "northeastern Syria", "region"),
        ("the western Deir Ezzor countryside", "western Deir Ezzor countryside", "region"),
        ("east of the Euphrates", "east of the Euphrates", "region"),
    ],
)
def test_known_names_and_aliases_resolve_to_the_canonical_place(gazetteer, as_written, canonical, kind):
    place = resolve_place(as_written, gazetteer)
    assert (place.canonical, place.kind) == (canonical, kind)
    assert place.score == 100


def test_every_gazetteer_alias_resolves_to_its_own_place(gazetteer):
    for entry in gazetteer.entries:
        for written in [entry.name, *entry.aliases]:
            assert resolve_place(written, gazetteer).canonical == entry.name, written


@pytest.mark.parametrize(
    ("as_written", "canonical"),
    [
        ("near the city of Al-Mayadeen", "al-Mayadeen"),
        ("a coalition base at the Koniko gas field", "Conoco gas field"),
        ("a base near the Conoco oil field in eastern Syria", "Conoco gas field"),
        ("the western Deir Ezzor countryside", "western Deir Ezzor countryside"),
        ("a base in the Deir Ezzor region of eastern Syria", "Deir Ezzor province"),
        ("Syria's Deir Ezzor", "Deir Ezzor province"),
        (
            "an illegal US military base sitting atop the Al-Omar oil field northeast of Deir ez-Zor, Syria",
            "al-Omar oil field",
        ),
        ("the Al-Nasr camp near Baghdad International Airport", "Victory Base Complex"),
        ("US troops around Erbil Airport in northern Iraq", "Erbil International Airport"),
        ("the Ain al-Assad base in Iraq", "Ain al-Asad airbase"),
        ("al-Tanf garrison, in the tri-border area of southern Syria", "al-Tanf garrison"),
        ("the vicinity of the Mayadeen area in Deir Ezzor province (eastern Syria)", "al-Mayadeen"),
        # "Iran-backed" names who, not where
        ("positions of Iran-backed militias near al-Mayadeen", "al-Mayadeen"),
        ("the outskirts of Deir Ezzor city", "Deir Ezzor city"),
    ],
)
def test_descriptive_phrase_resolves_to_the_most_specific_place_it_names(gazetteer, as_written, canonical):
    assert resolve_place(as_written, gazetteer).canonical == canonical


def test_containment_chain_runs_from_the_innermost_container_to_the_country(gazetteer):
    place = resolve_place("Green Village", gazetteer)
    assert place.within[:2] == ["al-Omar oil field", "Deir Ezzor province"]
    assert place.within[-1] == "Syria"
    assert {"eastern Syria", "northeastern Syria", "east of the Euphrates"} <= set(place.within)
    assert resolve_place("Camp Victory", gazetteer).within == [
        "Baghdad International Airport",
        "Baghdad",
        "Baghdad province",
        "Iraq",
    ]


def test_green_valley_is_not_merged_into_green_village_even_with_a_low_threshold(gazetteer):
    # "valley" is another word, not a misspelling of "village": every word must be close.
    for threshold in (88, 75, 60):
        place = resolve_place("Green Valley", gazetteer, threshold=threshold)
        assert place.canonical is None
    place = resolve_place("Green Valley", gazetteer)
    assert place.score == 80
    assert "'Green Valley' is not a known place (closest: 'Green Village' at 80" in place.note


def test_misspelling_above_the_threshold_is_matched_with_its_score(gazetteer):
    place = resolve_place("Green Vilage", gazetteer)
    assert place.canonical == "Green Village"
    assert place.matched == "Green Village"
    assert place.score == 96


def test_misspelling_below_the_threshold_is_not_matched(gazetteer):
    assert resolve_place("Green Vilage", gazetteer, threshold=97).canonical is None
    assert resolve_place("Deir Ezor", gazetteer).canonical == "Deir Ezzor province"  # 95
    assert resolve_place("Deir Ezor", gazetteer, threshold=96).canonical is None


@pytest.mark.parametrize("as_written", ["Springfield", "a coalition base", "Iran-backed militias", None, ""])
def test_unknown_place_stays_unknown_with_a_note(gazetteer, as_written):
    place = resolve_place(as_written, gazetteer)
    assert place.canonical is None and place.kind is None and place.within == []
    assert place.note


def test_unknown_word_beside_a_known_place_keeps_the_known_place_and_notes_the_near_miss(gazetteer):
    place = resolve_place("Green Valley in eastern Syria", gazetteer)
    assert place.canonical == "eastern Syria"
    assert "not a known place" in place.note


def test_several_places_read_as_their_closest_common_container(gazetteer):
    place = resolve_place("the Tabni area and the Badiyah of Sarsak", gazetteer)
    assert place.canonical == "western Deir Ezzor countryside"
    assert "Tabni, Badiyah of Sarsak" in place.note
    place = resolve_place("Mission Support Site Euphrates and Mission Support Site Green Village", gazetteer)
    assert place.canonical == "Deir Ezzor province"


def test_places_in_different_countries_are_not_merged_into_one(gazetteer):
    place = resolve_place("locations housing US advisers in Iraq and Syria", gazetteer)
    assert place.canonical is None
    assert place.note == "names several places (Iraq, Syria) with no common container"


@pytest.mark.parametrize(
    ("a", "b", "relation", "compatible"),
    [
        ("Green Village", "Green Village base", "same", True),
        ("Deir Ezzor", "Green Village", "contains", True),
        ("Green Village", "al-Omar oil field", "contained", True),
        ("Green Village", "northeastern Syria", "contained", True),
        ("Koniko", "Mission Support Site Euphrates", "contains", True),
        # two sites in one province, 45 km apart
        ("Green Village", "Conoco", "sibling", False),
        # the militia launch sites "near al-Mayadeen" are some 12 km from the base: cannot tell
        ("Green Village", "al-Mayadeen", "sibling", None),
        # informal regions overlap
        ("western Deir Ezzor countryside", "al-Mayadeen", "sibling", None),
        ("eastern Syria", "northeastern Syria", "different", None),
        ("Tabni", "al-Mayadeen", "sibling", False),
        ("Qamishli", "Hasakah city", "sibling", False),
        ("Camp Victory", "Baghdad Diplomatic Support Center", "sibling", None),
        ("Ain al-Asad", "Green Village", "different", False),
        ("Syria", "Iraq", "different", False),
        ("eastern Syria", "Iraq", "different", False),
        ("Green Village", "Springfield", "unknown", None),
    ],
)
def test_place_relation_and_compatibility(gazetteer, a, b, relation, compatible):
    place_a, place_b = resolve_place(a, gazetteer), resolve_place(b, gazetteer)
    assert place_relation(place_a, place_b, gazetteer) == relation
    assert places_compatible(place_a, place_b, gazetteer) is compatible


def test_place_relation_works_from_the_resolved_places_alone():
    village = ResolvedPlace(canonical="Green Village", within=["al-Omar oil field", "Deir Ezzor province"])
    province = ResolvedPlace(canonical="Deir Ezzor province")
    assert place_relation(province, village) == "contains"


# --- Places: user gazetteer files ------------------------------------------------------


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_gazetteer_adds_places_and_aliases(tmp_path):
    extra = _write(
        tmp_path,
        "mine.yaml",
        """
places:
  - name: Khasham
    kind: town
    within: Deir Ezzor province
    aliases: [Khusham]
  - name: Green Village
    kind: base
    aliases: [Omar mission support site]
""",
    )
    gazetteer = load_gazetteer(extra)
    assert gazetteer.sources[-1] == str(extra)
    place = resolve_place("near Khusham", gazetteer)
    assert place.canonical == "Khasham" and place.within[0] == "Deir Ezzor province"
    # an existing entry keeps its aliases and containment and gains the new alias
    assert resolve_place("the Omar mission support site", gazetteer).canonical == "Green Village"
    assert resolve_place("Mission Support Site Green Village", gazetteer).within[0] == "al-Omar oil field"


def test_user_gazetteer_can_move_an_alias_to_another_place(tmp_path):
    extra = _write(
        tmp_path,
        "mine.yaml",
        "- {name: Koniko village, kind: town, within: Deir Ezzor province, aliases: [Koniko]}\n",
    )
    gazetteer = load_gazetteer([extra])
    assert resolve_place("Koniko", gazetteer).canonical == "Koniko village"
    assert resolve_place("Conoco", gazetteer).canonical == "Conoco gas field"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("places:\n  - {name: X, kind: town, within: Atlantis}\n", "within unknown place 'Atlantis'"),
        ("places:\n  - {name: X, kind: planet}\n", "kind"),
        ("places: [unclosed\n", "not valid YAML"),
        ("just a string\n", "expected a list of places"),
        (
            "places:\n  - {name: Y, kind: town, aliases: [Conoco gas field]}\n",
            "uses the name of the existing place",
        ),
        ("places:\n  - {name: Y, kind: town, aliases: [Qamishli city, Qamishli]}\n", "uses the name"),
        ("places:\n  - {kind: town}\n", "every place needs a name"),
    ],
)
def test_bad_user_gazetteer_is_an_input_error_naming_the_file(tmp_path, text, message):
    extra = _write(tmp_path, "bad.yaml", text)
    with pytest.raises(InputError) as raised:
        load_gazetteer(extra)
    assert message in str(raised.value)
    assert "bad.yaml" in str(raised.value)


def test_missing_user_gazetteer_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read the gazetteer file"):
        load_gazetteer(tmp_path / "absent.yaml")


def test_gazetteer_rejects_a_containment_cycle():
    with pytest.raises(ValidationError, match="within itself"):
        Gazetteer(
            entries=[
                GazetteerEntry(name="A", kind="area", within="B"),
                GazetteerEntry(name="B", kind="area", within="A"),
            ]
        )


def test_gazetteer_rejects_two_places_that_read_the_same():
    gazetteer = Gazetteer(
        entries=[
            GazetteerEntry(name="Al-Mayadin", kind="city"),
            GazetteerEntry(name="Mayadin town", kind="town", aliases=["Mayadin"]),
        ]
    )
    with pytest.raises(InputError, match="reads the same as 'Al-Mayadin'"):
        resolve_place("Mayadin", gazetteer)


# --- Quantities ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "low", "high", "qualifier"),
    [
        # exact, in words and digits
        ("eight rockets", 8, 8, "exact"),
        ("8 rockets", 8, 8, "exact"),
        ("Fifteen of the injuries", 15, 15, "exact"),
        ("2,500 in neighboring Iraq", 2500, 2500, "exact"),
        ("one of the rockets", 1, 1, "exact"),
        ("a single drone", 1, 1, "exact"),
        # lower bounds
        ("at least 16 times", 16, INF, "at_least"),
        ("at least 900 troops", 900, INF, "at_least"),
        ("no fewer than 5", 5, INF, "at_least"),
        ("20 or more", 20, INF, "at_least"),
        # "more than n" counts start at n+1
        ("more than 20", 21, INF, "more_than"),
        ("more than a dozen", 13, INF, "more_than"),
        # upper bounds
        ("up to 90 percent", 0, 90, "up_to"),
        ("as many as 20", 0, 20, "up_to"),
        ("at most 3", 0, 3, "at_most"),
        ("no more than 3", 0, 3, "at_most"),
        ("fewer than 10", 0, 9, "at_most"),
        # approximate: n +/- 15%, rounded outwards; "nearly": the 15% below n
        ("approximately 900 US troops", 765, 1035, "approximate"),
        ("about 900", 765, 1035, "approximate"),
        ("roughly 20", 17, 23, "approximate"),
        ("Some 19 US service members", 16, 22, "approximate"),
        ("around 5", 4, 6, "approximate"),
        ("nearly 900", 765, 900, "approximate"),
        ("almost 20", 17, 20, "approximate"),
        ("roughly a dozen bases", 10, 14, "approximate"),
        ("a dozen", 10, 14, "approximate"),
        ("half a dozen", 5, 7, "approximate"),
        ("a couple of rockets", 2, 3, "approximate"),
        # ranges
        ("7 to 10", 7, 10, "range"),
        ("7-10", 7, 10, "range"),
        ("7\u201310 rockets", 7, 10, "range"),
        ("between 7 and 10", 7, 10, "range"),
        ("seven to ten rockets", 7, 10, "range"),
        ("two or three", 2, 3, "range"),
        # vague words
        ("several projectiles", 3, 9, "vague"),
        ("several fatalities and injuries", 3, 9, "vague"),
        ("a few", 2, 5, "vague"),
        ("a number of rocket attacks", 2, INF, "vague"),
        ("A number of the rockets", 2, INF, "vague"),
        ("some rockets", 2, INF, "vague"),
        ("multiple drones", 2, INF, "vague"),
        ("dozens of fighters", 24, INF, "vague"),
        ("hundreds of troops", 200, INF, "vague"),
        ("several hundred", 300, 900, "vague"),
        ("a few dozen", 24, 60, "vague"),
        # none
        ("no casualties", 0, 0, "none"),
        ("No casualties were reported", 0, 0, "none"),
        ("none", 0, 0, "none"),
        ("did not result in any casualties", 0, 0, "none"),
        ("There were no casualties or damage to infrastructure.", 0, 0, "none"),
        ("nobody was hurt", 0, 0, "none"),
        ("no one was hurt", 0, 0, "none"),
        ("not a single rocket", 0, 0, "none"),
    ],
)
def test_quantity_as_written_becomes_an_interval(value, low, high, qualifier):
    quantity = parse_quantity(value)
    assert quantity is not None
    assert (quantity.low, quantity.high, quantity.qualifier) == (low, high, qualifier)
    assert quantity.as_written == value


@pytest.mark.parametrize("value", ["Iran-backed militias", "minor damage", "the Green Village base", ""])
def test_value_that_is_not_a_quantity_gives_none(value):
    assert parse_quantity(value) is None


def test_text_wins_over_the_models_number_when_they_disagree():
    quantity = parse_quantity("eight rockets", number=9)
    assert (quantity.low, quantity.high) == (8, 8)


def test_models_number_picks_which_number_of_the_text_is_meant():
    quantity = parse_quantity("ten of them in Iraq and three in Syria", number=3)
    assert (quantity.low, quantity.high) == (3, 3)


def test_models_number_is_used_when_the_text_names_none():
    quantity = parse_quantity("rockets", number=8, unit="rockets")
    assert (quantity.low, quantity.high, quantity.qualifier, quantity.unit) == (8, 8, "exact", "rockets")
    assert parse_quantity("a drone", number=1).low == 1


def test_models_qualifier_applies_only_when_the_text_has_no_hedge():
    assert parse_quantity("900 troops", number=900, qualifier="approximate").low == 765
    at_least = parse_quantity("at least 900 troops", number=900, qualifier="approximate")
    assert (at_least.low, at_least.high, at_least.qualifier) == (900, None, "at_least")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # dates and designations in a value are not counts
        ("13 times between October 17 and 24", 13),
        ("at least 16 times so far this month", 16),
        ("an MQ-9 drone shot down on January 5", None),
        ("107mm rockets", None),
    ],
)
def test_dates_and_designations_in_a_value_are_not_read_as_counts(value, expected):
    quantity = parse_quantity(value)
    assert (quantity.low if quantity else None) == expected


def test_more_than_a_sum_of_money_is_not_rounded_up_like_a_count():
    quantity = parse_quantity("well over $100 billion in damage")
    assert (quantity.low, quantity.high, quantity.qualifier) == (100e9, None, "more_than")


def test_percentages_keep_their_unit():
    assert parse_quantity("up to 90 percent").unit == "percent"
    assert parse_quantity("90%").unit == "percent"
    assert parse_quantity("eight rockets", unit="rockets").unit == "rockets"


def test_approximate_and_exact_readings_of_the_same_number_overlap():
    approximate, at_least = parse_quantity("approximately 900"), parse_quantity("at least 900")
    assert approximate.overlaps(at_least)
    assert not parse_quantity("three rockets").overlaps(parse_quantity("eight rockets"))
    assert parse_quantity("several rockets").overlaps(parse_quantity("eight rockets"))
    assert not parse_quantity("no casualties").overlaps(parse_quantity("two wounded"))


# --- Munitions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("eight rockets", "rocket"),
        ("Katyusha rockets", "rocket"),
        ("107mm rockets", "rocket"),
        ("six missiles", "missile"),
        ("short-range Iranian-made missiles", "missile"),
        ("surface-to-surface missiles", "missile"),
        ("unidentified drones", "drone"),
        ("an unidentified UAV", "drone"),
        ("UAVs", "drone"),
        ("one-way attack drones", "drone"),
        ("six artillery shells", "artillery_shell"),
        ("shells", "artillery_shell"),
        ("mortar shells", "mortar"),
        ("mortar rounds", "mortar"),
        ("projectiles", "projectile"),
        ("indirect fire", "projectile"),
        # several projectile types: their supertype
        ("rockets of the Katyusha type and short-range Iranian-made missiles", "projectile"),
        # drones and rockets share no type
        ("a mix of drones and rockets", None),
        ("airstrikes", None),
        ("", None),
        (None, None),
    ],
)
def test_munition_words_are_read_as_a_type(words, kind):
    assert normalize_munition(words) == kind


@pytest.mark.parametrize(
    ("a", "b", "compatible"),
    [
        ("rocket", "rocket", True),
        ("projectile", "rocket", True),
        ("missile", "projectile", True),
        ("projectiles", "mortar rounds", True),
        ("projectile", "artillery_shell", True),
        ("drones", "UAV", True),
        ("rocket", "missile", False),
        ("rockets", "drones", False),
        ("projectile", "drone", False),
        ("artillery shells", "mortar shells", False),
        # nothing known on one side: nothing to contradict
        ("rockets", None, True),
        ("rockets", "weapons", True),
    ],
)
def test_munition_compatibility(a, b, compatible):
    assert munition_compatible(a, b) is compatible
    assert munition_compatible(b, a) is compatible


# --- Claims -----------------------------------------------------------------------


def _claim(
    n: int,
    facet: str,
    value: str,
    *,
    date: str | None = None,
    place: str | None = None,
    published: dt.date | None = JERUSALEM_POST,
    number: float | None = None,
    unit: str | None = None,
) -> Claim:
    return Claim(
        id=f"jpost.c{n}",
        article_id="jpost",
        outlet="The Jerusalem Post",
        published=published,
        facet=facet,
        value=value,
        event=ClaimEvent(type="rocket_attack", date_as_written=date, place_as_written=place),
        source=SourceRef(name="US-led coalition statement", kind="military"),
        stance="reported",
        quote=Quote(text=value),
        number=number,
        unit=unit,
    )


def test_normalize_claims_fills_date_place_and_quantity_on_copies():
    claims = [
        _claim(1, "munition_count", "eight rockets", date="Wednesday", place="Green Village", number=8),
        _claim(2, "casualties", "No casualties", date="on Wednesday", place="the Green Village"),
        _claim(3, "perpetrator", "Iran-supported malign actors", date="earlier in the day"),
    ]
    normalized = normalize_claims(claims)

    rockets, casualties, perpetrator = normalized
    assert rockets.event.date.start == D(2022, 1, 5) and rockets.event.date.precision == "day"
    assert rockets.event.place.canonical == "Green Village"
    assert rockets.event.place.within[0] == "al-Omar oil field"
    assert (rockets.quantity.low, rockets.quantity.high, rockets.quantity.qualifier) == (8, 8, "exact")
    assert (casualties.quantity.low, casualties.quantity.high) == (0, 0)
    assert perpetrator.quantity is None  # not a count, and the model gave no number
    assert perpetrator.event.place.canonical is None and perpetrator.event.place.note == "no place given"
    # the words as written stay, and the input claims are untouched
    assert rockets.event.date_as_written == "Wednesday"
    assert all(c.event.date is None and c.event.place is None and c.quantity is None for c in claims)


def test_normalize_claims_without_publication_date_leaves_relative_dates_unresolved():
    (claim,) = normalize_claims(
        [_claim(1, "munition_count", "eight rockets", date="on Wednesday", published=None)]
    )
    assert claim.event.date.precision == "unresolved"
    assert claim.event.date.note == "no publication date to resolve 'on Wednesday' against"
    assert claim.quantity.low == 8


def test_normalize_claims_uses_a_given_gazetteer(tmp_path):
    extra = _write(tmp_path, "mine.yaml", "- {name: Khasham, kind: town, within: Deir Ezzor province}\n")
    (claim,) = normalize_claims([_claim(1, "killed", "two", place="Khasham")], load_gazetteer(extra))
    assert claim.event.place.canonical == "Khasham"
    assert math.isclose(claim.quantity.low, 2)
