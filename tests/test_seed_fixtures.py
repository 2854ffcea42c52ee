"""The sample corpus ships with hand-written answers and gold: both must stay true to the articles.

fixtures/seeds-claims/*.yaml are the source of truth (claims written by hand the way
a careful model would answer); fixtures/seeds/ holds them wrapped as replayable
exchanges; fixtures/gold/ holds the expected events and findings.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from reconcile.evaluate import gold_findings, load_gold
from reconcile.ground import ground_claim
from reconcile.ingest import ingest
from reconcile.models import (
    Claim,
    ClaimDraft,
    ClaimEvent,
    ExtractionResponse,
    Gold,
    Quote,
    SourceRef,
)
from reconcile.numbers import number_in_text, numbers_in

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_CLAIMS = ROOT / "fixtures" / "seeds-claims"
SEED_FIXTURES = ROOT / "fixtures" / "seeds"
GOLD = ROOT / "fixtures" / "gold"
SEED_ARTICLES = sorted(SEEDS.glob("*.txt"))
CLAIM_FILES = sorted(SEED_CLAIMS.glob("*.yaml"))
NEGATION = re.compile(r"\b(?:no|not|none|never|neither|without)\b", re.IGNORECASE)


def read_claims_file(path: Path) -> tuple[dict[str, Any], ExtractionResponse, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    response = ExtractionResponse.model_validate({"claims": data["claims"]})
    text = (SEEDS / data["article"]).read_text(encoding="utf-8")
    return data, response, text


def all_seed_claims() -> list[tuple[str, int, ClaimDraft, str]]:
    found = []
    for path in CLAIM_FILES:
        _, response, text = read_claims_file(path)
        found.extend((path.name, n, claim, text) for n, claim in enumerate(response.claims, start=1))
    return found


SEED_CLAIMS_PARAMS = [
    pytest.param(claim, text, id=f"{name}#{n}") for name, n, claim, text in all_seed_claims()
]


# --- The hand-written claims -------------------------------------------------


def test_every_sample_article_has_one_hand_written_claims_file() -> None:
    assert [p.stem for p in CLAIM_FILES] == [p.stem for p in SEED_ARTICLES]
    for path in CLAIM_FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(data) == {"recorded_by", "article", "claims"}
        assert data["recorded_by"] == "hand-written"
        assert data["article"] == f"{path.stem}.txt"


@pytest.mark.parametrize("path", CLAIM_FILES, ids=lambda p: p.name)
def test_claims_file_validates_as_the_models_answer(path: Path) -> None:
    _, response, _ = read_claims_file(path)
    assert len(response.claims) >= 15  # every checkable claim, not a sample of them


@pytest.mark.parametrize(("claim", "text"), SEED_CLAIMS_PARAMS)
def test_seed_quote_is_a_verbatim_substring_of_its_article(claim: ClaimDraft, text: str) -> None:
    assert claim.quote in text


@pytest.mark.parametrize(("claim", "text"), SEED_CLAIMS_PARAMS)
def test_seed_numbers_appear_in_the_quote(claim: ClaimDraft, text: str) -> None:
    wanted = [*numbers_in(claim.value), *(n for n in (claim.number, claim.number_high) if n is not None)]
    for number in wanted:
        if number == 0:
            assert NEGATION.search(claim.quote), f"{claim.value!r} claims zero but the quote has no negation"
        else:
            assert number_in_text(number, claim.quote), f"{number:g} of {claim.value!r} not in the quote"


@pytest.mark.parametrize(("claim", "text"), SEED_CLAIMS_PARAMS)
def test_seed_referring_expressions_are_verbatim(claim: ClaimDraft, text: str) -> None:
    for expression in claim.referring_expressions:
        assert expression.expression in text
        assert (expression.voice == "quoted") == (expression.quoted_from is not None)


@pytest.mark.parametrize(("claim", "text"), SEED_CLAIMS_PARAMS)
def test_seed_claim_grounds_exactly(claim: ClaimDraft, text: str) -> None:
    draft = Claim(
        id="seed.c1",
        article_id="seed",
        outlet="seed",
        facet=claim.facet,
        value=claim.value,
        event=ClaimEvent(**claim.event.model_dump()),
        source=SourceRef(name=claim.source, kind=claim.source_kind),
        stance=claim.stance,
        quote=Quote(text=claim.quote),
        number=claim.number,
        number_high=claim.number_high,
        qualifier=claim.qualifier,
        unit=claim.unit,
    )
    grounded = ground_claim(draft, text)
    assert grounded.grounding.status == "grounded", grounded.grounding.note
    assert grounded.quote.match == "exact"
    assert grounded.quote.start is not None and grounded.quote.end is not None
    assert text[grounded.quote.start : grounded.quote.end] == claim.quote


def test_the_same_original_source_has_the_same_name_across_articles() -> None:
    names = {claim.source for _, _, claim, _ in all_seed_claims()}
    assert "US-led coalition statement" in names
    assert "Syrian Observatory for Human Rights" in names
    # no second spelling of the sources that recur across articles
    for variant in ("US-led coalition", "Coalition statement", "SOHR", "the Pentagon", "Deir Ezzor24"):
        assert variant not in names


def test_the_green_village_attack_is_a_rocket_attack_with_eight_rockets_in_all_three_articles() -> None:
    eight = [
        (name, claim)
        for name, _, claim, _ in all_seed_claims()
        if claim.facet == "munition_count" and claim.number == 8
    ]
    assert sorted(name[:3] for name, _ in eight) == ["000", "001", "004"]
    for _, claim in eight:
        assert claim.event.type == "rocket_attack"
        assert claim.source == "US-led coalition statement"
        assert claim.stance == "reported"


def test_framing_expressions_of_the_design_are_captured() -> None:
    expressions = {
        (e.expression, e.voice) for _, _, claim, _ in all_seed_claims() for e in claim.referring_expressions
    }
    for wanted in [
        ("an illegal US military base sitting atop the Al-Omar oil field", "own"),
        ("base hosting US forces", "own"),
        ("Iran-supported malign actors", "quoted"),
        ("Iran-backed militias", "own"),
        ("self-defense militias", "own"),
        ("Iranian-affiliated groups", "own"),
        ("US-occupied energy facilities", "own"),
    ]:
        assert wanted in expressions


# --- The wrapped exchanges ---------------------------------------------------


def exchange_answer(path: Path) -> tuple[dict[str, Any], ExtractionResponse]:
    exchange = json.loads(path.read_text(encoding="utf-8"))
    call = exchange["response"]["choices"][0]["message"]["tool_calls"][0]
    return exchange, ExtractionResponse.model_validate_json(call["function"]["arguments"])


def test_seed_fixtures_carry_exactly_the_hand_written_claims() -> None:
    extract_fixtures = [
        path
        for path in sorted(SEED_FIXTURES.glob("*.json"))
        if json.loads(path.read_text(encoding="utf-8"))["stage"] == "extract"
    ]
    assert len(extract_fixtures) == len(CLAIM_FILES)
    by_article = {}
    for path in extract_fixtures:
        exchange, answer = exchange_answer(path)
        assert exchange["recorded_by"] == "hand-written"
        assert exchange["model"] == "hand-written"
        by_article[exchange["article_id"]] = answer
    for path in CLAIM_FILES:
        _, response, _ = read_claims_file(path)
        assert by_article[path.stem] == response, f"{path.name}: re-wrap fixtures/seeds (README)"


def test_seed_fixtures_hold_no_secret() -> None:
    for path in SEED_FIXTURES.glob("*.json"):
        text = path.read_text(encoding="utf-8").lower()
        assert "sk-" not in text
        assert "authorization" not in text
        assert "api_key" not in text


def test_seed_fixtures_are_current_for_the_prompt() -> None:
    from reconcile.llm.fixtures import check_fixtures

    articles = ingest([str(SEEDS)]).articles
    check = check_fixtures(SEED_FIXTURES, list(articles))
    assert check.clean, (check.stale, check.unused, check.missing)
    assert len(check.ok) == len(SEED_ARTICLES)


def test_replaying_the_sample_corpus_grounds_every_claim_with_no_network() -> None:
    from reconcile.extract import extract
    from reconcile.llm.fixtures import replay_client

    articles = ingest([str(SEEDS)]).articles
    run = extract(articles, client=replay_client(SEED_FIXTURES, strict=True))
    assert not run.failures
    assert run.usage.calls == 0  # answered from the fixtures, nothing sent
    assert run.recorded_by == ["hand-written"]
    assert len(run.claims) == len(all_seed_claims())
    ungrounded = [(c.id, c.grounding.note) for c in run.claims if not c.grounded]
    assert ungrounded == []


# --- The gold ----------------------------------------------------------------


@pytest.fixture(scope="module")
def gold() -> Gold:
    return load_gold(GOLD)


def test_gold_refers_to_existing_sample_articles(gold: Gold) -> None:
    assert sorted(gold.articles.values()) == [p.name for p in SEED_ARTICLES]
    for event in gold.events:
        for claim in event.claims:
            assert claim.article in gold.articles


def test_gold_quotes_are_verbatim(gold: Gold) -> None:
    for event in gold.events:
        for claim in event.claims:
            text = (SEEDS / gold.articles[claim.article]).read_text(encoding="utf-8")
            assert claim.quote in text, f"{event.id}: {claim.quote!r}"


def test_gold_has_one_claim_for_every_hand_written_claim(gold: Gold) -> None:
    hand_written = sorted(
        (name[:3], c.facet, c.value, c.source, c.quote) for name, _, c, _ in all_seed_claims()
    )
    annotated = sorted(
        (c.article, c.facet, c.value, c.source, c.quote) for event in gold.events for c in event.claims
    )
    assert annotated == hand_written


def test_gold_says_eight_rockets_is_three_outlets_and_one_original_source(gold: Gold) -> None:
    event = next(e for e in gold.events if e.id == "green-village-2022-01-05")
    finding = next(f for f in event.findings if f.facet == "munition_count")
    assert (finding.verdict, finding.outlets, finding.original_sources) == (
        "agree",
        3,
        ["US-led coalition statement"],
    )
    assert sorted({c.article for c in event.claims}) == ["000", "001", "004"]


def test_gold_explains_every_verdict_across_outlets(gold: Gold) -> None:
    for event in gold.events:
        for finding in gold_findings(event, gold):
            articles = {c.article for c in event.claims if c.facet == finding.facet}
            assert finding.outlets == len(articles)
            if len(articles) > 1:
                assert finding.verdict != "single_source"
                assert len(finding.reason) > 40


def test_gold_marks_the_drone_strikes_and_the_coalition_airstrikes_as_uncertain(gold: Gold) -> None:
    pairs = {frozenset(p.events) for p in gold.uncertain_pairs}
    assert (
        frozenset({"drone-strikes-western-deir-ezzor-2022-01-06", "coalition-strikes-al-mayadeen-2022-01-05"})
        in pairs
    )


# --- The test set with model mistakes ----------------------------------------

TESTS = ROOT / "fixtures" / "tests"
TEST_ARTICLES = TESTS / "articles"
TEST_EXCHANGES = TESTS / "exchanges"


def mistake_articles() -> list[Any]:
    return list(ingest([str(TEST_ARTICLES)]).articles)


def test_every_test_fixture_says_it_is_hand_written() -> None:
    files = [*TESTS.glob("claims/*.yaml"), *TESTS.glob("claims/*.json"), *TEST_EXCHANGES.glob("*.json")]
    assert len(files) == 5
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))  # YAML reads JSON too
        assert data["recorded_by"] == "hand-written", path


def test_the_first_answer_of_the_re_ask_case_is_really_schema_invalid() -> None:
    first = json.loads((TESTS / "claims" / "mayadeen-strike.first-answer.json").read_text(encoding="utf-8"))
    with pytest.raises(ValueError) as raised:
        ExtractionResponse.model_validate(first["arguments"])
    problems = {".".join(map(str, e["loc"])) for e in raised.value.errors()}  # type: ignore[attr-defined]
    assert {"claims.0.facet", "claims.0.number", "claims.0.stance"} <= problems


def test_replayed_mistakes_are_kept_and_marked_ungrounded() -> None:
    from reconcile.extract import extract
    from reconcile.llm.fixtures import replay_client

    run = extract(mistake_articles(), client=replay_client(TEST_EXCHANGES, strict=True))
    assert not run.failures
    status = {c.id: c.grounding.status for c in run.claims if c.article_id == "tanf-drones"}
    assert status == {
        "tanf-drones.c1": "number_not_in_quote",  # "Three drones" quoted with the sentence about two
        "tanf-drones.c2": "quote_not_found",  # paraphrased quote
        "tanf-drones.c3": "grounded",
        "tanf-drones.c4": "grounded",
        "tanf-drones.c5": "grounded",
        "tanf-drones.c6": "quote_not_found",  # invented claim of responsibility
    }
    strike = [c for c in run.claims if c.article_id == "mayadeen-strike"]
    assert len(strike) == 4 and all(c.grounded for c in strike)


def re_ask_fixture(directory: Path, *, with_valid_answer: bool) -> None:
    """The strike article's exchange with a schema-invalid first answer in front of the valid one."""
    from reconcile.models import Exchange

    [path] = TEST_EXCHANGES.glob("extract--mayadeen-strike--*.json")
    exchange = Exchange.model_validate_json(path.read_text(encoding="utf-8"))
    first = json.loads((TESTS / "claims" / "mayadeen-strike.first-answer.json").read_text(encoding="utf-8"))
    invalid = json.loads(json.dumps(exchange.response))
    invalid["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = json.dumps(
        first["arguments"]
    )
    two_bodies = exchange.model_copy(
        update={"response": invalid, "responses": [exchange.response] if with_valid_answer else []}
    )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / path.name).write_text(two_bodies.model_dump_json(indent=2), encoding="utf-8")


