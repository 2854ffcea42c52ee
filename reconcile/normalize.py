"""Normalisation: dates, places, quantities and munitions read the same way across outlets.

Deterministic, no LLM. Each claim keeps its words as written; this stage adds what
they mean so later stages can compare them:

- dates: "yesterday, Wednesday" against the publication date -> a day, a range, a
  week, a month or a year, with a note when a stated weekday does not fit;
- places: "near the city of Al-Mayadeen" -> the gazetteer's al-Mayadeen with its
  containment chain; unknown names stay unknown (fuzzy matches only above a threshold);
- quantities: "approximately 900" -> an interval, qualifier kept (rules in
  ``parse_quantity``);
- munitions: "UAV" -> drone, "projectiles" -> the supertype of rockets and missiles.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import gc
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError
from rapidfuzz import fuzz, process

from reconcile.errors import InputError
from reconcile.models import (
    Claim,
    Gazetteer,
    GazetteerEntry,
    PlaceKind,
    Qualifier,
    Quantity,
    ResolvedDate,
    ResolvedPlace,
)
from reconcile.numbers import number_spans, parse_number

# ============================================================================
# Dates
# ============================================================================

_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = r"\b(?P<{}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b"
_DAY = r"(?P<{}>\d{{1,2}})(?:st|nd|rd|th)?\b"
_YEAR = r"(?P<{}>(?:19|20)\d\d)\b"
_WEEKDAY_RE = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b")
_TO = r"\s*(?:-|to|and|through|until|till)\s*"

# Explicit dates and ranges, tried in this order; names of groups say what they hold.
_DATE_RANGE_PATTERNS = [
    # "between October 17 and November 2 2023", "October 17 - November 2"
    re.compile(
        rf"(?:between\s+|from\s+)?{_MONTH.format('m1')}\s+{_DAY.format('d1')}{_TO}"
        rf"{_MONTH.format('m2')}\s+{_DAY.format('d2')}(?:\s+{_YEAR.format('y')})?"
    ),
    # "between October 17 and 24", "October 17-24, 2023"
    re.compile(
        rf"(?:between\s+|from\s+)?{_MONTH.format('m1')}\s+{_DAY.format('d1')}{_TO}{_DAY.format('d2')}"
        rf"(?:\s+{_YEAR.format('y')})?"
    ),
    # "between 17 and 24 October", "17-24 October 2023"
    re.compile(
        rf"(?:between\s+|from\s+)?\b{_DAY.format('d1')}{_TO}{_DAY.format('d2')}\s+(?:of\s+)?{_MONTH.format('m1')}"
        rf"(?:\s+{_YEAR.format('y')})?"
    ),
    # "17 October to 2 November"
    re.compile(
        rf"(?:between\s+|from\s+)?\b{_DAY.format('d1')}\s+(?:of\s+)?{_MONTH.format('m1')}{_TO}"
        rf"{_DAY.format('d2')}\s+(?:of\s+)?{_MONTH.format('m2')}(?:\s+{_YEAR.format('y')})?"
    ),
]
_MONTH_DAY = re.compile(rf"{_MONTH.format('m')}\s+{_DAY.format('d')}(?:\s+{_YEAR.format('y')})?")
_DAY_MONTH = re.compile(rf"\b{_DAY.format('d')}\s+(?:of\s+)?{_MONTH.format('m')}(?:\s+{_YEAR.format('y')})?")
_PART_OF_MONTH = re.compile(
    rf"\b(?P<part>early|mid|late)\s*-?\s*{_MONTH.format('m')}(?:\s+{_YEAR.format('y')})?"
)
_MONTH_YEAR = re.compile(rf"{_MONTH.format('m')}\s+(?:of\s+)?{_YEAR.format('y')}")
_MONTH_ALONE = re.compile(r"\b(" + "|".join(m for m in _MONTHS if len(m) > 3) + r")\b")
_YEAR_ALONE = re.compile(r"\b((?:19|20)\d\d)\b")
_DECADE = re.compile(r"\b((?:19|20)\d)0'?s\b")  # "the 2010s" (dateparser reads it as 2010 seconds ago)
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_SINCE = re.compile(r"^\s*since\s+(?P<rest>.+)$")
# Words that move a date away from what it names ("two days before Wednesday"): with
# these, the simple rules below would be wrong, so dateparser gets the text instead.
_SHIFT_WORDS = re.compile(r"\b(before|after|ago|next|following|prior|until|till|coming|tomorrow)\b")

# Relative periods that need the publication date: (pattern, what it covers).
_RelativeRule = Literal[
    "today", "yesterday", "day_before_yesterday", "overnight", "this_week", "last_week", "past_week",
    "this_month", "last_month", "past_month", "this_year", "last_year", "recent_days", "past_n_days",
]  # fmt: skip
_RELATIVE_PERIODS: list[tuple[re.Pattern[str], _RelativeRule]] = [
    (re.compile(r"\b(?:the )?day before yesterday\b"), "day_before_yesterday"),
    (re.compile(r"\bthis month\b|\bsince the (?:start|beginning) of the month\b"), "this_month"),
    (re.compile(r"\b(?:last|previous) month\b"), "last_month"),
    (re.compile(r"\b(?:the )?past month\b|\blast 30 days\b"), "past_month"),
    (re.compile(r"\bthis year\b|\bsince the (?:start|beginning) of the year\b"), "this_year"),
    (re.compile(r"\b(?:last|previous) year\b"), "last_year"),
    (re.compile(r"\b(?:earlier |later )?this week\b"), "this_week"),
    (re.compile(r"\b(?:the )?past week\b|\blast seven days\b|\blast 7 days\b"), "past_week"),
    (re.compile(r"\b(?:last|previous) week\b"), "last_week"),
    (re.compile(r"\b(?:past|previous|last) (?P<n>\w+) days\b"), "past_n_days"),
    (re.compile(r"\b(?:in |over )?(?:recent days|(?:the )?(?:past|last) few days)\b"), "recent_days"),
    (re.compile(r"\bovernight\b|\b(?:past|last) (?:24|twenty-four) hours\b"), "overnight"),
    (re.compile(r"\byesterday\b|\blast night\b"), "yesterday"),
    (re.compile(r"\btoday\b|\btonight\b|\bthis (?:morning|afternoon|evening)\b|"
                r"\b(?:earlier|later) in the day\b|\bearlier today\b|\blater that day\b|\bthe same day\b"),
     "today"),
]  # fmt: skip


def resolve_date(as_written: str | None, published: dt.date | None) -> ResolvedDate:
    """Resolve a date as written against the article's publication date.

    Weekdays are the most recent such day on or before publication ("today,
    Thursday" on a Thursday is that day); "last Wednesday" is strictly before it.
    Month and day without a year are the most recent such date on or before
    publication. "last week" is the 7 days before publication (precision week);
    "earlier this month" runs from the 1st to the publication date (precision
    month). A stated weekday that does not fit the stated date is flagged, and the
    date part wins. Without a publication date, relative dates stay unresolved and
    say so; absolute dates with a year still resolve.
    """
    result = _resolve_date_cached(as_written or "", published)
    return result.model_copy()


@functools.lru_cache(maxsize=65_536)
def _resolve_date_cached(as_written: str, published: dt.date | None) -> ResolvedDate:
    text = _clean_date_text(as_written)
    if not text:
        return ResolvedDate(note="no date given")
    resolved = _resolve_by_rules(as_written, text, published)
    if resolved is None:
        resolved = _resolve_with_dateparser(as_written, text, published)
    if resolved.start and published and resolved.start > published:
        note = f"{resolved.start.isoformat()} is after the publication date {published.isoformat()}"
        resolved = resolved.model_copy(update={"note": _join_notes(resolved.note, note)})
    return resolved


def _clean_date_text(text: str) -> str:
    text = text.casefold().replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"\b\d{1,2}(?::\d\d)?\s*(?:a\.?m\.?|p\.?m\.?)(?=\s|$)", " ", text)  # times of day
    text = re.sub(r"\b\d{1,2}:\d\d\b", " ", text)
    text = re.sub(r"(?<=[a-z])\.", " ", text)  # "Jan. 5", "Wed."
    text = re.sub(r"[,;()\[\]\"]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _no_publication(as_written: str) -> ResolvedDate:
    return ResolvedDate(note=f"no publication date to resolve {as_written.strip()!r} against")


def _day(day: dt.date, note: str | None = None, mismatch: bool = False) -> ResolvedDate:
    return ResolvedDate(start=day, end=day, precision="day", note=note, weekday_mismatch=mismatch)


def _span(
    start: dt.date,
    end: dt.date,
    precision: Literal["range", "week", "month", "year"],
    published: dt.date | None = None,
) -> ResolvedDate:
    if published is not None and start <= published < end:
        end = published  # what a report describes has happened by the time it is published
    return ResolvedDate(start=start, end=end, precision=precision)


def _month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def _most_recent(month: int, day: int, published: dt.date) -> dt.date | None:
    """The latest ``month``/``day`` on or before ``published`` (29 February looks back to a leap year)."""
    for year in range(published.year, published.year - 9, -1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate <= published:
            return candidate
    return None


def _weekday_on_or_before(weekday: int, published: dt.date, strictly_before: bool = False) -> dt.date:
    back = (published.weekday() - weekday) % 7
    if back == 0 and strictly_before:
        back = 7
    return published - dt.timedelta(days=back)


def _check_weekday(resolved: ResolvedDate, text: str, as_written: str) -> ResolvedDate:
    """Flag a stated weekday that does not fit a single resolved day."""
    named = {_WEEKDAYS[w] for w in _WEEKDAY_RE.findall(text)}
    if not named or resolved.precision != "day" or resolved.start is None:
        return resolved
    actual = resolved.start.weekday()
    if actual in named:
        return resolved
    stated = ", ".join(calendar.day_name[w] for w in sorted(named))
    note = (
        f"{as_written.strip()!r} names {stated}, but {resolved.start.isoformat()} "
        f"was a {calendar.day_name[actual]}; the date is kept, the weekday does not fit"
    )
    return resolved.model_copy(update={"weekday_mismatch": True, "note": _join_notes(resolved.note, note)})


def _join_notes(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None


def _resolve_by_rules(as_written: str, text: str, published: dt.date | None) -> ResolvedDate | None:
    """The cases dateparser gets wrong or cannot express; None hands the text on to dateparser."""
    iso = _ISO.search(text)
    if iso:
        try:
            stated = dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
        return _check_weekday(_day(stated), text, as_written)

    for pattern, rule in _RELATIVE_PERIODS:
        match = pattern.search(text)
        if match:
            if published is None:
                return _no_publication(as_written)
            resolved = _relative_period(rule, match, published)
            if resolved is None:
                return None
            if rule == "last_week" and _WEEKDAY_RE.search(text):  # "Wednesday last week"
                monday = published - dt.timedelta(days=published.weekday() + 7)
                weekday = _WEEKDAYS[_WEEKDAY_RE.findall(text)[0]]
                return _day(monday + dt.timedelta(days=weekday))
            return _check_weekday(resolved, text, as_written)

    since = _SINCE.match(text)
    if since:
        start = _resolve_by_rules(as_written, since["rest"], published)
        if start is None or start.start is None or published is None:
            return start
        return ResolvedDate(start=start.start, end=max(start.start, published), precision="range")

    if _SHIFT_WORDS.search(text):
        return None

    for pattern in _DATE_RANGE_PATTERNS:
        match = pattern.search(text)
        if match:
            return _explicit_range(match, as_written, published)

    match = _MONTH_DAY.search(text) or _DAY_MONTH.search(text)
    if match:
        month, day = _MONTHS[match["m"]], int(match["d"])
        if match["y"]:
            try:
                return _check_weekday(_day(dt.date(int(match["y"]), month, day)), text, as_written)
            except ValueError:
                return None
        if published is None:
            return _no_publication(as_written)
        found = _most_recent(month, day, published)
        return None if found is None else _check_weekday(_day(found), text, as_written)

    weekdays = _WEEKDAY_RE.findall(text)
    if weekdays:
        if published is None:
            return _no_publication(as_written)
        strictly_before = re.search(r"\blast\s+(?:" + "|".join(_WEEKDAYS) + r")\b", text) is not None
        return _day(_weekday_on_or_before(_WEEKDAYS[weekdays[0]], published, strictly_before))

    match = _PART_OF_MONTH.search(text)
    if match:
        year = _year_for_month(match, published)
        if year is None:
            return _no_publication(as_written)
        first, last = _month_bounds(year, _MONTHS[match["m"]])
        low, high = {"early": (1, 10), "mid": (11, 20), "late": (21, last.day)}[match["part"]]
        return _span(first.replace(day=low), first.replace(day=high), "range", published)

    match = _MONTH_YEAR.search(text)
    if match:
        first, last = _month_bounds(int(match["y"]), _MONTHS[match["m"]])
        return _span(first, last, "month", published)

    match = _MONTH_ALONE.search(text)
    if match:
        if published is None:
            return _no_publication(as_written)
        month = _MONTHS[match[1]]
        year = published.year if month <= published.month else published.year - 1
        first, last = _month_bounds(year, month)
        return _span(first, last, "month", published)

    match = _DECADE.search(text)
    if match:
        first_year = int(match[1]) * 10
        return _span(dt.date(first_year, 1, 1), dt.date(first_year + 9, 12, 31), "range", published)

    match = _YEAR_ALONE.search(text)
    if match and not re.search(r"\d", text.replace(match[1], "")):
        year = int(match[1])
        return _span(dt.date(year, 1, 1), dt.date(year, 12, 31), "year", published)
    return None


def _year_for_month(match: re.Match[str], published: dt.date | None) -> int | None:
    if match["y"]:
        return int(match["y"])
    if published is None:
        return None
    month = _MONTHS[match["m"]]
    return published.year if month <= published.month else published.year - 1


def _explicit_range(match: re.Match[str], as_written: str, published: dt.date | None) -> ResolvedDate | None:
    groups = match.groupdict()
    month1 = _MONTHS[groups["m1"]]
    month2 = _MONTHS[groups["m2"]] if groups.get("m2") else month1
    day1, day2 = int(groups["d1"]), int(groups["d2"])
    try:
        if groups.get("y"):
            year = int(groups["y"])
            end = dt.date(year, month2, day2)
        elif published is None:
            return _no_publication(as_written)
        else:
            found = _most_recent(month2, day2, published)
            if found is None:
                return None
            end = found
        start = dt.date(end.year, month1, day1)
    except ValueError:
        return None
    if start > end:  # "between December 28 and January 3": the start is in the year before
        try:
            start = start.replace(year=start.year - 1)
        except ValueError:
            return None
    return ResolvedDate(start=start, end=end, precision="range")


def _relative_period(rule: _RelativeRule, match: re.Match[str], published: dt.date) -> ResolvedDate | None:
    day = dt.timedelta(days=1)
    if rule == "today":
        return _day(published)
    if rule == "yesterday":
        return _day(published - day)
    if rule == "day_before_yesterday":
        return _day(published - 2 * day)
    if rule == "overnight":
        return ResolvedDate(start=published - day, end=published, precision="range")
    if rule == "this_week":
        return ResolvedDate(start=published - published.weekday() * day, end=published, precision="week")
    if rule == "last_week":
        return ResolvedDate(start=published - 7 * day, end=published - day, precision="week")
    if rule == "past_week":
        return ResolvedDate(start=published - 7 * day, end=published, precision="week")
    if rule == "this_month":
        return ResolvedDate(start=published.replace(day=1), end=published, precision="month")
    if rule == "last_month":
        previous = published.replace(day=1) - day
        first, last = _month_bounds(previous.year, previous.month)
        return ResolvedDate(start=first, end=last, precision="month")
    if rule == "past_month":
        return ResolvedDate(start=published - 30 * day, end=published, precision="range")
    if rule == "this_year":
        return ResolvedDate(start=dt.date(published.year, 1, 1), end=published, precision="year")
    if rule == "last_year":
        year = published.year - 1
        return ResolvedDate(start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), precision="year")
    if rule == "recent_days":
        return ResolvedDate(start=published - 7 * day, end=published, precision="range")
    if rule == "past_n_days":
        count = parse_number(match["n"])
        if count is None or count < 1 or count > 366:
            return None
        return ResolvedDate(start=published - int(count) * day, end=published, precision="range")
    raise AssertionError(rule)  # pragma: no cover - every rule is handled above


@functools.lru_cache(maxsize=256)
def _date_parser(published: dt.date | None) -> Any:
    from dateparser.date import DateDataParser  # slow to import; only needed for the leftovers

    settings: dict[str, Any] = {
        "PREFER_DATES_FROM": "past",
        "RETURN_TIME_AS_PERIOD": True,
        "TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": False,
        # No "timestamp" parser: a long number in a claim is not a Unix time.
        "PARSERS": ["relative-time", "custom-formats", "absolute-time"],
    }
    if published is not None:
        settings["RELATIVE_BASE"] = dt.datetime(published.year, published.month, published.day)
    return DateDataParser(languages=["en"], settings=settings)


def _resolve_with_dateparser(as_written: str, text: str, published: dt.date | None) -> ResolvedDate:
    unreadable = ResolvedDate(note=f"could not read a date from {as_written.strip()!r}")
    if published is None and not _YEAR_ALONE.search(text):
        # dateparser would silently resolve against today; without a year there is nothing to go on.
        return _no_publication(as_written) if _looks_like_date(text) else unreadable
    data = _date_parser(published).get_date_data(text)
    if data is None or data.date_obj is None:
        return unreadable
    found = data.date_obj.date()
    period = data.period or "day"
    if period == "week":
        return _span(found - dt.timedelta(days=3), found + dt.timedelta(days=3), "week", published)
    if period == "month":
        first, last = _month_bounds(found.year, found.month)
        return _span(first, last, "month", published)
    if period == "quarter":
        first_month = 3 * ((found.month - 1) // 3) + 1
        return _span(_month_bounds(found.year, first_month)[0],
                     _month_bounds(found.year, first_month + 2)[1], "range", published)  # fmt: skip
    if period == "year":
        return _span(dt.date(found.year, 1, 1), dt.date(found.year, 12, 31), "year", published)
    return _check_weekday(_day(found), text, as_written)


def _looks_like_date(text: str) -> bool:
    return bool(
        _WEEKDAY_RE.search(text)
        or _MONTH_ALONE.search(text)
        or re.search(r"\b(day|days|week|weeks|month|months|night|ago|yesterday|today)\b", text)
    )


# ============================================================================
# Places
# ============================================================================

# Arabic articles and English ones: "Al-Mayadeen" = "Mayadeen", "At Tanf" = "Tanf".
_ARTICLES = frozenset({
    "a", "an", "the", "al", "el", "il", "ad", "ed", "as", "es", "az", "ez", "ar", "er", "at", "ash", "adh",
})  # fmt: skip
# "Iran-backed", "US-led", "SDF-held" name an actor, not a place.
_ACTOR_COMPOUND = re.compile(
    r"\b[\w']+-(?:backed|aligned|supported|affiliated|allied|led|held|controlled|linked|sponsored|made|based)\b"
)
# Words that never name a place on their own; fuzzy matching does not start or end on them.
_GENERIC = frozenset({
    "of", "in", "on", "near", "at", "by", "around", "outside", "outskirts", "vicinity", "area", "areas",
    "region", "base", "bases", "airbase", "air", "city", "town", "village", "province", "governorate",
    "countryside", "desert", "camp", "field", "fields", "oil", "gas", "site", "sites", "us", "u", "s",
    "american", "coalition", "military", "illegal", "and", "or", "to", "from", "north", "south", "east",
    "west", "northeast", "northwest", "southeast", "southwest", "northern", "southern", "eastern", "western",
    "central", "located", "situated", "sitting", "atop", "within", "inside", "into", "towards", "toward",
    "position", "positions", "location", "locations", "facility", "facilities", "target", "targets",
    "attack", "attacks", "rocket", "rockets", "drone", "drones", "strike", "strikes", "militia", "militias",
    "forces", "troops", "housing", "hosting", "known", "called", "so", "strategic", "syrian", "iraqi",
    "iranian", "israeli", "jordanian", "lebanese", "kurdish", "russian", "turkish", "arab", "local",
    "nearby", "several", "another", "other", "same", "its", "their", "his", "her", "this", "that", "these",
    "those", "where", "which", "who",
})  # fmt: skip
_FUZZY_KINDS = frozenset({"region", "area"})
_DEFAULT_THRESHOLD = 88.0  # rapidfuzz ratio, 0-100: typos pass, other names do not
_NEAR_MISS = 75  # a closest candidate below this is not worth a note
NEAR_KM = 20.0  # two different places this close may be what different outlets call "near X"

PlaceRelation = Literal["same", "contains", "contained", "sibling", "different", "unknown"]


def _place_tokens(text: str) -> list[str]:
    """Lower-case ASCII words with accents, apostrophes, hyphens and articles removed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"['\u2019\u2018`\u02bf\u02be]s\b", "", text)  # "Syria's east" -> "Syria east"
    text = _ACTOR_COMPOUND.sub(" ", text)
    text = re.sub(r"['\u2019\u2018`\u02bf\u02be]", "", text)  # "Sa'iqa" = "Saiqa"
    return [t for t in re.split(r"[^a-z0-9]+", text) if t and t not in _ARTICLES]


