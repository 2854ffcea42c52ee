"""The executive summary: only findings go in, and only sentences the cited findings support come out."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from briefkit import build_sample_report

from reconcile.llm.fixtures import replay_client
from reconcile.models import Finding, Report, SummaryDraft
from reconcile.render import render_markdown
from reconcile.summary import (
    check_sentence,
    findings_for_prompt,
    render_summary_prompt,
    summarize_async,
    summary_input,
    write_summary_fixture,
)


@pytest.fixture(scope="module")
def report() -> Report:
    return build_sample_report()


def draft(text: str, *ids: str) -> SummaryDraft:
    return SummaryDraft(text=text, finding_ids=list(ids))


@pytest.mark.parametrize(
    "sentence",
    [
        draft(
            "Three outlets report eight rockets, but all from one original source, the US-led coalition "
            "statement.",
            "ev1.munition_count",
        ),
        draft(
            "Example Wire reports two contractors wounded, contradicting the coalition's no casualties.",
            "ev1.casualties",
        ),
        draft(
            "The response accounts differ without conflict: six artillery shells and airstrikes.",
            "ev1.response",
        ),
        draft(
            "Iran International and RT give compatible figures of about 900 US troops in Syria.",
            "topic1.troop_count",
        ),
        draft("On 5 January 2022, eight rockets were fired.", "ev1.munition_count"),
        draft("The two accounts of the response do not contradict each other.", "ev1.response"),
    ],
)
def test_a_sentence_supported_by_its_cited_findings_is_kept(report: Report, sentence: SummaryDraft) -> None:
    assert check_sentence(sentence, report) is None


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        (draft("Eight rockets were fired."), "cites no finding"),
        (draft("Eight rockets were fired.", "ev9.nothing"), "cites unknown finding ev9.nothing"),
        (draft("Ten rockets were fired.", "ev1.munition_count"), "states 10, which the cited findings"),
        (draft("Twelve contractors were wounded.", "ev1.casualties"), "states 12"),
        (
            draft("RT reports eight rockets.", "ev1.munition_count"),
            "names RT, which the cited findings do not mention",
        ),
        (
            draft("Outlets contradict each other on the rockets.", "ev1.munition_count"),
            "speaks of a contradiction",
        ),
        (draft("The outlets agree on casualties.", "ev1.casualties"), "speaks of agreement"),
        (
            draft("Iran International and RT agree on about 900 US troops in Syria.", "topic1.troop_count"),
            "speaks of agreement ('agree'), but the cited findings are compatible",
        ),
    ],
)
def test_a_sentence_the_findings_do_not_support_is_dropped_with_the_reason(
    report: Report, sentence: SummaryDraft, reason: str
) -> None:
    found = check_sentence(sentence, report)
    assert found is not None and found.startswith(reason), found


def test_the_prompt_carries_findings_but_no_article_text_or_quotes(report: Report) -> None:
    findings_json, _ = summary_input(report)
    prompt = render_summary_prompt(findings_json)
    sent = json.dumps(prompt.messages)
    for claim in report.claims:
        if len(claim.quote.text) > len(claim.value) + 10:
            assert claim.quote.text not in sent
    for article in report.articles:
        assert article.text[:200] not in sent
    assert '"id": "ev1.casualties"' in prompt.messages[1]["content"]


def test_ungrounded_values_never_reach_the_prompt(report: Report) -> None:
    values = [v["value"] for f in findings_for_prompt(report) for v in f["values"]]
    assert "ten rockets" not in values and "eight rockets" in values


def test_a_hand_written_summary_replays_and_unsupported_sentences_are_dropped(
    report: Report, tmp_path: Path
) -> None:
    drafts = [
        draft(
            "Outlets contradict each other on casualties: the coalition said no casualties, Example Wire two "
            "contractors wounded.",
            "ev1.casualties",
        ),
        draft("Three outlets give eight rockets, all from one original source.", "ev1.munition_count"),
        draft("Fifteen rockets hit the base.", "ev1.munition_count"),
        draft("The attack was revenge for Soleimani."),
    ]
    path = write_summary_fixture(drafts, report, tmp_path)
    exchange = json.loads(path.read_text(encoding="utf-8"))
    assert exchange["stage"] == "summary" and exchange["recorded_by"] == "hand-written"

    outcome = asyncio.run(summarize_async(report, replay_client(tmp_path, strict=True)))
    assert [s.finding_ids for s in outcome.sentences] == [["ev1.casualties"], ["ev1.munition_count"]]
    assert [d.reason for d in outcome.dropped] == [
        "states 15, which the cited findings do not contain",
        "cites no finding",
    ]
    assert outcome.recorded_by == "hand-written" and outcome.usage.replayed == 1

    brief = render_markdown(
        Report(**{**dict(report), "summary": outcome.sentences, "summary_dropped": outcome.dropped})
    )
    summary = brief.split("## Summary", 1)[1].split("## Key findings", 1)[0]
    assert (
        "- Three outlets give eight rockets, all from one original source. (`ev1.munition_count`)" in summary
    )
    assert "~~Fifteen rockets hit the base.~~ (states 15" in summary


def test_a_changed_report_does_not_replay_an_old_summary(report: Report, tmp_path: Path) -> None:
    write_summary_fixture([draft("Eight rockets.", "ev1.munition_count")], report, tmp_path)
    changed = Report(**{**dict(report), "findings": report.findings[1:]})
    with pytest.raises(Exception, match="No recorded summary answer"):
        asyncio.run(summarize_async(changed, replay_client(tmp_path, strict=True)))


# --- The check over the seeds brief ------------------------------------------------


@pytest.fixture(scope="module")
def seeds_report() -> Report:
    from briefkit import SEEDS

    from reconcile.brief import build_brief

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
    return build_brief([SEEDS], replay=fixtures, strict=True, no_cache=True)


# Findings of the seeds brief by what they are about (facet, words of the event label), so the
# table does not depend on the finding ids of the day.
SEEDS_FINDINGS = {
    "rockets": ("munition_count", "Green Village · 2022-01-05"),
    "response": ("response", "Green Village · 2022-01-05"),
    "casualties": ("casualties", "Green Village · 2022-01-05"),
    "damage": ("damage", "Green Village · 2022-01-05"),
    "attribution": ("perpetrator", "Green Village · 2022-01-05"),
    "conoco": ("location", "Conoco gas field"),
    "troops": ("troop_count", "Syria"),
    "mayadeen strikers": ("perpetrator", "al-Mayadeen"),
    "iran responsible": ("perpetrator", "October 2023"),
}


def seeds_draft(report: Report, text: str, *about: str) -> SummaryDraft:
    labels = {e.id: e.label for e in report.events}
    ids = []
    for key in about:
        facet, label = SEEDS_FINDINGS[key]
        found = [f.id for f in report.findings if f.facet == facet and label in labels[f.event_id]]
        assert len(found) == 1, (key, found)
        ids.extend(found)
    return SummaryDraft(text=text, finding_ids=ids)


def test_the_seeds_findings_the_table_rests_on_are_what_it_assumes(seeds_report: Report) -> None:
    def finding(key: str) -> Finding:
        (finding_id,) = seeds_draft(seeds_report, "x", key).finding_ids
        return next(f for f in seeds_report.findings if f.id == finding_id)

    rockets = finding("rockets")
    assert (rockets.verdict, len(rockets.outlets), len(rockets.original_sources)) == ("agree", 3, 1)
    assert {v.stance for v in rockets.values} == {"reported"}
    assert finding("response").verdict == "complementary"
    assert any("airstrikes" in v.value for v in finding("response").values)
    assert finding("troops").verdict == "compatible"
    assert finding("conoco").verdict == "contradict"
    strikers = finding("mayadeen strikers")
    assert (strikers.verdict, len(strikers.original_sources)) == ("agree", 2)


SEEDS_TRUE = [
    (
        "Three outlets report eight rockets fired at the Green Village base on 5 January 2022, but all "
        "take the number from one original source, the US-led coalition.",
        ["rockets"],
    ),
    ("All three outlets take the eight rockets from the same source.", ["rockets"]),
    ("Eight rockets were fired at a base in Deir Ezzor province.", ["rockets"]),
    ("Eight rockets were fired at a base in eastern Syria.", ["rockets"]),
    (
        "The Conoco site is a gas field in one account and an oil field in another, a contradiction in "
        "how the place is described.",
        ["conoco"],
    ),
    (
        "The coalition's response is told in two ways that do not conflict: six artillery shells fired "
        "back, and airstrikes on rocket launch sites before the attack.",
        ["response"],
    ),
    ("The accounts of the response differ without contradicting each other.", ["response"]),
    (
        "Iran International gives approximately 900 US troops in Syria and RT at least 900 troops, "
        "compatible figures.",
        ["troops"],
    ),
    ("The troop figures are consistent: about 900 and at least 900.", ["troops"]),
    (
        "There were no casualties at Green Village, according to one source, the US-led coalition.",
        ["casualties"],
    ),
    (
        "Eight rockets were fired at Green Village and the attack did not result in any casualties.",
        ["rockets", "casualties"],
    ),
    (
        "Arabic-language reports and the BBC corroborate each other: the coalition struck near al-Mayadeen.",
        ["mayadeen strikers"],
    ),
    ("The Pentagon holds Iran responsible, while RT says no proof was provided.", ["iran responsible"]),
    (
        "RT says neither Biden nor the Pentagon provided any proof of Iranian involvement.",
        ["iran responsible"],
    ),
    (
        "Deir Ezzor 24 reports that one rocket hit a mosque, besides the minor damage the US-led coalition "
        "reports.",
        ["damage"],
    ),
    ("The coalition accuses Iran-backed groups of the attack on Green Village.", ["attribution"]),
]


@pytest.mark.parametrize(("text", "about"), SEEDS_TRUE, ids=[t[:40] for t, _ in SEEDS_TRUE])
def test_a_true_sentence_about_the_seeds_is_kept(seeds_report: Report, text: str, about: list[str]) -> None:
    assert check_sentence(seeds_draft(seeds_report, text, *about), seeds_report) is None


SEEDS_FALSE = [
    # Counts of sources and outlets.
    (
        "Three independent sources confirm that eight rockets were fired at Green Village.",
        ["rockets"],
        "says 'Three independent sources', but the cited findings have 1 original source",
    ),
    ("One outlet reports eight rockets at Green Village.", ["rockets"], "says 'One outlet', but the cited"),
    ("Eight rockets, from three sources, hit Green Village.", ["rockets"], "says 'three sources'"),
    ("Three independent outlets report eight rockets.", ["rockets"], "says 'Three independent outlets'"),
    # Places.
    (
        "Eight rockets struck the Conoco gas field.",
        ["rockets"],
        "names Conoco gas field, which is neither a place of the cited findings nor contains one "
        "(they are about Green Village)",
    ),
    ("Eight rockets were fired at a base in Iraq.", ["rockets"], "names Iraq"),
    ("The response came from Tabni.", ["response"], "names Tabni"),
    # Verdict words.
    (
        "Iran International gives approximately 900 US troops in Syria and RT at least 900 troops, "
        "figures that agree.",
        ["troops"],
        "speaks of agreement ('agree'), but the cited findings are compatible",
    ),
    (
        "Three outlets confirm eight rockets at Green Village.",
        ["rockets"],
        "speaks of confirmation ('confirm'), but no cited finding has two or more independent original "
        "sources agreeing",
    ),
    ("The accounts of the response contradict each other.", ["response"], "speaks of a contradiction"),
    (
        "The rocket counts differ.",
        ["rockets"],
        "speaks of a difference ('differ'), but the cited findings are agree",
    ),
    (
        "The troop figures do not differ.",
        ["troops"],
        "says 'differ' negated, but the cited findings are compatible",
    ),
    ("The outlets do not agree on the number of rockets.", ["rockets"], "says 'agree' negated"),
    ("The Conoco descriptions are compatible.", ["conoco"], "speaks of compatibility"),
    # Negated facts.
    (
        "The coalition's response was six artillery shells and there were no airstrikes.",
        ["response"],
        "denies 'airstrikes' (no airstrikes), which a cited finding reports",
    ),
    ("The coalition did not return fire with artillery shells.", ["response"], "denies 'return'"),
    # Reported or alleged, presented as proven.
    (
        "Iran fired eight rockets at Green Village, the coalition proved.",
        ["rockets"],
        "presents as proven ('proved') what the cited findings only give as reported",
    ),
    (
        "It is certain that Iran-backed groups attacked Green Village.",
        ["attribution"],
        "presents as proven ('It is certain') what the cited findings only give as",
    ),
    ("The Pentagon established that Iran is responsible.", ["iran responsible"], "presents as proven"),
]


@pytest.mark.parametrize(("text", "about", "reason"), SEEDS_FALSE, ids=[t[:40] for t, _, _ in SEEDS_FALSE])
def test_a_false_sentence_about_the_seeds_is_dropped_with_the_reason(
    seeds_report: Report, text: str, about: list[str], reason: str
) -> None:
    found = check_sentence(seeds_draft(seeds_report, text, *about), seeds_report)
    assert found is not None and found.startswith(reason), found


def test_a_country_counts_as_a_place_only_after_a_locative_word(seeds_report: Report) -> None:
    # On its own a country's name usually names its government, an actor.
    actor = seeds_draft(
        seeds_report,
        "The coalition says eight rockets hit Green Village and blames groups backed by Iran.",
        "rockets",
        "attribution",
    )
    assert check_sentence(actor, seeds_report) is None
    place = seeds_draft(seeds_report, "Eight rockets were fired from Iran at Green Village.", "rockets")
    assert str(check_sentence(place, seeds_report)).startswith("names Iran, which is neither a place")


def test_the_model_sees_each_value_s_stance(seeds_report: Report) -> None:
    stances = {v["stance"] for f in findings_for_prompt(seeds_report) for v in f["values"]}
    assert {"reported", "alleged", "asserted"} <= stances
