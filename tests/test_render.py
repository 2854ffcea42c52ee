"""The brief renderer: Markdown, self-contained HTML and JSON from a Report.

The report here is built by hand over the real sample texts (quotes are located
in them, so every offset slices back to its quote), plus one small invented
article that contradicts them on casualties, so every section of a brief shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reconcile.errors import ConfigError
from reconcile.models import (
    Article,
    ArticleFailure,
    Claim,
    ClaimEvent,
    Event,
    EventLink,
    Finding,
    FindingValue,
    FramingEntry,
    FramingTable,
    Grounding,
    IngestProblem,
    Quantity,
    Quote,
    Report,
    ResolvedDate,
    ResolvedPlace,
    RunInfo,
    SourceRef,
    SummarySentence,
    Usage,
)
from reconcile.render import (
    highlight_article,
    markdown_escape,
    render_html,
    render_json,
    render_markdown,
    write_brief,
)

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"

HOSTILE = (
    "<script>alert(1)</script> \"double\" 'single' {{ 7*7 }} {% raw %} | pipe [link](http://x.test) &amp;"
)

WIRE_TEXT = (
    "Two contractors were wounded when rockets struck the Green Village base on Wednesday, "
    "a local official told Example Wire.\n"
)


def _article(article_id: str, outlet: str | None, published: dt.date, text: str | None = None) -> Article:
    body = text if text is not None else (SEEDS / f"{article_id}.txt").read_text(encoding="utf-8")
    return Article(
        id=article_id,
        path=f"seeds/{article_id}.txt",
        outlet=outlet or article_id,
        outlet_known=outlet is not None,
        title=None,
        url=None,
        published=published,
        language="en",
        text=body,
        sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
    )


class ReportBuilder:
    """Claims whose offsets are found in their article's text, so quotes always slice back."""

    def __init__(self, articles: list[Article]) -> None:
        self.articles = {a.id: a for a in articles}
        self.claims: list[Claim] = []

    def claim(
        self,
        claim_id: str,
        article_id: str,
        facet: str,
        value: str,
        quote: str,
        source: str,
        source_kind: str = "military",
        event_type: str = "rocket_attack",
        date: dt.date | None = None,
        date_as_written: str | None = None,
        quantity: tuple[float, float | None, str, str | None] | None = None,
        grounded: bool = True,
    ) -> Claim:
        article = self.articles[article_id]
        start = article.text.find(quote)
        if grounded:
            assert start >= 0, f"quote not in {article_id}: {quote!r}"
            quote_model = Quote(text=quote, start=start, end=start + len(quote), match="exact")
            grounding = Grounding(status="grounded")
        else:
            quote_model = Quote(text=quote, match="not_found")
            grounding = Grounding(status="quote_not_found", note="no passage of the article is close to it")
        resolved = ResolvedDate(start=date, end=date, precision="day") if date else None
        claim = Claim(
            id=claim_id,
            article_id=article_id,
            outlet=article.outlet,
            published=article.published,
            facet=facet,  # type: ignore[arg-type]
            value=value,
            quantity=(
                Quantity(
                    low=quantity[0],
                    high=quantity[1],
                    qualifier=quantity[2],
                    unit=quantity[3],
                    as_written=value,
                )  # type: ignore[arg-type]
                if quantity
                else None
            ),
            event=ClaimEvent(type=event_type, date_as_written=date_as_written, date=resolved),  # type: ignore[arg-type]
            source=SourceRef(name=source, kind=source_kind),  # type: ignore[arg-type]
            stance="reported",
            quote=quote_model,
            grounding=grounding,
        )
        self.claims.append(claim)
        return claim


def _value(claim: Claim) -> FindingValue:
    return FindingValue(
        claim_id=claim.id,
        article_id=claim.article_id,
        outlet=claim.outlet,
        value=claim.value,
        quantity=claim.quantity,
        quote=claim.quote,
        source=claim.source,
        stance=claim.stance,
        grounded=claim.grounded,
    )


def _finding(
    finding_id: str, event_id: str, facet: str, verdict: str, claims: list[Claim], rank: float
) -> Finding:
    grounded = [c for c in claims if c.grounded]
    outlets = list(dict.fromkeys(c.outlet for c in grounded))
    # The outlet's own voice is its own source; repeating a statement is not a new one.
    sources = list(dict.fromkeys(c.outlet if c.source.kind == "outlet" else c.source.name for c in grounded))
    return Finding(
        id=finding_id,
        event_id=event_id,
        facet=facet,  # type: ignore[arg-type]
        verdict=verdict,  # type: ignore[arg-type]
        values=[_value(c) for c in claims],
        outlets=outlets,
        original_sources=sources,
        explanation=f"{len(outlets)} outlet{'s' if len(outlets) != 1 else ''}, "
        f"{len(sources)} original source{'s' if len(sources) != 1 else ''}",
        rank=rank,
    )


