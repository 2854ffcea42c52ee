"""Fixture tooling: replay clients for tests, hand-written answers wrapped as exchanges, checks.

- ``replay_client(directory)``: an ``LLMClient`` that answers only from recorded
  exchanges in ``directory``: no network, no key. Use it in your own tests::

      from reconcile.llm.fixtures import replay_client
      run = reconcile.extract(articles, client=replay_client("fixtures/seeds", strict=True))

  (``reconcile.testing`` has the same as a pytest fixture.)
- ``wrap_claims_files(...)``: turns a hand-written claims file (YAML or JSON,
  ``{article: <file name or id>, claims: [ClaimDraft, ...]}``) into a replayable
  exchange in the exact raw response format of the mode (for tools: a
  ``chat.completion`` whose first tool call carries the answer as its JSON
  ``arguments``), with the current prompt's fingerprint and request, labelled
  ``"recorded_by": "hand-written"``. The answer is passed through the real
  openai + instructor parsing once while wrapping, so a fixture that would not
  replay is refused here. A claims file may add ``first_answer_invalid: {...}``,
  the raw arguments of a schema-invalid first answer: the exchange then holds
  that answer first and the valid claims as the answer to the re-ask.
- ``check_fixtures(...)``: stale (prompt changed), unused (no article answers to
  it) and missing (an article or chunk without one) fixtures. Summary exchanges
  are checked for staleness only: their input is a report's findings, not an article.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openai
import yaml
from pydantic import BaseModel, ValidationError

from reconcile.errors import FixtureError, InputError
from reconcile.extract import (
    STAGE,
    article_chunks,
    chunk_input_sha256,
    draft_to_claim,
    extract_prompt_fingerprint,
    render_extract_prompt,
)
from reconcile.ground import normalize_text
from reconcile.llm.client import INSTRUCTOR_MODES, LLMClient, create_structured
from reconcile.llm.config import LLMSettings, ModeName
from reconcile.llm.prompting import RenderedPrompt
from reconcile.llm.replay import ExchangeStore, exchange_filename, exchange_key, read_exchange
from reconcile.llm.transport import ReplayPlan, ReplayTransport, current_replay
from reconcile.models import Article, Chunk, ClaimDraft, Exchange, ExtractionResponse
from reconcile.summary import STAGE as SUMMARY_STAGE
from reconcile.summary import render_summary_prompt

HAND_WRITTEN = "hand-written"


def replay_client(directory: str | Path, *, strict: bool = False, mode: ModeName = "tools") -> LLMClient:
    """An ``LLMClient`` that answers from the exchanges in ``directory`` and never opens a socket.

    ``strict=True`` makes a stale recording (prompt or schema changed since) an
    error instead of a warning; a missing recording fails that article with a
    message naming it and the command that records it.
    """
    return LLMClient(LLMSettings(replay_dir=Path(directory), strict=strict, mode=mode, cache_dir=None))


# --- wrap ------------------------------------------------------------------------


@dataclass
class WrapResult:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def load_claims_file(path: Path) -> tuple[str, ExtractionResponse]:
    """Read ``{article: ..., claims: [...]}`` from YAML or JSON; validate the claims."""
    name, response, _ = _load_claims(path)
    return name, response


def _load_claims(path: Path) -> tuple[str, ExtractionResponse, dict[str, Any] | None]:
    """(article, valid claims, raw arguments of a schema-invalid first answer or None)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"Claims file {path} cannot be read: {error.strerror or error}.") from error
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise FixtureError(
            f"Claims file {path} is not valid {path.suffix.lstrip('.').upper() or 'YAML'}: "
            f"{str(error).splitlines()[0]}."
        ) from error
    if not isinstance(data, dict) or "article" not in data or "claims" not in data:
        raise FixtureError(f"Claims file {path} must be a mapping with the keys 'article' and 'claims'.")
    unknown = sorted(
        set(data) - {"article", "claims", "note", "notes", "recorded_by", "first_answer_invalid"}
    )
    if unknown:
        raise FixtureError(
            f"Claims file {path} has unknown keys {', '.join(unknown)} "
            "(allowed: article, claims, note, recorded_by, first_answer_invalid)."
        )
    # Wrapped exchanges are labelled hand-written; a claims file may say so itself, but nothing else.
    if data.get("recorded_by", HAND_WRITTEN) != HAND_WRITTEN:
        raise FixtureError(
            f"Claims file {path} says recorded_by {data['recorded_by']!r}; a claims file is "
            f"{HAND_WRITTEN!r} by definition (record real answers with --record)."
        )
    try:
        response = ExtractionResponse.model_validate({"claims": data["claims"] or []})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise FixtureError(
            f"Claims file {path}: {where}: {first['msg']} ({error.error_count()} problem(s) in all)."
        ) from error
    invalid = data.get("first_answer_invalid")
    if invalid is not None:
        if not isinstance(invalid, dict):
            raise FixtureError(
                f"Claims file {path}: first_answer_invalid must be a mapping (the raw answer's arguments)."
            )
        try:
            ExtractionResponse.model_validate(invalid)
        except ValidationError:
            pass
        else:
            raise FixtureError(
                f"Claims file {path}: first_answer_invalid fits the schema, so it would not be re-asked."
            )
    return str(data["article"]), response, invalid


