"""How the LLM layer is configured: model, endpoint, key, mode, limits, retries.

Values come from keyword arguments (the CLI passes its options) and fall back to
the environment: ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``RECONCILE_MODEL``,
``RECONCILE_CACHE_DIR``. The key is held as a ``SecretStr`` so it never shows in
a repr, a log line or an error message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import SecretStr

from reconcile.errors import ConfigError

ModeName = Literal["tools", "json_schema", "json", "md_json"]
MODE_NAMES: tuple[str, ...] = ("tools", "json_schema", "json", "md_json")
MODE_HELP = (
    "tools: tool calls (default, most endpoints); json_schema: OpenAI structured outputs; "
    "json: bare JSON with response_format json_object (e.g. Ollama); "
    "md_json: JSON anywhere in the reply, fences and prose tolerated (weak local models)"
)

DEFAULT_CACHE_DIR = Path(".reconcile-cache")


@dataclass(frozen=True)
class RetryPolicy:
    """Transport retries (tenacity) and schema re-asks (instructor), both bounded.

    ``max_attempts`` counts transport attempts per call that fail on a timeout, a
    5xx, a dropped connection or a garbled body. A rate limit (429) is not such a
    failure: it says when to come back, so it is waited out within the call's time
    budget, ``max_total_seconds``, and a separate, generous ``max_rate_limited_attempts``.
    The wait is at least the ``Retry-After`` the endpoint names, lengthened at
    random by up to ``retry_after_jitter`` of it, and grows like any backoff when the
    named time proves too short. A 429 that says to retry at once (``Retry-After: 0``)
    cannot be waited out, so it counts as a failed attempt. ``max_reasks`` is how
    many times a schema-invalid answer is sent back with its validation error.
    """

    max_attempts: int = 5
    initial_wait: float = 1.0
    max_wait: float = 30.0
    max_total_seconds: float = 120.0
    max_reasks: int = 2
    # Retry-After above this is not waited for: the call gives up instead.
    max_retry_after: float = 120.0
    max_rate_limited_attempts: int = 30
    retry_after_jitter: float = 0.1

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigError(f"max_attempts must be at least 1, not {self.max_attempts}.")
        if self.max_rate_limited_attempts < 1:
            raise ConfigError(
                f"max_rate_limited_attempts must be at least 1, not {self.max_rate_limited_attempts}."
            )
        if self.max_reasks < 0:
            raise ConfigError(f"max_reasks cannot be negative ({self.max_reasks}).")
        if self.retry_after_jitter < 0:
            raise ConfigError(f"retry_after_jitter cannot be negative ({self.retry_after_jitter}).")


@dataclass(frozen=True)
class LLMSettings:
    """Everything an ``LLMClient`` needs; build it with ``LLMSettings.from_env(...)``."""

    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = field(default=None, repr=False)
    mode: ModeName = "tools"
    concurrency: int = 8
    timeout: float = 120.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    cache_dir: Path | None = DEFAULT_CACHE_DIR  # None: no cache
    record_dir: Path | None = None
    replay_dir: Path | None = None
    strict: bool = False
    price_in: float | None = None  # USD per million input tokens, overrides the price table
    price_out: float | None = None
    temperature: float | None = 0.0

    def __post_init__(self) -> None:
        if self.mode not in MODE_NAMES:
            raise ConfigError(f"Unknown mode {self.mode!r}: use one of {', '.join(MODE_NAMES)}.")
        if self.concurrency < 1:
            raise ConfigError(f"Concurrency must be at least 1, not {self.concurrency}.")
        if self.timeout <= 0:
            raise ConfigError(f"Timeout must be positive, not {self.timeout}.")
        if self.record_dir is not None and self.replay_dir is not None:
            raise ConfigError("Use either --record or --replay, not both.")
        for name in ("price_in", "price_out"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ConfigError(f"--{name.replace('_', '-')} cannot be negative ({value}).")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> LLMSettings:
        """Keyword arguments win; ``None`` means "not given" and falls back to the environment."""
        env = os.environ if environ is None else environ
        given = {k: v for k, v in overrides.items() if v is not None}
        if "api_key" in given and not isinstance(given["api_key"], SecretStr):
            given["api_key"] = SecretStr(str(given["api_key"]))
        if "api_key" not in given and env.get("OPENAI_API_KEY"):
            given["api_key"] = SecretStr(env["OPENAI_API_KEY"])
        if "base_url" not in given and env.get("OPENAI_BASE_URL"):
            given["base_url"] = env["OPENAI_BASE_URL"]
        if "model" not in given and env.get("RECONCILE_MODEL"):
            given["model"] = env["RECONCILE_MODEL"]
        if "cache_dir" not in given and env.get("RECONCILE_CACHE_DIR"):
            given["cache_dir"] = Path(env["RECONCILE_CACHE_DIR"])
        for name in ("cache_dir", "record_dir", "replay_dir"):
            if name in given:
                given[name] = Path(given[name])
        return cls(**given)

    def with_changes(self, **changes: Any) -> LLMSettings:
        return replace(self, **changes)

    @property
    def replaying(self) -> bool:
        return self.replay_dir is not None

    @property
    def model_name(self) -> str:
        """The model a call is made with; replay without a model answers as "replay"."""
        if self.model:
            return self.model
        if self.replaying:
            return "replay"
        raise ConfigError(
            "No model given: pass --model NAME or set the RECONCILE_MODEL environment variable."
        )

    def check_live(self) -> None:
        """Raise ConfigError with one actionable sentence unless a live call can be made."""
        _ = self.model_name
        if self.api_key is None or not self.api_key.get_secret_value().strip():
            raise ConfigError(
                "No API key found: pass --api-key KEY or set the OPENAI_API_KEY environment variable "
                "(any non-empty value works for a local server that needs none)."
            )
