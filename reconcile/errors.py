"""The library's exceptions: one base class, a few subclasses a caller can act on."""

from __future__ import annotations


class ReconcileError(Exception):
    """Base of every error the library raises on purpose.

    The CLI prints ``str(error)`` as one line and exits non-zero; with
    ``RECONCILE_DEBUG=1`` it re-raises so the traceback is shown.
    """


class InputError(ReconcileError):
    """An input file or path cannot be used (missing, unreadable, malformed)."""


class ConfigError(ReconcileError):
    """The run is misconfigured: no model, no API key, a bad option value."""


class LLMError(ReconcileError):
    """An LLM call failed for good (transport retries and re-asks exhausted)."""


class FixtureError(ReconcileError):
    """A recorded exchange is missing, stale (in strict mode) or unreadable."""