def find_article(name: str, articles: list[Article]) -> Article | None:
    """By id, by file name, or by file stem."""
    for article in articles:
        if article.id == name:
            return article
    for article in articles:
        if article.path and (Path(article.path).name == name or Path(article.path).stem == name):
            return article
    return None


def _assign_to_chunks(chunks: list[Chunk], claims: list[ClaimDraft]) -> list[list[ClaimDraft]]:
    """Each claim goes to the first chunk whose text holds its quote (else the first chunk)."""
    per_chunk: list[list[ClaimDraft]] = [[] for _ in chunks]
    folded = [normalize_text(c.text) for c in chunks]
    for claim in claims:
        quote = normalize_text(claim.quote)
        index = next((i for i, text in enumerate(folded) if quote and quote in text), 0)
        per_chunk[index].append(claim)
    return per_chunk


def raw_response_body(answer: BaseModel, mode: str, call_id: str | None = None) -> dict[str, Any]:
    """``answer`` as an OpenAI ``chat.completion`` body, in the form ``mode`` parses.

    The tool is named after the answer's type, as instructor names it. Without a
    ``call_id`` the ids are derived from the answer, so the same answer gives the same bytes.
    """
    return _completion_body(
        answer.model_dump_json(exclude_defaults=True), type(answer).__name__, mode, call_id
    )


def _completion_body(arguments: str, tool_name: str, mode: str, call_id: str | None) -> dict[str, Any]:
    if call_id is None:
        call_id = hashlib.sha256(arguments.encode("utf-8")).hexdigest()[:12]
    if mode == "tools":
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": f"call_{call_id}",
                    "type": "function",
                    "function": {"name": tool_name, "arguments": arguments},
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


async def _send_through_client(
    prompt: RenderedPrompt, mode: str, bodies: list[dict[str, Any]]
) -> dict[str, Any]:
    """Serve ``bodies`` (an answer per re-ask) to the real openai + instructor stack.

    Returns the first request it sent. Every body must be asked for: a first
    answer meant to be re-asked that the client accepts would never replay as one.
    """
    plan = ReplayPlan(bodies=bodies)
    token = current_replay.set(plan)
    client = openai.AsyncOpenAI(
        api_key=HAND_WRITTEN,
        base_url="http://replay.invalid/v1",
        max_retries=0,
        http_client=openai.DefaultAsyncHttpxClient(transport=ReplayTransport()),
    )
    try:
        await create_structured(
            client, mode, ExtractionResponse, prompt.messages, model=HAND_WRITTEN, max_reasks=len(bodies) - 1
        )
    finally:
        current_replay.reset(token)
        await client.close()
    if plan.served != len(bodies):
        raise FixtureError(f"the client accepted answer {plan.served} of {len(bodies)} and asked no further")
    request = plan.requests[0]
    if not isinstance(request, dict):
        raise FixtureError("the request body could not be captured")
    return request


def _same_except_time(existing: Exchange, new: Exchange) -> bool:
    return existing.model_dump(exclude={"recorded_at"}) == new.model_dump(exclude={"recorded_at"})


