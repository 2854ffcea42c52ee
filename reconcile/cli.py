"""The command line: a thin layer over the same functions ``import reconcile`` offers."""

from __future__ import annotations

import os
import sys

import typer
from rich.console import Console

from reconcile import __version__
from reconcile.errors import ReconcileError
from reconcile.models import IngestResult

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


@app.command("ingest")
def ingest_command(
    paths: list[str] = typer.Argument(
        ..., help="Files, directories or glob patterns: .txt, .md (front matter), .html, .jsonl."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print articles and problems as JSON on stdout."),
    sources: str | None = typer.Option(
        None, "--sources", help="Metadata file like sources.yaml (default: the one beside the files)."
    ),
    max_mb: float = typer.Option(20.0, "--max-mb", min=0.001, help="Skip files larger than this, in MB."),
) -> None:
    """List the articles the inputs yield: outlet, publication date, word count, and every problem."""
    from reconcile.ingest import NothingLoadedError, ingest

    try:
        result = ingest(paths, sources=sources, max_bytes=int(max_mb * 1024 * 1024))
        loaded = True
    except NothingLoadedError as error:
        result, loaded = error.result, False
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        _print_ingest_result(result)
    if not loaded:
        raise typer.Exit(1)


def _print_ingest_result(result: IngestResult) -> None:
    from pathlib import Path

    from rich.table import Table
    from rich.text import Text

    if result.articles:
        # Article fields are untrusted: cells are Text, so "[...]" is never read as markup.
        count = len(result.articles)
        table = Table(title=f"{count} article{'s' if count != 1 else ''}", title_justify="left")
        for name in ("id", "outlet", "published", "lang"):
            table.add_column(name, overflow="fold")
        table.add_column("words", justify="right")
        table.add_column("title", overflow="fold")
        for article in result.articles:
            outlet = Text(article.outlet)
            if not article.outlet_known:
                from_file = article.path is not None and Path(article.path).stem == article.outlet
                outlet.append(" (file name)" if from_file else " (id)", style="dim")
            table.add_row(
                Text(article.id),
                outlet,
                Text(article.published.isoformat() if article.published else "unknown"),
                Text(article.language or "unknown"),
                Text(str(article.word_count)),
                Text(article.title or ""),
            )
        console.print(table)
    else:
        console.print("No article loaded.")
    if result.problems:
        console.print(f"{len(result.problems)} problem{'s' if len(result.problems) != 1 else ''}:")
        for problem in result.problems:
            line = Text(f"  {problem.severity}: ", style="red" if problem.severity == "error" else "yellow")
            line.append(str(problem))
            console.print(line, soft_wrap=True)


@app.command("schema")
def schema_command(
    output: str | None = typer.Option(
        None, "-o", "--output", help="Write the schema to this file instead of stdout."
    ),
) -> None:
    """Print the JSON Schema of the JSON brief (what `reconcile brief -o brief.json` writes)."""
    from pathlib import Path

    from reconcile.render import report_json_schema, write_atomic

    schema = report_json_schema()
    if output is None or output == "-":
        sys.stdout.write(schema)
        return
    write_atomic(Path(output), schema)
    console.print(f"Wrote the Report JSON Schema to {output}")


def main() -> None:
    """Console entry point: library errors become one line and a non-zero exit."""
    try:
        app(standalone_mode=True)
    except ReconcileError as error:
        if os.environ.get("RECONCILE_DEBUG") == "1":
            raise
        console.print(f"[bold red]error:[/] {error}", soft_wrap=True)
        sys.exit(2)
