"""Judging each fact across outlets: verdicts, original sources, ungrounded values, ranking."""

from __future__ import annotations

from claimkit import canonical, claim, quantity

from reconcile.compare import compare_events
from reconcile.group import group_claims
from reconcile.models import Claim, Event, Finding


def _judge(claims: list[Claim]) -> tuple[list[Event], list[Finding]]:
    return compare_events(group_claims(claims), claims)


def _only(findings: list[Finding], facet: str) -> Finding:
    matching = [f for f in findings if f.facet == facet]
    assert len(matching) == 1, [f.explanation for f in findings]
    return matching[0]


def test_three_outlets_repeating_one_statement_agree_with_one_original_source() -> None:
    claims = [
        claim("arabic.c1", source="coalition statement", source_kind="military", amount=quantity(8)),
        claim("jpost.c1", source="US-led coalition", source_kind="military", amount=quantity(8)),
        claim("regional.c1", source="CJTF-OIR", source_kind="military", amount=quantity(8)),
    ]

    _events, findings = _judge(claims)

    finding = _only(findings, "munition_count")
    assert finding.verdict == "agree"
    assert finding.outlets == ["Outlet arabic", "Outlet jpost", "Outlet regional"]
    assert finding.original_sources == ["US-led coalition"]
    assert finding.explanation == "agree · 3 outlets · 1 original source (US-led coalition)"
    assert [v.claim_id for v in finding.values] == ["arabic.c1", "jpost.c1", "regional.c1"]
    assert all(v.quote.text and v.grounded for v in finding.values)


def test_independent_sources_are_counted_apart() -> None:
    claims = [
        claim("a.c1", source="Pentagon spokesperson Pat Ryder", source_kind="government", amount=quantity(8)),
        claim("b.c1", source="Department of Defense", source_kind="government", amount=quantity(8)),
        claim("c.c1", source="SOHR", source_kind="monitor", amount=quantity(8)),
        claim("d.c1", source="outlet", source_kind="outlet", amount=quantity(8)),
    ]

    _events, findings = _judge(claims)

    assert _only(findings, "munition_count").original_sources == [
        "Outlet d", "Pentagon", "Syrian Observatory for Human Rights"
    ]  # fmt: skip


def test_different_precision_is_compatible() -> None:
    claims = [
        claim("a.c1", amount=quantity(8)),
        claim("b.c1", value="several rockets", amount=quantity(3, 9, "vague")),
    ]

    _events, findings = _judge(claims)

    finding = _only(findings, "munition_count")
    assert finding.verdict == "compatible"
    assert "different precision" in finding.explanation


def test_approximately_900_and_at_least_900_troops_are_compatible() -> None:
    claims = [
        claim("iranintl.c1", facet="troop_count", value="approximately 900 US troops",
              event_type="background", at="Syria", on=None, amount=quantity(855, 945, "approximate")),
        claim("rt.c1", facet="troop_count", value="at least 900 troops", event_type="background",
              at="northeastern Syria", on=None, amount=quantity(900, None, "at_least")),
    ]  # fmt: skip

    events, findings = _judge(claims)

    finding = _only(findings, "troop_count")
    assert finding.verdict == "compatible"
    assert next(e for e in events if e.id == finding.event_id).kind == "topic"


def test_disjoint_numbers_contradict() -> None:
    claims = [claim("a.c1", amount=quantity(8)), claim("b.c1", value="three rockets", amount=quantity(3))]

    _events, findings = _judge(claims)

    finding = _only(findings, "munition_count")
    assert finding.verdict == "contradict"
    assert "“eight rockets” (Outlet a) vs “three rockets” (Outlet b)" in finding.explanation


def test_counts_of_different_munitions_are_complementary_not_contradictory() -> None:
    claims = [
        claim("a.c1", amount=quantity(8), unit="rockets"),
        claim("b.c1", value="two drones", unit="drones", amount=quantity(2)),
    ]

    _events, findings = _judge(claims)

    assert _only(findings, "munition_count").verdict == "complementary"