def build_sample_report() -> Report:
    jan5 = dt.date(2022, 1, 5)
    articles = [
        _article("000_c264fff437d45357", None, dt.date(2022, 1, 6)),
        _article("001_ff319505259e0261", "The Jerusalem Post", jan5),
        _article("002_bc8e0ee3009c80c0", "Iran International", dt.date(2024, 8, 13)),
        _article("003_5f9ea44ed39dbe39", "RT", dt.date(2023, 10, 27)),
        _article("004_d30a712a2c6c1e7b", None, dt.date(2022, 9, 20)),
        _article("wire_green_village", "Example Wire", jan5, WIRE_TEXT),
    ]
    articles[1] = articles[1].model_copy(
        update={
            "title": "Iran-backed militias step up attacks against US forces in region",
            "url": "https://www.jpost.com/middle-east/article-692473",
        }
    )
    b = ReportBuilder(articles)
    a0, a1, a2, a3, a4 = (a.id for a in articles[:5])
    coalition = "US-led coalition statement"
    count0 = b.claim(
        f"{a0}.c1",
        a0,
        "munition_count",
        "eight rockets",
        "its forces were targeted with eight rockets launched at a base known as 'Green Village,'",
        coalition,
        date=jan5,
        date_as_written="yesterday, Wednesday",
        quantity=(8, 8, "exact", "rockets"),
    )
    count1 = b.claim(
        f"{a1}.c1",
        a1,
        "munition_count",
        "eight rockets",
        'accused "Iran-supported malign actors" of firing eight rockets towards a coalition base',
        coalition,
        date=jan5,
        date_as_written="Wednesday",
        quantity=(8, 8, "exact", "rockets"),
    )
    count4 = b.claim(
        f"{a4}.c1",
        a4,
        "munition_count",
        "eight rockets",
        "coalition forces at Green Village were attacked by Iran-backed malign actors with eight rockets",
        coalition,
        date=jan5,
        date_as_written="January 5",
        quantity=(8, 8, "exact", "rockets"),
    )
    count_ungrounded = b.claim(
        f"{a1}.c9",
        a1,
        "munition_count",
        "ten rockets",
        "ten rockets were fired at Green Village",
        coalition,
        grounded=False,
    )
    none0 = b.claim(
        f"{a0}.c2",
        a0,
        "casualties",
        "did not result in any casualties",
        "the attack did not result in any casualties",
        coalition,
        date=jan5,
        date_as_written="yesterday, Wednesday",
        quantity=(0, 0, "none", None),
    )
    none1 = b.claim(
        f"{a1}.c2",
        a1,
        "casualties",
        "No casualties",
        "No casualties were reported in the rocket attack",
        "outlet",
        "outlet",
        quantity=(0, 0, "none", None),
    )
    wounded = b.claim(
        "wire_green_village.c1",
        "wire_green_village",
        "casualties",
        "Two contractors were wounded",
        "Two contractors were wounded when rockets struck the Green Village base on Wednesday",
        "local official",
        "anonymous",
        date=jan5,
        date_as_written="on Wednesday",
        quantity=(2, 2, "exact", "contractors"),
    )
    shells = b.claim(
        f"{a0}.c3",
        a0,
        "response",
        "returned fire with six artillery shells",
        "returned fire with six artillery shells towards the source of the fire",
        coalition,
    )
    strikes = b.claim(
        f"{a1}.c3",
        a1,
        "response",
        "airstrikes against rocket launch sites before the attack",
        "Before the attack, the coalition conducted airstrikes against rocket launch sites",
        coalition,
    )
    mosque = b.claim(
        f"{a1}.c4",
        a1,
        "damage",
        "one of the rockets hit a mosque",
        "one of the rockets fired towards the base hit a mosque nearby",
        "Deir Ezzor 24",
        "media",
    )
    drones = b.claim(
        f"{a0}.c4",
        a0,
        "casualties",
        "Several fatalities and injuries",
        "Several fatalities and injuries have been reported following attacks by unidentified drones",
        "Syrian Observatory for Human Rights",
        "monitor",
        event_type="drone_attack",
        date=dt.date(2022, 1, 6),
        date_as_written="today, Thursday",
        quantity=(3, 9, "vague", None),
    )
    mayadeen = b.claim(
        f"{a1}.c5",
        a1,
        "casualties",
        "death and injuries",
        "death and injuries were reported among Iran-backed militias near the city of Al-Mayadeen",
        "Deir Ezzor 24",
        "media",
        event_type="airstrike",
        date=jan5,
        date_as_written="Wednesday evening",
    )
    troops2 = b.claim(
        f"{a2}.c1",
        a2,
        "troop_count",
        "approximately 900 US troops",
        "approximately 900 US troops in Syria",
        "outlet",
        "outlet",
        event_type="background",
        quantity=(900, 900, "approximate", "troops"),
    )
    troops3 = b.claim(
        f"{a3}.c1",
        a3,
        "troop_count",
        "at least 900 troops",
        "manned by at least 900 troops",
        "outlet",
        "outlet",
        event_type="background",
        quantity=(900, None, "at_least", "troops"),
    )
    injured = b.claim(
        f"{a2}.c2",
        a2,
        "injured",
        "eight US service members",
        "eight US service members sustained injuries during a drone assault on a base in Syria",
        "Pentagon",
        "government",
        event_type="drone_attack",
    )

    green = ResolvedPlace(
        canonical="Green Village", kind="base", within=["Deir Ezzor"], matched="Green Village"
    )
    events = [
        Event(
            id="ev1",
            type="rocket_attack",
            label="Rocket attack on the Green Village base",
            date=ResolvedDate(start=jan5, end=jan5, precision="day"),
            place=green,
            claim_ids=[
                c.id
                for c in (
                    count0,
                    count1,
                    count4,
                    count_ungrounded,
                    none0,
                    none1,
                    wounded,
                    shells,
                    strikes,
                    mosque,
                )
            ],
            article_ids=[a0, a1, a4, "wire_green_village"],
        ),
        Event(
            id="ev2",
            type="drone_attack",
            label="Drone strikes on militia sites, western Deir Ezzor countryside",
            date=ResolvedDate(start=dt.date(2022, 1, 6), end=dt.date(2022, 1, 6), precision="day"),
            claim_ids=[drones.id],
            article_ids=[a0],
            possibly_same_as=[
                EventLink(
                    event_id="ev3",
                    score=0.5,
                    reasons=[
                        "both hit Iran-backed militias in Deir Ezzor province within a day",
                        "places differ: Tabni and Sarsak (western countryside) versus near al-Mayadeen",
                        "unidentified drones versus coalition airstrikes",
                    ],
                )
            ],
        ),
        Event(
            id="ev3",
            type="airstrike",
            label="Coalition airstrikes near al-Mayadeen",
            date=ResolvedDate(start=jan5, end=jan5, precision="day"),
            claim_ids=[mayadeen.id],
            article_ids=[a1],
        ),
        Event(
            id="ev4",
            type="drone_attack",
            label="Drone assault on a base in Syria",
            claim_ids=[injured.id],
            article_ids=[a2],
        ),
        Event(
            id="topic1",
            kind="topic",
            type="background",
            label="US troops in Syria",
            claim_ids=[troops2.id, troops3.id],
            article_ids=[a2, a3],
        ),
    ]
    findings = [
        _finding(
            "ev1.munition_count",
            "ev1",
            "munition_count",
            "agree",
            [count0, count1, count4, count_ungrounded],
            0.8,
        ),
        _finding("ev1.casualties", "ev1", "casualties", "contradict", [none0, none1, wounded], 0.95),
        _finding("ev1.response", "ev1", "response", "complementary", [shells, strikes], 0.5),
        _finding("ev1.damage", "ev1", "damage", "single_source", [mosque], 0.2),
        _finding("ev2.casualties", "ev2", "casualties", "single_source", [drones], 0.3),
        _finding("ev3.casualties", "ev3", "casualties", "single_source", [mayadeen], 0.3),
        _finding("topic1.troop_count", "topic1", "troop_count", "compatible", [troops2, troops3], 0.4),
    ]
    framing = [
        FramingTable(
            referent="Iran-backed militias",
            referent_kind="armed_group",
            entries=[
                FramingEntry(
                    outlet="The Jerusalem Post",
                    article_id=a1,
                    expression="Iran-supported malign actors",
                    voice="quoted",
                    quoted_from="US-led coalition",
                    loaded_terms=["malign"],
                ),
                FramingEntry(
                    outlet="The Jerusalem Post", article_id=a1, expression="Iran-backed militias", voice="own"
                ),
                FramingEntry(
                    outlet="RT",
                    article_id=a3,
                    expression="self-defense militias",
                    voice="own",
                    loaded_terms=["self-defense"],
                ),
                FramingEntry(outlet=a0, article_id=a0, expression="Iranian-backed militias", voice="own"),
            ],
        ),
        FramingTable(
            referent="US bases in eastern Syria",
            referent_kind="base",
            entries=[
                FramingEntry(
                    outlet="RT",
                    article_id=a3,
                    expression="illegal US military base",
                    voice="own",
                    loaded_terms=["illegal"],
                ),
                FramingEntry(
                    outlet="The Jerusalem Post",
                    article_id=a1,
                    expression="base hosting US forces",
                    voice="own",
                ),
            ],
        ),
    ]
    return Report(
        generated_at=dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC),
        articles=articles,
        claims=b.claims,
        events=events,
        findings=findings,
        framing=framing,
        failures=[
            ArticleFailure(
                article_id="005_garbled",
                path="seeds/005_garbled.txt",
                reason=("the model's answer failed validation 3 times: claims.0.quote: field required"),
                attempts=3,
            )
        ],
        problems=[
            IngestProblem(
                path="seeds/notes.pdf", problem="unsupported file type .pdf; use .txt, .md, .html or .jsonl"
            )
        ],
        run=RunInfo(
            model="gpt-4o-mini",
            mode="tools",
            replay_dir="fixtures/seeds",
            recorded_by=["hand-written"],
            usage=Usage(calls=6, input_tokens=18_400, output_tokens=4_210, cost_usd=0.0),
        ),
    )