def place_key(text: str) -> str:
    """The form names are compared in: "Al-Mayadin" and "al Mayadin" give the same key."""
    return " ".join(_place_tokens(text))


@dataclass
class _GazetteerIndex:
    entries: dict[str, GazetteerEntry]  # canonical name -> entry
    keys: dict[str, tuple[str, str]]  # place key -> (canonical name, alias as written)
    key_list: list[str]
    max_tokens: int
    level: dict[str, int]  # 0 for places with no parent, deeper places higher
    ancestors: dict[str, list[str]]  # canonical -> containing places, innermost first
    cache: dict[tuple[str, float], ResolvedPlace] = field(default_factory=dict)


_INDEXES: dict[int, tuple[Gazetteer, _GazetteerIndex]] = {}


def _index(gazetteer: Gazetteer) -> _GazetteerIndex:
    """The lookup tables of a gazetteer, built once (the gazetteer is kept alive with them)."""
    cached = _INDEXES.get(id(gazetteer))
    if cached is not None and cached[0] is gazetteer:
        return cached[1]
    index = _build_index(gazetteer)
    if len(_INDEXES) >= 16:
        _INDEXES.pop(next(iter(_INDEXES)))
    _INDEXES[id(gazetteer)] = (gazetteer, index)
    return index


def _build_index(gazetteer: Gazetteer) -> _GazetteerIndex:
    entries = {entry.name: entry for entry in gazetteer.entries}
    by_fold = {name.casefold(): name for name in entries}
    keys: dict[str, tuple[str, str]] = {}
    for entry in gazetteer.entries:
        for written in [entry.name, *entry.aliases]:
            key = place_key(written)
            if not key:
                raise InputError(f"gazetteer: {written!r} (for {entry.name!r}) has no letters to match on")
            owner = keys.get(key)
            if owner is not None and owner[0] != entry.name:
                raise InputError(
                    f"gazetteer: {written!r} (for {entry.name!r}) reads the same as {owner[1]!r} "
                    f"(for {owner[0]!r}); give one of them a different alias"
                )
            keys.setdefault(key, (entry.name, written))

    def parents(name: str) -> list[str]:
        entry = entries[name]
        return [by_fold[p.casefold()] for p in [entry.within, *entry.also_within] if p]

    level: dict[str, int] = {}

    def depth(name: str) -> int:
        if name not in level:
            level[name] = 1 + max((depth(p) for p in parents(name)), default=-1)
        return level[name]

    ancestors: dict[str, list[str]] = {}
    for name in entries:
        depth(name)
        seen: set[str] = set()
        pending = parents(name)
        while pending:
            parent = pending.pop()
            if parent not in seen:
                seen.add(parent)
                pending.extend(parents(parent))
        ancestors[name] = sorted(seen, key=lambda n: (-depth(n), n.casefold()))
    return _GazetteerIndex(
        entries=entries,
        keys=keys,
        key_list=list(keys),
        max_tokens=max(len(k.split()) for k in keys),
        level=level,
        ancestors=ancestors,
    )