def test_a_schema_invalid_first_answer_is_re_asked_and_the_valid_answer_kept(tmp_path: Path) -> None:
    from reconcile.extract import extract
    from reconcile.llm.fixtures import replay_client

    re_ask_fixture(tmp_path, with_valid_answer=True)
    strike = [a for a in mistake_articles() if a.id == "mayadeen-strike"]
    run = extract(strike, client=replay_client(tmp_path, strict=True))
    assert not run.failures  # the first answer alone fails the article (next test): it was re-asked
    assert [(c.facet, c.value) for c in run.claims] == [
        ("target", "a weapons depot near al-Mayadeen"),
        ("damage", "destroyed the depot"),
        ("casualties", "no civilian casualties"),
        ("killed", "five militia members"),
    ]


def test_a_schema_invalid_answer_with_no_re_ask_fails_the_article_with_a_reason(tmp_path: Path) -> None:
    from reconcile.extract import extract
    from reconcile.llm.fixtures import replay_client

    re_ask_fixture(tmp_path, with_valid_answer=False)
    strike = [a for a in mistake_articles() if a.id == "mayadeen-strike"]
    run = extract(strike, client=replay_client(tmp_path, strict=True))
    assert run.claims == []
    [failure] = run.failures
    assert failure.article_id == "mayadeen-strike"
    assert "claims.0.facet" in failure.reason  # the reason names what did not fit the schema


