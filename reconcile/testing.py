"""Test helpers for code built on reconcile: replay recorded LLM answers, keep tests off the network.

Enable them in a ``conftest.py``::

    pytest_plugins = ["reconcile.testing"]

then use the fixtures::

    def test_brief_from_recorded_answers(reconcile_replay):
        client = reconcile_replay("fixtures/seeds", strict=True)
        run = reconcile.extract(articles, client=client)
        assert not run.failures

``reconcile_replay(directory, strict=False, mode="tools")`` returns an
``LLMClient`` that answers only from the exchanges recorded in ``directory``
(``reconcile extract ... --record DIR`` writes them; ``reconcile fixtures wrap``
makes them from hand-written claims). ``no_network`` makes any connection to a
host other than the loopback interface fail at once, and ``fake_api_key`` sets
``OPENAI_API_KEY`` to a dummy value so nothing real can be used by accident.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from reconcile.llm.client import LLMClient
from reconcile.llm.fixtures import replay_client

FAKE_API_KEY = "sk-reconcile-test-fake-key-000000"


class NetworkBlocked(RuntimeError):
    """A test tried to reach a host other than the loopback interface."""


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths and other local families
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False  # a name that would need DNS: not local


@contextmanager
def loopback_only() -> Iterator[None]:
    """Within the block, sockets may connect to 127.0.0.0/8, ::1 and local sockets only."""
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: Any) -> None:
        if not _is_loopback(address):
            raise NetworkBlocked(f"network access to {address!r} is blocked in tests (only 127.0.0.1)")
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _is_loopback(address):
            raise NetworkBlocked(f"network access to {address!r} is blocked in tests (only 127.0.0.1)")
        return original_connect_ex(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign,assignment]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign,assignment]


@pytest.fixture
def no_network() -> Iterator[None]:
    with loopback_only():
        yield


@pytest.fixture
def fake_api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_API_KEY)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    return FAKE_API_KEY


@pytest.fixture
def reconcile_replay(no_network: None) -> Iterator[Callable[..., LLMClient]]:
    """A factory of replay clients: ``reconcile_replay(directory, strict=False, mode="tools")``."""

    def make(directory: str | Path, *, strict: bool = False, mode: Any = "tools") -> LLMClient:
        return replay_client(directory, strict=strict, mode=mode)

    yield make
