#!/usr/bin/env python3
"""Run the hostile-input and fault scenarios for real and print what happened, as a table.

    python scripts/reliability.py            # a Markdown table on stdout (README "Reliability")
    python scripts/reliability.py --text     # the same as aligned plain text

Every row is measured now, not written down: the scenarios run the real `reconcile`
commands and library functions against the articles in fixtures/hostile/, files made
here in a temporary directory, the hand-written answers in fixtures/hostile/replay/, and
the local fake OpenAI server of the test suite (tests/fakeserver.py, 127.0.0.1 only).
Nothing leaves the machine. Exit status 0 when every scenario held, 1 otherwise. The
same scenarios are pinned by tests/test_hostile_input.py, test_prompt_injection.py,
test_llm_faults.py, test_interruption.py and test_safety.py.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake OpenAI server and its reply helpers

from fakeserver import (  # noqa: E402
    FakeOpenAIServer,
    RecordedRequest,
    Reply,
    drop_reply,
    empty_choices_reply,
    error_reply,
    hang_reply,
    long_reply,
    refusal_reply,
    structured_reply,
    truncated_reply,
)
from typer.testing import CliRunner  # noqa: E402

from reconcile.brief import build_brief  # noqa: E402
from reconcile.cli import app  # noqa: E402
from reconcile.extract import extract  # noqa: E402
from reconcile.ingest import ingest  # noqa: E402
from reconcile.llm.config import LLMSettings, RetryPolicy  # noqa: E402
from reconcile.models import Article, Claim  # noqa: E402
from reconcile.pipeline import reconcile as reconcile_claims  # noqa: E402
from reconcile.render import render_html, render_markdown  # noqa: E402

HOSTILE = ROOT / "fixtures" / "hostile"
ARTICLES = HOSTILE / "articles"
REPLAY = HOSTILE / "replay"
FAST_RETRY = RetryPolicy(max_attempts=2, initial_wait=0.01, max_wait=0.05, max_total_seconds=10, max_reasks=1)
KEY = "sk-proj-LEAKCANARY7f3a9c2e1b8d4f60a5e3c7b9d1f2a4c6"
WAIT_LIMIT = 60.0


@dataclass
class Row:
    scenario: str
    happened: str
    kept: str
    held: bool


# --- helpers ------------------------------------------------------------------------------------


def article_text_of(request: RecordedRequest) -> str:
    for message in request.messages:
        match = re.search(r"<(article_[0-9a-f]+)>\n(.*)\n</\1>", str(message.get("content")), re.DOTALL)
        if match:
            return match.group(2)
    return ""


def claim(quote: str, **fields: Any) -> dict[str, Any]:
    return {
        "facet": "statement",
        "value": quote[:40],
        "event": {"type": "statement"},
        "source": "outlet",
        "stance": "asserted",
        "quote": quote,
        **fields,
    }


def faithful(request: RecordedRequest) -> Reply:
    """A model in miniature: one claim quoting the first line or sentence of the article."""
    text = article_text_of(request).strip()
    if not text:
        return error_reply(400, "no article in the request")
    return structured_reply(request, {"claims": [claim(text.split("\n")[0].split(". ")[0].strip())]})


def settings(server: FakeOpenAIServer, cache: Path | None, **changes: Any) -> LLMSettings:
    base = LLMSettings.from_env(
        environ={}, model="gpt-4o-mini", api_key=KEY, base_url=server.base_url, timeout=0.5, concurrency=16
    )
    return replace(base, cache_dir=cache, retry=FAST_RETRY, **changes)


def cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def child(*args: str) -> list[str]:
    return [sys.executable, "-c", "from reconcile.cli import main; main()", *args]


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "RECONCILE_"))}
    return {**env, "OPENAI_API_KEY": KEY, **extra}


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- 1. bad input -------------------------------------------------------------------------------------

BAD_FILES = {
    "empty.txt": b"",
    "whitespace.txt": b"  \n\t\r\n  \n",
    "binary.txt": bytes(range(256)) * 16,
    "invalid-utf8.txt": "Caf\u00e9: eight rockets hit the base.".encode("latin-1"),
}


def bad_input(work: Path) -> Iterator[Row]:
    corpus = work / "corpus"
    shutil.copytree(ARTICLES, corpus)
    for name, data in BAD_FILES.items():
        (corpus / name).write_bytes(data)
    (corpus / "copy-of-companion.txt").write_bytes((corpus / "companion.txt").read_bytes())
    with (corpus / "sources.yaml").open("a", encoding="utf-8") as sidecar:
        sidecar.write(
            "scripts.html:\n  outlet: [not, a, name]\n  published: next tuesday\n  funding: unknown\n"
        )
    with FakeOpenAIServer(responder=faithful) as server:
        report = build_brief([corpus], settings=settings(server, None))
    good = {a.id for a in report.articles}
    problems = {Path(p.path).name: p.problem for p in report.problems}
    named = [n for n in [*BAD_FILES, "copy-of-companion.txt"] if n in problems]
    sidecar_notes = [p for p in report.problems if Path(p.path).name == "sources.yaml"]
    yield Row(
        "Empty, whitespace-only, binary, invalid UTF-8 and duplicate files in one corpus",
        f"each named once with its reason ({'; '.join(f'{n}: {problems[n]}' for n in named[:4])}; ...); "
        "the other articles were extracted and briefed",
        f"{len(good)} of {len(good)} good articles",
        len(named) == 5 and len(good) == 7 and not report.failures,
    )
    yield Row(
        "sources.yaml with wrong types and an unknown field",
        f"{plural(len(sidecar_notes), 'warning')} naming sources.yaml and the field; the entry is ignored, "
        f"the article keeps its page's own metadata (outlet {report.article('scripts').outlet!r})",
        "7 of 7",
        len(sidecar_notes) == 3 and report.article("scripts").outlet == "Script Daily",
    )
    scripts = report.article("scripts").text
    leaked = [
        p for p in ("Fifty rockets", "document.cookie", "alert(", "IGNORE PREVIOUS", "sixty") if p in scripts
    ]
    yield Row(
        "HTML page full of scripts, event handlers, JSON-LD, noscript",
        "main text kept; " + (f"script text leaked: {leaked}" if leaked else "no script content in the text"),
        "1 of 1",
        not leaked and "Three rockets were fired" in scripts,
    )
    body, plain = report.article("front-matter-in-body"), report.article("front-matter-in-text-file")
    yield Row(
        "Fake front matter inside a body (.md) and at the top of a .txt",
        f"metadata from the real header only (outlet {body.outlet!r}); the fake blocks stay text; "
        f"the .txt keeps its file name as outlet",
        "2 of 2",
        body.outlet == "Markdown Monitor" and "outlet: Fake Outlet" in body.text and not plain.outlet_known,
    )


def arabic(work: Path) -> Iterator[Row]:
    articles = ingest([ARTICLES / "arabic.txt"]).articles
    run = extract(articles, replay=REPLAY)
    text = articles[0].text
    exact = [
        c
        for c in run.claims
        if c.quote.start is not None and text[c.quote.start : c.quote.end] == c.quote.text
    ]
    grounded = [c for c in run.claims if c.grounded]
    yield Row(
        "Arabic-language article",
        f"{len(grounded)} of {len(run.claims)} claims grounded with quotes in Arabic script "
        "(number words, Arabic-Indic digits, negation read)",
        "1 of 1",
        len(grounded) == len(exact) == len(run.claims) == 3,
    )


NEEDLE = "On Wednesday seventeen drones were shot down over the al-Tanf garrison, the coalition said."


def ten_megabytes(work: Path) -> Iterator[Row]:
    filler = [
        f"Paragraph {n}: the council met to discuss road repairs, water and bread prices in district "
        f"{n % 97}, and no decision was announced. " * 4
        for n in range(20_500)
    ]
    filler.insert(len(filler) // 2, NEEDLE)
    path = work / "huge.txt"
    path.write_text("\n\n".join(filler) + "\n", encoding="utf-8")
    size = path.stat().st_size

    def model(request: RecordedRequest) -> Reply:
        found = NEEDLE in article_text_of(request)
        quote = NEEDLE.removesuffix(", the coalition said.")
        claims = [claim(quote, facet="outcome", value="seventeen drones", number=17)] if found else []
        return structured_reply(request, {"claims": claims})

    (article,) = ingest([path]).articles
    with FakeOpenAIServer(responder=model) as server:
        run = extract([article], settings=settings(server, None), max_chars=2_000_000)
        requests = len(server.completion_requests)
    start = article.text.index(NEEDLE)
    (found,) = run.claims
    yield Row(
        f"A {size / 2**20:.1f} MB article",
        f"loaded whole, sent in {requests} chunks (of up to 2,000,000 characters here, to keep this run "
        f"short); the one claim grounded at its offset in the whole text ({found.quote.start:,})",
        "1 of 1",
        found.grounded and found.quote.start == start,
    )
    limited = cli("ingest", str(path), str(ARTICLES / "companion.txt"), "--max-mb", "5", "--json")
    problems = json.loads(limited.stdout)["problems"]
    yield Row(
        "The same article over a --max-mb 5 limit",
        f"skipped with one line naming it: {problems[0]['problem']}",
        "1 of 1 other",
        len(problems) == 1 and problems[0]["path"] == str(path),
    )


def many_tiny(work: Path) -> Iterator[Row]:
    corpus = work / "many"
    corpus.mkdir()
    for n in range(5_000):
        (corpus / f"wire {n:04d}.txt").write_text(f"Item {n}: one rocket hit a base.\n", encoding="utf-8")
    (corpus / "wire 2500.txt").write_bytes(b"")
    result = cli("ingest", str(corpus), "--json")
    data = json.loads(result.stdout)
    ids = {a["id"] for a in data["articles"]}
    sample = [Article.model_validate(a) for a in data["articles"][:200]]
    with FakeOpenAIServer(responder=faithful) as server:
        run = extract(sample, settings=settings(server, None))
    yield Row(
        "5,000 tiny articles in one directory (one of them empty)",
        f"{len(ids):,} loaded with distinct ids, the empty one named; 200 of them extracted, "
        f"{len(run.claims)} claims grounded",
        f"{len(ids):,} of 4,999",
        len(ids) == 4_999 and len(data["problems"]) == 1 and len(run.claims) == 200 and not run.failures,
    )


# --- 2. prompt injection --------------------------------------------------------------------------------


def injection(work: Path) -> Iterator[Row]:
    articles = ingest([ARTICLES / "injection.txt", ARTICLES / "companion.txt"]).articles
    run = extract(articles, replay=REPLAY)
    report = reconcile_claims(run.claims, articles)
    invented = [c for c in report.claims if c.article_id == "injection" and not c.grounded]
    counted = [
        v for f in report.findings for v in f.values if v.grounded and v.claim_id in {c.id for c in invented}
    ]
    (count,) = [f for f in report.findings if f.facet == "munition_count"]
    markdown = render_markdown(report)
    shown = markdown.split("## Ungrounded claims", 1)[1].split("\n## ", 1)[0]
    before = markdown.split("## Ungrounded claims", 1)[0]
    listed = [c for c in invented if c.value in shown and c.value not in before]
    yield Row(
        "Prompt injection, answered by a model that obeys it (hand-written fixture)",
        f"{len(invented)} invented numbers kept but ungrounded, {len(counted)} counted; "
        f"rocket count still '{count.verdict}' (2 = 2); all {len(listed)} listed only under "
        "'Ungrounded claims'",
        "2 of 2",
        len(invented) == 4 and not counted and count.verdict == "agree" and len(listed) == 4,
    )


# --- 3. LLM faults -----------------------------------------------------------------------------------------

FAULTS: dict[str, tuple[str, Callable[[RecordedRequest], Reply]]] = {
    "rate-limit-storm": (
        "429 storm (Retry-After: 0, every time)",
        lambda r: error_reply(429, "slow down", retry_after=0),
    ),
    "server-errors": ("500 on every attempt", lambda r: error_reply(500, "internal error")),
    "hang": ("hang past the timeout", lambda r: hang_reply(10)),
    "dropped-connection": ("connection dropped", lambda r: drop_reply()),
    "truncated-json": ("truncated JSON body", lambda r: truncated_reply()),
    "empty-choices": ("empty choices", lambda r: empty_choices_reply()),
    "refusal": ("refusal", lambda r: refusal_reply("I can't help with that.")),
    "wrong-schema": ("wrong schema", lambda r: structured_reply(r, {"facts": ["eight rockets"]})),
    "very-long-answer": ("answer far longer than expected (cut at length)", lambda r: long_reply(300_000)),
}
HEALTHY = ("healthy-one", "healthy-two", "rate-limited-once")


def probe(request: RecordedRequest) -> str:
    return article_text_of(request).split(":", 1)[0].removeprefix("Probe ")


def llm_faults(work: Path) -> Iterator[Row]:
    corpus = work / "faults"
    corpus.mkdir()
    for name in [*FAULTS, *HEALTHY]:
        (corpus / f"{name}.txt").write_text(
            f"Probe {name}: eight rockets hit the Green Village base on Wednesday, the coalition said.\n",
            encoding="utf-8",
        )
    asked: Counter[str] = Counter()

    def model(request: RecordedRequest) -> Reply:
        name = probe(request)
        asked[name] += 1
        if name in FAULTS:
            return FAULTS[name][1](request)
        if name == "rate-limited-once" and asked[name] == 1:
            return error_reply(429, "slow down", retry_after=0)
        quote = article_text_of(request).split(", the coalition said")[0]
        return structured_reply(
            request, {"claims": [claim(quote, facet="munition_count", value="eight", number=8)]}
        )

    output, cache = work / "fault-claims.jsonl", work / "fault-cache"
    args = ["extract", str(corpus), "-o", str(output), "--cache-dir", str(cache), "--model", "gpt-4o-mini"]
    args += ["--api-key", KEY, "--timeout", "0.5", "--max-attempts", "2", "--max-reasks", "1"]
    args += ["--concurrency", "12", "--quiet"]
    with FakeOpenAIServer(responder=model) as server:
        result = cli(*args, "--base-url", server.base_url)
    reasons = {m[0]: m[1] for m in re.findall(r"failed ([\w-]+): (.*)", result.stderr)}
    kept = [
        Claim.model_validate_json(line).article_id for line in output.read_text(encoding="utf-8").splitlines()
    ]
    for name, (label, _) in FAULTS.items():
        reason = reasons.get(name, "NOT REPORTED")
        yield Row(
            f"LLM fault: {label}",
            f"article failed after {plural(asked[name], 'request')}: {reason}",
            f"{len(kept)} of {len(kept)} healthy",
            name in reasons and asked[name] <= 3 and name not in kept,
        )
    yield Row(
        "LLM faults: the whole run",
        f"completed; exit status {result.exit_code} (partial); {len(reasons)} failed articles reported "
        f"with reasons; 429-then-OK recovered on its retry",
        f"{len(set(kept))} of {len(FAULTS) + len(HEALTHY)} (all healthy)",
        result.exit_code == 3 and sorted(kept) == sorted(HEALTHY) and len(reasons) == len(FAULTS),
    )
    again: Counter[str] = Counter()

    def healed(request: RecordedRequest) -> Reply:
        again[probe(request)] += 1
        quote = article_text_of(request).split(", the coalition said")[0]
        return structured_reply(request, {"claims": [claim(quote)]})

    with FakeOpenAIServer(responder=healed) as server:
        rerun = cli(*args, "--base-url", server.base_url)
    yield Row(
        "LLM faults: re-run once the endpoint is healthy",
        f"exit status {rerun.exit_code}; {sum(again.values())} requests, only for the failed articles; "
        f"the {len(HEALTHY)} finished ones came from the cache",
        f"{len(FAULTS) + len(HEALTHY)} of {len(FAULTS) + len(HEALTHY)}",
        rerun.exit_code == 0 and set(again) == set(FAULTS),
    )


# --- 4. interruption -------------------------------------------------------------------------------------


def interruption(work: Path) -> Iterator[Row]:
    for how in (signal.SIGINT, signal.SIGKILL):
        base = work / how.name
        corpus = base / "corpus"
        corpus.mkdir(parents=True)
        for n in range(8):
            (corpus / f"report-{n}.txt").write_text(
                f"Report {n}: {n + 2} rockets hit the base on Wednesday, the coalition said.\n",
                encoding="utf-8",
            )
        cache, output = base / "cache", base / "claims.jsonl"

        def command(server: FakeOpenAIServer, corpus: Path = corpus, cache: Path = cache) -> list[str]:
            return child(
                "extract", str(corpus), "--model", "gpt-4o-mini", "--base-url", server.base_url,
                "--cache-dir", str(cache), "--concurrency", "1", "-o", str(cache.parent / "claims.jsonl"),
                "--quiet",
            )  # fmt: skip

        with FakeOpenAIServer(responder=faithful, latency=0.25) as server:
            process = subprocess.Popen(
                command(server), env=child_env(), cwd=base, stderr=subprocess.PIPE, text=True
            )
            deadline = time.monotonic() + WAIT_LIMIT
            while (
                len(list(cache.rglob("*.json")) if cache.exists() else []) < 3 and time.monotonic() < deadline
            ):
                time.sleep(0.02)
            process.send_signal(how)
            _, stderr = process.communicate(timeout=WAIT_LIMIT)
        entries = [json.loads(p.read_text(encoding="utf-8")) for p in cache.rglob("*.json")]
        finished = {e["article_id"] for e in entries}
        asked: list[str] = []

        def counting(request: RecordedRequest, asked: list[str] = asked) -> Reply:
            asked.append(article_text_of(request).split(":")[0])
            return faithful(request)

        with FakeOpenAIServer(responder=counting) as server:
            resumed = subprocess.run(
                command(server), env=child_env(), cwd=base, capture_output=True, text=True, timeout=WAIT_LIMIT
            )
        lines = output.read_text(encoding="utf-8").splitlines() if output.exists() else []
        redone = [a for a in asked if a.replace("Report ", "report-") in finished]
        yield Row(
            f"Interrupted halfway with {how.name} (8 articles, one call at a time)",
            f"exit {process.returncode}; {len(finished)} finished answers cached, every cache file whole, "
            "no -o file; "
            f"re-run sent {len(asked)} requests, {len(redone)} for finished articles",
            f"{len(lines)} of 8 after the re-run",
            process.returncode in (130, -9)
            and "Traceback" not in stderr
            and 3 <= len(finished) < 8
            and len(asked) == 8 - len(finished)
            and not redone
            and resumed.returncode == 0
            and len(lines) == 8,
        )


KILL_MID_WRITE = r"""
import io, os, signal
watch, real_open = os.path.realpath(os.environ["WATCH_DIR"]), io.open
class Halfway:
    def __init__(self, handle): self._handle = handle
    def write(self, data):
        self._handle.write(data[: len(data) // 2]); self._handle.flush(); os.kill(os.getpid(), signal.SIGKILL)
    def __getattr__(self, name): return getattr(self._handle, name)
    def __enter__(self): return self
    def __exit__(self, *exc): return self._handle.__exit__(*exc)
def watched(file, mode="r", *args, **kwargs):
    handle = real_open(file, mode, *args, **kwargs)
    where = os.readlink(f"/proc/self/fd/{handle.fileno()}")
    return Halfway(handle) if any(f in mode for f in "wax+") and where.startswith(watch + os.sep) else handle
io.open = watched
from reconcile.cli import main
main()
"""


def kill_mid_write(work: Path) -> Iterator[Row]:
    articles = [str(ARTICLES / "companion.txt"), str(ARTICLES / "injection.txt")]
    claims = work / "claims.jsonl"
    cli("extract", *articles, "--replay", str(REPLAY), "-o", str(claims), "-q")
    outputs = {
        "extract": ["extract", *articles, "--replay", str(REPLAY), "-o", "claims.jsonl", "-q"],
        "brief": ["brief", *articles, "--replay", str(REPLAY), "-o", "brief.html", "-q"],
        "group": ["group", str(claims), "-o", "report.json"],
    }
    whole = []
    for name, args in outputs.items():
        out = work / f"kill-{name}"
        out.mkdir()
        target = out / args[args.index("-o") + 1]
        args = [*args[: args.index("-o") + 1], str(target), *args[args.index("-o") + 2 :]]
        target.write_text("previous complete file\n", encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-c", KILL_MID_WRITE, *args],
            env=child_env(WATCH_DIR=str(out)), cwd=work, capture_output=True, text=True, timeout=WAIT_LIMIT,
        )  # fmt: skip
        if (
            done.returncode == -signal.SIGKILL
            and target.read_text(encoding="utf-8") == "previous complete file\n"
        ):
            whole.append(name)
    yield Row(
        "SIGKILL in the middle of writing -o (extract, brief, group)",
        f"the previous file stayed whole for {', '.join(whole) or 'none'} (written to a temporary file, "
        "then renamed)",
        "n/a",
        len(whole) == len(outputs),
    )


# --- 5. safety ----------------------------------------------------------------------------------------------


def leaky(request: RecordedRequest) -> Reply:
    if "unauthorised" in article_text_of(request):
        return error_reply(401, f"Incorrect API key provided: {KEY}.")
    return faithful(request)


def safety(work: Path) -> Iterator[Row]:
    corpus = work / "leak"
    corpus.mkdir()
    for name in ("healthy", "unauthorised"):
        (corpus / f"{name}.txt").write_text(f"Report {name}: two rockets hit the base.\n", encoding="utf-8")
    with FakeOpenAIServer(responder=leaky) as server:
        runs = [
            subprocess.run(
                child(
                    "extract", str(corpus), "--model", "gpt-4o-mini", "--base-url", server.base_url,
                    "--record", str(work / "record"), "--cache-dir", str(work / "cache"),
                    "-o", str(work / "out" / "claims.jsonl"),
                ),
                env=child_env(OPENAI_LOG="debug"), cwd=work, capture_output=True, text=True,
                timeout=WAIT_LIMIT,
            ),
            subprocess.run(
                child(
                    "brief", str(corpus), "--model", "gpt-4o-mini", "--base-url", server.base_url,
                    "--no-cache", "-o", str(work / "out" / "brief.html"),
                ),
                env=child_env(), cwd=work, capture_output=True, text=True, timeout=WAIT_LIMIT,
            ),
        ]  # fmt: skip
        sent = {r.headers.get("authorization") for r in server.completion_requests}
    written = [p for p in work.rglob("*") if p.is_file() and "leak" not in p.parts]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in written]
    texts += [r.stdout + r.stderr for r in runs]
    leaked = sum(1 for t in texts if KEY[8:24] in t or "authorization" in t.lower())
    yield Row(
        "API key: distinctive key, a 401 that echoes it, OPENAI_LOG=debug",
        f"sent as a header ({len(sent)} distinct), found in 0 of {len(texts)} written files and outputs"
        if not leaked
        else f"found in {leaked} of {len(texts)} files and outputs",
        "1 of 2 (the 401 one fails)",
        not leaked and sent == {f"Bearer {KEY}"},
    )

    marker = work / "EXECUTED"
    tagged = work / "tagged"
    tagged.mkdir()
    (tagged / "a.txt").write_text("Two rockets hit the base.\n", encoding="utf-8")
    (tagged / "sources.yaml").write_text(
        f'a.txt:\n  outlet: !!python/object/apply:builtins.open ["{marker}", "w"]\n', encoding="utf-8"
    )
    loaded = ingest([tagged])
    cache_dir = work / "poisoned-cache"
    with FakeOpenAIServer(responder=faithful) as server:
        extract(loaded.articles, settings=settings(server, cache_dir))
        for entry in cache_dir.rglob("*.json"):
            entry.write_bytes(pickle.dumps(_Opens(marker)))
        extract(loaded.articles, settings=settings(server, cache_dir))
        asked = len(server.completion_requests)
    yield Row(
        "A !!python/object tag in sources.yaml; a pickle in the answer cache",
        f"tag refused ({loaded.problems[0].problem[:80]}...); pickle read as a cache miss and re-asked; "
        f"{'nothing' if not marker.exists() else 'CODE'} executed",
        "1 of 1",
        not marker.exists() and asked == 2 and len(loaded.problems) == 1,
    )

    escaping = ["../../escaped", "/tmp/reconcile-escaped-absolute", "a/../../b", "..\\..\\win"]
    paths = work / "paths"
    paths.mkdir()
    (paths / "wire.jsonl").write_text(
        "".join(
            json.dumps({"id": bad, "text": f"Item {n}: two rockets hit the base."}) + "\n"
            for n, bad in enumerate(escaping)
        ),
        encoding="utf-8",
    )
    before = {p for p in work.rglob("*") if p.is_file()}
    allowed = (work / "p-record", work / "p-cache", work / "p-out")
    with FakeOpenAIServer(responder=faithful) as server:
        cli(
            "extract", str(paths), "--model", "gpt-4o-mini", "--api-key", KEY, "--base-url", server.base_url,
            "--record", str(allowed[0]), "--cache-dir", str(allowed[1]),
            "-o", str(allowed[2] / "claims.jsonl"), "-q",
        )  # fmt: skip
    new = {p for p in work.rglob("*") if p.is_file()} - before
    outside = [p for p in new if not any(p.is_relative_to(d) for d in allowed)]
    yield Row(
        "Article ids with ../ and absolute paths; --record, --cache-dir, -o",
        f"ids made safe with a warning each; {len(new)} files written, "
        f"{len(outside)} outside the given directories",
        f"{len(escaping)} of {len(escaping)}",
        not outside and len(list(allowed[0].glob("*.json"))) == len(escaping),
    )

    template = ARTICLES / "template-syntax.txt"

    def echo_template(request: RecordedRequest) -> Reply:
        quote = (
            "A press release posted on Wednesday said {{ 7*7 }} rockets were fired at the Green Village base"
        )
        return structured_reply(request, {"claims": [claim(quote, value="{{ 7*7 }} rockets")]})

    with FakeOpenAIServer(responder=echo_template) as server:
        report = build_brief([template], settings=settings(server, None))
        prompt = server.completion_requests[0].text
    outputs = [prompt, render_markdown(report).replace("\\*", "*"), render_html(report)]
    # the Markdown brief shows claims, not article texts, so the {% for %} line is not in it
    literal = all("{{ 7*7 }}" in o for o in outputs) and all("{% for shell" in o for o in outputs[::2])
    evaluated = any("49 rockets" in o or "boom boom boom" in o for o in outputs)
    yield Row(
        "Template syntax in an article ({{ 7*7 }}, {% for %})",
        "kept as text in the prompt and in the Markdown and HTML briefs; nothing evaluated"
        if literal and not evaluated
        else "EVALUATED or lost",
        "1 of 1",
        literal and not evaluated,
    )


class _Opens:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


# --- the table ---------------------------------------------------------------------------------------------

SCENARIOS: list[Callable[[Path], Iterator[Row]]] = [
    bad_input,
    arabic,
    ten_megabytes,
    many_tiny,
    injection,
    llm_faults,
    interruption,
    kill_mid_write,
    safety,
]


@contextmanager
def quiet_logs() -> Iterator[None]:
    import logging

    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(previous)


def run_all() -> list[Row]:
    rows: list[Row] = []
    # quiet: the fake server prints a traceback for each connection a timed-out client drops
    with (
        tempfile.TemporaryDirectory(prefix="reconcile-reliability-") as tmp,
        quiet_logs(),
        redirect_stderr(io.StringIO()),
    ):
        for scenario in SCENARIOS:
            work = Path(tmp) / scenario.__name__
            work.mkdir()
            try:
                rows.extend(scenario(work))
            except Exception as error:  # a scenario that crashes is a row that did not hold
                rows.append(Row(scenario.__name__, f"crashed: {type(error).__name__}: {error}", "?", False))
    return rows


def markdown_table(rows: list[Row]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| Scenario | What happened | Articles kept | Result |", "|---|---|---|---|"]
    lines += [
        f"| {cell(r.scenario)} | {cell(r.happened)} | {cell(r.kept)} | {'held' if r.held else '**FAILED**'} |"
        for r in rows
    ]
    return "\n".join(lines)


def text_table(rows: list[Row]) -> str:
    out = []
    for r in rows:
        out.append(f"[{'held' if r.held else 'FAILED'}] {r.scenario} (kept: {r.kept})\n    {r.happened}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", action="store_true", help="plain text instead of a Markdown table")
    options = parser.parse_args(argv)
    started = time.monotonic()
    rows = run_all()
    print(text_table(rows) if options.text else markdown_table(rows))
    held = sum(r.held for r in rows)
    print(f"\n{held} of {len(rows)} scenarios held ({time.monotonic() - started:.0f} s).", file=sys.stderr)
    return 0 if held == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
