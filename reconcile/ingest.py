"""Ingest: files, directories and glob patterns in, ``Article`` objects out.

Formats: ``.txt``; ``.md`` with YAML front matter; ``.html``/``.htm`` (main text
and metadata through trafilatura); ``.jsonl`` (one article per line). A
``sources.yaml`` beside the files supplies metadata by file name.

One bad file never stops the run: each gets one ``IngestProblem`` naming the
file and what is wrong, and the other files still load. Severity ``error``
means the path contributed nothing; ``warning`` means it loaded with a caveat
(an ignored field, a skipped duplicate). Only a run in which nothing at all
loads raises ``NothingLoadedError``.

Metadata precedence, field by field: a ``sources.yaml`` entry that sets a field
wins (it is the curated record of the corpus), then what the file itself says
(front matter, the page's metadata), then the fallbacks: the file name as the
outlet (``outlet_known=False``) and no publication date.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from reconcile.errors import InputError
from reconcile.models import Article, IngestProblem, IngestResult

SIDECAR_NAME = "sources.yaml"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
TEXT_SUFFIXES = {".txt"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

# Metadata fields accepted in front matter, sidecar entries and JSONL lines;
# any "<name>_note" string is accepted as well and kept in Article.notes.
METADATA_FIELDS = ("outlet", "title", "url", "published", "language")
_JSONL_FIELDS = ("id", "text", *METADATA_FIELDS)

_BOM = "\ufeff"
_GLOB_CHARS = re.compile(r"[*?\[]")
_NOT_ID_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_ID_STEM = 180  # leaves room for a collision suffix under the 200-character id limit
_FRONT_MATTER_OPEN = "---\n"
_FRONT_MATTER_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
# Control characters other than tab, newline, carriage return and form feed.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAX_CONTROL_SHARE = 0.05
# libyaml's safe loader when built in (many times faster on a large sources.yaml); never an unsafe loader.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class NothingLoadedError(InputError):
    """No article could be loaded from any of the given paths; ``result.problems`` says why."""

    def __init__(self, message: str, result: IngestResult) -> None:
        super().__init__(message)
        self.result = result


@dataclass
class _Metadata:
    outlet: str | None = None
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    language: str | None = None
    notes: dict[str, str] = field(default_factory=dict)

    def overridden_by(self, other: _Metadata) -> _Metadata:
        """Fields ``other`` sets win; the rest stay as they are."""
        return _Metadata(
            outlet=other.outlet or self.outlet,
            title=other.title or self.title,
            url=other.url or self.url,
            published=other.published or self.published,
            language=other.language or self.language,
            notes={**self.notes, **other.notes},
        )


@dataclass
class _Draft:
    """An article read from disk, before it gets its run-unique id."""

    id_stem: str
    path: str
    text: str
    metadata: _Metadata
    fallback_outlet: str
    problem_path: str  # what a duplicate report names: the file, or file:line for JSONL


class _Problems:
    def __init__(self) -> None:
        self.items: list[IngestProblem] = []

    def error(self, path: Path | str, problem: str) -> None:
        self.items.append(IngestProblem(path=str(path), problem=problem, severity="error"))

    def warning(self, path: Path | str, problem: str, duplicate_of: str | None = None) -> None:
        self.items.append(
            IngestProblem(path=str(path), problem=problem, severity="warning", duplicate_of=duplicate_of)
        )


# --- Public API --------------------------------------------------------------


def ingest(
    paths: Iterable[str | Path] | str | Path,
    *,
    sources: str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IngestResult:
    """Load articles from files, directories (not recursive) and glob patterns.

    ``sources`` names a metadata file in the format of ``sources.yaml``; its
    entries win over those of a ``sources.yaml`` found beside the files.
    Files larger than ``max_bytes`` are reported and skipped.

    Returns the articles in a stable order (arguments in the order given,
    directory and glob entries sorted by name) with every problem found. Raises
    ``InputError`` when no paths are given and ``NothingLoadedError`` when not
    a single article could be loaded.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    arguments = [str(p) for p in paths]
    if not arguments:
        raise InputError("no input paths given: name at least one file, directory or glob pattern")

    problems = _Problems()
    explicit_sidecar: dict[str, _Metadata] = {}
    if sources is not None:
        sources_path = Path(sources)
        if not sources_path.is_file():
            raise InputError(f"{sources_path}: metadata file not found")
        explicit_sidecar = _load_sidecar(sources_path, problems)
    sidecars: dict[Path, dict[str, _Metadata]] = {}
    explicit_resolved = Path(sources).resolve() if sources is not None else None

    drafts: list[_Draft] = []
    for path in _expand(arguments, problems):
        sidecar = sidecars.get(path.parent)
        if sidecar is None:
            sidecar_path = path.parent / SIDECAR_NAME
            sidecar = {}
            # The explicit metadata file is not read (and reported) a second time.
            if sidecar_path.is_file() and sidecar_path.resolve() != explicit_resolved:
                sidecar = _load_sidecar(sidecar_path, problems)
                _report_entries_without_files(sidecar_path, sidecar, problems)
            sidecars[path.parent] = sidecar
        known = sidecar.get(path.name, _Metadata())
        if path.name in explicit_sidecar:
            known = known.overridden_by(explicit_sidecar[path.name])
        drafts.extend(_read_file(path, known, problems, max_bytes))

    articles = _assign_ids(drafts, problems)
    result = IngestResult(articles=articles, problems=problems.items)
    if not articles:
        raise NothingLoadedError(_nothing_loaded_message(result), result)
    return result


