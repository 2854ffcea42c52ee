"""Shared pieces of the LLM-layer tests: small articles, claim payloads, settings for the fake server."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from fakeserver import FakeOpenAIServer, RecordedRequest, Reply, structured_reply

from reconcile.llm.config import LLMSettings, RetryPolicy
from reconcile.models import Article
from reconcile.testing import FAKE_API_KEY

TEXTS = {
    "green": (
        "The US-led coalition said eight rockets were fired at the Green Village base on Wednesday. "
        "The statement said the attack caused no casualties."
    ),
    "conoco": (
        "Explosions were heard near the Conoco gas field, the Syrian Observatory for Human Rights reported. "
        "Two drones were shot down, according to local sources."
    ),
    "troops": "The United States has approximately 900 troops in Syria, the Pentagon said.",
}

# Quiet backoff: retries happen, but in milliseconds.
FAST_RETRY = RetryPolicy(max_attempts=3, initial_wait=0.01, max_wait=0.05, max_total_seconds=10, max_reasks=2)


def make_article(key: str, text: str | None = None, *, outlet: str = "Test Outlet") -> Article:
    body = TEXTS[key] if text is None else text
    return Article(
        id=key,
        path=f"corpus/{key}.txt",
        outlet=outlet,
        text=body,
        sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
    )


def all_articles() -> list[Article]:
    return [make_article(key) for key in TEXTS]


def article_text_of(request: RecordedRequest) -> str:
    """The article text between the prompt's delimiters in the user message."""
    for message in request.messages:
        content = message.get("content")
        if message.get("role") == "user" and isinstance(content, str):
            match = re.search(r"<(article_[0-9a-f]+)>\n(.*)\n</\1>", content, re.DOTALL)
            if match:
                return match.group(2)
    raise AssertionError("the request carries no delimited article text")


def claim_payload(quote: str, **overrides: Any) -> dict[str, Any]:
    claim: dict[str, Any] = {
        "facet": "statement",
        "value": quote[:40],
        "event": {"type": "statement"},
        "source": "outlet",
        "source_kind": "outlet",
        "stance": "asserted",
        "quote": quote,
    }
    claim.update(overrides)
    return claim


def first_sentence_claims(text: str) -> dict[str, Any]:
    """A valid answer: one claim quoting the article's first sentence."""
    first = text.split(". ")[0]
    return {"claims": [claim_payload(first)]}


def first_sentence_responder(request: RecordedRequest) -> Reply:
    return structured_reply(request, first_sentence_claims(article_text_of(request)))


def live_settings(server: FakeOpenAIServer, tmp_path: Path, **changes: Any) -> LLMSettings:
    values: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "api_key": FAKE_API_KEY,
        "base_url": server.base_url,
        "cache_dir": tmp_path / "cache",
        "timeout": 5.0,
        "retry": FAST_RETRY,
        "concurrency": 4,
    }
    values.update(changes)
    # from_env reads None as "not given"; explicit Nones (cache_dir=None: no cache) are applied after
    given = {k: v for k, v in values.items() if v is not None}
    explicit_none = {k: None for k, v in values.items() if v is None}
    return LLMSettings.from_env(environ={}, **given).with_changes(**explicit_none)