def wrap_claims_files(
    claim_files: list[str | Path],
    articles: list[Article],
    out_dir: str | Path,
    *,
    mode: ModeName = "tools",
    now: dt.datetime | None = None,
) -> WrapResult:
    """Write one exchange per article chunk for each hand-written claims file.

    A file whose content would not change (apart from ``recorded_at``) is left
    as it is, so re-wrapping unchanged claims leaves no diff.
    """
    store = ExchangeStore(Path(out_dir))
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    recorded_at = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    result = WrapResult()
    for claims_path in map(Path, claim_files):
        name, answer, invalid_first = _load_claims(claims_path)
        article = find_article(name, articles)
        if article is None:
            known = ", ".join(a.id for a in articles[:5]) + (" ..." if len(articles) > 5 else "")
            raise FixtureError(
                f"Claims file {claims_path} is for article {name!r}, "
                f"which is not among the articles given ({known})."
            )
        chunks = article_chunks(article)
        if invalid_first is not None and len(chunks) > 1:
            raise FixtureError(
                f"Claims file {claims_path}: first_answer_invalid needs a one-chunk article; "
                f"{article.id} is read in {len(chunks)} chunks."
            )
        for chunk, drafts in zip(chunks, _assign_to_chunks(chunks, answer.claims), strict=True):
            for n, draft in enumerate(drafts, start=1):
                claim = draft_to_claim(article, chunk, draft, f"{article.id}.check{n}")
                if not claim.grounded:
                    result.warnings.append(
                        f"{claims_path} claim {n} ({draft.facet} {draft.value!r}): {claim.grounding.status}"
                        f" - {claim.grounding.note}"
                    )
            chunk_answer = ExtractionResponse(claims=drafts)
            sha = chunk_input_sha256(article, chunk)
            prompt = render_extract_prompt(
                chunk.text, mode=mode, chunk_index=chunk.index, excerpt=len(chunks) > 1
            )
            call_id = f"{sha[:12]}c{chunk.index}"
            bodies = [raw_response_body(chunk_answer, mode, call_id)]
            if invalid_first is not None:
                first = json.dumps(invalid_first, ensure_ascii=False)
                bodies.insert(
                    0, _completion_body(first, ExtractionResponse.__name__, mode, f"{call_id}first")
                )
            try:
                request = asyncio.run(_send_through_client(prompt, mode, bodies))
            except FixtureError:
                raise
            except Exception as error:  # the real parser refused the hand-written answer
                raise FixtureError(
                    f"Claims file {claims_path} does not replay through the client ({type(error).__name__}: "
                    f"{str(error).splitlines()[0] if str(error) else ''})."
                ) from error
            exchange = Exchange(
                stage=STAGE,
                article_id=article.id,
                input_sha256=sha,
                chunk_index=chunk.index,
                model=HAND_WRITTEN,
                mode=mode,
                prompt_fingerprint=prompt.fingerprint,
                request=request,
                response=bodies[0],
                responses=bodies[1:],
                usage={},
                latency_ms=None,
                recorded_at=recorded_at,
                recorded_by=HAND_WRITTEN,
            )
            target = Path(out_dir) / exchange_filename(exchange)
            if target.exists():
                try:
                    if _same_except_time(read_exchange(target), exchange):
                        result.unchanged.append(target)
                        continue
                except FixtureError:
                    pass  # unreadable: overwrite it
            result.written.append(store.write(exchange))
    return result


# --- check -------------------------------------------------------------------------


@dataclass
class FixtureCheck:
    ok: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # summary exchanges whose prompt is current: only staleness can be decided without a report
    fingerprint_current: list[str] = field(default_factory=list)
    other_stages: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.stale or self.unused or self.missing)


def check_fixtures(
    directory: str | Path, articles: list[Article], *, mode: ModeName = "tools"
) -> FixtureCheck:
    """Compare a fixture directory with the articles it should answer for.

    stale: recorded for another prompt or schema; unused: its input matches no
    article chunk; missing: an article chunk with no exchange in ``mode``.
    Summary exchanges are checked against the current summary prompt (stale, or
    listed in ``fingerprint_current``); whether one is unused or missing needs
    the report whose findings it summarises, so that is not decided here.
    Exchanges of other stages are listed apart: their inputs are not articles.
    """
    store = ExchangeStore(Path(directory))
    report = FixtureCheck()
    expected: dict[tuple[str, str, int, str], str] = {}
    for article in articles:
        chunks = article_chunks(article)
        for chunk in chunks:
            label = article.id if len(chunks) == 1 else f"{article.id} chunk {chunk.index}"
            expected[(STAGE, chunk_input_sha256(article, chunk), chunk.index, mode)] = label
            # an exchange recorded in another mode still answers this article in that mode
            for other in INSTRUCTOR_MODES:
                expected.setdefault((STAGE, chunk_input_sha256(article, chunk), chunk.index, other), label)
    fingerprints = {m: extract_prompt_fingerprint(m) for m in INSTRUCTOR_MODES}
    summary_fingerprints = {m: render_summary_prompt("-", mode=m).fingerprint for m in INSTRUCTOR_MODES}
    found: set[tuple[str, str, int, str]] = set()
    for path, exchange in store.items():
        key = exchange_key(exchange)
        if exchange.stage == SUMMARY_STAGE:
            if exchange.prompt_fingerprint != summary_fingerprints.get(exchange.mode):
                report.stale.append(f"{path.name} (summary recorded for another prompt or schema)")
            else:
                report.fingerprint_current.append(
                    f"{path.name} (summary; its input is a report's findings: unused/missing not checked)"
                )
            continue
        if exchange.stage != STAGE:
            report.other_stages.append(f"{path.name} (stage {exchange.stage})")
            continue
        if key not in expected:
            report.unused.append(
                f"{path.name} (article {exchange.article_id}: no article given has this text)"
            )
            continue
        found.add(key)
        if exchange.prompt_fingerprint != fingerprints.get(exchange.mode):
            report.stale.append(f"{path.name} (recorded for another prompt or schema)")
        else:
            report.ok.append(path.name)
    for key, label in expected.items():
        if key[3] == mode and key not in found:
            report.missing.append(f"{label} (no {mode} exchange)")
    return report
