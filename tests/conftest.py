"""Shared test setup: no test may reach a real LLM endpoint or use a real key."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _offline_llm_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fake key, and no base URL inherited from the shell that could point somewhere real."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
