"""reconcile: many news reports about the same events, one checkable cross-source brief.

The public API mirrors the pipeline, one function per stage::

    import reconcile
    ingested = reconcile.ingest(["seeds/"])
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from reconcile.errors import ConfigError, FixtureError, InputError, LLMError, ReconcileError

try:
    __version__ = version("reconcile")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = [
    "ConfigError",
    "FixtureError",
    "InputError",
    "LLMError",
    "ReconcileError",
    "__version__",
]
