"""`evaluate` scores a run against gold with numbers a reader can recompute by hand.

Each test builds a tiny article, a gold file and a run (a Report) by hand, so the
expected scores follow from counting.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reconcile.cli import app
from reconcile.errors import InputError
from reconcile.evaluate import evaluate, format_score, gold_findings, load_gold
from reconcile.models import (
    Article,
    Claim,
    ClaimEvent,
    Event,
    EventLink,
    Finding,
    FindingValue,
    Gold,
    Grounding,
    Quote,
    Report,
    SourceRef,
)

TEXT_A = (
    "Eight rockets hit the Green Village base on Wednesday, the coalition said. "
    "There were no casualties. "
    "Separately, drones struck militia sites near Tabni on Thursday."
)
TEXT_B = (
    "The coalition said eight rockets were fired at Green Village. "
    "Coalition airstrikes hit militias near al-Mayadeen that night."
)


def article(article_id: str, text: str) -> Article:
    return Article(
        id=article_id,
        path=f"corpus/{article_id}.txt",
        outlet=f"Outlet {article_id}",
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


ARTICLES = [article("a", TEXT_A), article("b", TEXT_B)]
TEXTS = {a.id: a.text for a in ARTICLES}

# (claim id, facet, value, quote, source) of a run that gets everything right.
RUN_CLAIMS = [
    ("a.c1", "munition_count", "Eight rockets", "Eight rockets hit the Green Village base", "coalition"),
    ("a.c2", "casualties", "no casualties", "There were no casualties.", "coalition"),
    ("a.c3", "perpetrator", "drones", "drones struck militia sites near Tabni", "outlet"),
    ("b.c1", "munition_count", "eight rockets", "eight rockets were fired at Green Village", "coalition"),
    ("b.c2", "perpetrator", "Coalition airstrikes", "Coalition airstrikes hit militias", "outlet"),
]


def claim(
    claim_id: str,
    facet: str,
    value: str,
    quote: str,
    source: str,
    *,
    grounded: bool = True,
    at: int | None = None,
) -> Claim:
    article_id = claim_id.split(".")[0]
    start = TEXTS[article_id].find(quote) if at is None else at
    return Claim(
        id=claim_id,
        article_id=article_id,
        outlet=f"Outlet {article_id}",
        facet=facet,  # type: ignore[arg-type]
        value=value,
        event=ClaimEvent(type="rocket_attack"),
        source=SourceRef(name=source),
        stance="reported",
        quote=Quote(text=quote, start=start, end=start + len(quote), match="exact")
        if start >= 0
        else Quote(text=quote, match="not_found"),
        grounding=Grounding(status="grounded" if grounded else "quote_not_found"),
    )


GOLD_DATA: dict[str, Any] = {
    "articles": {"A": "a.txt", "B": "b.txt"},
    "events": [
        {
            "id": "green-village",
            "label": "rockets at Green Village",
            "claims": [
                {"article": "A", "facet": "munition_count", "value": "Eight rockets",
                 "source": "coalition", "quote": "Eight rockets hit the Green Village base on Wednesday"},
                {"article": "A", "facet": "casualties", "value": "no casualties",
                 "source": "coalition", "quote": "There were no casualties."},
                {"article": "B", "facet": "munition_count", "value": "eight rockets",
                 "source": "coalition", "quote": "eight rockets were fired at Green Village"},
            ],
            "findings": [
                {"facet": "munition_count", "verdict": "agree", "outlets": 2,
                 "original_sources": ["coalition"], "reason": "both say eight, from the coalition"},
            ],
        },
        {
            "id": "drones-tabni",
            "label": "drones near Tabni",
            "claims": [
                {"article": "A", "facet": "perpetrator", "value": "drones",
                 "source": "outlet", "quote": "drones struck militia sites near Tabni on Thursday"},
            ],
        },
        {
            "id": "airstrikes-mayadeen",
            "label": "airstrikes near al-Mayadeen",
            "claims": [
                {"article": "B", "facet": "perpetrator", "value": "Coalition airstrikes",
                 "source": "outlet", "quote": "Coalition airstrikes hit militias near al-Mayadeen"},
            ],
        },
    ],
}  # fmt: skip


def gold(**changes: Any) -> Gold:
    return Gold.model_validate({**GOLD_DATA, **changes})


def value(c: Claim) -> FindingValue:
    return FindingValue(
        claim_id=c.id,
        article_id=c.article_id,
        outlet=c.outlet,
        value=c.value,
        quote=c.quote,
        source=c.source,
        stance=c.stance,
        grounded=c.grounded,
    )


def finding(
    finding_id: str, event_id: str, facet: str, verdict: str, claims: list[Claim], sources: int
) -> Finding:
    return Finding(
        id=finding_id,
        event_id=event_id,
        facet=facet,  # type: ignore[arg-type]
        verdict=verdict,  # type: ignore[arg-type]
        values=[value(c) for c in claims],
        outlets=sorted({c.outlet for c in claims}),
        original_sources=[f"source {n}" for n in range(sources)],
        explanation="",
    )


def run(
    claims: list[Claim] | None = None,
    groups: dict[str, list[str]] | None = None,
    verdicts: dict[tuple[str, str], str] | None = None,
    links: dict[str, list[str]] | None = None,
) -> Report:
    """A report: ``groups`` maps event id -> claim ids; one finding per (event, facet)."""
    claims = claims if claims is not None else [claim(*row) for row in RUN_CLAIMS]
    by_id = {c.id: c for c in claims}
    groups = (
        groups if groups is not None else {"e1": ["a.c1", "a.c2", "b.c1"], "e2": ["a.c3"], "e3": ["b.c2"]}
    )
    verdicts = verdicts or {}
    events, findings = [], []
    for event_id, ids in groups.items():
        members = [by_id[i] for i in ids]
        events.append(
            Event(
                id=event_id,
                type="rocket_attack",
                label=event_id,
                claim_ids=ids,
                article_ids=sorted({c.article_id for c in members}),
                possibly_same_as=[
                    EventLink(event_id=other, score=0.5, reasons=["same night"])
                    for other in (links or {}).get(event_id, [])
                ],
            )
        )
        for facet in dict.fromkeys(c.facet for c in members):
            with_facet = [c for c in members if c.facet == facet]
            outlets = {c.outlet for c in with_facet}
            default = "agree" if len(outlets) > 1 else "single_source"
            verdict = verdicts.get((event_id, facet), default)
            findings.append(
                finding(
                    f"{event_id}.{facet}",
                    event_id,
                    facet,
                    verdict,
                    with_facet,
                    len({c.source.name for c in with_facet}),
                )
            )
    return Report(articles=ARTICLES, claims=claims, events=events, findings=findings)


# --- Claims ------------------------------------------------------------------


def test_a_run_that_matches_gold_scores_one_everywhere() -> None:
    result = evaluate(run(), gold())
    assert (result.claims.precision, result.claims.recall, result.claims.f1) == (1.0, 1.0, 1.0)
    assert result.claims.matched == 5
    assert (result.grouping.pairwise.precision, result.grouping.pairwise.recall) == (1.0, 1.0)
    assert (result.grouping.bcubed.precision, result.grouping.bcubed.recall) == (1.0, 1.0)
    assert result.findings.accuracy == 1.0
    assert result.findings.source_count_accuracy == 1.0
    assert result.findings.outlet_count_accuracy == 1.0
    assert result.grounding.rate == 1.0
    assert result.unmatched_gold == [] and result.unmatched_predicted == []


def test_a_missing_claim_lowers_recall_by_one_gold_claim_and_keeps_precision() -> None:
    claims = [claim(*row) for row in RUN_CLAIMS if row[0] != "a.c2"]
    result = evaluate(run(claims, groups={"e1": ["a.c1", "b.c1"], "e2": ["a.c3"], "e3": ["b.c2"]}), gold())
    assert result.claims.recall == pytest.approx(4 / 5)
    assert result.claims.precision == 1.0
    assert result.unmatched_gold == ["green-village#2"]


def test_an_invented_claim_lowers_precision_only() -> None:
    invented = claim("b.c3", "casualties", "no casualties", "that night", "outlet")
    claims = [*(claim(*row) for row in RUN_CLAIMS), invented]
    result = evaluate(
        run(claims, groups={"e1": ["a.c1", "a.c2", "b.c1"], "e2": ["a.c3"], "e3": ["b.c2", "b.c3"]}), gold()
    )
    assert result.claims.precision == pytest.approx(5 / 6)
    assert result.claims.recall == 1.0
    assert result.unmatched_predicted == ["b.c3"]
    assert result.findings.extra_predicted == 1


def test_a_wrong_number_does_not_match_however_alike_the_words() -> None:
    claims = [claim(*row) for row in RUN_CLAIMS]
    claims[0] = claim(
        "a.c1", "munition_count", "Six rockets", "Eight rockets hit the Green Village base", "coalition"
    )
    result = evaluate(run(claims), gold())
    assert "green-village#1" in result.unmatched_gold
    assert "a.c1" in result.unmatched_predicted


def test_a_claim_on_another_facet_or_passage_does_not_match() -> None:
    claims = [claim(*row) for row in RUN_CLAIMS]
    claims[1] = claim("a.c2", "damage", "no casualties", "There were no casualties.", "coalition")
    claims[2] = claim("a.c3", "perpetrator", "drones", "the coalition said", "outlet")
    result = evaluate(run(claims), gold())
    assert result.claims.matched == 3
    assert sorted(result.unmatched_gold) == ["drones-tabni#1", "green-village#2"]


def test_quotes_are_compared_as_text_when_the_report_has_no_article_texts() -> None:
    report = run().model_copy(update={"articles": []})
    result = evaluate(report, gold())
    assert result.claims.matched == 5
    assert result.missing_articles == []


def test_gold_articles_absent_from_the_run_are_listed_and_count_as_missed() -> None:
    claims = [claim(*row) for row in RUN_CLAIMS if row[0].startswith("a.")]
    report = Report(articles=[ARTICLES[0]], claims=claims)
    result = evaluate(report, gold())
    assert result.missing_articles == ["b.txt"]
    assert result.claims.recall == pytest.approx(3 / 5)


# --- Grouping ----------------------------------------------------------------


def test_a_wrong_merge_lowers_pairwise_and_bcubed_precision() -> None:
    # the Tabni drones (a.c3) wrongly merged into the Green Village event
    result = evaluate(run(groups={"e1": ["a.c1", "a.c2", "b.c1", "a.c3"], "e3": ["b.c2"]}), gold())
    # run pairs: C(4,2) = 6, of which the 3 Green Village pairs are right
    assert result.grouping.predicted_pairs == 6
    assert result.grouping.correct_pairs == 3
    assert result.grouping.pairwise.precision == pytest.approx(3 / 6)
    assert result.grouping.pairwise.recall == 1.0
    # B-cubed precision: three claims at 3/4, the drones claim at 1/4, one singleton at 1
    assert result.grouping.bcubed.precision == pytest.approx((3 * 3 / 4 + 1 / 4 + 1) / 5)
    assert result.grouping.bcubed.recall == 1.0


def test_a_wrong_split_lowers_recall() -> None:
    result = evaluate(
        run(groups={"e1": ["a.c1", "a.c2"], "e1b": ["b.c1"], "e2": ["a.c3"], "e3": ["b.c2"]}), gold()
    )
    assert result.grouping.gold_pairs == 3
    assert result.grouping.pairwise.recall == pytest.approx(1 / 3)
    assert result.grouping.pairwise.precision == 1.0
    assert result.grouping.pairwise.f1 == pytest.approx(2 * (1 / 3) / (1 + 1 / 3))
    assert result.grouping.bcubed.recall == pytest.approx((2 * 2 / 3 + 1 / 3 + 1 + 1) / 5)


def test_claims_left_out_of_every_event_are_events_of_their_own() -> None:
    result = evaluate(run(groups={}), gold())
    assert result.grouping.predicted_pairs == 0
    assert result.grouping.pairwise.precision is None  # nothing to divide by
    assert result.grouping.pairwise.recall == 0.0
    assert result.grouping.bcubed.precision == 1.0


def test_uncertain_pairs_are_neither_rewarded_nor_penalised() -> None:
    uncertain = gold(
        uncertain_pairs=[{"events": ["drones-tabni", "airstrikes-mayadeen"], "reason": "same night"}]
    )
    merged = evaluate(run(groups={"e1": ["a.c1", "a.c2", "b.c1"], "e2": ["a.c3", "b.c2"]}), uncertain)
    apart = evaluate(run(), uncertain)
    assert merged.grouping.pairwise == apart.grouping.pairwise
    assert merged.grouping.bcubed == apart.grouping.bcubed
    assert merged.grouping.uncertain_pairs_shown == 1
    assert apart.grouping.uncertain_pairs_shown == 0
    # ... but the tally of uncertain pairs says which happened: a merge hides the doubt
    merged_tally = (merged.grouping.uncertain_pairs_linked, merged.grouping.uncertain_pairs_merged)
    assert merged_tally == (0, 1)
    assert (apart.grouping.uncertain_pairs_linked, apart.grouping.uncertain_pairs_missed) == (0, 1)
    # without the uncertainty, the same merge is a wrong pair
    assert evaluate(
        run(groups={"e1": ["a.c1", "a.c2", "b.c1"], "e2": ["a.c3", "b.c2"]}), gold()
    ).grouping.pairwise.precision == pytest.approx(3 / 4)


def test_an_uncertain_pair_kept_apart_but_linked_counts_as_shown() -> None:
    uncertain = gold(
        uncertain_pairs=[{"events": ["drones-tabni", "airstrikes-mayadeen"], "reason": "same night"}]
    )
    result = evaluate(run(links={"e2": ["e3"]}), uncertain)
    assert result.grouping.uncertain_pairs_shown == 1
    grouping = result.grouping
    tally = (
        grouping.uncertain_pairs_linked,
        grouping.uncertain_pairs_merged,
        grouping.uncertain_pairs_missed,
    )
    assert tally == (1, 0, 0)


def test_uncertain_pairs_are_told_apart_as_linked_merged_or_missed() -> None:
    pairs = [
        {"events": ["drones-tabni", "airstrikes-mayadeen"], "reason": "same night"},
        {"events": ["green-village", "drones-tabni"], "reason": "same week"},
        {"events": ["green-village", "airstrikes-mayadeen"], "reason": "same week"},
    ]
    # drones and airstrikes linked; Green Village merged with the drones; the airstrikes
    # kept apart from Green Village with no link
    report = run(groups={"e1": ["a.c1", "a.c2", "b.c1", "a.c3"], "e3": ["b.c2"]}, links={"e3": ["e1"]})
    grouping = evaluate(report, gold(uncertain_pairs=pairs)).grouping
    # e3 is linked to e1, which holds both the drones and Green Village: the first and
    # third pairs are linked, the second merged
    tally = (
        grouping.uncertain_pairs_linked,
        grouping.uncertain_pairs_merged,
        grouping.uncertain_pairs_missed,
    )
    assert tally == (2, 1, 0)
    unlinked = run(groups={"e1": ["a.c1", "a.c2", "b.c1", "a.c3"], "e3": ["b.c2"]})
    grouping = evaluate(unlinked, gold(uncertain_pairs=pairs)).grouping
    tally = (
        grouping.uncertain_pairs_linked,
        grouping.uncertain_pairs_merged,
        grouping.uncertain_pairs_missed,
    )
    assert tally == (0, 1, 2)


# --- Findings ----------------------------------------------------------------


def test_wrong_verdicts_fill_the_confusion_table() -> None:
    report = run(verdicts={("e1", "munition_count"): "contradict", ("e2", "perpetrator"): "agree"})
    result = evaluate(report, gold())
    assert result.findings.gold == 4
    assert result.findings.correct == 2
    assert result.findings.accuracy == pytest.approx(2 / 4)
    assert result.findings.confusion["agree"]["contradict"] == 1
    assert result.findings.confusion["single_source"]["agree"] == 1
    assert result.findings.confusion["single_source"]["single_source"] == 2
    wrong = [
        (c.event_id, c.facet, c.gold_verdict, c.predicted_verdict)
        for c in result.finding_checks
        if not c.correct
    ]
    assert wrong == [
        ("green-village", "munition_count", "agree", "contradict"),
        ("drones-tabni", "perpetrator", "single_source", "agree"),
    ]


def test_a_finding_the_run_lacks_is_counted_as_missing() -> None:
    report = run()
    report = report.model_copy(update={"findings": [f for f in report.findings if f.facet != "casualties"]})
    result = evaluate(report, gold())
    assert result.findings.confusion["single_source"]["missing"] == 1
    assert result.findings.found == 3
    assert result.findings.accuracy == pytest.approx(3 / 4)


def test_also_accepted_verdicts_count_as_right_but_are_counted_as_borderline() -> None:
    data = json.loads(json.dumps(GOLD_DATA))
    data["events"][0]["findings"][0]["also_accept"] = ["compatible"]
    result = evaluate(run(verdicts={("e1", "munition_count"): "compatible"}), Gold.model_validate(data))
    assert result.findings.accuracy == 1.0
    assert result.findings.confusion["agree"]["compatible"] == 1
    assert result.findings.borderline == 1
    assert result.findings.strict_accuracy == pytest.approx(3 / 4)
    assert [(c.facet, c.borderline) for c in result.finding_checks if c.borderline] == [
        ("munition_count", True)
    ]
    exact = evaluate(run(), Gold.model_validate(data)).findings
    assert (exact.borderline, exact.strict_accuracy) == (0, 1.0)


# --- Finding precision and recall, false contradictions -------------------------


def test_a_run_with_the_gold_findings_has_finding_precision_and_recall_of_one() -> None:
    findings = evaluate(run(), gold()).findings
    assert findings.matching is not None and findings.cross_source_matching is not None
    assert (findings.matching.matched, findings.matching.run, findings.matching.gold) == (4, 4, 4)
    assert (findings.matching.precision, findings.matching.recall) == (1.0, 1.0)
    # one comparison in gold (eight rockets, two outlets), one in the run
    cross = findings.cross_source_matching
    assert (cross.matched, cross.run, cross.gold) == (1, 1, 1)
    assert findings.false_contradictions == []


def test_an_invented_contradiction_lowers_finding_precision_not_verdict_accuracy() -> None:
    invented = claim("b.c3", "casualties", "no casualties", "that night", "outlet")
    claims = [*(claim(*row) for row in RUN_CLAIMS), invented]
    groups = {"e1": ["a.c1", "a.c2", "b.c1"], "e2": ["a.c3"], "e3": ["b.c2", "b.c3"]}
    report = run(claims, groups=groups, verdicts={("e3", "casualties"): "contradict"})
    findings = evaluate(report, gold()).findings
    assert findings.accuracy == 1.0  # every gold finding is answered right...
    assert findings.matching is not None and findings.cross_source_matching is not None
    assert findings.matching.precision == pytest.approx(4 / 5)  # ...but the run says one thing more
    assert findings.matching.unmatched_run == ["e3.casualties"]
    assert findings.cross_source_matching.precision == pytest.approx(1 / 2)
    assert findings.cross_source_matching.recall == 1.0
    assert findings.false_contradictions == ["e3.casualties"]


def test_a_contradiction_where_gold_has_one_voice_is_a_false_contradiction() -> None:
    findings = evaluate(run(verdicts={("e2", "perpetrator"): "contradict"}), gold()).findings
    assert findings.false_contradictions == ["e2.perpetrator"]
    assert findings.accuracy == pytest.approx(3 / 4)
    assert findings.matching is not None and findings.matching.precision == 1.0  # it answers a gold finding
    assert findings.cross_source_matching is not None
    cross = findings.cross_source_matching
    assert (cross.matched, cross.run, cross.precision) == (1, 2, 0.5)


def test_a_contradiction_gold_accepts_is_not_false() -> None:
    data = json.loads(json.dumps(GOLD_DATA))
    data["events"][0]["findings"][0]["also_accept"] = ["contradict"]
    report = run(verdicts={("e1", "munition_count"): "contradict"})
    assert evaluate(report, Gold.model_validate(data)).findings.false_contradictions == []
    assert evaluate(report, gold()).findings.false_contradictions == ["e1.munition_count"]


def test_a_merge_of_two_events_answers_one_gold_finding_and_misses_the_other() -> None:
    # the Tabni drones and the al-Mayadeen airstrikes (two gold events) merged: one perpetrator
    # finding over both claims, which pairs with one gold finding only
    report = run(groups={"e1": ["a.c1", "a.c2", "b.c1"], "e2": ["a.c3", "b.c2"]})
    findings = evaluate(report, gold()).findings
    assert findings.matching is not None and findings.cross_source_matching is not None
    assert (findings.matching.matched, findings.matching.run, findings.matching.gold) == (3, 3, 4)
    assert findings.matching.recall == pytest.approx(3 / 4)
    assert findings.confusion["single_source"]["missing"] == 1
    # the merged finding compares two outlets where gold has one voice each: a comparison too many
    cross = findings.cross_source_matching
    assert (cross.matched, cross.run, cross.gold, cross.unmatched_run) == (1, 2, 1, ["e2.perpetrator"])


# --- How a place is described, across events ------------------------------------

PLACE = {
    "id": "green-village-description",
    "place": "Green Village",
    "label": "how the Green Village base is described",
    "claims": ["green-village#1", "green-village#3"],
    "finding": {"facet": "location", "verdict": "agree", "outlets": 2,
                "original_sources": ["Outlet a (own voice)", "Outlet b (own voice)"],
                "reason": "both name the Green Village base"},
}  # fmt: skip


def with_place_finding(report: Report, verdict: str) -> Report:
    """The run's topic for the place: a finding on the description, over claims of other events."""
    topic = Event(
        id="t1", kind="topic", type="background", label="Green Village", claim_ids=[], article_ids=[]
    )
    described = [report.claim("a.c1"), report.claim("b.c1")]
    return report.model_copy(
        update={
            "events": [*report.events, topic],
            "findings": [*report.findings, finding("t1.location", "t1", "location", verdict, described, 2)],
        }
    )