def hostile_report() -> Report:
    """Every article-derived field carries markup, quotes and template syntax."""
    text = f"Intro. {HOSTILE} Outro."
    article = Article(
        id="hostile",
        outlet=f"Outlet {HOSTILE}",
        title=f"Title {HOSTILE}",
        url="javascript:alert(1)",
        published=dt.date(2024, 1, 1),
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    start = text.index("<script>")
    quote = Quote(text=HOSTILE, start=start, end=start + len(HOSTILE), match="exact")
    claims = [
        Claim(
            id=f"hostile.c{i}",
            article_id="hostile",
            outlet=article.outlet,
            facet="munition_count",
            value=f"value {HOSTILE}",
            event=ClaimEvent(type="rocket_attack", date_as_written=HOSTILE),
            source=SourceRef(name=f"source {HOSTILE}", kind="other"),
            stance="reported",
            quote=quote,
            grounding=Grounding(status="grounded" if i == 1 else "number_not_in_quote", note=HOSTILE),
        )
        for i in (1, 2)
    ]
    event = Event(
        id="e1",
        type="rocket_attack",
        label=f"label {HOSTILE}",
        claim_ids=[c.id for c in claims],
        article_ids=["hostile"],
        possibly_same_as=[EventLink(event_id="e1", score=0.1, reasons=[HOSTILE])],
    )
    finding = Finding(
        id="f1",
        event_id="e1",
        facet="munition_count",
        verdict="contradict",
        values=[_value(claims[0]), _value(claims[0])],
        outlets=[article.outlet, "other"],
        original_sources=[claims[0].source.name],
        explanation=f"explained {HOSTILE}",
        rank=1,
    )
    return Report(
        articles=[article],
        claims=claims,
        events=[event],
        findings=[finding],
        framing=[
            FramingTable(
                referent=HOSTILE,
                referent_kind="other",
                entries=[
                    FramingEntry(
                        outlet=article.outlet,
                        article_id="hostile",
                        expression=HOSTILE,
                        voice="quoted",
                        quoted_from=HOSTILE,
                        loaded_terms=["script"],
                    )
                ],
            )
        ],
        failures=[ArticleFailure(article_id="x", reason=HOSTILE)],
        problems=[IngestProblem(path=HOSTILE, problem=HOSTILE)],
        summary=[SummarySentence(text=HOSTILE, finding_ids=["f1"])],
    )


@pytest.fixture(scope="module")
def report() -> Report:
    return build_sample_report()


# --- Markdown ---------------------------------------------------------------


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE or not path.exists():
        if not UPDATE and os.environ.get("CI"):
            pytest.fail(f"snapshot {path} is missing; run with UPDATE_SNAPSHOTS=1 and commit it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} changed; if intended, regenerate with UPDATE_SNAPSHOTS=1 and review the diff"
    )


def test_markdown_brief_matches_its_snapshot(report: Report) -> None:
    check_snapshot("sample_report.md", render_markdown(report))


def test_markdown_key_findings_put_contradictions_first(report: Report) -> None:
    text = render_markdown(report)
    key = text.split("## Key findings", 1)[1].split("## Events", 1)[0]
    first = key.strip().splitlines()[0]
    assert first.startswith(
        "1. ✖ **Rocket attack on the Green Village base**: Outlets contradict each other on casualties"
    )
    assert "3 outlets agree on munitions fired: **eight rockets**, all from 1 original source" in key


def test_markdown_tables_keep_their_columns_with_pipes_in_article_text() -> None:
    text = render_markdown(hostile_report())
    for line in text.splitlines():
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) in (5, 8, 9), line  # framing 3 columns, facts 7, ungrounded 6 (+2 edges)


