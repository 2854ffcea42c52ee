"""Record and replay as a product feature, and the answer cache."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pytest
from fakeserver import FakeOpenAIServer, tool_reply
from llm_support import (
    TEXTS,
    all_articles,
    article_text_of,
    claim_payload,
    first_sentence_responder,
    live_settings,
    make_article,
)

from reconcile.errors import FixtureError
from reconcile.extract import extract
from reconcile.llm.fixtures import replay_client
from reconcile.llm.replay import ExchangeStore, exchange_filename, read_exchange
from reconcile.models import Exchange
from reconcile.testing import FAKE_API_KEY, NetworkBlocked, loopback_only, no_network  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_network")


def _dump(run) -> list[dict]:  # type: ignore[no-untyped-def]
    return [claim.model_dump() for claim in run.claims]


def _record_all(tmp_path: Path, **changes) -> tuple[object, Path]:  # type: ignore[no-untyped-def]
    record = tmp_path / "recorded"
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        run = extract(all_articles(), settings=live_settings(server, tmp_path, record_dir=record, **changes))
    return run, record


def test_record_then_replay_with_the_server_stopped_gives_identical_claims(tmp_path: Path) -> None:
    live, record = _record_all(tmp_path)
    replayed = extract(all_articles(), replay=record)  # no server, no key needed, network blocked
    assert not live.failures and not replayed.failures  # type: ignore[attr-defined]
    assert _dump(replayed) == _dump(live) and len(replayed.claims) == 3
    assert replayed.usage.calls == 0 and replayed.usage.replayed == 3
    assert replayed.recorded_by == ["fake-model"]


def test_recorded_files_are_readable_json_named_by_stage_article_chunk_mode_and_hash(tmp_path: Path) -> None:
    _, record = _record_all(tmp_path)
    article = make_article("green")
    path = record / f"extract--green--c0--tools--{article.sha256[:12]}.json"
    assert path.is_file()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["stage"] == "extract" and data["article_id"] == "green"
    assert data["input_sha256"] == article.sha256 and data["chunk_index"] == 0
    assert data["model"] == "gpt-4o-mini" and data["mode"] == "tools"
    assert data["recorded_by"] == "fake-model" and data["recorded_at"]
    assert len(data["prompt_fingerprint"]) == 64
    # the raw body is JSON, not an escaped string; the request is the body sent, no headers
    assert (
        data["response"]["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "ExtractionResponse"
    )
    assert data["request"]["messages"][1]["role"] == "user"
    assert "headers" not in data["request"] and "authorization" not in json.dumps(data).lower()
    assert data["usage"] == {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
    assert data["latency_ms"] >= 0
    assert sorted(p.name for p in record.iterdir()) == sorted(
        f"extract--{a.id}--c0--tools--{a.sha256[:12]}.json" for a in all_articles()
    )


def test_no_written_file_contains_the_api_key(tmp_path: Path) -> None:
    key = "sk-live-secret-0123456789abcdef"
    record = tmp_path / "recorded"
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        run = extract(
            all_articles(), settings=live_settings(server, tmp_path, record_dir=record, api_key=key)
        )
    assert not run.failures
    assert server.requests[0].headers["authorization"] == f"Bearer {key}"  # it was sent...
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.parent.parent.name == "cache" for p in written) and any(p.parent == record for p in written)
    for path in written:  # ...but never written: not in recordings, not in the cache
        content = path.read_bytes()
        assert key.encode() not in content, path
        assert b"Bearer" not in content, path


def test_reasks_are_recorded_and_replayed(tmp_path: Path) -> None:
    quote = TEXTS["green"].split(". ")[0]
    record = tmp_path / "recorded"
    wrong = tool_reply({"claims": [claim_payload(quote, stance="sure")]})
    with FakeOpenAIServer([wrong, tool_reply({"claims": [claim_payload(quote)]})]) as server:
        live = extract([make_article("green")], settings=live_settings(server, tmp_path, record_dir=record))
    (path,) = record.iterdir()
    exchange = read_exchange(path)
    assert len(exchange.responses) == 1  # the answer to the re-ask
    assert exchange.usage["prompt_tokens"] == 200
    replayed = extract([make_article("green")], replay=record)
    assert _dump(replayed) == _dump(live) and not replayed.failures
    assert live.usage.reasks == 1 and replayed.usage.reasks == 1  # replay tells of the re-ask too


def test_replay_miss_names_the_article_and_the_command_that_records_it(tmp_path: Path) -> None:
    _, record = _record_all(tmp_path)
    new = make_article("troops", "A different text: two drones were shot down, officials said.")
    new = new.model_copy(update={"id": "fresh"})
    run = extract([make_article("green"), new], replay=record)
    (failure,) = run.failures
    assert failure.article_id == "fresh"
    assert "No recorded extract answer for article fresh" in failure.reason
    assert f"reconcile extract corpus/troops.txt --record {record}" in failure.reason
    assert [c.article_id for c in run.claims] == ["green"]


def test_strict_replay_makes_a_miss_an_error(tmp_path: Path) -> None:
    _, record = _record_all(tmp_path)
    new = make_article("troops", "Unrecorded text, nothing else.")
    with pytest.raises(FixtureError, match="No recorded extract answer for article troops"):
        extract([new], replay=record, strict=True)


def test_a_recording_in_another_mode_is_pointed_out(tmp_path: Path) -> None:
    _, record = _record_all(tmp_path)
    run = extract([make_article("green")], replay=record, mode="json")
    (failure,) = run.failures
    assert "it is recorded in mode tools" in failure.reason


def _make_stale(record: Path) -> Path:
    path = next(record.glob("extract--green--*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    data["prompt_fingerprint"] = "0" * 64
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_changed_prompt_gives_a_stale_fixture_warning_and_still_replays(tmp_path: Path) -> None:
    _, record = _record_all(tmp_path)
    path = _make_stale(record)
    run = extract(all_articles(), replay=record)
    assert not run.failures and len(run.claims) == 3
    (warning,) = run.warnings
    assert warning.startswith(f"Stale fixture {path}")


def test_strict_replay_makes_a_stale_fixture_an_error(tmp_path: Path) -> None:
    _, record = _record_all(tmp_path)
    _make_stale(record)
    with pytest.raises(FixtureError, match="Stale fixture .*extract--green--"):
        extract(all_articles(), replay=record, strict=True)


def test_a_recorded_answer_that_no_longer_validates_fails_that_article_only(tmp_path: Path) -> None:
    _, record = _record_all(tmp_path)
    path = next(record.glob("extract--green--*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    call = data["response"]["choices"][0]["message"]["tool_calls"][0]["function"]
    call["arguments"] = json.dumps({"claims": [{"facet": "not-a-facet"}]})
    path.write_text(json.dumps(data), encoding="utf-8")
    run = extract(all_articles(), replay=record)
    (failure,) = run.failures
    assert failure.article_id == "green"
    assert f"the recorded answer in {path} does not replay" in failure.reason
    assert len(run.claims) == 2


def test_a_damaged_fixture_file_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(FixtureError, match="broken.json is not a valid exchange"):
        extract([make_article("green")], replay=tmp_path)


def test_fixture_names_refuse_ids_that_could_escape_the_directory(tmp_path: Path) -> None:
    exchange = Exchange(
        stage="extract",
        article_id="../../etc/passwd",
        input_sha256="a" * 64,
        model="m",
        mode="tools",
        prompt_fingerprint="f",
        request={},
        response={},
        recorded_at="2026-01-01T00:00:00+00:00",
        recorded_by="m",
    )
    with pytest.raises(FixtureError, match="Cannot name a fixture file"):
        exchange_filename(exchange)
    with pytest.raises(FixtureError):
        ExchangeStore(tmp_path).write(exchange)
    with pytest.raises(FixtureError):
        exchange_filename(exchange.model_copy(update={"article_id": "ok", "input_sha256": "../x"}))
    assert list(tmp_path.iterdir()) == []


def test_replay_makes_no_network_connection(tmp_path: Path) -> None:
    _, record = _record_all(tmp_path)
    # loopback_only would raise NetworkBlocked on any connection; replay must not even try one
    with loopback_only():
        run = extract(all_articles(), client=replay_client(record))
    assert not run.failures


def test_the_network_guard_blocks_hosts_other_than_loopback() -> None:
    import socket

    with loopback_only(), socket.socket() as sock, pytest.raises(NetworkBlocked):
        sock.connect(("10.255.255.1", 9))


# --- cache --------------------------------------------------------------------------


def test_a_rerun_over_unchanged_input_is_answered_from_the_cache_with_zero_requests(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        first = extract(all_articles(), settings=live_settings(server, tmp_path))
        sent = len(server.requests)
        second = extract(all_articles(), settings=live_settings(server, tmp_path))
        assert len(server.requests) == sent  # zero requests
    assert sent == 3
    assert second.usage.cache_hits == 3 and second.usage.calls == 0 and second.usage.cost_usd == 0
    assert _dump(second) == _dump(first)


def test_the_cache_misses_when_the_model_mode_or_text_changes(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        extract([make_article("green")], settings=live_settings(server, tmp_path))
        extract([make_article("green")], settings=live_settings(server, tmp_path, model="gpt-4o"))
        extract([make_article("green")], settings=live_settings(server, tmp_path, mode="json"))
        extract(
            [make_article("green", TEXTS["green"] + " One more sentence.")],
            settings=live_settings(server, tmp_path),
        )
        assert len(server.requests) == 4


def test_no_cache_bypasses_the_cache(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        extract([make_article("green")], settings=live_settings(server, tmp_path))
        run = extract([make_article("green")], settings=live_settings(server, tmp_path), no_cache=True)
        assert len(server.requests) == 2
    assert run.usage.cache_hits == 0


def test_recording_never_answers_from_the_cache(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        extract([make_article("green")], settings=live_settings(server, tmp_path))
        extract(
            [make_article("green")], settings=live_settings(server, tmp_path, record_dir=tmp_path / "rec")
        )
        assert len(server.requests) == 2
    assert len(list((tmp_path / "rec").iterdir())) == 1


def test_a_damaged_cache_entry_is_a_miss(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        extract([make_article("green")], settings=live_settings(server, tmp_path))
        for entry in (tmp_path / "cache").rglob("*.json"):
            entry.write_text("{garbage", encoding="utf-8")
        run = extract([make_article("green")], settings=live_settings(server, tmp_path))
        assert len(server.requests) == 2
    assert not run.failures


def test_failed_calls_are_not_cached(tmp_path: Path) -> None:
    from fakeserver import error_reply

    with FakeOpenAIServer([error_reply(400, "bad")], responder=first_sentence_responder) as server:
        failed = extract([make_article("green")], settings=live_settings(server, tmp_path))
        again = extract([make_article("green")], settings=live_settings(server, tmp_path))
    assert failed.failures and not again.failures
    assert len(server.requests) == 2


def test_requests_carry_the_article_text_verbatim(tmp_path: Path) -> None:
    with FakeOpenAIServer(responder=first_sentence_responder) as server:
        extract(all_articles(), settings=live_settings(server, tmp_path))
    assert sorted(article_text_of(r) for r in server.requests) == sorted(TEXTS.values())


def test_logs_of_a_failing_call_never_contain_the_api_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from fakeserver import error_reply

    with (
        caplog.at_level(logging.DEBUG),
        FakeOpenAIServer([error_reply(401, f"bad key {FAKE_API_KEY}")]) as server,
    ):
        run = extract([make_article("green")], settings=live_settings(server, tmp_path))
    assert run.failures and "(HTTP 401)" in run.failures[0].reason
    assert FAKE_API_KEY not in run.failures[0].reason
    assert caplog.records  # the client did log (at debug level and up)...
    assert FAKE_API_KEY not in caplog.text.replace(
        f"bad key {FAKE_API_KEY}", ""
    )  # ...but never the key it sent


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_recordings_and_cache_entries_get_the_permissions_of_any_new_file(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        _, record = _record_all(tmp_path)
        tmp_path_cache = tmp_path / "cached"
        with FakeOpenAIServer(responder=first_sentence_responder) as server:
            extract(
                [make_article("green")], settings=live_settings(server, tmp_path, cache_dir=tmp_path_cache)
            )
    finally:
        os.umask(previous)
    written = [*record.glob("*.json"), *tmp_path_cache.rglob("*.json")]
    assert len(written) == len(TEXTS) + 1
    assert {stat.S_IMODE(path.stat().st_mode) for path in written} == {0o666 & ~umask}  # not mkstemp's 0600