def test_a_place_finding_is_scored_like_any_other() -> None:
    result = evaluate(with_place_finding(run(), "contradict"), gold(places=[PLACE]))
    check = next(c for c in result.finding_checks if c.event_id == "green-village-description")
    assert (check.gold_verdict, check.predicted_verdict, check.finding_id) == (
        "agree",
        "contradict",
        "t1.location",
    )
    assert result.findings.gold == 5 and result.findings.correct == 4
    assert result.findings.false_contradictions == ["t1.location"]
    right = evaluate(with_place_finding(run(), "agree"), gold(places=[PLACE])).findings
    assert (right.accuracy, right.false_contradictions) == (1.0, [])


def test_a_place_finding_the_run_lacks_is_missing() -> None:
    result = evaluate(run(), gold(places=[PLACE]))
    assert result.findings.confusion["agree"]["missing"] == 1
    assert result.findings.matching is not None and result.findings.matching.recall == pytest.approx(4 / 5)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (["green-village#1", "green-village#9"], "no gold claim 'green-village#9'"),
        (["green-village#1", "nowhere#1"], "no gold claim 'nowhere#1'"),
        (["green-village#1", "green-village"], "no gold claim 'green-village'"),
    ],
)
def test_a_place_finding_must_name_existing_gold_claims(claims: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gold(places=[{**PLACE, "claims": claims}])


def test_a_place_id_must_differ_from_every_event_id() -> None:
    with pytest.raises(ValueError, match="the id is already used"):
        gold(places=[{**PLACE, "id": "green-village"}])


def test_load_gold_merges_place_findings_of_several_files(tmp_path: Path) -> None:
    # a place finding names claims of its own file
    (tmp_path / "1.yaml").write_text(
        json.dumps({**GOLD_DATA, "events": GOLD_DATA["events"][:1], "places": [PLACE]})
    )
    (tmp_path / "2.yaml").write_text(json.dumps({**GOLD_DATA, "events": GOLD_DATA["events"][1:]}))
    loaded = load_gold(tmp_path)
    assert [p.id for p in loaded.places] == ["green-village-description"]
    assert len(loaded.events) == 3


def test_counting_outlets_as_sources_is_a_source_count_error() -> None:
    report = run()
    findings = [
        f.model_copy(update={"original_sources": ["Outlet a", "Outlet b"]})
        if f.facet == "munition_count"
        else f
        for f in report.findings
    ]
    result = evaluate(report.model_copy(update={"findings": findings}), gold())
    assert result.findings.accuracy == 1.0
    assert result.findings.source_count_correct == 3
    assert result.findings.source_count_accuracy == pytest.approx(3 / 4)
    assert result.findings.outlet_count_accuracy == 1.0


# --- Grounding ---------------------------------------------------------------


def test_grounding_rate_is_grounded_claims_over_all_claims() -> None:
    claims = [claim(*row) for row in RUN_CLAIMS]
    claims[4] = claim(*RUN_CLAIMS[4], grounded=False)
    result = evaluate(run(claims), gold())
    assert (result.grounding.grounded, result.grounding.claims) == (4, 5)
    assert result.grounding.rate == pytest.approx(0.8)


def test_an_empty_run_has_no_precision_and_zero_recall() -> None:
    result = evaluate(Report(articles=ARTICLES), gold())
    assert result.claims.precision is None
    assert result.claims.recall == 0.0
    assert result.grounding.rate is None
    assert format_score(result.claims.precision) == "n/a"
    assert result.findings.confusion["agree"]["missing"] == 1


# --- Gold files --------------------------------------------------------------


def test_facets_one_article_reports_default_to_single_source() -> None:
    event = gold().events[0]
    findings = {f.facet: f for f in gold_findings(event, gold())}
    assert findings["casualties"].verdict == "single_source"
    assert findings["casualties"].outlets == 1
    assert findings["casualties"].original_sources == ["coalition"]
    assert findings["munition_count"].verdict == "agree"


def test_a_facet_two_articles_report_needs_a_written_finding() -> None:
    data = json.loads(json.dumps(GOLD_DATA))
    data["events"][0]["findings"] = []
    with pytest.raises(ValueError, match="'munition_count' comes from 2 article/source pairs"):
        Gold.model_validate(data)


def test_load_gold_merges_the_files_of_a_directory(tmp_path: Path) -> None:
    first = {**GOLD_DATA, "events": GOLD_DATA["events"][:1]}
    second = {"articles": {"B": "b.txt"}, "events": GOLD_DATA["events"][1:]}
    (tmp_path / "1.yaml").write_text(json.dumps(first))
    (tmp_path / "2.json").write_text(json.dumps(second))
    (tmp_path / "README.md").write_text("not gold")
    loaded = load_gold(tmp_path)
    assert [e.id for e in loaded.events] == ["green-village", "drones-tabni", "airstrikes-mayadeen"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("events: [", "not valid YAML"),
        ("- a list", "a gold file is a mapping"),
        ("events: [{id: x, label: x, claims: [{article: A, facet: rockets, value: v, source: s, quote: q}]}]",
         "events.0.claims.0.facet"),
    ],
)  # fmt: skip
def test_a_bad_gold_file_gives_one_sentence_naming_it(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "gold.yaml"
    path.write_text(content)
    with pytest.raises(InputError, match=message) as raised:
        load_gold(tmp_path)
    assert str(path) in str(raised.value)
    assert "\n" not in str(raised.value)


def test_load_gold_names_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="gold annotations not found"):
        load_gold(tmp_path / "nowhere")