def test_markdown_leaves_hostile_text_inert() -> None:
    text = render_markdown(hostile_report())
    assert "<script>" not in text
    assert r"\<script\>alert(1)\</script\>" in text
    assert r"{{ 7\*7 }}" in text and "{% raw %}" in text
    assert "49" not in text
    assert "[link](" not in text and r"\[link\](http://x.test)" in text  # not a link in the brief
    assert "&amp;amp;" in text  # an entity in the text shows as written, not as "&"


def test_markdown_escape_keeps_values_on_one_line_and_out_of_block_syntax() -> None:
    assert markdown_escape("a\nb | c") == r"a b \| c"
    assert markdown_escape("# heading") == r"\# heading"
    assert markdown_escape("1. item") == r"1\. item"
    assert markdown_escape("- item") == r"\- item"


def test_ungrounded_claims_are_set_apart_and_never_shown_as_support(report: Report) -> None:
    text = render_markdown(report)
    events_part, rest = text.split("## Events", 1)[1].split("## Framing", 1)
    assert "001_ff319505259e0261.c9" not in events_part
    assert "001_ff319505259e0261.c9" not in text.split("## Events", 1)[0]
    ungrounded = rest.split("## Ungrounded claims", 1)[1].split("## Not processed", 1)[0]
    assert "| ten rockets |" in ungrounded and "quote not found in the article" in ungrounded