# --- Paths -------------------------------------------------------------------


def _expand(arguments: list[str], problems: _Problems) -> Iterator[Path]:
    """Yield each file once, in a deterministic order, reporting paths that cannot be used."""
    seen: set[Path] = set()
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            candidates = sorted((p for p in path.iterdir() if p.is_file()), key=lambda p: p.name)
            listed = True
        elif path.exists():
            candidates = [path]
            listed = False
        elif _GLOB_CHARS.search(argument):
            candidates = [Path(m) for m in sorted(glob.glob(argument)) if Path(m).is_file()]
            listed = True
            if not candidates:
                problems.error(argument, "no files match this pattern")
                continue
        else:
            problems.error(argument, "no such file or directory")
            continue

        for candidate in candidates:
            # sources.yaml is metadata, read through its directory, never an article.
            if candidate.name == SIDECAR_NAME or (listed and candidate.name.startswith(".")):
                continue
            if candidate.suffix.lower() not in SUPPORTED_SUFFIXES:
                problems.warning(
                    candidate,
                    f"skipped: unsupported file type {candidate.suffix or '(no extension)'!r}; "
                    f"use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}",
                )
                continue
            key = candidate.resolve()
            if key in seen:
                continue
            seen.add(key)
            yield candidate


# --- Reading and decoding ----------------------------------------------------


