"""Grouping claims into events: what is merged, what is only possibly the same, what stays apart."""

from __future__ import annotations

import random

from claimkit import canonical, claim, quantity

from reconcile.group import _candidate_pairs, group_claims
from reconcile.models import Claim, Event


def _event_of(events: list[Event], claim_id: str) -> Event:
    return next(e for e in events if claim_id in e.claim_ids)


def _green_village_reports() -> list[Claim]:
    """5 January 2022 at Green Village, as three outlets wrote it."""
    return [
        # Published the next day: "yesterday, Wednesday"; the base named in a quoted statement.
        claim(
            "arabic.c1", at="a base known as 'Green Village'", date_as_written="yesterday, Wednesday",
            perpetrator="Iranian-affiliated groups", target="a military base housing its forces",
            source="coalition statement", source_kind="military", amount=quantity(8),
        ),
        claim(
            "arabic.c2", facet="casualties", value="did not result in any casualties",
            at="a base known as 'Green Village'", date_as_written="yesterday, Wednesday",
            source="coalition statement", source_kind="military", amount=quantity(0, qualifier="none"),
        ),
        # Same day, only "a coalition base in the Deir Ezzor region" for the number...
        claim(
            "jpost.c1", at="a coalition base in the Deir Ezzor region", date_as_written="earlier in the day",
            perpetrator="Iran-supported malign actors", target="a coalition base",
            source="US-led coalition", source_kind="military", amount=quantity(8), published="2022-01-05",
        ),
        # ... and "the Green Village" for the casualties, in another paragraph.
        claim(
            "jpost.c2", facet="casualties", value="No casualties", at="the Green Village",
            date_as_written="on Wednesday", target="the Green Village", published="2022-01-05",
        ),
        # Eight months later: "on January 5".
        claim(
            "regional.c1", at="Green Village", date_as_written="on January 5",
            perpetrator="Iran-backed malign actors", target="coalition forces at Green Village",
            source="coalition", source_kind="military", amount=quantity(8), published="2022-09-20",
        ),
    ]  # fmt: skip


def test_one_attack_reported_by_three_outlets_in_different_words_is_one_event() -> None:
    events = group_claims(_green_village_reports())

    assert len(events) == 1
    event = events[0]
    assert event.kind == "event"
    assert event.claim_ids == ["arabic.c1", "arabic.c2", "jpost.c1", "jpost.c2", "regional.c1"]
    assert event.article_ids == ["arabic", "jpost", "regional"]
    assert event.label == f"rocket attack · {canonical('Green Village')} · 2022-01-05"
    assert event.place is not None and event.place.canonical == canonical("Green Village")
    assert event.possibly_same_as == []


def _drones_and_airstrikes() -> list[Claim]:
    """Unidentified drones near Tabni on the 6th; coalition airstrikes near al-Mayadeen late on the 5th."""
    return [
        claim(
            "arabic.c3", facet="casualties", value="Several fatalities and injuries",
            event_type="drone_attack",
            on="2022-01-06", at="the Tabni area", date_as_written="today, Thursday",
            perpetrator="unidentified drones",
            target="military locations belonging to Iranian-affiliated groups",
            source="Syrian Observatory for Human Rights", source_kind="monitor",
        ),
        claim(
            "jpost.c5", facet="perpetrator", value="coalition airstrikes", event_type="airstrike",
            on="2022-01-05", at="near the city of Al-Mayadeen", date_as_written="later in the night",
            perpetrator="US-led coalition", target="Iran-backed militias", published="2022-01-05",
        ),
    ]  # fmt: skip


def test_drones_and_airstrikes_a_day_apart_stay_separate_with_the_reasons_they_may_be_one() -> None:
    events = group_claims(_drones_and_airstrikes())

    assert len(events) == 2
    airstrike, drones = _event_of(events, "jpost.c5"), _event_of(events, "arabic.c3")
    assert [link.event_id for link in airstrike.possibly_same_as] == [drones.id]
    assert [link.event_id for link in drones.possibly_same_as] == [airstrike.id]
    link = drones.possibly_same_as[0]
    assert 0 < link.score < 0.75
    mayadeen, tabni = canonical("al-Mayadeen"), canonical("Tabni")
    assert link.reasons[:4] == [
        "one day apart (2022-01-05 and 2022-01-06)",
        f"{tabni} and {mayadeen} are both in Deir Ezzor province",
        "drone attack vs airstrike: different type",
        "perpetrator unknown in one",
    ]
    assert link.reasons == airstrike.possibly_same_as[0].reasons


def test_attacks_a_day_apart_at_different_bases_stay_apart_and_unlinked() -> None:
    claims = [
        claim("a.c1", at="Green Village", on="2022-01-05", perpetrator="Iran-backed militias"),
        claim("b.c1", at="Conoco gas field", on="2022-01-06", perpetrator="Iran-backed militias"),
        claim("c.c1", at="Ain al-Asad", on="2022-01-05", perpetrator="Iran-backed militias"),
    ]

    events = group_claims(claims)

    assert len(events) == 3
    assert all(e.possibly_same_as == [] for e in events)