def test_markdown_lists_unprocessed_inputs_with_their_reason(report: Report) -> None:
    text = render_markdown(report)
    assert "- seeds/005\\_garbled.txt (extract): the model's answer failed validation 3 times" in text
    assert "- seeds/notes.pdf (ingest): unsupported file type .pdf" in text


# --- HTML -------------------------------------------------------------------


def _parse_strict(page: str):  # type: ignore[no-untyped-def]
    html5lib = pytest.importorskip("html5lib")
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(page)


def test_html_brief_parses_without_errors(report: Report) -> None:
    document = _parse_strict(render_html(report))
    assert document.find(".//title") is not None


def test_html_brief_is_self_contained(report: Report) -> None:
    page = render_html(report)
    document = _parse_strict(page)
    assert not [e for e in document.iter() if e.get("src")], "nothing may be loaded from elsewhere"
    assert document.findall(".//link") == []
    assert "@import" not in page and "url(" not in page
    csp = document.find(".//meta[@http-equiv='Content-Security-Policy']")
    assert csp is not None and "default-src 'none'" in csp.get("content")
    external = [a.get("href") for a in document.iter("a") if not a.get("href", "#").startswith("#")]
    assert external == ["https://www.jpost.com/middle-east/article-692473"]  # a link to read, not a fetch