def _default_gazetteer_text() -> str:
    return resources.files("reconcile").joinpath("data/gazetteer.yaml").read_text(encoding="utf-8")


def _read_places(text: str, source: str) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: not valid YAML ({exc.__class__.__name__}).") from None
    places = data.get("places") if isinstance(data, dict) else data
    if not isinstance(places, list) or not all(isinstance(p, dict) for p in places):
        raise InputError(
            f"{source}: expected a list of places under 'places:' (name, kind, aliases, within)."
        )
    return places


def load_gazetteer(extra: str | Path | Sequence[str | Path] | None = None) -> Gazetteer:
    """The built-in gazetteer, extended or overridden by the user's YAML files, in order.

    An entry with an existing name replaces the fields it gives and adds its aliases;
    an alias given to another place moves to that place. Lookups are indexed once
    per gazetteer object, and the built-in one is shared: to change entries, build a
    new ``Gazetteer`` (or ``model_copy(deep=True)``) rather than editing one in use.
    """
    extras: list[str | Path] = (
        [] if extra is None else [extra] if isinstance(extra, (str, Path)) else list(extra)
    )
    if not extras:
        return _default_gazetteer()
    merged: dict[str, dict[str, Any]] = {}
    sources = ["reconcile/data/gazetteer.yaml"]
    for raw in _read_places(_default_gazetteer_text(), sources[0]):
        merged[str(raw.get("name", "")).casefold()] = dict(raw)
    for path in extras:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot read the gazetteer file ({exc.strerror}).") from None
        for raw in _read_places(text, str(path)):
            _merge_place(merged, raw, str(path))
        sources.append(str(path))
    return _validated_gazetteer(list(merged.values()), sources)