def test_eval_scores_the_mistakes_and_nothing_else() -> None:
    from reconcile.evaluate import evaluate
    from reconcile.extract import extract
    from reconcile.llm.fixtures import replay_client
    from reconcile.models import Report

    articles = mistake_articles()
    run = extract(articles, client=replay_client(TEST_EXCHANGES, strict=True))
    result = evaluate(Report(articles=articles, claims=run.claims), load_gold(TESTS / "gold"))
    # 10 answered, 10 in gold; the wrong passage, the paraphrase and the invention do not
    # match, and the article's "No group has claimed responsibility" was missed.
    assert sorted(result.unmatched_predicted) == ["tanf-drones.c1", "tanf-drones.c2", "tanf-drones.c6"]
    assert sorted(result.unmatched_gold) == ["tanf-drones#1", "tanf-drones#2", "tanf-drones#6"]
    assert result.claims.precision == pytest.approx(7 / 10)
    assert result.claims.recall == pytest.approx(7 / 10)
    assert result.grounding.rate == pytest.approx(7 / 10)


def test_the_claims_files_wrap_as_written_into_the_committed_fixtures(tmp_path: Path) -> None:
    """The README's re-wrap command works on the files as committed and reproduces fixtures/seeds."""
    from reconcile.ingest import ingest
    from reconcile.llm.fixtures import wrap_claims_files

    articles = ingest([SEEDS]).articles
    result = wrap_claims_files(CLAIM_FILES, articles, tmp_path)
    assert not result.warnings
    for written in result.written:
        fresh = json.loads(written.read_text(encoding="utf-8"))
        committed = json.loads((SEED_FIXTURES / written.name).read_text(encoding="utf-8"))
        fresh.pop("recorded_at"), committed.pop("recorded_at")
        assert fresh == committed, written.name
