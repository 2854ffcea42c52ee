"""Hand-written claims wrapped as exchanges, fixture checks, and the helpers library users get."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from llm_support import TEXTS
from typer.testing import CliRunner

from reconcile.cli import app
from reconcile.errors import FixtureError
from reconcile.extract import extract, extract_prompt_fingerprint, render_extract_prompt
from reconcile.llm.fixtures import check_fixtures, replay_client, wrap_claims_files
from reconcile.llm.replay import read_exchange
from reconcile.testing import no_network  # noqa: F401

pytestmark = pytest.mark.usefixtures("no_network")
pytest_plugins = ["pytester"]  # runs a library user's test session in-process

GREEN_CLAIMS = {
    "article": "green.txt",
    "claims": [
        {
            "facet": "munition_count",
            "value": "eight rockets",
            "number": 8,
            "qualifier": "exact",
            "unit": "rockets",
            "event": {
                "type": "rocket_attack",
                "date_as_written": "on Wednesday",
                "place_as_written": "Green Village",
            },
            "source": "US-led coalition statement",
            "source_kind": "military",
            "stance": "reported",
            "quote": "eight rockets were fired at the Green Village base on Wednesday",
        },
        {
            "facet": "casualties",
            "value": "no casualties",
            "number": 0,
            "qualifier": "none",
            "event": {"type": "rocket_attack"},
            "source": "US-led coalition statement",
            "source_kind": "military",
            "stance": "reported",
            "quote": "the attack caused no casualties",
        },
    ],
}


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for key, text in TEXTS.items():
        (corpus / f"{key}.txt").write_text(text, encoding="utf-8")
    return corpus


def _articles(corpus: Path) -> list:  # type: ignore[type-arg]
    from reconcile.ingest import ingest

    return ingest([str(corpus)]).articles


def _write_claims(tmp_path: Path, data: dict, name: str = "green.yaml") -> Path:  # type: ignore[type-arg]
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_wrap_writes_a_tools_mode_exchange_labelled_hand_written(tmp_path: Path) -> None:
    articles = _articles(_corpus(tmp_path))
    result = wrap_claims_files([_write_claims(tmp_path, GREEN_CLAIMS)], articles, tmp_path / "fx")
    (path,) = result.written
    green = next(a for a in articles if a.id == "green")
    assert path.name == f"extract--green--c0--tools--{green.sha256[:12]}.json"
    exchange = read_exchange(path)
    assert exchange.recorded_by == "hand-written" and exchange.model == "hand-written"
    assert exchange.prompt_fingerprint == extract_prompt_fingerprint("tools")
    assert exchange.input_sha256 == green.sha256
    # the exact raw format of the default mode: a tool call whose arguments are a JSON string
    call = exchange.response["choices"][0]["message"]["tool_calls"][0]["function"]
    assert call["name"] == "ExtractionResponse"
    assert json.loads(call["arguments"])["claims"][0]["value"] == "eight rockets"
    # the request is the one the current prompt renders, as the real client sends it
    assert exchange.request["messages"] == render_extract_prompt(green.text).messages
    assert exchange.request["tool_choice"]["function"]["name"] == "ExtractionResponse"
    assert result.warnings == []


def test_a_wrapped_fixture_replays_to_grounded_claims(tmp_path: Path) -> None:
    articles = _articles(_corpus(tmp_path))
    wrap_claims_files([_write_claims(tmp_path, GREEN_CLAIMS)], articles, tmp_path / "fx")
    green = [a for a in articles if a.id == "green"]
    run = extract(green, client=replay_client(tmp_path / "fx", strict=True))
    assert [c.value for c in run.claims] == ["eight rockets", "no casualties"]
    assert all(c.grounded for c in run.claims)
    assert [c.id for c in run.claims] == ["green.c1", "green.c2"]
    assert run.recorded_by == ["hand-written"]
    assert run.claims[0].source.name == "US-led coalition statement"
    assert run.claims[0].quote.start is not None
    text = green[0].text
    assert text[run.claims[0].quote.start : run.claims[0].quote.end] == GREEN_CLAIMS["claims"][0]["quote"]


@pytest.mark.parametrize("mode", ["json", "json_schema", "md_json"])
def test_wrap_writes_the_raw_format_of_other_modes_too(mode: str, tmp_path: Path) -> None:
    articles = _articles(_corpus(tmp_path))
    wrap_claims_files([_write_claims(tmp_path, GREEN_CLAIMS)], articles, tmp_path / "fx", mode=mode)  # type: ignore[arg-type]
    (path,) = (tmp_path / "fx").iterdir()
    assert json.loads(read_exchange(path).response["choices"][0]["message"]["content"])["claims"]
    run = extract([a for a in articles if a.id == "green"], replay=tmp_path / "fx", mode=mode, strict=True)
    assert len(run.claims) == 2


def test_rewrapping_unchanged_claims_leaves_the_file_alone(tmp_path: Path) -> None:
    articles = _articles(_corpus(tmp_path))
    claims = _write_claims(tmp_path, GREEN_CLAIMS)
    (path,) = wrap_claims_files([claims], articles, tmp_path / "fx").written
    before = path.read_bytes()
    again = wrap_claims_files([claims], articles, tmp_path / "fx")
    assert again.written == [] and again.unchanged == [path]
    assert path.read_bytes() == before


def test_wrap_warns_about_a_quote_not_in_the_article_and_a_number_not_in_its_quote(tmp_path: Path) -> None:
    data = json.loads(json.dumps(GREEN_CLAIMS))
    data["claims"][0]["quote"] = "the coalition reported that eight rockets hit the base"  # paraphrase
    data["claims"][1]["value"] = "three wounded"
    data["claims"][1]["number"] = 3
    data["claims"][1]["facet"] = "injured"
    result = wrap_claims_files([_write_claims(tmp_path, data)], _articles(_corpus(tmp_path)), tmp_path / "fx")
    assert len(result.warnings) == 2
    assert "quote_not_found" in result.warnings[0] and "number_not_in_quote" in result.warnings[1]
    assert len(result.written) == 1  # kept: such fixtures are how tests plant model mistakes


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"claims": []}, "must be a mapping with the keys 'article' and 'claims'"),
        ({"article": "green.txt", "claims": [{"facet": "bogus"}]}, "claims.0.facet"),
        ({"article": "green.txt", "claims": [], "extra": 1}, "unknown keys extra"),
        ({"article": "nowhere.txt", "claims": []}, "is for article 'nowhere.txt', which is not among"),
        ({"article": "green.txt", "claims": [], "recorded_by": "gpt-4o"}, "hand-written' by definition"),
    ],
)
def test_bad_claims_files_are_refused_with_the_file_and_the_problem(
    content: dict,  # type: ignore[type-arg]
    message: str,
    tmp_path: Path,
) -> None:
    path = _write_claims(tmp_path, content)
    with pytest.raises(FixtureError, match=message) as caught:
        wrap_claims_files([path], _articles(_corpus(tmp_path)), tmp_path / "fx")
    assert str(path) in str(caught.value)


def test_claims_files_may_be_json_and_name_the_article_by_id(tmp_path: Path) -> None:
    path = tmp_path / "green.json"
    path.write_text(json.dumps({**GREEN_CLAIMS, "article": "green"}), encoding="utf-8")
    result = wrap_claims_files([path], _articles(_corpus(tmp_path)), tmp_path / "fx")
    assert len(result.written) == 1


def test_a_long_article_gets_one_exchange_per_chunk_with_claims_where_their_quotes_are(
    tmp_path: Path,
) -> None:
    filler = " ".join(f"Paragraph {i} says nothing checkable at all." for i in range(600))
    text = TEXTS["green"] + "\n\n" + filler + "\n\nFinally, two drones were shot down near Conoco."
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "long.txt").write_text(text, encoding="utf-8")
    articles = _articles(corpus)
    late = {
        "facet": "outcome",
        "value": "two drones were shot down",
        "number": 2,
        "event": {"type": "interception"},
        "source": "outlet",
        "stance": "asserted",
        "quote": "two drones were shot down near Conoco",
    }
    data = {"article": "long", "claims": [GREEN_CLAIMS["claims"][0], late]}
    result = wrap_claims_files([_write_claims(tmp_path, data)], articles, tmp_path / "fx")
    assert len(result.written) >= 3 and result.warnings == []
    run = extract(articles, replay=tmp_path / "fx", strict=True)
    assert [c.value for c in run.claims] == ["eight rockets", "two drones were shot down"]
    assert all(c.grounded for c in run.claims)
    assert run.claims[1].chunk_index == len(result.written) - 1
    assert text[run.claims[1].quote.start : run.claims[1].quote.end] == late["quote"]  # type: ignore[misc]
    assert check_fixtures(tmp_path / "fx", articles).clean


def test_check_lists_stale_unused_and_missing_fixtures(tmp_path: Path) -> None:
    articles = _articles(_corpus(tmp_path))
    fx = tmp_path / "fx"
    wrap_claims_files([_write_claims(tmp_path, GREEN_CLAIMS)], articles, fx)
    report = check_fixtures(fx, articles)
    assert len(report.ok) == 1 and report.missing == [
        "conoco (no tools exchange)",
        "troops (no tools exchange)",
    ]
    assert not report.clean

    path = next(fx.iterdir())
    data = json.loads(path.read_text(encoding="utf-8"))
    data["prompt_fingerprint"] = "f" * 64
    path.write_text(json.dumps(data), encoding="utf-8")
    unused = dict(data, input_sha256="e" * 64, article_id="gone")
    (fx / "extract--gone--c0--tools--eeeeeeeeeeee.json").write_text(json.dumps(unused), encoding="utf-8")

    report = check_fixtures(fx, [a for a in articles if a.id == "green"])
    assert [s.split(" ")[0] for s in report.stale] == [path.name]
    assert report.unused == [
        "extract--gone--c0--tools--eeeeeeeeeeee.json (article gone: no article given has this text)"
    ]
    assert report.missing == []


# --- CLI -------------------------------------------------------------------------------


def test_fixtures_wrap_and_check_from_the_command_line(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    claims = _write_claims(tmp_path, GREEN_CLAIMS)
    runner = CliRunner()
    wrapped = runner.invoke(
        app,
        [
            "fixtures",
            "wrap",
            str(claims),
            "--articles",
            str(corpus / "green.txt"),
            "--out",
            str(tmp_path / "fx"),
        ],
    )
    assert wrapped.exit_code == 0, wrapped.output
    assert "1 written, 0 unchanged, 0 warnings" in wrapped.output

    clean = runner.invoke(
        app, ["fixtures", "check", str(tmp_path / "fx"), "--articles", str(corpus / "green.txt")]
    )
    assert clean.exit_code == 0, clean.output
    assert "1 ok, 0 stale, 0 unused, 0 missing" in clean.output

    missing = runner.invoke(app, ["fixtures", "check", str(tmp_path / "fx"), "--articles", str(corpus)])
    assert missing.exit_code == 1
    assert "missing: conoco (no tools exchange)" in missing.output


def test_the_public_api_offers_extract_and_replay_client() -> None:
    import reconcile

    assert callable(reconcile.extract) and callable(reconcile.replay_client)
    import reconcile.extract as module  # importing the module does not shadow the function

    assert module is not None and callable(reconcile.extract)


def test_reconcile_testing_gives_library_users_a_replay_fixture(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    articles = _articles(_corpus(tmp_path))
    wrap_claims_files([_write_claims(tmp_path, GREEN_CLAIMS)], articles, tmp_path / "fx")
    pytester.makeconftest('pytest_plugins = ["reconcile.testing"]')
    pytester.makepyfile(
        f"""
        import reconcile

        def test_uses_recorded_answers(reconcile_replay):
            articles = reconcile.ingest([{str(tmp_path / "corpus" / "green.txt")!r}]).articles
            run = reconcile.extract(articles, client=reconcile_replay({str(tmp_path / "fx")!r}, strict=True))
            assert [c.value for c in run.claims] == ["eight rockets", "no casualties"]

        def test_network_is_blocked(no_network):
            import socket
            import pytest
            from reconcile.testing import NetworkBlocked
            with socket.socket() as sock, pytest.raises(NetworkBlocked):
                sock.connect(("192.0.2.1", 80))
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


