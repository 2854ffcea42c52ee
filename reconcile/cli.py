"""The command line: a thin layer over the same functions ``import reconcile`` offers."""

from __future__ import annotations

import os
import sys

import typer
from rich.console import Console

from reconcile import __version__
from reconcile.errors import ReconcileError

app = typer.Typer(
    name="reconcile",
    help="Turn many news reports about the same events into one checkable cross-source brief.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Everything for people goes to stderr; stdout carries only requested data (--json, -o -).
console = Console(stderr=True, highlight=False)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"reconcile {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Turn many news reports about the same events into one checkable cross-source brief."""


def main() -> None:
    """Console entry point: library errors become one line and a non-zero exit."""
    try:
        app(standalone_mode=True)
    except ReconcileError as error:
        if os.environ.get("RECONCILE_DEBUG") == "1":
            raise
        console.print(f"[bold red]error:[/] {error}", soft_wrap=True)
        sys.exit(2)