def test_html_inline_style_and_script_match_their_csp_hashes(report: Report) -> None:
    import base64

    document = _parse_strict(render_html(report))
    csp = document.find(".//meta[@http-equiv='Content-Security-Policy']").get("content")
    for tag in ("style", "script"):
        (element,) = document.findall(f".//{tag}")
        digest = base64.b64encode(hashlib.sha256(element.text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_every_fact_links_to_its_quote_highlighted_in_the_article(report: Report) -> None:
    document = _parse_strict(render_html(report))
    ids = {e.get("id"): e for e in document.iter() if e.get("id")}
    for finding in report.findings:
        for value in finding.values:
            if not value.grounded:
                continue
            row = ids[f"v-{finding.id}-{value.claim_id}"]
            links = [a.get("href") for a in row.iter("a")]
            assert f"#q-{value.claim_id}" in links
            mark = ids[f"q-{value.claim_id}"]
            assert mark.tag == "mark"
            text = report.article(value.article_id).text
            assert value.quote.start is not None and value.quote.end is not None
            assert "".join(mark.itertext()).replace("↩", "") in text[value.quote.start : value.quote.end]


def test_highlighting_overlapping_quotes_keeps_the_text_and_every_anchor() -> None:
    text = 'He said "<b>eight</b> rockets" & left.'
    spans = [(8, 30, "a.c1", "v-1"), (13, 18, "a.c2", None), (8, 30, "a.c3", None), (0, 2, "a.c4", "v-4")]
    marked = str(highlight_article(text, spans))
    plain = html.unescape(re.sub(r"<[^>]+>", "", marked)).replace("↩", "")
    assert plain == text
    for claim_id in ("a.c1", "a.c2", "a.c3", "a.c4"):
        assert f'id="q-{claim_id}"' in marked
    assert "<b>" not in marked


def test_html_leaves_hostile_text_inert() -> None:
    page = render_html(hostile_report())
    document = _parse_strict(page)
    scripts = document.findall(".//script")
    assert len(scripts) == 1 and "alert" not in (scripts[0].text or "")
    assert "<script>alert(1)</script>" not in page
    assert "{{ 7*7 }}" in page and "{% raw %}" in page
    assert "49" not in page
    for element in document.iter():
        assert not [name for name in element.attrib if name.startswith("on")], element.attrib
    # Quotes inside attribute values stay inside them: the title holds the whole hostile text.
    titles = [e.get("title") for e in document.iter("mark")]
    assert titles and all(t.startswith("claim hostile.c") for t in titles)
    assert not [a for a in document.iter("a") if (a.get("href") or "").startswith("javascript:")]
    assert "javascript:alert(1)" in page  # shown as text, not linked


def test_html_summary_sentences_link_to_their_findings() -> None:
    document = _parse_strict(render_html(hostile_report()))
    summary = document.find(".//section[@id='summary']")
    assert summary is not None
    assert [a.get("href") for a in summary.iter("a")] == ["#f-f1"]


# --- JSON -------------------------------------------------------------------


def test_json_brief_is_the_full_report_and_validates_against_the_schema(report: Report) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(render_json(report))
    jsonschema.validate(data, Report.model_json_schema())
    assert Report.model_validate(data) == report


def test_json_schema_rejects_a_report_with_an_unknown_verdict(report: Report) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(render_json(report))
    data["findings"][0]["verdict"] = "probably"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, Report.model_json_schema())


# --- Writing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "starts_with"),
    [("brief.md", "# Cross-source brief"), ("brief.html", "<!DOCTYPE html>"), ("brief.json", "{")],
)
def test_write_brief_chooses_the_format_by_suffix(
    report: Report, tmp_path: Path, name: str, starts_with: str
) -> None:
    target = tmp_path / "out" / name
    target.parent.mkdir()
    target.write_text("old content")
    assert write_brief(report, target) == target
    assert target.read_text(encoding="utf-8").startswith(starts_with)
    assert sorted(p.name for p in target.parent.iterdir()) == [name], "no temporary file is left behind"


def test_write_brief_to_dash_prints_markdown(report: Report, capsys: pytest.CaptureFixture[str]) -> None:
    assert write_brief(report, "-") is None
    assert capsys.readouterr().out == render_markdown(report)


def test_write_brief_refuses_an_unknown_suffix(report: Report, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"brief\.pdf: use a name ending in \.md, \.html or \.json"):
        write_brief(report, tmp_path / "brief.pdf")
    assert list(tmp_path.iterdir()) == []


# --- In a browser -----------------------------------------------------------


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    _chromium() is None, reason="chromium is not installed (scripts/check_html.py installs it)"
)
def test_html_brief_loads_in_chromium_without_console_errors(report: Report, tmp_path: Path) -> None:
    page = tmp_path / "brief.html"
    write_brief(report, page)
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_html.py"), str(page), "--no-install"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 console errors" in result.stdout


def test_schema_command_prints_the_report_schema_the_json_brief_validates_against(
    report: Report, tmp_path: Path
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from typer.testing import CliRunner

    from reconcile.cli import app

    printed = CliRunner().invoke(app, ["schema"])
    assert printed.exit_code == 0, printed.output
    schema = json.loads(printed.stdout)
    jsonschema.validate(json.loads(render_json(report)), schema)

    target = tmp_path / "report.schema.json"
    written = CliRunner().invoke(app, ["schema", "-o", str(target)])
    assert written.exit_code == 0, written.output
    assert json.loads(target.read_text(encoding="utf-8")) == schema
