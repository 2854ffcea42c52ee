"""The executive summary: only findings go in, and only sentences the cited findings support come out."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from briefkit import build_sample_report

from reconcile.llm.fixtures import replay_client
from reconcile.models import Report, SummaryDraft
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
        draft("Iran International and RT agree on about 900 US troops in Syria.", "topic1.troop_count"),
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