def test_the_same_base_a_day_apart_is_possibly_the_same_attack_never_merged() -> None:
    claims = [
        claim("a.c1", at="Green Village", on="2022-01-05", date_as_written="Wednesday night"),
        claim("b.c1", at="Green Village", on="2022-01-06", date_as_written="early Thursday"),
    ]

    events = group_claims(claims)

    assert len(events) == 2
    assert events[0].possibly_same_as[0].event_id == events[1].id
    assert events[0].possibly_same_as[0].reasons[:2] == [
        "one day apart (2022-01-05 and 2022-01-06)",
        f"same place ({canonical('Green Village')})",
    ]


def test_single_days_two_days_apart_are_not_compared() -> None:
    claims = [claim("a.c1", on="2022-01-05"), claim("b.c1", on="2022-01-07")]

    events = group_claims(claims)

    assert len(events) == 2
    assert all(e.possibly_same_as == [] for e in events)


def test_a_vague_place_joins_the_event_its_facts_fit_best() -> None:
    claims = [
        claim("gv.c1", at="Green Village", amount=quantity(8), unit="rockets"),
        claim("conoco.c1", at="Conoco gas field", value="three rockets", amount=quantity(3), unit="rockets"),
        claim("vague.c1", at="a coalition base in Deir Ezzor", amount=quantity(8), unit="rockets"),
    ]

    events = group_claims(claims)

    assert _event_of(events, "vague.c1") is _event_of(events, "gv.c1")
    assert _event_of(events, "conoco.c1") is not _event_of(events, "gv.c1")


def test_a_vague_place_that_fits_two_events_equally_is_not_merged_into_either() -> None:
    claims = [
        claim("gv.c1", at="Green Village"),
        claim("conoco.c1", at="Conoco gas field"),
        claim("vague.c1", at="a coalition base in Deir Ezzor"),
    ]

    events = group_claims(claims)

    assert len(events) == 3
    vague = _event_of(events, "vague.c1")
    linked = {link.event_id for link in vague.possibly_same_as}
    assert linked == {_event_of(events, "gv.c1").id, _event_of(events, "conoco.c1").id}
    assert all("fits more than one event equally well" in link.reasons for link in vague.possibly_same_as)


def test_an_unknown_place_needs_strong_evidence_to_merge() -> None:
    weak = [claim("gv.c1", at="Green Village"), claim("nowhere.c1", at=None)]
    strong = [
        claim("gv.c1", at="Green Village", perpetrator="Iran-backed militias", target="the coalition base"),
        claim("nowhere.c1", at=None, perpetrator="Iran-supported malign actors", target="a coalition base"),
    ]

    weak_events, strong_events = group_claims(weak), group_claims(strong)

    assert len(weak_events) == 2
    assert any(r.startswith("place unknown in one") for r in weak_events[0].possibly_same_as[0].reasons)
    assert len(strong_events) == 1


def test_claims_of_one_article_about_one_event_form_one_mention() -> None:
    claims = [
        claim("a.c1", amount=quantity(8)),
        claim("a.c2", facet="damage", value="minor damage"),
        claim("a.c3", facet="response", value="returned fire with six artillery shells"),
    ]

    events = group_claims(claims)

    assert [e.claim_ids for e in events] == [["a.c1", "a.c2", "a.c3"]]


def test_background_facts_group_by_topic_not_into_events() -> None:
    claims = [
        claim("rt.c1", facet="troop_count", value="at least 900 troops", event_type="background",
              at="northeastern Syria", on=None, amount=quantity(900, None, "at_least")),
        claim("iranintl.c1", facet="troop_count", value="approximately 900 US troops",
              event_type="background", at="Syria", on=None, amount=quantity(855, 945, "approximate"),
              published="2024-08-13"),
        claim("iranintl.c2", facet="troop_count", value="2,500 in neighboring Iraq", event_type="background",
              at="Iraq", on=None, amount=quantity(2500), published="2024-08-13"),
        # One article on the wave of attacks that month: tallies, injuries, blame.
        claim("rt.c2", facet="attack_count", value="at least 16 times", event_type="background",
              at="Iraq and Syria", on="2023-10-01", until="2023-10-27",
              amount=quantity(16, None, "at_least")),
        claim("rt.c3", facet="injured", value="Some 19 US service members", event_type="background",
              at="Iraq and Syria", on="2023-10-01", until="2023-10-27",
              amount=quantity(19, 19, "approximate")),
        claim("rt.c4", facet="perpetrator", value="Iran responsible", event_type="background",
              at="Iraq and Syria", on="2023-10-17", until="2023-10-24"),
        # Another outlet's tally of the same month.
        claim("ap.c1", facet="attack_count", value="23 attacks", event_type="background",
              at="Iraq and Syria", on="2023-10-17", until="2023-10-30", amount=quantity(23)),
        # A tally given as part of an attack report stays with the attack.
        claim("gv.c1", at="Green Village"),
        claim("gv.c2", facet="attack_count", value="their second attack in a week", amount=quantity(2)),
    ]  # fmt: skip

    events = group_claims(claims)

    topics = {e.label: e.claim_ids for e in events if e.kind == "topic"}
    assert topics == {
        "troop numbers · Syria": ["iranintl.c1", "rt.c1"],
        "troop numbers · Iraq": ["iranintl.c2"],
        "attack tallies · October 2023": ["ap.c1", "rt.c2", "rt.c3", "rt.c4"],
    }
    assert [e.claim_ids for e in events if e.kind == "event"] == [["gv.c1", "gv.c2"]]
    assert all(e.type == "background" for e in events if e.kind == "topic")