def _merge_place(merged: dict[str, dict[str, Any]], raw: dict[str, Any], source: str) -> None:
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{source}: every place needs a name; found {raw!r}.")
    new_keys = {place_key(a) for a in [name, *(raw.get("aliases") or [])] if isinstance(a, str)}
    for fold, other in merged.items():
        if fold == name.casefold():
            continue
        if place_key(str(other.get("name", ""))) in new_keys:
            raise InputError(
                f"{source}: {name!r} uses the name of the existing place {other['name']!r} as an alias; "
                f"add the alias to {other['name']!r} instead, or rename it"
            )
        aliases = other.get("aliases") or []
        other["aliases"] = [a for a in aliases if place_key(str(a)) not in new_keys]
    current = merged.get(name.casefold())
    if current is None:
        merged[name.casefold()] = dict(raw)
        return
    aliases = [*(current.get("aliases") or []), *(raw.get("aliases") or [])]
    current.update(raw)
    current["aliases"] = list(dict.fromkeys(aliases))


def _validated_gazetteer(places: list[dict[str, Any]], sources: list[str]) -> Gazetteer:
    try:
        gazetteer = Gazetteer(entries=[GazetteerEntry.model_validate(p) for p in places], sources=sources)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"{', '.join(sources)}: gazetteer entry invalid at {where}: {first['msg']}."
        ) from None
    try:
        _index(gazetteer)  # alias clashes surface now, not at the first lookup
    except InputError as exc:
        raise InputError(f"{', '.join(sources)}: {exc}") from None
    return gazetteer


@functools.lru_cache(maxsize=1)
def _default_gazetteer() -> Gazetteer:
    source = "reconcile/data/gazetteer.yaml"
    return _validated_gazetteer(_read_places(_default_gazetteer_text(), source), [source])


@dataclass(frozen=True)
class _Mention:
    start: int  # token positions
    end: int
    name: str
    alias: str
    score: float