def test_no_casualties_contradicts_two_wounded() -> None:
    claims = [
        claim("a.c1", facet="casualties", value="no casualties", amount=quantity(0, qualifier="none")),
        claim("b.c1", facet="injured", value="two wounded", amount=quantity(2)),
    ]

    _events, findings = _judge(claims)

    casualties = _only(findings, "casualties")
    assert casualties.verdict == "contradict"
    assert [v.claim_id for v in casualties.values] == ["a.c1", "b.c1"]
    assert "“two wounded” (Outlet b, injured)" in casualties.explanation
    # The wound count is weighed in the casualties finding: it is not repeated as a
    # single-source "injured" finding of the same event.
    assert [f.facet for f in findings] == ["casualties"]


def test_injury_counts_from_two_outlets_keep_their_own_finding_beside_the_casualties_one() -> None:
    claims = [
        claim("a.c1", facet="casualties", value="no casualties", amount=quantity(0, qualifier="none")),
        claim("b.c1", facet="injured", value="two wounded", amount=quantity(2)),
        claim("c.c1", facet="injured", value="three wounded", amount=quantity(3)),
    ]

    _events, findings = _judge(claims)

    assert _only(findings, "casualties").verdict == "contradict"
    injured = _only(findings, "injured")
    assert (injured.verdict, [v.claim_id for v in injured.values]) == ("contradict", ["b.c1", "c.c1"])


def test_an_injury_count_without_a_casualty_report_is_its_own_single_source_finding() -> None:
    _events, findings = _judge([claim("b.c1", facet="injured", value="two wounded", amount=quantity(2))])

    assert [(f.facet, f.verdict) for f in findings] == [("injured", "single_source")]


def test_several_casualties_and_two_wounded_are_compatible() -> None:
    claims = [
        claim("a.c1", facet="casualties", value="several casualties", amount=quantity(3, 9, "vague")),
        claim("b.c1", facet="injured", value="two wounded", amount=quantity(2)),
    ]

    _events, findings = _judge(claims)

    assert _only(findings, "casualties").verdict == "compatible"


def test_no_damage_contradicts_minor_damage() -> None:
    claims = [
        claim("a.c1", facet="damage", value="causing minor damage"),
        claim("b.c1", facet="damage", value="no damage to infrastructure"),
    ]

    _events, findings = _judge(claims)

    assert _only(findings, "damage").verdict == "contradict"


def test_a_gas_field_called_an_oil_field_is_a_contradiction_about_the_place() -> None:
    claims = [
        claim("arabic.c4", facet="other", value="explosions were heard", event_type="explosion",
              at="a coalition base at the Koniko gas field", on="2022-01-06"),
        claim("jpost.c4", facet="munition_count", value="rockets", event_type="rocket_attack",
              at="a base near the Conoco oil field", on="2022-01-05", published="2022-01-05"),
        claim("rt.c4", facet="other", value="explosions inside the US base", event_type="explosion",
              at="the US base at the Conoco Gas Field", on="2023-10-27", published="2023-10-27"),
    ]  # fmt: skip

    events, findings = _judge(claims)

    finding = _only(findings, "location")
    assert finding.verdict == "contradict"
    topic = next(e for e in events if e.id == finding.event_id)
    assert topic.kind == "topic"
    assert topic.label == f"{canonical('Conoco gas field')} · how outlets describe the place"
    assert "gas field vs oil field" in finding.explanation
    assert {v.article_id for v in finding.values} == {"arabic", "jpost", "rt"}


def test_different_perpetrators_contradict_and_a_member_group_is_compatible() -> None:
    def perpetrators(first: str, second: str) -> Finding:
        claims = [
            claim("a.c1", facet="perpetrator", value=first, event_type="airstrike", at="al-Mayadeen"),
            claim("b.c1", facet="perpetrator", value=second, event_type="airstrike", at="al-Mayadeen"),
        ]
        return _only(_judge(claims)[1], "perpetrator")

    assert perpetrators("Israeli jets", "US-led coalition aircraft").verdict == "contradict"
    assert perpetrators("the Islamic Resistance in Iraq", "Iran-backed militias").verdict == "compatible"
    assert perpetrators("Iran-supported malign actors", "Iranian-affiliated groups").verdict == "agree"
    assert perpetrators("unidentified drones", "US-led coalition aircraft").verdict == "compatible"