# --- Summary exchanges, re-asks, answer bodies ----------------------------------------

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_SUMMARY = next((SEEDS.parent / "fixtures" / "seeds").glob("summary--*.json"))
RE_ASK = SEEDS.parent / "fixtures" / "tests" / "re-ask"
TEST_ARTICLES = SEEDS.parent / "fixtures" / "tests" / "articles"


def test_check_tells_whether_a_summary_exchange_fits_the_current_summary_prompt(tmp_path: Path) -> None:
    fx = tmp_path / "fx"
    fx.mkdir()
    data = json.loads(SEED_SUMMARY.read_text(encoding="utf-8"))
    (fx / SEED_SUMMARY.name).write_text(json.dumps(data), encoding="utf-8")
    report = check_fixtures(fx, [])
    assert [item.split(" ")[0] for item in report.fingerprint_current] == [SEED_SUMMARY.name]
    assert report.stale == [] and report.other_stages == [] and report.clean

    data["prompt_fingerprint"] = "f" * 64
    (fx / SEED_SUMMARY.name).write_text(json.dumps(data), encoding="utf-8")
    report = check_fixtures(fx, [])
    assert report.stale == [f"{SEED_SUMMARY.name} (summary recorded for another prompt or schema)"]
    assert report.fingerprint_current == [] and not report.clean


