"""Reports built by hand for the brief's tests.

``build_sample_report`` uses the real sample texts (every quote is located in
its article, so offsets always slice back to the quote) plus one small invented
article that contradicts them on casualties, so every section of a brief shows.
``hostile_report`` puts markup, quotes and template syntax in every
article-derived field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

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

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

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
        values=[FindingValue.of(c) for c in claims],
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
    # Found by fuzzy match, so the brief shows the article's words and the extracted ones too.
    quote = Quote(
        text=f"extracted {HOSTILE}", start=start, end=start + len(HOSTILE), match="fuzzy", score=93.0
    )
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
        values=[FindingValue.of(claims[0]), FindingValue.of(claims[0])],
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
        run=RunInfo(
            model=f"model {HOSTILE}",
            warnings=[f"warning {HOSTILE}"],
            article_usage={"hostile": Usage(calls=1, input_tokens=10, output_tokens=5, cost_usd=None)},
        ),
    )


def requote(report: Report, claim_id: str, quote: Quote, grounding: Grounding | None = None) -> Report:
    """The report with one claim's quote (and grounding) replaced, in its findings too."""
    claims = [
        c.model_copy(update={"quote": quote, "grounding": grounding or c.grounding})
        if c.id == claim_id
        else c
        for c in report.claims
    ]
    grounded = {c.id: c.grounded for c in claims}
    findings = [
        f.model_copy(
            update={
                "values": [
                    v.model_copy(update={"quote": quote, "grounded": grounded[v.claim_id]})
                    if v.claim_id == claim_id
                    else v
                    for v in f.values
                ]
            }
        )
        for f in report.findings
    ]
    return Report.model_validate(
        report.model_copy(update={"claims": claims, "findings": findings}).model_dump()
    )


def _span(report: Report, article_id: str, words: str) -> tuple[int, int]:
    start = report.article(article_id).text.index(words)
    return start, start + len(words)


# The Jerusalem Post's words, and the slightly different wording an extraction gave for them.
JPOST_WORDS = 'accused "Iran-supported malign actors" of firing eight rockets towards a coalition base'
JPOST_EXTRACTED = "accused Iran-supported malign actors of firing eight rockets toward a coalition base"


def approximate_quotes_report() -> Report:
    """The sample report with a fuzzy match, a normalised match, and a fuzzy match that changed a number.

    - The Jerusalem Post's "eight rockets" quote was found by fuzzy match (96.4): grounded.
    - RT's troop number was found after normalising case and spaces: grounded.
    - The Jerusalem Post's "ten rockets" claim is closest to the article's "eight rockets"
      passage, but the number differs: ungrounded, with the closest passage's offsets kept.
    """
    report = build_sample_report()
    jpost, rt = "001_ff319505259e0261", "003_5f9ea44ed39dbe39"
    start, end = _span(report, jpost, JPOST_WORDS)
    report = requote(
        report,
        f"{jpost}.c1",
        Quote(text=JPOST_EXTRACTED, start=start, end=end, match="fuzzy", score=96.4),
    )
    start, end = _span(report, rt, "manned by at least 900 troops")
    report = requote(
        report,
        f"{rt}.c1",
        Quote(text="Manned by  at least 900 troops", start=start, end=end, match="normalized"),
    )
    start, end = _span(report, jpost, "of firing eight rockets towards a coalition base")
    return requote(
        report,
        f"{jpost}.c9",
        Quote(
            text="of firing ten rockets towards a coalition base",
            start=start,
            end=end,
            match="fuzzy",
            score=91.0,
        ),
        Grounding(
            status="quote_not_found",
            note="closest passage found by fuzzy match, but the article's words differ from the quote: "
            "number 10 in the quote, 8 in the article",
        ),
    )


def partly_failed_report(run: RunInfo | None = None) -> Report:
    """Six articles, four of which failed extraction, and one unreadable file.

    The two processed articles (The Jerusalem Post and Example Wire) contradict each
    other on casualties; the failed ones are still in ``articles`` with their text, as
    a run keeps them.
    """
    jan5 = dt.date(2022, 1, 5)
    articles = [
        _article("000_c264fff437d45357", None, dt.date(2022, 1, 6)),
        _article("001_ff319505259e0261", "The Jerusalem Post", jan5),
        _article("002_bc8e0ee3009c80c0", "Iran International", dt.date(2024, 8, 13)),
        _article("003_5f9ea44ed39dbe39", "RT", dt.date(2023, 10, 27)),
        _article("004_d30a712a2c6c1e7b", None, dt.date(2022, 9, 20)),
        _article("wire_green_village", "Example Wire", jan5, WIRE_TEXT),
    ]
    b = ReportBuilder(articles)
    none1 = b.claim(
        "001_ff319505259e0261.c1",
        "001_ff319505259e0261",
        "casualties",
        "No casualties",
        "No casualties were reported in the rocket attack",
        "outlet",
        "outlet",
        date=jan5,
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
    event = Event(
        id="ev1",
        type="rocket_attack",
        label="Rocket attack on the Green Village base",
        date=ResolvedDate(start=jan5, end=jan5, precision="day"),
        claim_ids=[none1.id, wounded.id],
        article_ids=[none1.article_id, wounded.article_id],
    )
    failed = [a for a in articles if a.id not in (none1.article_id, wounded.article_id)]
    return Report(
        generated_at=dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC),
        articles=articles,
        claims=b.claims,
        events=[event],
        findings=[_finding("ev1.casualties", "ev1", "casualties", "contradict", [none1, wounded], 0.9)],
        failures=[
            ArticleFailure(
                article_id=a.id,
                path=a.path,
                reason="the endpoint kept answering 429 Too Many Requests; gave up after 4 attempts",
                attempts=4,
            )
            for a in failed
        ],
        problems=[IngestProblem(path="seeds/notes.pdf", problem="unsupported file type .pdf")],
        run=run or RunInfo(),
    )
