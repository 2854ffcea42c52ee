"""The command line: a thin layer over the same functions ``import reconcile`` offers."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

from reconcile import __version__
from reconcile.errors import ReconcileError
from reconcile.llm.config import MODE_HELP
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


# Exit statuses of `reconcile extract` (also in its --help): 0 every article ok;
# 3 partial (some articles failed, the others' claims were written); 1 no article
# succeeded; 2 a configuration or usage error (no model or key, strict fixture error).
EXIT_PARTIAL = 3
EXIT_NOTHING = 1


def _load_articles(paths: list[str], sources: str | None) -> list[Any]:
    from reconcile.ingest import ingest

    result = ingest(paths, sources=sources)
    for problem in result.problems:
        console.print(Text(f"{problem.severity}: {problem}", style="yellow"), soft_wrap=True)
    return list(result.articles)


@app.command(
    "extract",
    epilog="Exit status: 0 all articles ok, 3 partial (some failed; the rest was written), "
    "1 no article succeeded, 2 configuration or usage error.",
)
def extract_command(
    paths: list[str] = typer.Argument(..., help="Article files, directories or glob patterns."),
    output: str | None = typer.Option(
        None, "-o", "--output", help="Write claims as JSON lines to this file ('-' for stdout)."
    ),
    model: str | None = typer.Option(None, "--model", help="Model name (env RECONCILE_MODEL)."),
    base_url: str | None = typer.Option(
        None, "--base-url", help="OpenAI-compatible endpoint (env OPENAI_BASE_URL)."
    ),
    api_key: str | None = typer.Option(None, "--api-key", help="API key (env OPENAI_API_KEY)."),
    mode: str = typer.Option("tools", "--mode", help=MODE_HELP),
    replay: str | None = typer.Option(
        None, "--replay", help="Answer from the exchanges recorded in DIR, with no network and no key."
    ),
    record: str | None = typer.Option(None, "--record", help="Write every exchange to DIR as readable JSON."),
    strict: bool = typer.Option(False, "--strict", help="A stale or missing fixture is an error."),
    concurrency: int = typer.Option(8, "--concurrency", min=1, help="Calls in flight at once."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the answer cache."),
    cache_dir: str | None = typer.Option(
        None, "--cache-dir", help="Answer cache dir (env RECONCILE_CACHE_DIR; default .reconcile-cache)."
    ),
    timeout: float = typer.Option(120.0, "--timeout", min=0.001, help="Seconds before a request times out."),
    max_attempts: int = typer.Option(5, "--max-attempts", min=1, help="Transport attempts per call."),
    max_reasks: int = typer.Option(2, "--max-reasks", min=0, help="Re-asks after a schema-invalid answer."),
    price_in: float | None = typer.Option(None, "--price-in", min=0, help="USD per million input tokens."),
    price_out: float | None = typer.Option(None, "--price-out", min=0, help="USD per million output tokens."),
    sources: str | None = typer.Option(None, "--sources", help="Metadata file like sources.yaml."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no claim table."),
) -> None:
    """Extract claims from articles with an LLM (or from recorded answers with --replay)."""
    from dataclasses import replace

    from reconcile.extract import extract, progress_wanted, summary_lines
    from reconcile.llm.cache import write_text_atomic
    from reconcile.llm.config import LLMSettings

    articles = _load_articles(paths, sources)
    settings = LLMSettings.from_env(
        model=model,
        base_url=base_url,
        api_key=api_key,
        mode=mode,
        replay_dir=replay,
        record_dir=record,
        strict=strict,
        concurrency=concurrency,
        cache_dir=cache_dir,
        timeout=timeout,
        price_in=price_in,
        price_out=price_out,
    )
    retry = replace(settings.retry, max_attempts=max_attempts, max_reasks=max_reasks)
    settings = replace(settings, retry=retry)
    run = extract(articles, settings=settings, no_cache=no_cache, progress=progress_wanted(quiet))

    lines = "".join(claim.model_dump_json() + "\n" for claim in run.claims)
    if output == "-":
        sys.stdout.write(lines)
    elif output is not None:
        write_text_atomic(Path(output), lines)
    elif not quiet:
        _print_claims(run.claims)
    for warning in run.warnings:
        console.print(Text(f"warning: {warning}", style="yellow"), soft_wrap=True)
    for line in summary_lines(run):
        console.print(Text(line), soft_wrap=True)
    if output not in (None, "-"):
        console.print(Text(f"wrote {len(run.claims)} claims to {output}"), soft_wrap=True)
    if run.failures:
        raise typer.Exit(EXIT_NOTHING if not run.ok_article_ids else EXIT_PARTIAL)


def _print_claims(claims: list[Any]) -> None:
    from rich.table import Table

    # Claim text comes from untrusted articles: cells are Text, never markup.
    table = Table(title=f"{len(claims)} claims", title_justify="left")
    for name in ("id", "facet", "value", "source", "grounding"):
        table.add_column(name, overflow="fold")
    for claim in claims:
        status = Text(claim.grounding.status, style="green" if claim.grounded else "red")
        table.add_row(Text(claim.id), Text(claim.facet), Text(claim.value), Text(claim.source.name), status)
    console.print(table)


fixtures_app = typer.Typer(
    help="Recorded and hand-written LLM exchanges: wrap claims files, check a fixture directory.",
    no_args_is_help=True,
)
app.add_typer(fixtures_app, name="fixtures")


@fixtures_app.command("wrap")
def fixtures_wrap_command(
    claim_files: list[str] = typer.Argument(
        ..., help="Hand-written claims files (YAML or JSON: {article: <file name or id>, claims: [...]})."
    ),
    articles: list[str] = typer.Option(
        ..., "--articles", help="The articles they are about (files, directories, globs); repeatable."
    ),
    out: str = typer.Option(..., "--out", help="Fixture directory to write the exchanges to."),
    mode: str = typer.Option("tools", "--mode", help="Response format to write: " + MODE_HELP),
    sources: str | None = typer.Option(None, "--sources", help="Metadata file like sources.yaml."),
) -> None:
    """Turn hand-written claims into replayable exchanges labelled "hand-written"."""
    from reconcile.llm.fixtures import wrap_claims_files

    loaded = _load_articles(articles, sources)
    result = wrap_claims_files(claim_files, loaded, out, mode=mode)  # type: ignore[arg-type]
    for warning in result.warnings:
        console.print(Text(f"warning: {warning}", style="yellow"), soft_wrap=True)
    for path in result.written:
        console.print(Text(f"wrote {path}"), soft_wrap=True)
    console.print(
        Text(
            f"{len(result.written)} written, "
            f"{len(result.unchanged)} unchanged, {len(result.warnings)} warnings"
        )
    )


@fixtures_app.command("check")
def fixtures_check_command(
    directory: str = typer.Argument(..., help="Fixture directory."),
    articles: list[str] = typer.Option(
        ..., "--articles", help="The articles it should answer for (files, directories, globs); repeatable."
    ),
    mode: str = typer.Option("tools", "--mode", help="Mode the fixtures must answer in."),
    sources: str | None = typer.Option(None, "--sources", help="Metadata file like sources.yaml."),
) -> None:
    """List stale, unused and missing fixtures; exit 1 when there is any."""
    from reconcile.llm.fixtures import check_fixtures

    loaded = _load_articles(articles, sources)
    report = check_fixtures(directory, loaded, mode=mode)  # type: ignore[arg-type]
    for label, items, style in (
        ("stale", report.stale, "red"),
        ("unused", report.unused, "red"),
        ("missing", report.missing, "red"),
        ("fingerprint current", report.fingerprint_current, "dim"),
        ("other stage, not checked", report.other_stages, "dim"),
    ):
        for item in items:
            console.print(Text(f"{label}: {item}", style=style), soft_wrap=True)
    console.print(
        Text(
            f"{len(report.ok)} ok, {len(report.stale)} stale, {len(report.unused)} unused, "
            f"{len(report.missing)} missing"
        )
    )
    if not report.clean:
        raise typer.Exit(1)


GAZETTEER_HELP = "Your own places (YAML like reconcile/data/gazetteer.yaml), extending the shipped gazetteer."
LEXICON_HELP = (
    "Your own loaded terms, referents and exclusive categories (YAML like reconcile/data/lexicon.yaml), "
    "extending the shipped lexicon."
)
SOURCE_ALIASES_HELP = (
    "Your own original sources and their aliases (YAML like reconcile/data/sources.yaml), extending the "
    "shipped list; not article metadata (that is --sources)."
)


@app.command(
    "group",
    epilog="Exit status: 0 ok, 3 partial (some lines of the claims file were skipped; the rest was used), "
    "2 unusable input.",
)
def group_command(
    claims_file: str = typer.Argument(
        ..., help="Claims as JSON lines, as `reconcile extract -o` writes them."
    ),
    output: str | None = typer.Option(
        None, "-o", "--output", help="Write the report as JSON to this file ('-' for stdout)."
    ),
    gazetteer: str | None = typer.Option(None, "--gazetteer", help=GAZETTEER_HELP),
    lexicon: str | None = typer.Option(None, "--lexicon", help=LEXICON_HELP),
    source_aliases: str | None = typer.Option(None, "--source-aliases", help=SOURCE_ALIASES_HELP),
    articles: list[str] = typer.Option(
        [],
        "--articles",
        help="The articles the claims come from: every quote and number is checked again against them, "
        "and framing terms are located; repeatable. Without them the claims' grounding is taken unchecked.",
    ),
    sources: str | None = typer.Option(
        None, "--sources", help="Article metadata file like sources.yaml (for --articles)."
    ),
) -> None:
    """Group claims into events, judge every fact across outlets, and compare framing."""
    from collections import Counter

    from reconcile.errors import InputError
    from reconcile.pipeline import UNCHECKED_GROUNDING, as_gazetteer, read_claims, reconcile

    places = as_gazetteer(gazetteer)  # a bad data file fails before any other work
    claims, problems = read_claims(claims_file)
    for problem in problems:
        console.print(Text(f"error: {problem}", style="red"), soft_wrap=True)
    if not claims:
        raise InputError(f"{claims_file}: no valid claim to group.")
    loaded = _load_articles(articles, sources) if articles else None
    report = reconcile(claims, loaded, gazetteer=places, lexicon=lexicon, source_aliases=source_aliases)
    for warning in report.run.warnings:
        if warning == UNCHECKED_GROUNDING:
            warning = (
                f"grounding taken from {claims_file} unchecked: no --articles given, so no quote or "
                "number was checked against its article."
            )
        console.print(Text(f"warning: {warning}", style="yellow"), soft_wrap=True)
    body = report.model_dump_json(indent=2)
    if output == "-":
        sys.stdout.write(body + "\n")
    elif output is not None:
        from reconcile.render import write_atomic

        write_atomic(Path(output), body + "\n")  # a run stopped mid-write never leaves half a file
    events = sum(1 for e in report.events if e.kind == "event")
    topics = len(report.events) - events
    verdicts = Counter(f.verdict for f in report.findings)
    ordered = sorted(verdicts, key=lambda v: -verdicts[v])
    by_verdict = ", ".join(f"{verdicts[v]} {v.replace('_', ' ')}" for v in ordered)
    links = sum(len(e.possibly_same_as) for e in report.events) // 2
    console.print(
        Text(
            f"{len(report.claims)} claims · {events} events, {topics} topics · "
            f"{len(report.findings)} findings ({by_verdict or 'none'}) · "
            f"{links} possibly-same link{'s' if links != 1 else ''}"
        ),
        soft_wrap=True,
    )
    if output not in (None, "-"):
        console.print(Text(f"wrote the report to {output}"))
    if problems:
        raise typer.Exit(EXIT_PARTIAL)


@app.command("eval")
def eval_command(
    run: str = typer.Argument(..., help="The run to score: a report JSON file (models.Report)."),
    gold: str = typer.Option(
        ..., "--gold", help="Gold annotations: a directory of YAML/JSON files, or one file."
    ),
    output: str | None = typer.Option(
        None, "-o", "--output", help="Write the scores as JSON to this file ('-' for stdout)."
    ),
) -> None:
    """Score a run against hand-made gold: claims, event grouping, finding verdicts, grounding."""
    from reconcile.evaluate import evaluate, load_gold, load_report
    from reconcile.render import write_atomic

    result = evaluate(load_report(run), load_gold(gold))
    _print_eval(result)
    data = result.model_dump_json(indent=2) + "\n"
    if output == "-":
        sys.stdout.write(data)
    elif output is not None:
        write_atomic(Path(output), data)  # a run stopped mid-write never leaves half a file
        console.print(Text(f"wrote {output}"))


def _print_eval(result: Any) -> None:
    from rich.table import Table

    from reconcile.evaluate import MISSING, format_score
    from reconcile.models import VERDICTS

    def share(numerator: int, denominator: int) -> str:
        return f"{numerator}/{denominator}"

    claims, grouping, findings = result.claims, result.grouping, result.findings
    pairwise, bcubed, grounding = grouping.pairwise, grouping.bcubed, result.grounding
    # source and outlet counts are checked on the gold findings the run has
    sources_right = share(findings.source_count_correct, findings.found)
    outlets_right = share(findings.outlet_count_correct, findings.found)
    table = Table(title="Evaluation against gold", title_justify="left")
    table.add_column("metric")
    table.add_column("score", justify="right")
    table.add_column("counts")
    rows = [
        ("claim precision", claims.precision, share(claims.matched, claims.predicted) + " run claims"),
        ("claim recall", claims.recall, share(claims.matched, claims.gold) + " gold claims found"),
        ("claim F1", claims.f1, ""),
        ("pairwise precision", pairwise.precision, share(grouping.correct_pairs, grouping.predicted_pairs)),
        ("pairwise recall", pairwise.recall, share(grouping.correct_pairs, grouping.gold_pairs)),
        ("pairwise F1", pairwise.f1, f"over {grouping.claims_scored} matched claims"),
        ("B-cubed precision", bcubed.precision, ""),
        ("B-cubed recall", bcubed.recall, ""),
        ("B-cubed F1", bcubed.f1, ""),
        ("verdict accuracy", findings.accuracy, share(findings.correct, findings.gold) + " gold findings"),
        (
            "verdict accuracy, strict",
            findings.strict_accuracy,
            share(findings.correct - findings.borderline, findings.gold)
            + f" without the {findings.borderline} accepted as borderline",
        ),
        ("source count accuracy", findings.source_count_accuracy, sources_right),
        ("outlet count accuracy", findings.outlet_count_accuracy, outlets_right),
        ("grounding rate", grounding.rate, share(grounding.grounded, grounding.claims)),
    ]
    for name, found, what in (
        ("finding", findings.matching, "findings"),
        ("comparison", findings.cross_source_matching, "comparisons (not single source)"),
    ):
        if found is not None:  # before the grounding rate, with the other finding scores
            run_share, gold_share = share(found.matched, found.run), share(found.matched, found.gold)
            precision = (f"{name} precision", found.precision, f"{run_share} run {what}")
            rows[-1:-1] = [precision, (f"{name} recall", found.recall, f"{gold_share} gold {what}")]
    for name, score, counts in rows:
        table.add_row(name, format_score(score), counts)
    console.print(table)
    notes = [
        f"uncertain pairs ({grouping.uncertain_pairs}): {grouping.uncertain_pairs_linked} linked as "
        f"possibly the same event (right), {grouping.uncertain_pairs_merged} merged into one event "
        f"(silent merge), {grouping.uncertain_pairs_missed} kept apart with no link (missed)",
        f"run findings answering no gold finding: {findings.extra_predicted}"
        + (f" ({', '.join(findings.matching.unmatched_run)})" if findings.extra_predicted else ""),
        f"false contradictions (run says contradict, gold neither says nor accepts it): "
        f"{len(findings.false_contradictions)}"
        + (" (" + ", ".join(findings.false_contradictions) + ")" if findings.false_contradictions else ""),
    ]
    if findings.cross_source_matching is not None and findings.cross_source_matching.unmatched_run:
        unmatched = findings.cross_source_matching.unmatched_run
        notes.append("run comparisons with no gold comparison: " + ", ".join(unmatched))
    if result.missing_articles:
        notes.append("gold articles not in the run: " + ", ".join(result.missing_articles))
    for note in notes:
        console.print(Text(note), soft_wrap=True)

    columns = [v for v in (*VERDICTS, MISSING) if any(findings.confusion[g][v] for g in VERDICTS)]
    confusion = Table(title="Verdicts: gold (rows) x run (columns)", title_justify="left")
    confusion.add_column("gold")
    for column in columns:
        confusion.add_column(column, justify="right")
    for gold_verdict in VERDICTS:
        counts = findings.confusion[gold_verdict]
        if any(counts.values()):
            confusion.add_row(gold_verdict, *(str(counts[c]) for c in columns))
    console.print(confusion)

    wrong = [c for c in result.finding_checks if not c.correct]
    if wrong:
        mismatches = Table(title=f"{len(wrong)} verdicts differ from gold", title_justify="left")
        for name in ("event", "facet", "gold", "run"):
            mismatches.add_column(name, overflow="fold")
        for check in wrong:
            predicted = check.predicted_verdict or MISSING
            mismatches.add_row(check.event_id, check.facet, check.gold_verdict, predicted)
        console.print(mismatches)
    borderline = [c for c in result.finding_checks if c.borderline]
    if borderline:
        accepted = Table(
            title=f"{len(borderline)} accepted as borderline (through also_accept only)",
            title_justify="left",
        )
        for name in ("event", "facet", "gold", "run"):
            accepted.add_column(name, overflow="fold")
        for check in borderline:
            predicted = check.predicted_verdict or MISSING
            accepted.add_row(check.event_id, check.facet, check.gold_verdict, predicted)
        console.print(accepted)


@app.command(
    "brief",
    epilog="Exit status: 0 every article processed, 3 partial (some failed; the brief lists them), "
    "1 no article could be processed, 2 configuration or usage error.",
)
def brief_command(
    paths: list[str] = typer.Argument(..., help="Article files, directories or glob patterns."),
    output: str = typer.Option(
        ..., "-o", "--output", help="brief.html, brief.md or brief.json; '-' prints Markdown on stdout."
    ),
    replay: str | None = typer.Option(
        None, "--replay", help="Answer from the exchanges recorded in DIR, with no network and no key."
    ),
    record: str | None = typer.Option(
        None, "--record", help="Write every LLM exchange to DIR as readable JSON."
    ),
    model: str | None = typer.Option(None, "--model", help="Model name (env RECONCILE_MODEL)."),
    base_url: str | None = typer.Option(
        None, "--base-url", help="OpenAI-compatible endpoint (env OPENAI_BASE_URL)."
    ),
    api_key: str | None = typer.Option(None, "--api-key", help="API key (env OPENAI_API_KEY)."),
    mode: str = typer.Option(
        "tools", "--mode", help="How answers are requested: tools, json_schema, json, md_json."
    ),
    summary: bool = typer.Option(
        False,
        "--summary",
        help="Add an executive summary the model writes from the findings (each sentence checked).",
    ),
    strict: bool = typer.Option(False, "--strict", help="A stale or missing fixture is an error."),
    concurrency: int = typer.Option(8, "--concurrency", min=1, help="Calls in flight at once."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the answer cache."),
    cache_dir: str | None = typer.Option(
        None, "--cache-dir", help="Answer cache dir (env RECONCILE_CACHE_DIR; default .reconcile-cache)."
    ),
    price_in: float | None = typer.Option(None, "--price-in", min=0, help="USD per million input tokens."),
    price_out: float | None = typer.Option(None, "--price-out", min=0, help="USD per million output tokens."),
    sources: str | None = typer.Option(
        None, "--sources", help="Article metadata file like sources.yaml (default: the one beside the files)."
    ),
    gazetteer: str | None = typer.Option(None, "--gazetteer", help=GAZETTEER_HELP),
    lexicon: str | None = typer.Option(None, "--lexicon", help=LEXICON_HELP),
    source_aliases: str | None = typer.Option(None, "--source-aliases", help=SOURCE_ALIASES_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar and no closing line."),
) -> None:
    """Read articles, extract and reconcile their claims, and write the cross-source brief."""
    from rich.text import Text

    from reconcile.brief import build_brief, closing_line
    from reconcile.extract import progress_wanted
    from reconcile.llm.config import LLMSettings
    from reconcile.render import brief_format, write_brief

    brief_format(output)  # a bad file name fails now, not after the LLM calls
    settings = LLMSettings.from_env(
        model=model,
        base_url=base_url,
        api_key=api_key,
        mode=mode,
        replay_dir=replay,
        record_dir=record,
        strict=strict,
        concurrency=concurrency,
        cache_dir=cache_dir,
        price_in=price_in,
        price_out=price_out,
    )

    def warn(message: str) -> None:
        console.print(Text(f"warning: {message}", style="yellow"), soft_wrap=True)

    report = build_brief(
        paths,
        settings=settings,
        no_cache=no_cache,
        summary=summary,
        sources=sources,
        gazetteer=gazetteer,
        lexicon=lexicon,
        source_aliases=source_aliases,
        progress=progress_wanted(quiet),
        on_warning=warn,
    )
    write_brief(report, output)
    if not quiet:
        console.print(Text(closing_line(report, None if output == "-" else output)), soft_wrap=True)
    failed = {f.article_id for f in report.failures}
    if failed:
        raise typer.Exit(1 if failed >= {a.id for a in report.articles} else 3)


def main() -> None:
    """Console entry point: library errors become one line and a non-zero exit."""
    try:
        app(standalone_mode=True)
    except ReconcileError as error:
        if os.environ.get("RECONCILE_DEBUG") == "1":
            raise
        console.print(f"[bold red]error:[/] {error}", soft_wrap=True)
        sys.exit(2)