def resolve_place(
    as_written: str | None, gazetteer: Gazetteer | None = None, *, threshold: float = 88
) -> ResolvedPlace:
    """The most specific known place a phrase names, with its containment chain.

    Exact alias matches first (case, accents, hyphens and "al-" ignored), on every
    run of words ("a coalition base at the Koniko gas field" -> Conoco gas field);
    then fuzzy matches (rapidfuzz ratio) of the remaining words, accepted only at or
    above ``threshold`` and only when each word is close to the matching name's
    word ("Green Valley" never becomes "Green Village"). A place that contains
    another one named is dropped ("Deir Ezzor" beside "al-Omar oil field"); several
    unrelated places give their closest common container. Unknown names give
    ``canonical=None`` with the closest candidate's score and a note.
    """
    shared = _resolve_place_shared(as_written or "", gazetteer or _default_gazetteer(), threshold)
    return shared.model_copy(update={"within": list(shared.within)})


def _resolve_place_shared(as_written: str, gazetteer: Gazetteer, threshold: float) -> ResolvedPlace:
    """The cached reading, shared between callers: not to be changed."""
    index = _index(gazetteer)
    text = as_written.strip()
    cache_key = (text, float(threshold))
    cached = index.cache.get(cache_key)
    if cached is None:
        cached = _resolve_place_uncached(text, index, threshold)
        if len(index.cache) < 200_000:  # bounded: a stream of one-off phrases must not grow it forever
            index.cache[cache_key] = cached
    return cached


def _resolve_place_uncached(text: str, index: _GazetteerIndex, threshold: float) -> ResolvedPlace:
    if not text:
        return ResolvedPlace(note="no place given")
    tokens = _place_tokens(text)
    mentions = _alias_mentions(tokens, index)
    taken = {i for m in mentions for i in range(m.start, m.end)}
    fuzzy, near_miss = _fuzzy_mentions(tokens, taken, index, threshold)
    mentions.extend(fuzzy)
    note = None
    if near_miss is not None:
        span_text, alias, score = near_miss
        if span_text == " ".join(tokens):
            span_text = text  # the whole phrase: show it as written
        note = (
            f"{span_text!r} is not a known place (closest: {alias!r} at {score:.0f}, "
            f"below the threshold {threshold:g}); not merged"
        )
    if not mentions:
        if note is None:
            note = f"no known place named in {text!r}"
        return ResolvedPlace(note=note, score=near_miss[2] if near_miss else None)

    named = list(dict.fromkeys(m.name for m in mentions))
    leaves = [n for n in named if not any(n in index.ancestors[other] for other in named if other != n)]
    if len(leaves) == 1:
        best = next(m for m in mentions if m.name == leaves[0])
        return _place_result(index, best.name, best.alias, best.score, note)
    common = set(index.ancestors[leaves[0]])
    for leaf in leaves[1:]:
        common &= set(index.ancestors[leaf])
    listed = ", ".join(leaves)
    if not common:
        return ResolvedPlace(
            note=_join_notes(f"names several places ({listed}) with no common container", note)
        )
    container = min(common, key=lambda n: (-index.level[n], n.casefold()))
    score = min(m.score for m in mentions if m.name in leaves)
    several = f"names several places ({listed}); read as their common container {container}"
    return _place_result(index, container, None, score, _join_notes(several, note))


def _place_result(
    index: _GazetteerIndex, name: str, alias: str | None, score: float, note: str | None
) -> ResolvedPlace:
    entry = index.entries[name]
    return ResolvedPlace(
        canonical=name,
        kind=entry.kind,
        within=list(index.ancestors[name]),
        matched=alias,
        score=score,
        note=note,
    )


def _alias_mentions(tokens: list[str], index: _GazetteerIndex) -> list[_Mention]:
    """Known names in the text, longest first, not overlapping."""
    found: list[_Mention] = []
    for length in range(min(index.max_tokens, len(tokens)), 0, -1):
        for start in range(len(tokens) - length + 1):
            owner = index.keys.get(" ".join(tokens[start : start + length]))
            if owner is None:
                continue
            if any(start < m.end and m.start < start + length for m in found):
                continue
            found.append(_Mention(start, start + length, owner[0], owner[1], 100.0))
    return sorted(found, key=lambda m: m.start)


def _fuzzy_mentions(
    tokens: list[str], taken: set[int], index: _GazetteerIndex, threshold: float
) -> tuple[list[_Mention], tuple[str, str, float] | None]:
    """Close spellings of known names among the words no alias matched, and the best near miss."""
    accepted: list[_Mention] = []
    near_miss: tuple[str, str, float] | None = None
    candidates: list[tuple[float, int, int, str, str]] = []
    for start in range(len(tokens)):
        for end in range(start + 1, min(start + 4, len(tokens)) + 1):
            span = tokens[start:end]
            if any(i in taken for i in range(start, end)) or span[0] in _GENERIC or span[-1] in _GENERIC:
                continue
            span_text = " ".join(span)
            if len(span_text.replace(" ", "")) < 4 or span_text.isdigit():
                continue
            best = process.extractOne(span_text, index.key_list, scorer=fuzz.ratio, score_cutoff=_NEAR_MISS)
            if best is not None:
                candidates.append((best[1], start, end, span_text, best[0]))
    used: set[int] = set()
    for score, start, end, span_text, key in sorted(candidates, key=lambda c: (-c[0], c[1])):
        if any(i in used for i in range(start, end)):
            continue
        name, alias = index.keys[key]
        if score >= threshold and _words_agree(span_text, key):
            accepted.append(_Mention(start, end, name, alias, round(score, 1)))
            used.update(range(start, end))
        elif near_miss is None or score > near_miss[2]:
            near_miss = (span_text, alias, round(score, 1))
    if near_miss is not None and any(near_miss[0] == " ".join(tokens[m.start : m.end]) for m in accepted):
        near_miss = None
    return accepted, near_miss


def _words_agree(span_text: str, key: str) -> bool:
    """Each word must be a close spelling of its counterpart: a typo, not another word.

    "Green Vilage" passes; "Green Valley" fails on valley/village even when the whole
    string scores high, because a different word is a different place.
    """
    span_words, key_words = span_text.split(), key.split()
    if len(span_words) != len(key_words):
        return fuzz.ratio(span_text.replace(" ", ""), key.replace(" ", "")) >= 85
    return all(fuzz.ratio(a, b) >= 75 for a, b in zip(span_words, key_words, strict=True))


def place_relation(a: ResolvedPlace, b: ResolvedPlace, gazetteer: Gazetteer | None = None) -> PlaceRelation:
    """How two resolved places relate: the same, one contains the other, siblings
    (sharing a container below country level), different, or unknown."""
    if a.canonical is None or b.canonical is None:
        return "unknown"
    if a.canonical == b.canonical:
        return "same"
    if a.canonical in b.within:
        return "contains"
    if b.canonical in a.within:
        return "contained"
    kinds = _kinds(gazetteer)
    shared = set(a.within) & set(b.within)
    if any(kinds.get(name) != "country" for name in shared):
        return "sibling"
    return "different"


