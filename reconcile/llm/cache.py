"""A content-addressed answer cache on disk, so the same input is never paid for twice.

The key covers everything that decides an answer: the stage, the sha256 of the
exact input, the chunk, the prompt fingerprint (template + schema + mode), the
model and the mode. One JSON file per answer, written atomically, so an
interrupted run never leaves a half-written entry and concurrent runs can share
a directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def cache_key(
    *, stage: str, input_sha256: str, chunk_index: int, prompt_fingerprint: str, model: str, mode: str
) -> str:
    parts = [stage, input_sha256, str(chunk_index), prompt_fingerprint, model, mode]
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def _umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # the only portable way to read it is to set it
    os.umask(mask)
    return mask


def write_text_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename it into place: never half a file.

    The file gets the permissions any new file would (0666 less the umask), not
    the owner-only 0600 of a temporary file: outputs and recordings are shared.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~_umask())
            handle.write(text)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


class AnswerCache:
    """``get``/``put`` of validated answers (as JSON) under a key from ``cache_key``."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        # two-level fan-out keeps directories small on large corpora
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # a missing or damaged entry is a miss, never an error
        return data if isinstance(data, dict) else None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        write_json_atomic(self._path(key), entry)