def test_different_responses_that_do_not_conflict_are_complementary() -> None:
    claims = [
        claim("arabic.c5", facet="response",
              value="returned fire with six artillery shells towards the source"),
        claim("jpost.c6", facet="response",
              value="conducted airstrikes against rocket launch sites before the attack"),
    ]  # fmt: skip

    _events, findings = _judge(claims)

    finding = _only(findings, "response")
    assert finding.verdict == "complementary"
    assert finding.explanation.startswith("complementary · different facts that do not conflict")


def test_munition_types_of_one_family_are_compatible_and_different_ones_contradict() -> None:
    def types(first: str, second: str) -> str:
        claims = [
            claim("a.c1", facet="munition_type", value=first),
            claim("b.c1", facet="munition_type", value=second),
        ]
        return _only(_judge(claims)[1], "munition_type").verdict

    assert types("Katyusha rockets", "rockets") == "compatible"
    assert types("rockets", "rockets") == "agree"
    assert types("projectiles", "rockets") == "compatible"
    assert types("drones", "rockets") == "contradict"


def test_one_outlet_alone_is_a_single_source() -> None:
    claims = [claim("a.c1", facet="damage", value="one of the rockets hit a mosque",
                    source="Deir Ezzor 24", source_kind="media")]  # fmt: skip

    _events, findings = _judge(claims)

    finding = _only(findings, "damage")
    assert finding.verdict == "single_source"
    assert finding.explanation == "single source · 1 outlet · 1 original source (Deir Ezzor 24)"


def test_one_outlet_citing_two_sources_that_disagree_is_a_contradiction() -> None:
    claims = [
        claim("a.c1", source="US-led coalition", source_kind="military", amount=quantity(8)),
        claim("a.c2", value="ten rockets", source="SOHR", source_kind="monitor", amount=quantity(10)),
    ]

    _events, findings = _judge(claims)

    assert _only(findings, "munition_count").verdict == "contradict"


def test_ungrounded_values_are_shown_but_never_count() -> None:
    claims = [
        claim("a.c1", amount=quantity(8)),
        claim("b.c1", value="three rockets", amount=quantity(3), grounded=False),
        claim("c.c1", facet="killed", value="two killed", amount=quantity(2), grounded=False),
    ]

    _events, findings = _judge(claims)

    finding = _only(findings, "munition_count")
    assert finding.verdict == "single_source"
    assert finding.outlets == ["Outlet a"]
    assert [(v.claim_id, v.grounded) for v in finding.values] == [("a.c1", True), ("b.c1", False)]
    assert finding.explanation.endswith("1 ungrounded value not counted")
    assert not [f for f in findings if f.facet == "killed"]  # nothing grounded: no verdict at all


def test_contradictions_come_first_then_differences_that_do_not_conflict_then_agreement() -> None:
    claims = [
        claim("a.c1", facet="damage", value="minor damage"),
        claim("b.c1", facet="damage", value="minor damage"),
        claim("a.c2", facet="response", value="returned fire with six artillery shells"),
        claim("b.c2", facet="response", value="airstrikes on the launch sites"),
        claim("a.c3", amount=quantity(8)),
        claim("b.c3", value="three rockets", amount=quantity(3)),
        claim("a.c4", facet="perpetrator", value="Israeli jets"),
        claim("b.c4", facet="perpetrator", value="Iran-backed militias"),
    ]

    _events, findings = _judge(claims)

    assert [(f.id, f.facet, f.verdict) for f in findings] == [
        ("F1", "munition_count", "contradict"),
        ("F2", "perpetrator", "contradict"),
        ("F3", "response", "complementary"),
        ("F4", "damage", "agree"),
    ]
    assert [f.rank for f in findings] == sorted((f.rank for f in findings), reverse=True)
