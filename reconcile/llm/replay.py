"""Recorded exchanges on disk: one readable JSON file per answered input.

File name::

    <stage>--<article id or "input">--c<chunk>--<mode>--<first 12 hex of input sha256>.json

e.g. ``extract--001_ff319505259e0261--c0--tools--6f1c0a9b2d3e.json``. The name is
for people; matching reads the content: an exchange answers a call when its
``stage``, ``input_sha256``, ``chunk_index`` and ``mode`` are equal. Its
``prompt_fingerprint`` is compared too: a difference means the prompt or schema
changed since it was recorded ("stale"). Every name part is checked before a
file is written, and the path must stay inside the directory.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import ValidationError

from reconcile.errors import FixtureError
from reconcile.llm.cache import write_json_atomic
from reconcile.models import Exchange

_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")

ExchangeKey = tuple[str, str, int, str]  # stage, input sha256, chunk index, mode


def exchange_key(exchange: Exchange) -> ExchangeKey:
    return (exchange.stage, exchange.input_sha256, exchange.chunk_index, exchange.mode)


def _safe_part(value: str, what: str) -> str:
    if not _PART.match(value) or ".." in value:
        raise FixtureError(
            f"Cannot name a fixture file after {what} {value!r}: use letters, digits, '.', '_', '-'."
        )
    return value


def exchange_filename(exchange: Exchange) -> str:
    if not _SHA.match(exchange.input_sha256):
        raise FixtureError(f"Exchange input_sha256 {exchange.input_sha256!r} is not a sha256 hex digest.")
    parts = [
        _safe_part(exchange.stage, "stage"),
        _safe_part(exchange.article_id or "input", "article id"),
        f"c{int(exchange.chunk_index)}",
        _safe_part(exchange.mode, "mode"),
        exchange.input_sha256[:12],
    ]
    return "--".join(parts) + ".json"


class ExchangeStore:
    """The exchanges of one directory, indexed for lookup; loaded once, on first use."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._by_key: dict[ExchangeKey, tuple[Path, Exchange]] | None = None
        self.used: set[ExchangeKey] = set()

    def _load(self) -> dict[ExchangeKey, tuple[Path, Exchange]]:
        if self._by_key is not None:
            return self._by_key
        if not self.directory.is_dir():
            raise FixtureError(f"Fixture directory {self.directory} does not exist.")
        index: dict[ExchangeKey, tuple[Path, Exchange]] = {}
        for path in sorted(self.directory.glob("*.json")):
            exchange = read_exchange(path)
            index.setdefault(exchange_key(exchange), (path, exchange))
        self._by_key = index
        return index

    def items(self) -> list[tuple[Path, Exchange]]:
        return list(self._load().values())

    def find(
        self, stage: str, input_sha256: str, chunk_index: int, mode: str
    ) -> tuple[Path, Exchange] | None:
        key = (stage, input_sha256, chunk_index, mode)
        found = self._load().get(key)
        if found is not None:
            self.used.add(key)
        return found

    def modes_for(self, stage: str, input_sha256: str, chunk_index: int) -> list[str]:
        """Modes this input was recorded in, for a miss message that says "recorded in json"."""
        return sorted(key[3] for key in self._load() if key[:3] == (stage, input_sha256, chunk_index))

    def write(self, exchange: Exchange) -> Path:
        root = self.directory.resolve()
        path = (root / exchange_filename(exchange)).resolve()
        if path.parent != root:  # defence in depth: the name check already forbids separators
            raise FixtureError(f"Refusing to write fixture {path} outside {root}.")
        write_json_atomic(path, exchange.model_dump(mode="json"))
        if self._by_key is not None:
            self._by_key[exchange_key(exchange)] = (path, exchange)
        return path


def read_exchange(path: Path) -> Exchange:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Exchange.model_validate(data)
    except OSError as error:
        raise FixtureError(f"Fixture {path} cannot be read: {error.strerror or error}.") from error
    except ValueError as error:  # JSON syntax or schema (ValidationError is a ValueError)
        first = error.errors()[0] if isinstance(error, ValidationError) else None
        detail = (
            f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
            if first
            else str(error).splitlines()[0]
        )
        raise FixtureError(f"Fixture {path} is not a valid exchange ({detail}).") from error
