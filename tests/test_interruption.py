"""Interruption: a run stopped halfway (Ctrl-C or SIGKILL) loses nothing it finished and leaves
no half-written file; the same command run again resumes from the answer cache.

The runs are real `reconcile` processes talking to the fake OpenAI server on 127.0.0.1, with
latency and one call at a time, so "halfway" is a point the test can wait for: a few answers
cached, the others not yet asked for.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fakeserver import FakeOpenAIServer, RecordedRequest, Reply, error_reply, structured_reply
from llm_support import claim_payload
from typer.testing import CliRunner

from reconcile.cli import app
from reconcile.models import Claim, ExtractionResponse
from reconcile.testing import FAKE_API_KEY

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "fixtures" / "hostile"
ARTICLE_COUNT = 8
LATENCY = 0.25  # seconds per answer: the whole run takes about 2 s once started
STOP_AFTER_CACHED = 3
WAIT_LIMIT = 60.0  # seconds; only reached when something is badly wrong


def article_text(n: int) -> str:
    return f"Report {n}: {n + 2} rockets hit the Green Village base on Wednesday, the coalition said.\n"


class CountingModel:
    """A faithful model that remembers which article each request was about."""

    def __init__(self) -> None:
        self.requests: Counter[int] = Counter()

    def __call__(self, request: RecordedRequest) -> Reply:
        text = request.text
        numbers = [n for n in range(ARTICLE_COUNT) if f"Report {n}:" in text]
        if len(numbers) != 1:  # a request cut off by the kill: its body never arrived whole
            return error_reply(400, "incomplete request")
        n = numbers[0]
        self.requests[n] += 1
        quote = article_text(n).split(", the coalition said")[0].split(": ", 1)[1]
        claim = claim_payload(quote, facet="munition_count", value=f"{n + 2} rockets", number=n + 2)
        return structured_reply(request, {"claims": [claim]})


def reconcile_process(*args: str) -> list[str]:
    return [sys.executable, "-c", "from reconcile.cli import main; main()", *args]


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "RECONCILE_"))}
    env.update({"OPENAI_API_KEY": FAKE_API_KEY, "COLUMNS": "200", **extra})
    return env


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    directory = tmp_path / "corpus"
    directory.mkdir()
    for n in range(ARTICLE_COUNT):
        (directory / f"report-{n}.txt").write_text(article_text(n), encoding="utf-8")
    return directory


def extract_command(server: FakeOpenAIServer, corpus: Path, cache: Path, output: Path) -> list[str]:
    return reconcile_process(
        "extract",
        str(corpus),
        "--model",
        "gpt-4o-mini",
        "--base-url",
        server.base_url,
        "--cache-dir",
        str(cache),
        "--concurrency",
        "1",
        "-o",
        str(output),
        "--quiet",
    )


def cache_entries(cache: Path) -> list[dict[str, object]]:
    """Every cache file, parsed: a half-written one fails here."""
    entries = []
    for path in sorted(cache.rglob("*.json")):
        entry = json.loads(path.read_text(encoding="utf-8"))
        ExtractionResponse.model_validate(entry["answer"])
        entries.append(entry)
    return entries


def cached_articles(cache: Path) -> set[str]:
    return {str(entry["article_id"]) for entry in cache_entries(cache)} if cache.exists() else set()


def interrupt_halfway(
    command: list[str], cache: Path, how: signal.Signals
) -> subprocess.CompletedProcess[str]:
    process = subprocess.Popen(
        command, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + WAIT_LIMIT
    try:
        while len(list(cache.rglob("*.json")) if cache.exists() else []) < STOP_AFTER_CACHED:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the run never got halfway"
            time.sleep(0.02)
        process.send_signal(how)
        stdout, stderr = process.communicate(timeout=WAIT_LIMIT)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_a_run_stopped_halfway_resumes_from_the_cache_without_redoing_finished_articles(
    how: signal.Signals, corpus: Path, tmp_path: Path
) -> None:
    cache, output = tmp_path / "cache", tmp_path / "claims.jsonl"
    first = CountingModel()
    with FakeOpenAIServer(responder=first, latency=LATENCY) as server:
        stopped = interrupt_halfway(extract_command(server, corpus, cache, output), cache, how)

    if how == signal.SIGINT:
        assert stopped.returncode == 130, stopped.stderr
        assert "Traceback" not in stderr_of(stopped)
    else:
        assert stopped.returncode == -signal.SIGKILL
    # nothing half-written: no output at all, every cache entry whole, no stray temporary file
    assert not output.exists()
    finished = cached_articles(cache)
    assert STOP_AFTER_CACHED <= len(finished) < ARTICLE_COUNT
    if how == signal.SIGINT:
        assert not list(tmp_path.rglob("*.tmp"))

    second = CountingModel()
    with FakeOpenAIServer(responder=second) as server:
        resumed = subprocess.run(
            extract_command(server, corpus, cache, output),
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=WAIT_LIMIT,
        )
    assert resumed.returncode == 0, resumed.stderr
    asked_again = {f"report-{n}" for n in second.requests}
    assert asked_again == {f"report-{n}" for n in range(ARTICLE_COUNT)} - finished
    assert all(count == 1 for count in second.requests.values())
    assert f"cache hits: {len(finished)}" in resumed.stderr
    claims = [Claim.model_validate_json(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert sorted(c.article_id for c in claims) == sorted(f"report-{n}" for n in range(ARTICLE_COUNT))
    assert all(c.grounded for c in claims)


def stderr_of(result: subprocess.CompletedProcess[str]) -> str:
    return result.stderr or ""


# --- Death in the middle of writing a file -------------------------------------------------------

# The first write to a file opened for writing under the watched directory puts half the text
# on disk, flushes it, and then the process "dies": the worst moment for a writer that writes
# its target in place. In-process the death is an exception no `except Exception` catches (fast,
# every writer); in a child process it is a real SIGKILL (no clean-up code runs at all).
DIE_HALFWAY = r"""
import io, os, signal


