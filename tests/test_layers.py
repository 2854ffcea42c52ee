"""The layering the design promises, checked: deterministic stages never load the LLM stack or the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

DETERMINISTIC_STAGES = [
    "reconcile.models",
    "reconcile.ingest",
    "reconcile.ground",
    "reconcile.chunking",
    "reconcile.normalize",
    "reconcile.group",
    "reconcile.compare",
    "reconcile.framing",
    "reconcile.pipeline",
    "reconcile.render",
    "reconcile.evaluate",
]
FORBIDDEN = ["openai", "instructor", "typer", "httpx2"]


@pytest.mark.parametrize("module", DETERMINISTIC_STAGES)
def test_a_deterministic_stage_does_not_load_the_llm_client_or_the_cli(module: str) -> None:
    probe = (
        f"import sys, {module}\n"
        f"loaded = [m for m in {FORBIDDEN!r} if m in sys.modules]\n"
        "print(','.join(loaded))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} loads {out.stdout.strip()}"


def test_models_imports_nothing_else_of_the_package() -> None:
    probe = (
        "import sys, reconcile.models\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('reconcile.'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert set(out.stdout.strip().split(",")) <= {"reconcile.models", "reconcile.errors"}


def test_importing_the_package_stays_light() -> None:
    probe = "import sys, reconcile\nprint(','.join(m for m in ['openai', 'instructor'] if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