# --- The command -------------------------------------------------------------


def test_eval_command_prints_the_table_and_writes_json(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    report_path.write_text(run(verdicts={("e1", "munition_count"): "contradict"}).model_dump_json())
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "seeds.yaml").write_text(json.dumps(GOLD_DATA))
    out = tmp_path / "eval.json"
    result = CliRunner().invoke(
        app, ["eval", str(report_path), "--gold", str(tmp_path / "gold"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "claim recall" in result.output
    assert "verdict accuracy" in result.output
    assert "0.750" in result.output  # 3 of 4 verdicts right
    assert "finding precision" in result.output and "comparison recall" in result.output
    assert (
        "false contradictions (run says contradict, gold neither says nor accepts it): 1 (e1.munition_count)"
        in (" ".join(result.output.split()))
    )
    assert "uncertain pairs (0): 0 linked as possibly the same event" in " ".join(result.output.split())
    written = json.loads(out.read_text())
    assert written["findings"]["confusion"]["agree"]["contradict"] == 1
    assert written["claims"]["recall"] == 1.0


def test_eval_command_writes_json_to_stdout_with_dash(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    report_path.write_text(run().model_dump_json())
    gold_path = tmp_path / "gold.yaml"
    gold_path.write_text(json.dumps(GOLD_DATA))
    result = CliRunner().invoke(app, ["eval", str(report_path), "--gold", str(gold_path), "-o", "-"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["grounding"]["rate"] == 1.0


def test_eval_command_names_an_unreadable_report(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    report_path.write_text('{"claims": "not a list"}')
    gold_path = tmp_path / "gold.yaml"
    gold_path.write_text(json.dumps(GOLD_DATA))
    with pytest.raises(InputError, match="report.json"):
        CliRunner().invoke(app, ["eval", str(report_path), "--gold", str(gold_path)], catch_exceptions=False)


def test_two_sources_in_one_article_need_a_written_finding() -> None:
    data = json.loads(json.dumps(GOLD_DATA))
    data["events"][1]["claims"].append(
        {"article": "A", "facet": "perpetrator", "value": "coalition drones", "source": "SOHR",
         "quote": "drones struck militia sites"}
    )  # fmt: skip
    with pytest.raises(ValueError, match="'perpetrator' comes from 2 article/source pairs"):
        Gold.model_validate(data)


# --- The sample corpus ------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def test_the_seeds_gold_has_the_gas_field_versus_oil_field_contradiction() -> None:
    seeds_gold = load_gold(ROOT / "fixtures" / "gold")
    place = next(p for p in seeds_gold.places if p.place == "Conoco gas field")
    assert (place.finding.facet, place.finding.verdict, place.finding.outlets) == (
        "location",
        "contradict",
        3,
    )
    events = {e.id: e for e in seeds_gold.events}
    described = []
    for ref in place.claims:
        event_id, _, number = ref.rpartition("#")
        described.append(events[event_id].claims[int(number) - 1].quote.casefold())
    assert [("gas field" in q, "oil field" in q) for q in described] == [
        (True, False),
        (False, True),
        (True, False),
    ]


def test_the_seeds_run_scores_its_comparisons_against_the_gold() -> None:
    from reconcile.brief import build_brief

    report = build_brief([ROOT / "seeds"], replay=ROOT / "fixtures" / "seeds", strict=True, no_cache=True)
    result = evaluate(report, load_gold(ROOT / "fixtures" / "gold"))
    conoco = next(c for c in result.finding_checks if c.event_id == "conoco-field-description")
    assert conoco.predicted_verdict == "contradict"
    assert result.findings.false_contradictions == []
    grouping = result.grouping
    assert (grouping.uncertain_pairs_linked, grouping.uncertain_pairs_merged) == (2, 0)
    # the troop figures: gold says agree, the run compatible, accepted only as borderline
    troops = next(c for c in result.finding_checks if c.event_id == "us-troops-in-syria")
    assert (troops.gold_verdict, troops.predicted_verdict, troops.borderline) == ("agree", "compatible", True)
