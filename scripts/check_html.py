#!/usr/bin/env python3
"""Load an HTML brief in headless Chromium: report console errors, network fetches, take a screenshot.

    python scripts/check_html.py brief.html --screenshot brief.png [--width 390] [--full-page]

Talks to Chromium over the DevTools protocol on a pipe (no port is opened), so
everything the page logs is seen: script exceptions, console.error, CSP
violations and failed loads. Any request other than the file itself (or data:)
counts as an error, because a brief must not fetch anything. Installs Debian's
``chromium`` package when it is missing (unless --no-install). Exit status: 0 when
the page loaded with no errors, 1 when it logged errors, 2 when it could not be
checked.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
]
# Full-page screenshots taller than this are cut (a brief over a big corpus can be very long).
MAX_SCREENSHOT_HEIGHT = 16_000


class CheckError(Exception):
    """The page could not be checked at all (no browser, browser crashed, timeout)."""


def find_chromium(install: bool) -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    if not install:
        raise CheckError(
            "chromium is not installed; run without --no-install, or: apt-get install -y chromium"
        )
    if os.geteuid() != 0:
        raise CheckError(
            "chromium is not installed and installing it needs root: sudo apt-get install -y chromium"
        )
    print("installing chromium (apt-get install -y chromium)...", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise CheckError(f"{' '.join(command)} failed: {result.stderr.strip()[-500:]}")
    path = shutil.which("chromium")
    if not path:
        raise CheckError("apt-get installed chromium but no chromium command is on PATH")
    return path


class DevTools:
    """A minimal DevTools protocol client over Chromium's --remote-debugging-pipe (fds 3 and 4)."""

    def __init__(self, chromium: str, profile: str, timeout: float) -> None:
        to_browser_read, to_browser_write = os.pipe()
        from_browser_read, from_browser_write = os.pipe()
        # Park the child's ends above 100 so moving them to 3 and 4 cannot clobber each other.
        child_in = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD_CLOEXEC, 100)
        child_out = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD_CLOEXEC, 100)
        os.close(to_browser_read)
        os.close(from_browser_write)

        def wire_pipes() -> None:  # runs in the child before exec
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self.process = subprocess.Popen(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=wire_pipes,
            close_fds=False,
        )
        os.close(child_in)
        os.close(child_out)
        self.write_fd = to_browser_write
        self.read_fd = from_browser_read
        self.buffer = b""
        self.next_id = 0
        self.deadline = time.monotonic() + timeout
        self.events: list[dict[str, Any]] = []

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise CheckError(f"{method} failed: {reply['error'].get('message')}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, within: float) -> dict[str, Any] | None:
        for index, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(index)
        end = min(self.deadline, time.monotonic() + within)
        while time.monotonic() < end:
            message = self._read_message(until=end)
            if not message:
                break
            if message.get("method") == method:
                return message
            self.events.append(message)
        return None

    def drain(self, seconds: float) -> None:
        """Collect whatever the page still logs for a moment (late errors, timers)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            message = self._read_message(until=end)
            if message:
                self.events.append(message)

    def _read_message(self, until: float | None = None) -> dict[str, Any]:
        limit = until if until is not None else self.deadline
        while b"\0" not in self.buffer:
            remaining = limit - time.monotonic()
            if remaining <= 0:
                if until is not None:
                    return {}
                raise CheckError("chromium did not answer in time")
            ready, _, _ = select.select([self.read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                stderr = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise CheckError(f"chromium exited: {stderr.strip()[-500:]}")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def close(self) -> None:
        with contextlib.suppress(OSError):  # the browser may already be gone
            os.write(self.write_fd, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self.write_fd, self.read_fd):
            os.close(fd)
        if self.process.stderr:
            self.process.stderr.close()


def _describe(event: dict[str, Any]) -> tuple[str, str] | None:
    """(level, message) for an event worth reporting, else None."""
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.exceptionThrown":
        details = params.get("exceptionDetails", {})
        text = details.get("exception", {}).get("description") or details.get("text", "exception")
        return "error", f"uncaught: {text} (line {details.get('lineNumber', '?')})"
    if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
        text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", []))
        return ("warning" if params["type"] == "warning" else "error"), f"console.{params['type']}: {text}"
    if method == "Log.entryAdded":
        entry = params.get("entry", {})
        if entry.get("level") in ("error", "warning"):
            return entry["level"], f"{entry.get('source', 'log')}: {entry.get('text', '')}"
    if method == "Network.requestWillBeSent":
        url = params.get("request", {}).get("url", "")
        if not url.startswith(("file:", "data:", "about:")):
            return "error", f"network request to {url}"
    return None


def check_page(
    page: Path,
    screenshot: Path | None,
    width: int,
    height: int,
    full_page: bool,
    install: bool,
    top: int = 0,
    fragment: str | None = None,
) -> tuple[list[str], list[str]]:
    """Load the page; return (errors, warnings); write the screenshot if asked."""
    chromium = find_chromium(install)
    with tempfile.TemporaryDirectory(prefix="check-html-") as profile:
        tools = DevTools(chromium, profile, timeout=60)
        try:
            target = tools.send("Target.createTarget", {"url": "about:blank"})
            attached = tools.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
            session = attached["sessionId"]
            for domain in ("Runtime", "Log", "Page", "Network"):
                tools.send(f"{domain}.enable", session=session)
            tools.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
                session=session,
            )
            tools.send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
            if tools.wait_for("Page.loadEventFired", within=30) is None:
                raise CheckError(f"{page} did not finish loading within 30 s")
            tools.drain(0.5)
            if fragment:
                # Jump to an anchor the way a reader's click does (fires :target and hashchange).
                tools.send(
                    "Runtime.evaluate",
                    {"expression": f"location.hash = {json.dumps(fragment)}"},
                    session=session,
                )
                tools.drain(0.3)
            if screenshot is not None:
                params: dict[str, Any] = {"format": "png"}
                if full_page or top:
                    metrics = tools.send("Page.getLayoutMetrics", session=session)
                    content = metrics.get("cssContentSize") or metrics["contentSize"]
                    shot_height = (
                        min(int(content["height"]) - top, MAX_SCREENSHOT_HEIGHT) if full_page else height
                    )
                    params.update(
                        captureBeyondViewport=True,
                        clip={"x": 0, "y": top, "width": width, "height": max(shot_height, 1), "scale": 1},
                    )
                shot = tools.send("Page.captureScreenshot", params, session=session)
                screenshot.write_bytes(base64.b64decode(shot["data"]))
        finally:
            tools.close()
    errors: list[str] = []
    warnings: list[str] = []
    for event in tools.events:
        described = _describe(event)
        if described:
            (errors if described[0] == "error" else warnings).append(described[1])
    return errors, warnings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page", type=Path, help="the HTML file to load")
    parser.add_argument("--screenshot", type=Path, help="write a PNG screenshot here")
    parser.add_argument(
        "--width", type=int, default=1280, help="viewport width in CSS pixels (390 for a phone)"
    )
    parser.add_argument("--height", type=int, default=900, help="viewport height in CSS pixels")
    parser.add_argument(
        "--full-page", action="store_true", help="capture the whole page, not just the viewport"
    )
    parser.add_argument("--top", type=int, default=0, help="start the screenshot this many CSS pixels down")
    parser.add_argument("--fragment", help="after loading, go to #FRAGMENT (as clicking a link to it does)")
    parser.add_argument("--no-install", action="store_true", help="fail instead of installing chromium")
    args = parser.parse_args(argv)
    if not args.page.is_file():
        print(f"error: {args.page} is not a file", file=sys.stderr)
        return 2
    try:
        errors, warnings = check_page(
            args.page,
            args.screenshot,
            args.width,
            args.height,
            args.full_page,
            install=not args.no_install,
            top=args.top,
            fragment=args.fragment,
        )
    except CheckError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for message in errors:
        print(f"ERROR   {message}")
    for message in warnings:
        print(f"warning {message}")
    shot = f"; screenshot {args.screenshot}" if args.screenshot else ""
    print(f"{args.page}: {len(errors)} console errors, {len(warnings)} warnings{shot}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