def places_compatible(a: ResolvedPlace, b: ResolvedPlace, gazetteer: Gazetteer | None = None) -> bool | None:
    """Can both places describe where one event happened? True, False, or None (cannot tell).

    True: the same place or one inside the other (Green Village and Deir Ezzor
    province). False: different countries, or two distinct sites more than ``NEAR_KM``
    apart (or without known coordinates). None: either is unknown, an informal region
    or area is involved (their edges overlap: "eastern Syria" and "northeastern
    Syria"), or two distinct sites lie within ``NEAR_KM`` of each other.
    """
    relation = place_relation(a, b, gazetteer)
    if relation == "unknown":
        return None
    if relation in ("same", "contains", "contained"):
        return True
    index = _index(gazetteer or _default_gazetteer())
    assert a.canonical is not None and b.canonical is not None  # known: relation is not "unknown"
    countries_a, countries_b = _countries(a, index), _countries(b, index)
    if countries_a and countries_b and not countries_a & countries_b:
        return False
    entry_a, entry_b = index.entries.get(a.canonical), index.entries.get(b.canonical)
    if entry_a is None or entry_b is None:
        return None
    if entry_a.kind in _FUZZY_KINDS or entry_b.kind in _FUZZY_KINDS:
        return None
    distance = _distance_km(entry_a, entry_b)
    if distance is not None and distance <= NEAR_KM:
        return None
    return False


def _kinds(gazetteer: Gazetteer | None) -> dict[str, PlaceKind]:
    index = _index(gazetteer or _default_gazetteer())
    return {name: entry.kind for name, entry in index.entries.items()}


def _countries(place: ResolvedPlace, index: _GazetteerIndex) -> set[str]:
    names = [place.canonical, *place.within]
    return {n for n in names if n is not None and n in index.entries and index.entries[n].kind == "country"}


def _distance_km(a: GazetteerEntry, b: GazetteerEntry) -> float | None:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


# ============================================================================
# Quantities
# ============================================================================

APPROX_SPREAD = 0.15  # "about n" covers n +/- 15%; "nearly n" covers the 15% below n

# Hedge words before a number, longest first within each kind.
_HedgeKind = Literal["at_least", "more_than", "at_most", "less_than", "up_to", "approximate", "nearly"]
_HEDGES_BEFORE: list[tuple[str, _HedgeKind]] = sorted(
    [
        *[(p, "at_least") for p in ("at least", "no fewer than", "no less than", "not less than",
                                    "not fewer than", "a minimum of", "minimum of", "at a minimum")],
        *[(p, "more_than") for p in ("more than", "over", "upwards of", "upward of", "in excess of", "above",
                                     "exceeding", "well over", "well above", "greater than", "beyond")],
        *[(p, "at_most") for p in ("at most", "no more than", "not more than", "a maximum of", "maximum of")],
        *[(p, "less_than") for p in ("fewer than", "less than", "under", "below")],
        *[(p, "up_to") for p in ("up to", "as many as", "as much as")],
        *[(p, "approximate") for p in ("about", "around", "roughly", "approximately", "approx", "some",
                                       "an estimated", "estimated", "circa", "ca", "~", "an approximate",
                                       "in the region of", "on the order of", "or so")],
        *[(p, "nearly") for p in ("nearly", "almost", "close to", "just under", "just below", "just shy of",
                                  "approaching", "not quite")],
    ],
    key=lambda item: -len(item[0]),
)  # fmt: skip
_HEDGES_AFTER: list[tuple[re.Pattern[str], _HedgeKind]] = [
    (re.compile(r"^\s*(?:\+|-?plus\b|or more\b|or higher\b|and more\b|and up\b)"), "at_least"),
    (re.compile(r"^\s*(?:or so\b|odd\b|-odd\b|or thereabouts\b)"), "approximate"),
    (re.compile(r"^\s*(?:or fewer\b|or less\b)"), "at_most"),
]
_QUALIFIER_OF_HEDGE: dict[_HedgeKind, Qualifier] = {
    "at_least": "at_least", "more_than": "more_than", "at_most": "at_most", "less_than": "at_most",
    "up_to": "up_to", "approximate": "approximate", "nearly": "approximate",
}  # fmt: skip
_HEDGE_OF_QUALIFIER: dict[str, _HedgeKind] = {
    "at_least": "at_least", "more_than": "more_than", "at_most": "at_most", "up_to": "up_to",
    "approximate": "approximate",
}  # fmt: skip

# Vague quantity words -> (low, high or None for unbounded), qualifier "vague".
_VAGUE: dict[str, tuple[float, float | None]] = {
    "tens of thousands": (20_000, None), "hundreds of thousands": (200_000, None),
    "thousands": (2_000, None), "hundreds": (200, None), "scores": (40, None), "dozens": (24, None),
    "tens": (20, None), "several": (3, 9), "a few": (2, 5), "a handful": (2, 5), "few": (2, 5),
    "a number of": (2, None), "multiple": (2, None), "numerous": (2, None), "many": (2, None),
    "various": (2, None), "some": (2, None), "a series of": (2, None), "a wave of": (2, None),
    "a barrage of": (2, None), "a salvo of": (2, None), "a spate of": (2, None), "a string of": (2, None),
}  # fmt: skip
_MULTIPLIERS = {"dozen": 12, "hundred": 100, "thousand": 1_000, "million": 1_000_000}
_VAGUE_RE = re.compile(
    r"\b(?P<word>" + "|".join(sorted(map(re.escape, _VAGUE), key=len, reverse=True)) + r")\b"
    r"(?:\s+(?P<mult>dozen|hundred|thousand|million)\b)?"
)
# "no", "none", "nobody", "did not result in any casualties", "without casualties".
_ZERO_RE = re.compile(
    r"\b(?:no|zero|none|nil|nobody|neither|without)\b|\bnot\s+(?:a\s+single|one)\b|"
    r"(?:\bnot\b|n't\b|\bnever\b)[\w\s-]*?\bany\b|\bno one\b"
)
_ZERO_EXCEPTIONS = re.compile(r"\b(?:no|not)\s+(?:fewer|less|more|later|sooner)\s+than\b")
# Things with digits that are not counts: "MQ-9", "F-16", "122mm", "Tower 22", times, dates.
_NOT_COUNTS = [
    re.compile(r"\b[a-z]+-\d+[a-z]*\b"),
    re.compile(r"\b\d+\s?-?mm\b"),
    re.compile(r"\b(?:tower|resolution|route|highway|camp|site|unit|brigade|division|battalion)\s+\d+\b"),
    re.compile(r"\b\d{1,2}:\d\d\b"),
    re.compile(rf"\b{_MONTH.format('m')}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:{_TO}\d{{1,2}}(?:st|nd|rd|th)?\b)?"
               r"(?:,?\s+(?:19|20)\d\d\b)?"),
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH.format('m')}(?:,?\s+(?:19|20)\d\d\b)?"),
    re.compile(rf"\b{_MONTH.format('m')}\s+(?:19|20)\d\d\b"),
    re.compile(r"\b(?:in|since|during|by|until|from|of|before|after|early|late|mid)\s+(?:19|20)\d\d\b"),
]  # fmt: skip
_NUMBER_WORD = r"\d[\d,]*(?:\.\d+)?|[a-z]+(?:-[a-z]+)?"
_RANGE_RES = [
    re.compile(rf"\bbetween\s+(?P<a>{_NUMBER_WORD})\s+(?:and|to)\s+(?P<b>{_NUMBER_WORD})\b"),
    re.compile(rf"\bfrom\s+(?P<a>{_NUMBER_WORD})\s+to\s+(?P<b>{_NUMBER_WORD})\b"),
    re.compile(rf"(?<![\w.-])(?P<a>{_NUMBER_WORD})\s*(?:-|to|or)\s*(?P<b>{_NUMBER_WORD})\b"),
]
_MONEY_OR_SHARE = re.compile(r"\$|\u20ac|\u00a3|\bpercent\b|\bper cent\b|%|\busd\b|\bdollars?\b|\beuros?\b")


