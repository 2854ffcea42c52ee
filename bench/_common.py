"""Small helpers shared by the benchmark scripts: command-line flags, tables, JSON output."""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def parser(description: str) -> argparse.ArgumentParser:
    """The flags every benchmark takes."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quick", action="store_true", help="Small sizes: the whole run takes under a minute.")
    ap.add_argument(
        "--json", action="store_true", help="Print the figures as JSON on stdout (tables go to stderr)."
    )
    ap.add_argument("--save", type=Path, default=None, help="Also write the JSON figures to this file.")
    return ap


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]], out: Any = None) -> str:
    """A plain-text table with right-aligned numbers; printed and returned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    lines = [title, "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    text = "\n".join(lines)
    print(text + "\n", file=out or sys.stdout, flush=True)
    return text


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value != value:  # NaN: not measured
            return "-"
        return (
            f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
        )
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "-" if value is None else str(value)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import os

    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "load_average_1min": os.getloadavg()[0],
    }


def load_note(out: Any) -> None:
    """Other work on the machine skews wall times: say how busy it was before starting."""
    import os

    load = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    busy = " (busy: wall times will be slower than on an idle machine)" if load > 0.5 * cpus else ""
    print(f"machine: {cpus} CPUs, load average {load:.2f} before this run{busy}\n", file=out, flush=True)


def max_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def finish(args: argparse.Namespace, figures: dict[str, Any]) -> None:
    """Write JSON figures where asked."""
    figures = {"machine": machine(), "quick": bool(args.quick), **figures}
    text = json.dumps(figures, indent=2, default=str)
    if args.json:
        print(text)
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_text(text + "\n", encoding="utf-8")


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"