def _read_text(path: Path, problems: _Problems, max_bytes: int) -> str | None:
    """The file's text (UTF-8, BOM stripped, newlines as \\n), or None after reporting why not."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            problems.error(path, f"file is {_megabytes(size)}, over the {_megabytes(max_bytes)} size limit")
            return None
        data = path.read_bytes()
    except OSError as exc:
        problems.error(path, f"cannot read the file: {exc.strerror or exc}")
        return None
    if not data:
        problems.error(path, "file is empty")
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.error(path, "file is UTF-16 encoded; save it as UTF-8")
        return None
    if b"\x00" in data:
        problems.error(path, "file looks binary (it contains NUL bytes), not text")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_byte = data[exc.start]
        problems.error(path, f"file is not valid UTF-8: byte 0x{bad_byte:02x} at byte offset {exc.start}")
        return None
    text = text.removeprefix(_BOM).replace("\r\n", "\n").replace("\r", "\n")
    if len(_CONTROL_CHARS.findall(text)) > _MAX_CONTROL_SHARE * len(text):
        problems.error(path, "file looks binary (mostly control characters), not text")
        return None
    if not text.strip():
        problems.error(path, "file contains only whitespace")
        return None
    return text


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _read_file(path: Path, known: _Metadata, problems: _Problems, max_bytes: int) -> list[_Draft]:
    text = _read_text(path, problems, max_bytes)
    if text is None:
        return []
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        drafts = _read_jsonl(path, text, problems)
        for draft in drafts:
            draft.metadata = draft.metadata.overridden_by(known)
        return drafts
    if suffix in MARKDOWN_SUFFIXES:
        parsed = _read_markdown(path, text, problems)
    elif suffix in HTML_SUFFIXES:
        parsed = _read_html(path, text, problems)
    else:
        parsed = (text, _Metadata())
    if parsed is None:
        return []
    body, own = parsed
    return [
        _Draft(
            id_stem=path.stem,
            path=str(path),
            text=body,
            metadata=own.overridden_by(known),
            fallback_outlet=path.stem,
            problem_path=str(path),
        )
    ]


# --- Formats -----------------------------------------------------------------


def _read_markdown(path: Path, text: str, problems: _Problems) -> tuple[str, _Metadata] | None:
    if not text.startswith(_FRONT_MATTER_OPEN):
        return _body_or_report(path, text, _Metadata(), problems)
    rest = text[len(_FRONT_MATTER_OPEN) :]
    closing = _FRONT_MATTER_CLOSE.search(rest)
    if closing is None:
        problems.error(path, "front matter opens with '---' but has no closing '---' line")
        return None
    header, body = rest[: closing.start()], rest[closing.end() :].lstrip("\n")
    try:
        raw = _load_yaml(header)
    except yaml.YAMLError as exc:
        problems.error(path, f"front matter is not valid YAML: {_yaml_reason(exc)}")
        return None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.error(path, f"front matter must be a mapping of fields, not a {_type_name(raw)}")
        return None
    metadata = _metadata_from(raw, METADATA_FIELDS, path, "front matter", problems)
    return _body_or_report(path, body, metadata, problems)


def _body_or_report(
    path: Path, body: str, metadata: _Metadata, problems: _Problems
) -> tuple[str, _Metadata] | None:
    if not body.strip():
        problems.error(path, "file has front matter but no article text")
        return None
    return body, metadata


def _read_html(path: Path, text: str, problems: _Problems) -> tuple[str, _Metadata] | None:
    # Imported here: trafilatura is heavy and most corpora have no HTML at all.
    import lxml.html
    import trafilatura
    from lxml import etree

    try:
        # Bytes with an explicit encoding: lxml refuses str input that carries an XML declaration.
        parser = lxml.html.HTMLParser(encoding="utf-8")
        tree = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (ValueError, etree.ParserError) as exc:
        problems.error(path, f"cannot parse the HTML: {exc}")
        return None
    language = tree.get("lang") or None
    document = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        favor_precision=True,
        # Only dates the page states for itself; no guessing from URLs or stray text.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    body = getattr(document, "text", None)
    if not isinstance(body, str) or not body.strip():
        problems.error(path, "no article text found in the page")
        return None
    metadata = _Metadata(
        outlet=getattr(document, "sitename", None) or None,
        title=getattr(document, "title", None) or None,
        url=getattr(document, "url", None) or None,
        published=_parse_date(getattr(document, "date", None)),
        language=language.split("-")[0].lower() if language else None,
    )
    return body, metadata


def _read_jsonl(path: Path, text: str, problems: _Problems) -> list[_Draft]:
    drafts: list[_Draft] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.error(where, f"line is not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(raw, dict):
            problems.error(where, f"line must be a JSON object, not a {_type_name(raw)}")
            continue
        body = raw.get("text")
        if not isinstance(body, str) or not body.strip():
            problem = "has no 'text' field" if body is None else "has an empty or non-string 'text' field"
            problems.error(where, f"line {problem}; it is skipped")
            continue
        id_stem = f"{path.stem}-{number}"
        given_id = raw.get("id")
        if given_id is not None:
            if isinstance(given_id, str) and _sanitise_id(given_id) == given_id:
                id_stem = given_id
            else:
                problems.warning(where, f"id {given_id!r} is not a valid article id; using {id_stem!r}")
        drafts.append(
            _Draft(
                id_stem=id_stem,
                path=str(path),
                text=body.replace("\r\n", "\n").replace("\r", "\n"),
                metadata=_metadata_from(raw, _JSONL_FIELDS, where, "line", problems),
                # One fallback per line: unrelated articles must never share an outlet name.
                fallback_outlet=id_stem,
                problem_path=where,
            )
        )
    return drafts


# --- Metadata ----------------------------------------------------------------


def _load_sidecar(path: Path, problems: _Problems) -> dict[str, _Metadata]:
    """Read a sources.yaml; a broken one is reported and the articles load without it."""
    try:
        raw = _load_yaml(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.error(path, f"cannot read the metadata file: {exc}; articles load without it")
        return {}
    except yaml.YAMLError as exc:
        reason = _yaml_reason(exc)
        problems.error(path, f"metadata file is not valid YAML: {reason}; articles load without it")
        return {}
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.error(
            path,
            f"metadata file must map file names to fields, not be a {_type_name(raw)}; "
            "articles load without it",
        )
        return {}
    entries: dict[str, _Metadata] = {}
    for name, fields in raw.items():
        if fields is None:
            fields = {}
        if not isinstance(fields, dict):
            problems.warning(
                path, f"entry {name!r} must be a mapping of fields, not a {_type_name(fields)}; it is ignored"
            )
            continue
        entries[str(name)] = _metadata_from(fields, METADATA_FIELDS, path, f"entry {name!r}", problems)
    return entries


def _report_entries_without_files(
    sidecar_path: Path, entries: dict[str, _Metadata], problems: _Problems
) -> None:
    """A misspelt file name would otherwise drop its metadata without a word."""
    for name in entries:
        if not (sidecar_path.parent / name).is_file():
            problems.warning(sidecar_path, f"entry {name!r} names no file in this directory; it is unused")


def _metadata_from(
    raw: dict[Any, Any], allowed: tuple[str, ...], where: Path | str, context: str, problems: _Problems
) -> _Metadata:
    """Take the known metadata fields; wrong types and unknown keys are reported and ignored."""
    metadata = _Metadata()
    unknown: list[str] = []
    for key, value in raw.items():
        name = str(key)
        if name in ("id", "text") and name in allowed:
            continue  # read by the JSONL reader itself
        if name.endswith("_note") and name != "_note":
            if isinstance(value, str):
                metadata.notes[name.removesuffix("_note")] = value
            elif value is not None:
                problems.warning(where, f"{context}: {name} must be text, not a {_type_name(value)}; ignored")
            continue
        if name not in allowed:
            unknown.append(name)
            continue
        if value is None:
            continue
        if name == "published":
            published = _parse_date(value)
            if published is None:
                problems.warning(
                    where, f"{context}: published {value!r} is not a date (write YYYY-MM-DD); ignored"
                )
            else:
                metadata.published = published
        elif isinstance(value, str) and value.strip():
            setattr(metadata, name, value.strip())
        else:
            problems.warning(where, f"{context}: {name} must be text, not {value!r}; ignored")
    if unknown:
        problems.warning(
            where,
            f"{context}: unknown field{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(u) for u in unknown)} ignored (known: {', '.join(METADATA_FIELDS)}, *_note)",
        )
    return metadata


def _parse_date(value: Any) -> dt.date | None:
    """A date from YAML (already a date), or an ISO 8601 date or timestamp string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        try:
            return dt.datetime.fromisoformat(value.strip()).date()
        except ValueError:
            return None
    return None


