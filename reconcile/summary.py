"""The optional executive summary: a few sentences an LLM writes from the findings alone.

The prompt (``prompts/summary.j2``) carries only the findings: verdicts,
outlets, values and original sources, never article text. Every sentence the
model returns must cite finding ids, and is checked against them before it
reaches the brief; a sentence is dropped (and listed with the reason in
``Report.summary_dropped``) when it cites nothing, cites an unknown id, states
a number or names an outlet or source that its cited findings do not contain,
or calls a fact agreed or contradicted when no cited finding says so.

The call goes through the shared ``LLMClient`` as stage ``"summary"``, so it is
cached, recorded (``--record``) and replayed (``--replay``) like extraction.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconcile.errors import FixtureError
from reconcile.llm.client import LLMClient
from reconcile.llm.prompting import RenderedPrompt, llm_facing, render
from reconcile.models import (
    DroppedSentence,
    Event,
    Finding,
    Report,
    SummaryDraft,
    SummaryResponse,
    SummarySentence,
    Usage,
)
from reconcile.numbers import numbers_in

STAGE = "summary"
TEMPLATE = "summary.j2"
# The prompt carries the highest-ranked findings; a long tail of single-source facts adds cost, not value.
MAX_FINDINGS = 60

_CONTRADICTION_WORDS = re.compile(r"\b(contradict\w*|disagree\w*|conflict\w*|dispute\w*)", re.IGNORECASE)
_AGREEMENT_WORDS = re.compile(r"\b(agree\w*|corroborat\w*|concur\w*)", re.IGNORECASE)


@dataclass
class SummaryOutcome:
    sentences: list[SummarySentence] = field(default_factory=list)
    dropped: list[DroppedSentence] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    recorded_by: str | None = None


def findings_for_prompt(report: Report) -> list[dict[str, Any]]:
    """The findings as the model sees them: no quotes, no article text, ungrounded values left out."""
    events = {e.id: e for e in report.events}
    chosen = sorted(report.findings, key=lambda f: (-f.rank, f.id))[:MAX_FINDINGS]
    digest = []
    for finding in chosen:
        values = [v for v in finding.values if v.grounded]
        if not values:
            continue
        event = events.get(finding.event_id)
        digest.append(
            {
                "id": finding.id,
                "event": event.label if event else finding.event_id,
                "event_date": _event_date(event),
                "fact": finding.facet,
                "verdict": finding.verdict,
                "outlets": finding.outlets,
                "original_sources": finding.original_sources,
                "values": [{"outlet": v.outlet, "value": v.value, "source": v.source.name} for v in values],
            }
        )
    return digest


def _event_date(event: Event | None) -> str | None:
    if event is None or event.date is None or event.date.start is None or event.date.end is None:
        return None
    if event.date.start == event.date.end:
        return event.date.start.isoformat()
    return f"{event.date.start.isoformat()}/{event.date.end.isoformat()}"


def summary_input(report: Report) -> tuple[str, str]:
    """(the findings as JSON for the prompt, its sha256: what a recording is matched on)."""
    findings_json = json.dumps(findings_for_prompt(report), indent=1, ensure_ascii=False, sort_keys=True)
    return findings_json, hashlib.sha256(findings_json.encode("utf-8")).hexdigest()


def render_summary_prompt(findings_json: str, *, mode: str = "tools") -> RenderedPrompt:
    # The delimiter depends on the findings, so no value inside them can close it.
    marker = f"findings_{hashlib.sha256(findings_json.encode('utf-8')).hexdigest()[:12]}"
    return render(TEMPLATE, llm_facing(SummaryResponse), mode, findings_json=findings_json, marker=marker)


def _allowed_numbers(findings: list[Finding], events: dict[str, Event]) -> set[float]:
    """Every number a sentence citing ``findings`` may state."""
    allowed: set[float] = {float(len(findings))}
    for finding in findings:
        grounded = [v for v in finding.values if v.grounded]
        allowed |= {float(len(finding.outlets)), float(len(finding.original_sources)), float(len(grounded))}
        texts = [*(v.value for v in grounded), *(v.source.name for v in grounded), *finding.original_sources]
        event = events.get(finding.event_id)
        if event is not None:
            texts.append(event.label)
            for day in (event.date.start, event.date.end) if event.date else ():
                if day is not None:
                    allowed |= {float(day.day), float(day.year)}
        for text in texts:
            allowed |= set(numbers_in(text))
        for value in grounded:
            if value.quantity is not None:
                allowed.add(value.quantity.low)
                if value.quantity.high is not None:
                    allowed.add(value.quantity.high)
    return allowed


def _names_in(text: str, names: set[str]) -> set[str]:
    folded = text.casefold()
    return {name for name in names if re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", folded)}


def check_sentence(draft: SummaryDraft, report: Report) -> str | None:
    """Why the sentence must be dropped, or None when its cited findings support it."""
    if not draft.text.strip():
        return "empty sentence"
    if not draft.finding_ids:
        return "cites no finding"
    by_id = {f.id: f for f in report.findings}
    unknown = [i for i in draft.finding_ids if i not in by_id]
    if unknown:
        return f"cites unknown finding{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"
    cited = [by_id[i] for i in dict.fromkeys(draft.finding_ids)]
    events = {e.id: e for e in report.events}

    allowed = _allowed_numbers(cited, events)
    stray = [n for n in numbers_in(draft.text) if n not in allowed]
    if stray:
        shown = ", ".join(f"{n:g}" for n in dict.fromkeys(stray))
        return f"states {shown}, which the cited findings do not contain"

    # Outlets and sources named in the sentence must be among those of its cited findings.
    known_names = {a.outlet for a in report.articles if a.outlet_known}
    known_names |= {v.source.name for f in report.findings for v in f.values if v.source.kind != "outlet"}
    cited_names = {v.outlet for f in cited for v in f.values if v.grounded}
    cited_names |= {v.source.name for f in cited for v in f.values if v.grounded}
    cited_names |= {s for f in cited for s in f.original_sources}
    foreign = sorted(_names_in(draft.text, known_names) - _names_in(draft.text, cited_names))
    if foreign:
        return f"names {', '.join(foreign)}, which the cited findings do not mention"

    verdicts = {f.verdict for f in cited}
    if _affirms(_CONTRADICTION_WORDS, draft.text) and not verdicts & {"contradict"}:
        return "speaks of a contradiction, but no cited finding is one"
    if _affirms(_AGREEMENT_WORDS, draft.text) and not verdicts & {"agree", "compatible"}:
        return "speaks of agreement, but no cited finding agrees"
    return None


_NEGATION_BEFORE = re.compile(r"(\b(no|not|without|never|nor)|n't)\s+(\w+\s+)?$", re.IGNORECASE)


def _affirms(words: re.Pattern[str], text: str) -> bool:
    """True when one of ``words`` occurs un-negated ("without conflict" does not claim a conflict)."""
    return any(not _NEGATION_BEFORE.search(text[: m.start()]) for m in words.finditer(text))


def check_summary(
    drafts: list[SummaryDraft], report: Report
) -> tuple[list[SummarySentence], list[DroppedSentence]]:
    kept: list[SummarySentence] = []
    dropped: list[DroppedSentence] = []
    for draft in drafts:
        reason = check_sentence(draft, report)
        if reason is None:
            ids = list(dict.fromkeys(draft.finding_ids))
            kept.append(SummarySentence(text=" ".join(draft.text.split()), finding_ids=ids))
        else:
            dropped.append(DroppedSentence(text=draft.text, finding_ids=draft.finding_ids, reason=reason))
    return kept, dropped


def summary_record_command() -> str:
    return "reconcile brief PATHS... -o brief.html --summary --record DIR --model MODEL"


async def summarize_async(report: Report, client: LLMClient) -> SummaryOutcome:
    """Ask the model for the executive summary of ``report`` and keep only supported sentences.

    With no findings there is nothing to summarise and no call is made. Raises
    what ``LLMClient.structured`` raises (``CallFailed``, ``FixtureError``).
    """
    findings_json, input_sha256 = summary_input(report)
    if not report.findings:
        return SummaryOutcome()
    prompt = render_summary_prompt(findings_json, mode=client.mode)
    result = await client.structured(
        STAGE,
        prompt,
        SummaryResponse,
        input_sha256=input_sha256,
        record_command=summary_record_command(),
    )
    kept, dropped = check_summary(result.value.sentences, report)
    return SummaryOutcome(kept, dropped, result.usage, getattr(result, "recorded_by", None))


# --- Hand-written answers ------------------------------------------------------

HAND_WRITTEN = "hand-written"


def chat_completion_body(answer: SummaryResponse, mode: str) -> dict[str, Any]:
    """``answer`` as an OpenAI ``chat.completion`` body, in the form ``mode`` parses."""
    arguments = answer.model_dump_json(exclude_defaults=True)
    call_id = hashlib.sha256(arguments.encode("utf-8")).hexdigest()[:12]
    if mode == "tools":
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": f"call_{call_id}",
                    "type": "function",
                    "function": {"name": SummaryResponse.__name__, "arguments": arguments},
                }
            ],
        }
        finish_reason = "tool_calls"
    else:
        message = {"role": "assistant", "content": arguments}
        finish_reason = "stop"
    return {
        "id": f"chatcmpl-{HAND_WRITTEN}-{call_id}",
        "object": "chat.completion",
        "created": 0,
        "model": HAND_WRITTEN,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def write_summary_fixture(
    drafts: list[SummaryDraft], report: Report, out_dir: str | Path, *, mode: str = "tools"
) -> Path:
    """Record a hand-written summary for ``report`` as a replayable exchange in ``out_dir``.

    The answer goes through the real client in record mode (openai + instructor
    parse it, the request is the one the prompt produces), served by a local
    transport instead of an endpoint, and is labelled ``recorded_by: hand-written``.
    """
    import asyncio

    from pydantic import SecretStr

    from reconcile.llm.config import LLMSettings
    from reconcile.llm.transport import CapturingTransport, ReplayPlan, ReplayTransport, current_replay

    findings_json, input_sha256 = summary_input(report)
    prompt = render_summary_prompt(findings_json, mode=mode)
    body = chat_completion_body(SummaryResponse(sentences=drafts), mode)
    settings = LLMSettings(
        model=HAND_WRITTEN,
        api_key=SecretStr(HAND_WRITTEN),
        base_url="http://replay.invalid/v1",
        mode=mode,  # type: ignore[arg-type]
        cache_dir=None,
        record_dir=Path(out_dir),
    )

    async def record() -> None:
        client = LLMClient(settings, transport=CapturingTransport(ReplayTransport()))
        token = current_replay.set(ReplayPlan(bodies=[body]))
        try:
            await client.structured(STAGE, prompt, SummaryResponse, input_sha256=input_sha256)
        finally:
            current_replay.reset(token)
            await client.aclose()

    Path(out_dir).mkdir(parents=True, exist_ok=True)
    asyncio.run(record())
    from reconcile.llm.replay import ExchangeStore

    found = ExchangeStore(Path(out_dir)).find(STAGE, input_sha256, 0, mode)
    if found is None:  # the client records every answered call; a miss means it was not answered
        raise FixtureError(f"the hand-written summary could not be recorded in {out_dir}")
    return found[0]
