"""The command line as a user meets it: version, help, and errors as one line with a useful exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import reconcile

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "RECONCILE_MODEL")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "reconcile", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
    )


def test_version_prints_the_package_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"reconcile {reconcile.__version__}"


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("ingest", "extract", "group", "brief", "eval", "schema", "fixtures"):
        assert command in result.stdout


def test_a_missing_model_is_one_sentence_saying_how_to_set_it() -> None:
    result = run("extract", "seeds/", "-o", "claims.jsonl")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "error: No model given: pass --model NAME or set the RECONCILE_MODEL environment variable."
    ]
    assert "Traceback" not in result.stderr


def test_a_missing_key_is_one_sentence_saying_how_to_set_it() -> None:
    result = run("extract", "seeds/", "-o", "claims.jsonl", "--model", "gpt-4o-mini")
    assert result.returncode == 2
    assert "set the OPENAI_API_KEY environment variable" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_reconcile_debug_shows_the_traceback_of_a_library_error() -> None:
    result = run("extract", "seeds/", "-o", "claims.jsonl", RECONCILE_DEBUG="1")
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "ConfigError" in result.stderr


def test_nothing_to_read_exits_non_zero_naming_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = run("ingest", str(missing))
    assert result.returncode == 1
    assert str(missing) in result.stderr