def parse_quantity(
    value: str,
    *,
    number: float | None = None,
    number_high: float | None = None,
    qualifier: Qualifier | None = None,
    unit: str | None = None,
) -> Quantity | None:
    """A value as written -> an interval with its qualifier, or None when it is not a quantity.

    The text is what the article says, so it wins over the model's ``number`` when
    they disagree; the model's number is used only when the text names none, and the
    model's qualifier only when the text has no hedge word. Intervals (n = the number):

    - exact "eight" -> [8, 8];  "a dozen" (on its own) is approximate, as below
    - "at least n", "no fewer than n", "n or more" -> [n, inf)
    - "more than n", "over n" -> [n+1, inf) for counts, [n, inf) for money and shares
    - "at most n", "no more than n" -> [0, n];  "fewer/less than n" -> [0, n-1] for counts
    - "up to n", "as many as n" -> [0, n]
    - "about / around / roughly / approximately / some / an estimated n" -> n +/- 15%,
      rounded outwards to whole numbers for counts: "approximately 900" -> [765, 1035],
      "roughly a dozen" -> [10, 14]
    - "nearly / almost / close to n" -> [n - 15%, n], rounded down: "nearly 900" -> [765, 900]
    - ranges "7 to 10", "7-10", "between 7 and 10", "two or three" -> [7, 10]
    - "a couple of" -> [2, 3]; "several" -> [3, 9]; "a few", "a handful" -> [2, 5];
      "dozens" -> [24, inf); "scores" -> [40, inf); "hundreds" -> [200, inf);
      "thousands" -> [2000, inf); "several hundred" -> [300, 900];
      "a number of", "some", "multiple", "many", "numerous" -> [2, inf)  (qualifier vague)
    - "no", "none", "zero", "nobody", "did not result in any casualties" -> [0, 0] (qualifier none)
    """
    quantity = _quantity_shared(value, number, number_high, qualifier, unit)
    return None if quantity is None else quantity.model_copy()


def _quantity_shared(
    value: str,
    number: float | None,
    number_high: float | None,
    qualifier: Qualifier | None,
    unit: str | None,
) -> Quantity | None:
    """The cached reading, shared between callers: not to be changed."""
    as_float = None if number is None else float(number)
    high_float = None if number_high is None else float(number_high)
    return _parse_quantity_cached(value, as_float, high_float, qualifier, unit)


@functools.lru_cache(maxsize=65_536)
def _parse_quantity_cached(
    value: str,
    number: float | None,
    number_high: float | None,
    qualifier: Qualifier | None,
    unit: str | None,
) -> Quantity | None:
    raw = value or ""
    text = _clean_quantity_text(raw)
    non_count = bool(_MONEY_OR_SHARE.search(text) or (unit and _MONEY_OR_SHARE.search(unit.casefold())))
    if unit is None and re.search(r"%|\bper ?cent\b", text):
        unit = "percent"

    def build(low: float, high: float | None, kind: Qualifier) -> Quantity:
        return Quantity(low=low, high=high, qualifier=kind, unit=unit, as_written=raw)

    spans = [s for s in number_spans(text) if not _is_zero_word(text[s[0] : s[1]])]
    model_span = None
    if number is not None:
        model_span = next((s for s in spans if math.isclose(s[2], number)), None)

    found_range = _find_range(text)
    if found_range is not None and (number is None or number in found_range[2:]):
        return build(found_range[2], found_range[3], "range")

    vague = _find_vague(text, spans)
    target = model_span or (spans[0] if spans else None)
    if target is not None and model_span is None and vague is not None and vague[0] < target[1] <= vague[1]:
        target = None  # "several hundred", "a few dozen": the number word is the vague word's multiplier
    if target is None:
        zero = _find_zero(text)
        if zero is not None and (vague is None or zero < vague[0]):
            return build(0, 0, "none")
        if vague is not None:
            return build(vague[2], vague[3], "vague")
    if target is None:
        if number is None:
            return None
        high = number_high if number_high is not None and number_high >= number else None
        if high is not None and high > number:
            return build(number, high, "range")
        hedge = _HEDGE_OF_QUALIFIER.get(qualifier or "")
        return _hedged(number, hedge, not non_count and number.is_integer(), build)

    start, end, amount = target
    written = text[start:end]
    hedge = _hedge_before(text[:start]) or _hedge_after(text[end:])
    if hedge is None and re.fullmatch(r"(?:half )?a dozen|dozen", written):
        hedge = "approximate"  # "a dozen" is itself a round figure
    if hedge is None and written.startswith("a couple"):
        return build(2, 3, "approximate")
    if hedge is None and qualifier is not None:
        hedge = _HEDGE_OF_QUALIFIER.get(qualifier)
    return _hedged(amount, hedge, not non_count and amount.is_integer(), build)


def _clean_quantity_text(raw: str) -> str:
    text = raw.casefold().replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    for pattern in _NOT_COUNTS:  # blank out, keeping offsets
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    # "not a single rocket", "not one": a zero, not the number one
    return re.sub(r"\bnot\s+(?:a\s+single|one)\b", lambda m: "none".ljust(len(m.group(0))), text)


def _is_zero_word(written: str) -> bool:
    return written.strip() in ("no", "none", "zero")


def _find_zero(text: str) -> int | None:
    cleaned = _ZERO_EXCEPTIONS.sub(lambda m: " " * len(m.group(0)), text)
    match = _ZERO_RE.search(cleaned)
    return match.start() if match else None


def _find_range(text: str) -> tuple[int, int, float, float] | None:
    for pattern in _RANGE_RES:
        for match in pattern.finditer(text):
            low, high = parse_number(match["a"]), parse_number(match["b"])
            if low is not None and high is not None and low < high:
                return match.start(), match.end(), low, high
    return None


def _find_vague(
    text: str, spans: list[tuple[int, int, float]]
) -> tuple[int, int, float, float | None] | None:
    """The first vague quantity word: (start, end, low, high)."""
    for match in _VAGUE_RE.finditer(text):
        following = text[match.end() :].lstrip()
        if match["word"] == "some" and any(s[0] == len(text) - len(following) for s in spans):
            continue  # "some 19" is a hedge on 19, not a vague "some"
        low, high = _VAGUE[match["word"]]
        multiplier = _MULTIPLIERS.get(match["mult"] or "", 1)
        return match.start(), match.end(), low * multiplier, None if high is None else high * multiplier
    return None


