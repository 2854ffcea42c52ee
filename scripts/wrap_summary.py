#!/usr/bin/env python3
"""Record a hand-written executive summary as a replayable "summary" exchange.

    python scripts/wrap_summary.py [SUMMARY.yaml] [--articles seeds/] [--fixtures fixtures/seeds]

Builds the brief over the articles from the recorded extraction answers, checks
every hand-written sentence against the findings it cites (as a live summary is
checked), replaces the directory's previous summary exchange and writes the new
one, labelled ``recorded_by: hand-written``. Run it again whenever the findings
change (the summary's recording is matched on the exact findings it was given).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from reconcile.brief import build_brief
from reconcile.llm.replay import read_exchange
from reconcile.models import SummaryDraft
from reconcile.summary import HAND_WRITTEN, STAGE, check_summary, write_summary_fixture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("summary_file", nargs="?", type=Path, default=Path("fixtures/seeds-summary.yaml"))
    parser.add_argument("--articles", default="seeds/", help="the articles the brief is built over")
    parser.add_argument("--fixtures", type=Path, default=Path("fixtures/seeds"), help="fixture directory")
    args = parser.parse_args(argv)

    data = yaml.safe_load(args.summary_file.read_text(encoding="utf-8"))
    if data.get("recorded_by") != HAND_WRITTEN:
        print(f"error: {args.summary_file} must say recorded_by: {HAND_WRITTEN}", file=sys.stderr)
        return 2
    drafts = [SummaryDraft.model_validate(item) for item in data["sentences"]]
    report = build_brief([args.articles], replay=args.fixtures, strict=True, no_cache=True)
    kept, dropped = check_summary(drafts, report)
    for sentence in dropped:
        print(f"error: sentence not supported ({sentence.reason}): {sentence.text}", file=sys.stderr)
    if dropped:
        return 1
    for old in args.fixtures.glob(f"{STAGE}--*.json"):
        if read_exchange(old).recorded_by == HAND_WRITTEN:
            old.unlink()
    path = write_summary_fixture(drafts, report, args.fixtures)
    print(f"wrote {path} ({len(kept)} sentences)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