class Died(BaseException):
    pass


def watch_writes(directory, die):
    watch = os.path.realpath(directory)
    real_open = io.open

    class Halfway:
        def __init__(self, handle):
            self._handle = handle

        def write(self, data):
            self._handle.write(data[: len(data) // 2])
            self._handle.flush()
            die()

        def __getattr__(self, name):
            return getattr(self._handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self._handle.__exit__(*exc)

    def watched_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        # the file actually opened (tempfile opens a directory path through an opener)
        where = os.readlink(f"/proc/self/fd/{handle.fileno()}")
        if any(flag in mode for flag in "wax+") and where.startswith(watch + os.sep):
            return Halfway(handle)
        return handle

    io.open = watched_open
    return real_open
"""
CHILD = (
    DIE_HALFWAY
    + r"""
watch_writes(os.environ["WATCH_DIR"], lambda: os.kill(os.getpid(), signal.SIGKILL))
from reconcile.cli import main
main()
"""
)
_helpers: dict[str, Any] = {}
exec(DIE_HALFWAY, _helpers)
Died: type[BaseException] = _helpers["Died"]

PREVIOUS = "the previous, complete version of this file\n"


def die(*_: object) -> None:
    raise Died


@contextmanager
def dying_halfway_through_writes(directory: Path) -> Iterator[None]:
    real_open = _helpers["watch_writes"](directory, die)
    try:
        yield
    finally:
        io.open = real_open


def killed_mid_write(watch: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        env=child_env(WATCH_DIR=str(watch)),
        cwd=watch.parent,
        capture_output=True,
        text=True,
        timeout=WAIT_LIMIT,
    )


def run_ok(*args: str) -> None:
    done = CliRunner().invoke(app, list(args))
    assert done.exit_code == 0, done.output


CLEAN_ARTICLES = [str(HOSTILE / "articles" / "companion.txt"), str(HOSTILE / "articles" / "injection.txt")]
REPLAY = ["--replay", str(HOSTILE / "replay")]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A claims file and a report of the two clean hostile articles, for the commands that read them."""
    directory = tmp_path_factory.mktemp("inputs")
    claims, report = directory / "claims.jsonl", directory / "report.json"
    run_ok("extract", *CLEAN_ARTICLES, *REPLAY, "-o", str(claims), "--quiet")
    run_ok("group", str(claims), "-o", str(report))
    return {"claims": claims, "report": report}


def output_command(name: str, inputs: dict[str, Path], out: Path) -> list[str]:
    gold = str(ROOT / "fixtures" / "gold")
    commands = {
        "extract -o": ["extract", *CLEAN_ARTICLES, *REPLAY, "-o", str(out / "claims.jsonl"), "--quiet"],
        "brief -o md": ["brief", *CLEAN_ARTICLES, *REPLAY, "-o", str(out / "brief.md"), "--quiet"],
        "brief -o html": ["brief", *CLEAN_ARTICLES, *REPLAY, "-o", str(out / "brief.html"), "--quiet"],
        "brief -o json": ["brief", *CLEAN_ARTICLES, *REPLAY, "-o", str(out / "brief.json"), "--quiet"],
        "group -o": ["group", str(inputs["claims"]), "-o", str(out / "report.json")],
        "eval -o": ["eval", str(inputs["report"]), "--gold", gold, "-o", str(out / "scores.json")],
        "schema -o": ["schema", "-o", str(out / "schema.json")],
    }
    return commands[name]


def target_of(args: list[str]) -> Path:
    return Path(args[args.index("-o") + 1])


@pytest.mark.parametrize(
    "command",
    ["extract -o", "brief -o md", "brief -o html", "brief -o json", "group -o", "eval -o", "schema -o"],
)
def test_dying_while_the_output_is_written_leaves_the_previous_file_whole(
    command: str, inputs: dict[str, Path], tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    args = output_command(command, inputs, out_dir)
    target_of(args).write_text(PREVIOUS, encoding="utf-8")
    with dying_halfway_through_writes(out_dir), pytest.raises(Died):
        CliRunner().invoke(app, args, catch_exceptions=False)
    assert target_of(args).read_text(encoding="utf-8") == PREVIOUS
    assert list(out_dir.iterdir()) == [target_of(args)]  # and no temporary file is left behind


@pytest.mark.parametrize("command", ["extract -o", "brief -o html"])
def test_a_sigkill_while_the_output_is_written_leaves_the_previous_file_whole(
    command: str, inputs: dict[str, Path], tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    args = output_command(command, inputs, out_dir)
    target_of(args).write_text(PREVIOUS, encoding="utf-8")
    killed = killed_mid_write(out_dir, *args)
    assert killed.returncode == -signal.SIGKILL, killed.stderr  # it did die while writing
    assert target_of(args).read_text(encoding="utf-8") == PREVIOUS


def test_dying_while_a_recorded_exchange_is_written_leaves_no_broken_fixture(tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    args = [
        "fixtures",
        "wrap",
        str(HOSTILE / "claims" / "companion.yaml"),
        "--articles",
        str(HOSTILE / "articles" / "companion.txt"),
        "--out",
        str(fixtures),
    ]
    with dying_halfway_through_writes(fixtures), pytest.raises(Died):
        CliRunner().invoke(app, args, catch_exceptions=False)
    assert list(fixtures.iterdir()) == []  # the replay finds no fixture rather than half of one


def test_a_sigkill_while_an_answer_is_cached_leaves_no_broken_cache_entry(
    corpus: Path, tmp_path: Path
) -> None:
    cache, output = tmp_path / "cache", tmp_path / "claims.jsonl"
    with FakeOpenAIServer(responder=CountingModel()) as server:
        killed = killed_mid_write(cache, *extract_command(server, corpus, cache, output)[3:])
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert cache_entries(cache) == []  # the entry being written is not there, not half there
    assert not output.exists()