def test_fixtures_check_command_reports_a_stale_summary_exchange(tmp_path: Path) -> None:
    fx = tmp_path / "fx"
    fx.mkdir()
    data = json.loads(SEED_SUMMARY.read_text(encoding="utf-8"))
    data["prompt_fingerprint"] = "f" * 64
    (fx / SEED_SUMMARY.name).write_text(json.dumps(data), encoding="utf-8")
    corpus = _corpus(tmp_path)
    result = CliRunner().invoke(app, ["fixtures", "check", str(fx), "--articles", str(corpus / "green.txt")])
    assert result.exit_code == 1
    assert f"stale: {SEED_SUMMARY.name} (summary recorded for another prompt or schema)" in result.stderr
    assert "not checked" not in result.stderr


def test_a_claims_file_with_an_invalid_first_answer_wraps_as_a_re_ask(tmp_path: Path) -> None:
    from reconcile.ingest import ingest

    articles = list(ingest([str(TEST_ARTICLES)]).articles)
    result = wrap_claims_files(list((RE_ASK / "claims").glob("*.yaml")), articles, tmp_path / "fx")
    [path] = result.written
    exchange = read_exchange(path)
    assert len(exchange.responses) == 1  # the invalid answer first, the valid one for the re-ask
    first = exchange.response["choices"][0]["message"]["tool_calls"][0]["function"]
    assert first["name"] == "ExtractionResponse" and '"killed_count"' in first["arguments"]
    committed = read_exchange(RE_ASK / "exchanges" / path.name)
    assert committed.model_dump(exclude={"recorded_at"}) == exchange.model_dump(exclude={"recorded_at"})


