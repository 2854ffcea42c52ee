"""reconcile: many news reports about the same events, one checkable cross-source brief.

The public API mirrors the pipeline, one function per stage::

    import reconcile
    ingested = reconcile.ingest(["seeds/"])

Exports are loaded on first use, so ``import reconcile`` stays quick and the
deterministic stages never pull in the LLM client.
"""

from __future__ import annotations

import importlib
import sys
import types
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from reconcile.errors import ConfigError, FixtureError, InputError, LLMError, ReconcileError

try:
    __version__ = version("reconcile")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "Article": "reconcile.models",
    "Claim": "reconcile.models",
    "Event": "reconcile.models",
    "Finding": "reconcile.models",
    "Report": "reconcile.models",
    "reconcile": "reconcile.pipeline",
    "read_claims": "reconcile.pipeline",
    "group_claims": "reconcile.group",
    "compare_events": "reconcile.compare",
    "build_framing": "reconcile.framing",
    "render_markdown": "reconcile.render",
    "render_html": "reconcile.render",
    "render_json": "reconcile.render",
    "report_json_schema": "reconcile.render",
    "write_brief": "reconcile.render",
    "build_brief": "reconcile.brief",
    "build_brief_async": "reconcile.brief",
    "ground_claims": "reconcile.ground",
    "locate_quote": "reconcile.ground",
    "normalize_claims": "reconcile.normalize",
    "resolve_date": "reconcile.normalize",
    "resolve_place": "reconcile.normalize",
    "load_gazetteer": "reconcile.normalize",
    "place_relation": "reconcile.normalize",
    "places_compatible": "reconcile.normalize",
    "parse_quantity": "reconcile.normalize",
    "normalize_munition": "reconcile.normalize",
    "munition_compatible": "reconcile.normalize",
    "Gazetteer": "reconcile.models",
    "GazetteerEntry": "reconcile.models",
    "split_into_chunks": "reconcile.chunking",
    "ingest": "reconcile.ingest",
    "IngestResult": "reconcile.models",
    "extract": "reconcile.extract",
    "extract_async": "reconcile.extract",
    "ExtractionRun": "reconcile.models",
    "LLMClient": "reconcile.llm.client",
    "LLMSettings": "reconcile.llm.config",
    "replay_client": "reconcile.llm.fixtures",
    "evaluate": "reconcile.evaluate",
    "load_gold": "reconcile.evaluate",
    "Gold": "reconcile.models",
    "EvalResult": "reconcile.models",
}

__all__ = [
    "ConfigError",
    "FixtureError",
    "InputError",
    "LLMError",
    "ReconcileError",
    "__version__",
    *_EXPORTS,
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'reconcile' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """Keeps exported functions bound when their same-named submodule is imported.

    Importing ``reconcile.ingest`` (the module) sets the package attribute
    ``ingest`` to the module, which would shadow the function ``reconcile.ingest``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