class _DatesAsTextSafeLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A safe loader (C or Python, never yaml.Loader) that keeps dates as text.

    YAML's own date conversion raises a bare ValueError on "2022-02-30", which would stop
    the whole run; as text, the date is judged by ``_parse_date`` and reported per file.
    """


_DatesAsTextSafeLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def _load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_DatesAsTextSafeLoader)


def _yaml_reason(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return str(exc).replace("\n", " ")


def _type_name(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


# --- Ids, hashes, duplicates --------------------------------------------------


def _sanitise_id(stem: str) -> str:
    """Turn a file stem into a valid article id (letters, digits, '.', '_', '-')."""
    cleaned = _NOT_ID_CHARS.sub("-", stem)
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    cleaned = re.sub(r"-{2,}", "-", cleaned)
    cleaned = cleaned.lstrip("._-")[:_MAX_ID_STEM].rstrip("._-")
    return cleaned or "article"


def _assign_ids(drafts: list[_Draft], problems: _Problems) -> list[Article]:
    articles: list[Article] = []
    by_hash: dict[str, Article] = {}
    used: set[str] = set()
    for draft in drafts:
        digest = hashlib.sha256(draft.text.encode("utf-8")).hexdigest()
        first = by_hash.get(digest)
        if first is not None:
            problems.warning(
                draft.problem_path,
                f"same text as article {first.id!r} ({first.path}); skipped as a duplicate",
                duplicate_of=first.id,
            )
            continue
        article_id = base = _sanitise_id(draft.id_stem)
        suffix = 2
        while article_id in used:
            article_id = f"{base}-{suffix}"
            suffix += 1
        used.add(article_id)
        meta = draft.metadata
        article = Article(
            id=article_id,
            path=draft.path,
            outlet=meta.outlet or draft.fallback_outlet,
            outlet_known=meta.outlet is not None,
            title=meta.title,
            url=meta.url,
            published=meta.published,
            language=meta.language,
            text=draft.text,
            sha256=digest,
            notes=meta.notes,
        )
        by_hash[digest] = article
        articles.append(article)
    return articles


def _nothing_loaded_message(result: IngestResult) -> str:
    errors = [p for p in result.problems if p.severity == "error"] or result.problems
    if not errors:
        return "no article found: the given paths hold no supported files"
    if len(errors) == 1:
        return f"no article could be loaded: {errors[0]}"
    return f"no article could be loaded ({len(errors)} problems; first: {errors[0]})"