def test_the_committed_re_ask_fixture_replays_with_one_re_ask_and_the_valid_claims() -> None:
    from reconcile.ingest import ingest

    strike = [a for a in ingest([str(TEST_ARTICLES)]).articles if a.id == "mayadeen-strike"]
    run = extract(strike, client=replay_client(RE_ASK / "exchanges", strict=True))
    assert not run.failures
    assert run.usage.reasks == 1 and run.usage.replayed == 1
    assert [(c.facet, c.value) for c in run.claims] == [
        ("target", "a weapons depot near al-Mayadeen"),
        ("damage", "destroyed the depot"),
        ("casualties", "no civilian casualties"),
        ("killed", "five militia members"),
    ]
    assert all(c.grounded for c in run.claims)


def test_a_first_answer_that_fits_the_schema_is_refused_as_an_invalid_first_answer(tmp_path: Path) -> None:
    articles = _articles(_corpus(tmp_path))
    data = dict(GREEN_CLAIMS, first_answer_invalid={"claims": []})
    with pytest.raises(FixtureError, match="first_answer_invalid fits the schema"):
        wrap_claims_files([_write_claims(tmp_path, data)], articles, tmp_path / "fx")


def test_answer_bodies_name_the_tool_after_the_answer_type_and_are_stable() -> None:
    from reconcile.llm.fixtures import raw_response_body
    from reconcile.models import SummaryResponse

    answer = SummaryResponse(sentences=[])
    body = raw_response_body(answer, "tools")
    assert body["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "SummaryResponse"
    assert body == raw_response_body(SummaryResponse(sentences=[]), "tools")  # ids derived from the answer
    assert raw_response_body(answer, "json")["choices"][0]["message"]["content"] == answer.model_dump_json(
        exclude_defaults=True
    )