def _hedge_before(prefix: str) -> _HedgeKind | None:
    words = re.sub(r"(?:\$|us\$|usd|\u20ac|\u00a3)\s*$", "", prefix.rstrip()).rstrip()
    for phrase, kind in _HEDGES_BEFORE:
        if words.endswith(phrase) and (len(words) == len(phrase) or not words[-len(phrase) - 1].isalnum()):
            return kind
    return None


def _hedge_after(suffix: str) -> _HedgeKind | None:
    for pattern, kind in _HEDGES_AFTER:
        if pattern.match(suffix):
            return kind
    return None


def _hedged(amount: float, hedge: _HedgeKind | None, is_count: bool, build: Any) -> Quantity:
    if hedge is None:
        return build(amount, amount, "exact")
    qualifier = _QUALIFIER_OF_HEDGE[hedge]
    if hedge == "at_least":
        return build(amount, None, qualifier)
    if hedge == "more_than":
        return build(amount + 1 if is_count else amount, None, qualifier)
    if hedge == "at_most" or hedge == "up_to":
        return build(0, amount, qualifier)
    if hedge == "less_than":
        return build(0, max(amount - 1, 0) if is_count else amount, qualifier)
    low = amount * (1 - APPROX_SPREAD)
    high = amount if hedge == "nearly" else amount * (1 + APPROX_SPREAD)
    if is_count:
        low, high = math.floor(low + 1e-9), math.ceil(high - 1e-9)
    return build(low, high, qualifier)


# ============================================================================
# Munitions
# ============================================================================

MunitionType = Literal["rocket", "missile", "drone", "artillery_shell", "mortar", "projectile"]


@dataclass(frozen=True)
class _MunitionLexicon:
    pattern: re.Pattern[str]
    type_of: dict[str, str]  # lower-case term -> canonical type
    subtypes: dict[str, frozenset[str]]  # supertype -> its subtypes


@functools.lru_cache(maxsize=1)
def _munitions() -> _MunitionLexicon:
    text = resources.files("reconcile").joinpath("data/munitions.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    type_of = {str(term).casefold(): kind for kind, terms in data["types"].items() for term in terms}
    alternatives = sorted(type_of, key=len, reverse=True)
    words = "|".join(re.escape(t).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]*") for t in alternatives)
    pattern = re.compile(rf"\b({words})(?:s|es)?\b")
    subtypes = {kind: frozenset(items) for kind, items in data.get("supertypes", {}).items()}
    return _MunitionLexicon(pattern=pattern, type_of=type_of, subtypes=subtypes)


def normalize_munition(unit_or_text: str | None) -> MunitionType | None:
    """What was fired: rocket, missile, drone, artillery_shell, mortar or projectile.

    "Katyusha rockets" -> rocket, "UAVs" -> drone, "mortar shells" -> mortar. Text
    naming several projectile types ("rockets and missiles") gives their supertype,
    projectile; a mix with drones gives None (no one word covers both).
    """
    if not unit_or_text:
        return None
    lexicon = _munitions()
    text = unit_or_text.casefold()
    found: set[str] = set()
    for match in lexicon.pattern.finditer(text):
        term = re.sub(r"[\s-]+", " ", match.group(1))
        kind = lexicon.type_of.get(term) or _lookup_loose(term, lexicon.type_of)
        if kind:
            found.add(kind)
    if not found:
        return None
    if len(found) == 1:
        return found.pop()  # type: ignore[return-value]
    for supertype, subtypes in lexicon.subtypes.items():
        if found <= subtypes | {supertype}:
            return supertype  # type: ignore[return-value]
    return None


def _lookup_loose(term: str, type_of: dict[str, str]) -> str | None:
    """Match "107mm" to "107 mm" and "one way" to "one-way"."""
    squashed = re.sub(r"[\s-]+", "", term)
    for known, kind in type_of.items():
        if re.sub(r"[\s-]+", "", known) == squashed:
            return kind
    return None


def munition_compatible(a: str | None, b: str | None) -> bool:
    """Can two munition descriptions be about the same thing fired?

    Same type, or a supertype and one of its subtypes (projectile and rocket). A
    side that names no known munition cannot contradict the other, so it is
    compatible. Rockets and missiles are different types.
    """
    kind_a = a if a in _MUNITION_TYPES else normalize_munition(a)
    kind_b = b if b in _MUNITION_TYPES else normalize_munition(b)
    if kind_a is None or kind_b is None or kind_a == kind_b:
        return True
    subtypes = _munitions().subtypes
    return kind_b in subtypes.get(kind_a, frozenset()) or kind_a in subtypes.get(kind_b, frozenset())


_MUNITION_TYPES = frozenset(MunitionType.__args__)  # type: ignore[attr-defined]


# ============================================================================
# Claims
# ============================================================================

# Facets whose value is a count; other facets get a quantity only when the model gave a number.
NUMERIC_FACETS = frozenset(
    {"munition_count", "killed", "injured", "casualties", "troop_count", "attack_count"}
)


def normalize_claims(claims: Iterable[Claim], gazetteer: Gazetteer | None = None) -> list[Claim]:
    """Copies of the claims with the event's date and place resolved and the quantity filled.

    The words as written are kept beside what they were read as. Each distinct
    phrase is read once: claims with the same date phrase and publication date,
    the same place phrase or the same value share one resolved object, so treat
    those as read-only (``model_copy(update=...)`` to change one).
    """
    gazetteer = gazetteer or _default_gazetteer()
    # The copies made below hold no reference cycles, yet on a large corpus the cycle
    # collector would keep re-walking every claim in memory while they are made
    # (measured: two thirds of the time at 100,000 claims). Pause it for the loop.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _normalize_all(claims, gazetteer)
    finally:
        if collecting:
            gc.enable()


def _normalize_all(claims: Iterable[Claim], gazetteer: Gazetteer) -> list[Claim]:
    dates: dict[tuple[str, dt.date | None], ResolvedDate] = {}
    places: dict[str, ResolvedPlace] = {}
    quantities: dict[tuple[Any, ...], Quantity | None] = {}
    normalized = []
    for claim in claims:
        event = claim.event
        date_key = (event.date_as_written or "", claim.published)
        date = dates.get(date_key)
        if date is None:
            date = dates[date_key] = _resolve_date_cached(*date_key)
        place_text = (event.place_as_written or "").strip()
        place = places.get(place_text)
        if place is None:
            place = places[place_text] = _resolve_place_shared(place_text, gazetteer, _DEFAULT_THRESHOLD)
        quantity = None
        if claim.facet in NUMERIC_FACETS or claim.number is not None:
            quantity_key = (claim.value, claim.number, claim.number_high, claim.qualifier, claim.unit)
            if quantity_key in quantities:
                quantity = quantities[quantity_key]
            else:
                quantity = quantities[quantity_key] = _quantity_shared(*quantity_key)
        new_event = event.model_copy(update={"date": date, "place": place})
        normalized.append(claim.model_copy(update={"event": new_event, "quantity": quantity}))
    return normalized
