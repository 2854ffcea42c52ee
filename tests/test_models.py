"""The data model rejects impossible values and survives a JSON round trip unchanged."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from pydantic import ValidationError

from reconcile.models import (
    Article,
    ArticleFailure,
    Claim,
    ClaimEvent,
    Event,
    EventLink,
    ExtractionResponse,
    Finding,
    FindingValue,
    FramingEntry,
    FramingTable,
    Grounding,
    IngestProblem,
    Quantity,
    Quote,
    ReferringExpression,
    Report,
    ResolvedDate,
    ResolvedPlace,
    RunInfo,
    SourceRef,
    SummarySentence,
    Usage,
)

TEXT = (
    'The US-led coalition accused "Iran-supported malign actors" of firing eight rockets '
    "towards a coalition base in the Deir Ezzor region of eastern Syria earlier in the day."
)
QUOTE = 'accused "Iran-supported malign actors" of firing eight rockets towards a coalition base'


def make_article(article_id: str = "001_jpost", text: str = TEXT) -> Article:
    return Article(
        id=article_id,
        path=f"seeds/{article_id}.txt",
        outlet="The Jerusalem Post",
        title="Iran-backed militias step up attacks against US forces in region",
        url="https://example.org/article",
        published=dt.date(2022, 1, 5),
        language="en",
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        notes={"outlet": "named in the text"},
    )


def make_quote(text: str = TEXT, quote: str = QUOTE) -> Quote:
    start = text.index(quote)
    return Quote(text=quote, start=start, end=start + len(quote), match="exact")


def make_claim(quote: Quote | None = None, article_id: str = "001_jpost") -> Claim:
    return Claim(
        id=f"{article_id}.c1",
        article_id=article_id,
        outlet="The Jerusalem Post",
        published=dt.date(2022, 1, 5),
        facet="munition_count",
        value="eight rockets",
        quantity=Quantity(low=8, high=8, qualifier="exact", unit="rockets", as_written="eight rockets"),
        event=ClaimEvent(
            type="rocket_attack",
            date_as_written="earlier in the day",
            date=ResolvedDate(start=dt.date(2022, 1, 5), end=dt.date(2022, 1, 5), precision="day"),
            place_as_written="a coalition base in the Deir Ezzor region",
            place=ResolvedPlace(
                canonical="Green Village", kind="base", within=["Deir ez-Zor", "Syria"], matched="Deir Ezzor"
            ),
            perpetrator="Iran-supported malign actors",
            target="coalition base",
        ),
        source=SourceRef(name="US-led coalition statement", kind="military"),
        stance="reported",
        quote=quote or make_quote(),
        grounding=Grounding(status="grounded"),
        referring_expressions=[
            ReferringExpression(
                referent="Iran-backed militias",
                referent_kind="armed_group",
                expression="Iran-supported malign actors",
                voice="quoted",
                quoted_from="US-led coalition",
            )
        ],
        number=8,
        qualifier="exact",
        unit="rockets",
    )


def make_report() -> Report:
    """A report with every section filled, so a round trip exercises every type."""
    article = make_article()
    claim = make_claim()
    value = FindingValue(
        claim_id=claim.id,
        article_id=article.id,
        outlet=article.outlet,
        value=claim.value,
        quantity=claim.quantity,
        quote=claim.quote,
        source=claim.source,
        stance=claim.stance,
        grounded=True,
    )
    return Report(
        generated_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        articles=[article],
        claims=[claim],
        events=[
            Event(
                id="e1",
                type="rocket_attack",
                label="Rocket attack on Green Village, 5 January 2022",
                date=ResolvedDate(start=dt.date(2022, 1, 5), end=dt.date(2022, 1, 5), precision="day"),
                place=ResolvedPlace(canonical="Green Village", kind="base"),
                claim_ids=[claim.id],
                article_ids=[article.id],
                possibly_same_as=[
                    EventLink(event_id="e2", score=0.4, reasons=["same day, places 30 km apart"])
                ],
            ),
        ],
        findings=[
            Finding(
                id="f1",
                event_id="e1",
                facet="munition_count",
                verdict="single_source",
                values=[value],
                outlets=[article.outlet],
                original_sources=["US-led coalition statement"],
                explanation="1 outlet, 1 original source (US-led coalition statement)",
                rank=1.5,
            )
        ],
        framing=[
            FramingTable(
                referent="Iran-backed militias",
                referent_kind="armed_group",
                entries=[
                    FramingEntry(
                        outlet=article.outlet,
                        article_id=article.id,
                        expression="Iran-supported malign actors",
                        voice="quoted",
                        quoted_from="US-led coalition",
                        loaded_terms=["malign"],
                        claim_id=claim.id,
                        start=30,
                        end=58,
                    )
                ],
            )
        ],
        failures=[
            ArticleFailure(
                article_id="002_other", reason="schema-invalid output after 3 attempts", attempts=3
            )
        ],
        problems=[
            IngestProblem(path="seeds/copy.txt", problem="duplicate", severity="warning", duplicate_of="x")
        ],
        summary=[SummarySentence(text="Eight rockets, by one original source.", finding_ids=["f1"])],
        run=RunInfo(
            model="test-model",
            mode="tools",
            recorded_by=["hand-written"],
            usage=Usage(calls=2, input_tokens=1000, output_tokens=200, cost_usd=0.01, retries=1),
            started_at=dt.datetime(2026, 1, 2, 3, 4, 0, tzinfo=dt.UTC),
            duration_s=5.0,
        ),
    )


# --- Round trips -----------------------------------------------------------------


def test_a_fully_populated_report_survives_a_json_round_trip_unchanged() -> None:
    report = make_report()
    restored = Report.model_validate_json(report.model_dump_json())
    assert restored == report
    assert restored.model_dump() == report.model_dump()


def test_the_round_trip_keeps_every_section_of_the_report() -> None:
    dumped = json.loads(make_report().model_dump_json())
    for section in ("articles", "claims", "events", "findings", "framing", "failures", "problems", "summary"):
        assert dumped[section], f"{section} should not be empty in the fully populated report"


def test_an_unbounded_quantity_round_trips_with_high_as_null() -> None:
    quantity = Quantity(low=16, high=None, qualifier="at_least", unit="attacks", as_written="at least 16")
    assert Quantity.model_validate_json(quantity.model_dump_json()) == quantity
    assert json.loads(quantity.model_dump_json())["high"] is None


def test_the_extraction_response_json_schema_is_generated_with_every_claim_field() -> None:
    schema = ExtractionResponse.model_json_schema()
    claim_schema = schema["$defs"]["ClaimDraft"]
    assert {"facet", "value", "event", "source", "stance", "quote"} <= set(claim_schema["required"])
    assert "munition_count" in json.dumps(claim_schema["properties"]["facet"])
    assert schema["properties"]["claims"]["type"] == "array"


# --- Validation ------------------------------------------------------------------


def test_a_report_rejects_quote_offsets_beyond_the_end_of_the_article_text() -> None:
    outside = Quote(text="eight rockets", start=len(TEXT) - 3, end=len(TEXT) + 10, match="exact")
    with pytest.raises(ValidationError, match="outside a text"):
        Report(articles=[make_article()], claims=[make_claim(quote=outside)])


def test_a_report_rejects_a_claim_about_an_article_it_does_not_contain() -> None:
    with pytest.raises(ValidationError, match="unknown article"):
        Report(articles=[make_article()], claims=[make_claim(article_id="999_missing")])


def test_a_report_rejects_a_finding_about_an_unknown_event() -> None:
    report = make_report()
    data = report.model_dump()
    data["findings"][0]["event_id"] = "no-such-event"
    with pytest.raises(ValidationError, match="unknown event"):
        Report.model_validate(data)


def test_a_quote_rejects_an_end_before_its_start() -> None:
    with pytest.raises(ValidationError, match="before start"):
        Quote(text="eight", start=10, end=5, match="exact")


def test_a_quote_rejects_negative_offsets() -> None:
    with pytest.raises(ValidationError):
        Quote(text="eight", start=-1, end=4, match="exact")


def test_a_quote_that_claims_a_match_needs_offsets() -> None:
    with pytest.raises(ValidationError, match="needs offsets"):
        Quote(text="eight", match="exact")


def test_a_quantity_rejects_a_low_bound_above_its_high_bound() -> None:
    with pytest.raises(ValidationError, match="greater than high"):
        Quantity(low=10, high=3, qualifier="range", as_written="10 to 3")


def test_a_quantity_rejects_a_bound_that_is_not_a_number() -> None:
    with pytest.raises(ValidationError):
        Quantity(low=float("nan"), high=3, qualifier="range", as_written="? to 3")
    with pytest.raises(ValidationError):
        Quantity(low=1, high=float("nan"), qualifier="range", as_written="1 to ?")


def _finding_data(verdict: str) -> dict[str, Any]:
    return make_report().findings[0].model_dump() | {"verdict": verdict}


@pytest.mark.parametrize("verdict", ["agree", "compatible", "contradict", "complementary", "single_source"])
def test_a_finding_accepts_each_known_verdict(verdict: str) -> None:
    assert Finding.model_validate(_finding_data(verdict)).verdict == verdict


@pytest.mark.parametrize("verdict", ["confirmed", "AGREE", "", None])
def test_a_finding_rejects_an_unknown_verdict(verdict: Any) -> None:
    with pytest.raises(ValidationError, match="unknown verdict"):
        Finding.model_validate(_finding_data(verdict))


@pytest.mark.parametrize(
    "bad_id", ["../x", "a/b", "..", "a..b", "", "-leading-dash", "with space", "x" * 201]
)
def test_an_article_rejects_ids_that_are_unsafe_as_file_names(bad_id: str) -> None:
    with pytest.raises(ValidationError, match="invalid id"):
        make_article(article_id=bad_id)


@pytest.mark.parametrize("bad_id", ["../x", "c/1"])
def test_a_claim_rejects_unsafe_ids(bad_id: str) -> None:
    data = make_claim().model_dump() | {"id": bad_id}
    with pytest.raises(ValidationError, match="invalid id"):
        Claim.model_validate(data)


def test_a_resolved_date_rejects_a_start_after_its_end() -> None:
    with pytest.raises(ValidationError, match="after end"):
        ResolvedDate(start=dt.date(2022, 1, 6), end=dt.date(2022, 1, 5), precision="range")


def test_a_resolved_date_needs_a_start_unless_it_is_unresolved() -> None:
    with pytest.raises(ValidationError, match="needs a start"):
        ResolvedDate(precision="day")
    assert ResolvedDate(note="no publication date").precision == "unresolved"


def test_an_article_rejects_blank_text_and_a_malformed_hash() -> None:
    with pytest.raises(ValidationError, match="empty"):
        make_article(text="  \n ")
    with pytest.raises(ValidationError, match="sha256"):
        Article(id="a", outlet="x", text="t", sha256="not-a-hash")


def test_models_reject_unknown_fields_so_typos_in_files_surface() -> None:
    data = make_article().model_dump() | {"outlett": "typo"}
    with pytest.raises(ValidationError, match="outlett"):
        Article.model_validate(data)