def test_ids_follow_date_order_and_do_not_depend_on_input_order() -> None:
    claims = [
        *_green_village_reports(),
        *_drones_and_airstrikes(),
        claim("late.c1", at="Ain al-Asad", on="2023-10-20"),
        claim("early.c1", at="al-Tanf", on="2021-12-20"),
    ]
    shuffled = claims[:]
    random.Random(5).shuffle(shuffled)

    first, second = group_claims(claims), group_claims(shuffled)

    assert [e.model_dump() for e in first] == [e.model_dump() for e in second]
    assert [e.id for e in first] == [f"E{n}" for n in range(1, len(first) + 1)]
    assert _event_of(first, "early.c1").id == "E1"
    assert _event_of(first, "late.c1").id == f"E{len(first)}"


def test_every_claim_belongs_to_exactly_one_event_or_topic() -> None:
    claims = [*_green_village_reports(), *_drones_and_airstrikes(), claim("x.c1", facet="troop_count",
              event_type="background", value="900 troops", at="Syria", on=None)]  # fmt: skip

    events = group_claims(claims)

    grouped = [cid for e in events for cid in e.claim_ids]
    assert sorted(grouped) == sorted(c.id for c in claims)


def test_blocking_compares_only_nearby_claims_so_cost_grows_linearly() -> None:
    """Over a year of daily attacks at a few bases, each mention meets only a handful of others."""
    from reconcile.group import PlaceIndex, _build_mentions, _Features
    from reconcile.lexicon import load_lexicon

    places = ["Green Village", "Conoco gas field", "al-Tanf", "Ain al-Asad", "near al-Mayadeen", "Deir Ezzor"]
    rng = random.Random(1)
    claims = []
    for n in range(2000):
        day = f"2022-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        claims.append(claim(f"a{n}.c1", at=rng.choice(places), on=day))
    mentions = _build_mentions(claims, _Features(load_lexicon(), PlaceIndex()))

    pairs = _candidate_pairs(mentions)

    all_pairs = len(mentions) * (len(mentions) - 1) // 2
    assert len(pairs) < 20 * len(mentions) < all_pairs / 40
    day = {m.index: m.day_lo for m in mentions}
    assert all(abs((day[i] or 0) - (day[j] or 0)) <= 2 for i, j in pairs)


def test_one_statement_reported_by_two_outlets_is_one_event_and_other_speakers_stay_apart() -> None:
    def said(claim_id: str, source: str, value: str) -> Claim:
        return claim(claim_id, facet="statement", event_type="statement", value=value, at=None,
                     on="2022-01-05", source=source, source_kind="military")  # fmt: skip

    claims = [
        said("a.c1", "CJTF-OIR", "reserves the right to defend itself"),
        said("b.c1", "US-led coalition statement", "the coalition reserves the right to defend itself"),
        said("c.c1", "Pentagon", "we continue to see threats against our forces"),
    ]

    events = group_claims(claims)

    assert sorted(e.claim_ids for e in events) == [["a.c1", "b.c1"], ["c.c1"]]
    assert all(e.possibly_same_as == [] for e in events)


def test_related_kinds_of_event_are_linked_only_at_the_same_place() -> None:
    claims = [
        claim("a.c1", event_type="interception", value="a drone was intercepted", at="Ain al-Asad"),
        claim("b.c1", event_type="drone_attack", value="a drone attack", at="Ain al-Asad"),
        claim("c.c1", event_type="explosion", value="explosions were heard", at=None),
    ]

    events = group_claims(claims)

    assert len(events) == 3
    interception, drone, explosion = (_event_of(events, cid) for cid in ("a.c1", "b.c1", "c.c1"))
    assert [link.event_id for link in interception.possibly_same_as] == [drone.id]
    assert "interception vs drone attack: related types" in interception.possibly_same_as[0].reasons
    assert explosion.possibly_same_as == []
