"""The editable vocabularies that grouping, comparison and framing share.

Two data files, both plain YAML a user can read and extend:

- ``data/sources.yaml``: original sources and their aliases, so that "CJTF-OIR",
  "the coalition" and "a coalition statement" count as one source;
- ``data/lexicon.yaml``: loaded terms, referents (armed groups, state actors,
  bases) with their aliases, and sets of mutually exclusive categories.

Everything here is deterministic and cached per file set.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from reconcile.errors import InputError
from reconcile.models import ReferentKind

# Words that say how something was said, not who said it: "a coalition statement",
# "the Pentagon said", "SOHR reported".
_ATTRIBUTION_NOISE = {
    "statement", "statements", "said", "says", "say", "announced", "announcement", "reported", "reports",
    "report", "confirmed", "according", "to", "spokesperson", "spokesman", "spokeswoman", "press",
    "release", "briefing", "official", "a", "an", "the", "in", "by", "of", "from",
}  # fmt: skip
_CITING = re.compile(r"\b(?:citing|quoting|according to)\b", re.IGNORECASE)
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+")

# Below this similarity (0-100) two names are not taken to be the same referent.
FUZZY_FLOOR = 90.0


def norm(text: str | None) -> str:
    """Lower case, plain ASCII letters and digits, single spaces: for matching only."""
    if not text:
        return ""
    return _norm(text)


@functools.lru_cache(maxsize=1 << 16)  # a corpus repeats the same few phrases many times
def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("u.s.", "us").replace("'s ", " ")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return _LEADING_ARTICLE.sub("", text)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def name_key(text: str | None) -> str:
    """``norm`` with plurals folded: "Iran-backed militias" == "Iran backed militia"."""
    return _name_key(norm(text))


@functools.lru_cache(maxsize=1 << 16)
def _name_key(normalized: str) -> str:
    return " ".join(_singular(w) for w in normalized.split())


def _read_yaml(path: Path | None, default: str) -> dict[str, Any]:
    where = f"reconcile/data/{default}" if path is None else str(path)
    try:
        if path is None:
            raw = resources.files("reconcile.data").joinpath(default).read_text(encoding="utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        data = yaml.safe_load(raw) or {}
    except OSError as error:
        raise InputError(f"{where}: cannot be read ({error.strerror or error}).") from None
    except UnicodeDecodeError:
        raise InputError(f"{where}: not UTF-8 text.") from None
    except yaml.YAMLError as error:
        raise InputError(f"{where}: not valid YAML ({_yaml_problem(error)}).") from None
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a mapping at the top level.")
    return data


def _yaml_problem(error: yaml.YAMLError) -> str:
    """PyYAML's message in one line: what is wrong and where."""
    problem = getattr(error, "problem", None) or error.__class__.__name__
    mark = getattr(error, "problem_mark", None)
    return f"{problem} at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else problem


def _strings(value: Any, where: str, what: str) -> list[str]:
    """A YAML list of plain strings; a bare string would otherwise be read letter by letter."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise InputError(f"{where}: {what} must be a list of words or names.")
    return [str(v) for v in value]


def _unknown_keys(data: dict[str, Any], known: tuple[str, ...], where: str, what: str) -> None:
    unknown = sorted(str(k) for k in data if k not in known)
    if unknown:
        raise InputError(
            f"{where}: unknown {what} {', '.join(repr(k) for k in unknown[:3])}; "
            f"expected {', '.join(repr(k) for k in known)}."
        )


def _file_stamp(path: str | Path) -> tuple[Path, int, int]:
    """The file and its modification time and size: a cache key that sees edits."""
    file = Path(path)
    try:
        stat = file.stat()
    except OSError as error:
        raise InputError(f"{file}: cannot be read ({error.strerror or error}).") from None
    return file, stat.st_mtime_ns, stat.st_size


# --- Original sources -------------------------------------------------------


@dataclass(frozen=True)
class SourceIdentity:
    """An original source after canonicalisation: the key counts, the name is shown."""

    key: str
    name: str


@dataclass
class SourceBook:
    """Aliases of original sources, so corroboration counts sources and not outlets."""

    aliases: dict[str, str] = field(default_factory=dict)  # normalised alias -> display name
    _pattern: re.Pattern[str] | None = None
    _cache: dict[str, str | None] = field(default_factory=dict)
    _identities: dict[tuple[str, str, str], SourceIdentity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.aliases:
            ordered = sorted(self.aliases, key=lambda a: (-len(a), a))
            self._pattern = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in ordered) + r")\b")

    def _lookup(self, text: str) -> str | None:
        if text not in self._cache:
            self._cache[text] = self._find(text)
        return self._cache[text]

    def _find(self, text: str) -> str | None:
        if text in self.aliases:
            return self.aliases[text]
        stripped = " ".join(w for w in text.split() if w not in _ATTRIBUTION_NOISE)
        if stripped in self.aliases:
            return self.aliases[stripped]
        if self._pattern is None:
            return None
        # The longest alias inside a longer attribution: "Pentagon spokesperson Pat Ryder".
        matches = self._pattern.findall(text)
        if not matches:
            return None
        best = max(matches, key=lambda m: (len(m), m))
        return self.aliases[best]

    def identify(self, name: str, kind: str, outlet: str) -> SourceIdentity:
        """The original source behind an attribution as an article wrote it."""
        key = (name, kind, outlet)
        known = self._identities.get(key)
        if known is None:
            known = self._identities[key] = self._identify(name, kind, outlet)
        return known

    def _identify(self, name: str, kind: str, outlet: str) -> SourceIdentity:
        text = name.strip()
        cited = _CITING.split(text)
        if len(cited) > 1 and cited[-1].strip():
            text = cited[-1]  # "Reuters, citing US officials": the officials are the source
        key_text = norm(text)
        if kind == "outlet" or key_text in ("", "outlet", "own voice", "outlet own voice"):
            return SourceIdentity(f"outlet:{norm(outlet)}", outlet)
        known = self._lookup(key_text)
        if known is not None:
            return SourceIdentity(f"source:{norm(known)}", known)
        if kind == "anonymous":
            # "local sources" in two outlets are not known to be the same people.
            return SourceIdentity(f"anonymous:{key_text}@{norm(outlet)}", f"{text.strip()} (via {outlet})")
        stripped = " ".join(w for w in key_text.split() if w not in _ATTRIBUTION_NOISE) or key_text
        return SourceIdentity(f"source:{stripped}", text.strip())


def _source_aliases(data: dict[str, Any], where: str) -> dict[str, str]:
    entries = data.get("sources")
    if not isinstance(entries, list):
        raise InputError(
            f"{where}: not a source-aliases file: expected a top-level 'sources' list of original "
            "sources (name, kind, aliases); article metadata such as seeds/sources.yaml is a different file."
        )
    _unknown_keys(data, ("sources",), where, "top-level key")
    aliases: dict[str, str] = {}
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise InputError(f"{where}: source {number} needs a 'name'.")
        _unknown_keys(entry, ("name", "kind", "aliases"), where, f"key in source {entry['name']!r}:")
        display = entry["name"].strip()
        for alias in [display, *_strings(entry.get("aliases"), where, f"the aliases of {display!r}")]:
            key = norm(alias)
            if key:
                aliases[key] = display
    return aliases


def load_sources(extra: str | Path | None = None) -> SourceBook:
    """The shipped source aliases, extended (and overridden) by the file ``extra`` when given.

    ``extra`` has the shape of ``reconcile/data/sources.yaml`` (a ``sources`` list of
    ``name``, ``kind``, ``aliases``). A file that cannot be used raises ``InputError``
    naming it. Loaded once per file version: an edited file is read again.
    """
    if extra is None:
        return _load_sources(None)
    return _load_sources(_file_stamp(extra))


@functools.cache
def _load_sources(stamp: tuple[Path, int, int] | None) -> SourceBook:
    aliases = _source_aliases(_read_yaml(None, "sources.yaml"), "reconcile/data/sources.yaml")
    if stamp is not None:
        aliases.update(_source_aliases(_read_yaml(stamp[0], "sources.yaml"), str(stamp[0])))
    return SourceBook(aliases)


def as_source_book(value: SourceBook | str | Path | None) -> SourceBook:
    """A ``SourceBook`` as given, the shipped one for None, or the shipped one extended by a file."""
    return value if isinstance(value, SourceBook) else load_sources(value)


# --- Referents, loaded terms, exclusive categories --------------------------


@dataclass(frozen=True)
class Referent:
    name: str
    kind: str
    part_of: str | None = None


@dataclass(frozen=True)
class ExclusiveHit:
    """A term of an exclusive category found in a text: ``category`` within ``group``."""

    group: str
    category: int
    term: str


@dataclass
class Lexicon:
    loaded_terms: list[str]
    referents: dict[str, Referent]  # name -> referent
    alias_index: dict[str, str]  # name_key(alias) -> referent name
    exclusive: dict[str, list[list[str]]]
    _loaded_pattern: re.Pattern[str] | None = None
    _exclusive_patterns: list[tuple[str, int, re.Pattern[str]]] = field(default_factory=list)
    _referent_cache: dict[tuple[str, tuple[str, ...]], Referent | None] = field(default_factory=dict)
    _aliases_by_kinds: dict[tuple[str, ...], dict[str, str]] = field(default_factory=dict)
    _exclusive_cache: dict[str, tuple[ExclusiveHit, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        terms = sorted({t.strip() for t in self.loaded_terms if t.strip()}, key=lambda t: (-len(t), t))
        if terms:
            alternatives = "|".join(
                re.escape(t).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]?") for t in terms
            )
            self._loaded_pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        for group, categories in sorted(self.exclusive.items()):
            for index, category_terms in enumerate(categories):
                alternatives = "|".join(re.escape(norm(t)) for t in category_terms if norm(t))
                if alternatives:
                    self._exclusive_patterns.append((group, index, re.compile(rf"\b(?:{alternatives})\b")))

    def loaded_in(self, expression: str) -> list[str]:
        """The loaded terms in ``expression``, as written there, in order, without repeats."""
        if self._loaded_pattern is None:
            return []
        found: list[str] = []
        for match in self._loaded_pattern.finditer(expression):
            if match.group(0) not in found:
                found.append(match.group(0))
        return found

    def referent_for(self, name: str | None, kinds: tuple[str, ...] = ()) -> Referent | None:
        """The known referent ``name`` stands for: exact alias, then a close fuzzy match."""
        key = name_key(name)
        if not key:
            return None
        cache_key = (key, kinds)
        if cache_key not in self._referent_cache:
            self._referent_cache[cache_key] = self._match_referent(key, kinds)
        return self._referent_cache[cache_key]

    def _match_referent(self, key: str, kinds: tuple[str, ...]) -> Referent | None:
        candidates = self._aliases_by_kinds.get(kinds)
        if candidates is None:
            candidates = {
                alias: ref
                for alias, ref in self.alias_index.items()
                if not kinds or self.referents[ref].kind in kinds
            }
            self._aliases_by_kinds[kinds] = candidates
        if key in candidates:
            return self.referents[candidates[key]]
        best = process.extractOne(key, list(candidates), scorer=fuzz.ratio, score_cutoff=FUZZY_FLOOR)
        if best is None:
            return None
        return self.referents[candidates[best[0]]]

    def actor_relation(self, a: Referent, b: Referent) -> str:
        """ "same", "part" (one belongs to the other) or "different"."""
        if a.name == b.name:
            return "same"
        if self._ancestors(a.name) & {b.name} or self._ancestors(b.name) & {a.name}:
            return "part"
        return "different"

    def _ancestors(self, name: str) -> set[str]:
        seen: set[str] = set()
        current = self.referents.get(name)
        while current is not None and current.part_of and current.part_of not in seen:
            seen.add(current.part_of)
            current = self.referents.get(current.part_of)
        return seen

    def exclusive_hits(self, text: str) -> tuple[ExclusiveHit, ...]:
        """Terms of exclusive categories in ``text``: "gas field" -> (field type, 1)."""
        cached = self._exclusive_cache.get(text)
        if cached is None:
            normalized = norm(text)
            hits = []
            for group, index, pattern in self._exclusive_patterns:
                match = pattern.search(normalized)
                if match:
                    hits.append(ExclusiveHit(group, index, match.group(0)))
            cached = self._exclusive_cache[text] = tuple(hits)
        return cached


_REFERENT_KINDS: tuple[str, ...] = ReferentKind.__args__  # type: ignore[attr-defined]


def _lexicon_parts(
    data: dict[str, Any], where: str
) -> tuple[list[str], list[dict[str, Any]], dict[str, list[list[str]]]]:
    _unknown_keys(data, ("loaded_terms", "referents", "exclusive"), where, "top-level key")
    terms = _strings(data.get("loaded_terms"), where, "'loaded_terms'")
    referents = data.get("referents") or []
    if not isinstance(referents, list):
        raise InputError(f"{where}: 'referents' must be a list of referents (name, kind, aliases).")
    checked: list[dict[str, Any]] = []
    for number, entry in enumerate(referents, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry.get("kind"):
            raise InputError(f"{where}: referent {number} needs a 'name' and a 'kind'.")
        name = entry["name"]
        _unknown_keys(entry, ("name", "kind", "aliases", "part_of"), where, f"key in referent {name!r}:")
        if entry["kind"] not in _REFERENT_KINDS:
            kinds = ", ".join(_REFERENT_KINDS)
            raise InputError(f"{where}: referent {name!r} has kind {entry['kind']!r}; use one of {kinds}.")
        part_of = entry.get("part_of")
        if part_of is not None and not isinstance(part_of, str):
            raise InputError(f"{where}: 'part_of' of referent {name!r} must be one referent's name.")
        aliases = _strings(entry.get("aliases"), where, f"the aliases of {name!r}")
        checked.append({"name": name, "kind": entry["kind"], "aliases": aliases, "part_of": part_of})
    exclusive = data.get("exclusive") or {}
    if not isinstance(exclusive, dict):
        raise InputError(f"{where}: 'exclusive' must map a set's name to its lists of terms.")
    sets: dict[str, list[list[str]]] = {}
    for group, categories in exclusive.items():
        if not isinstance(categories, list) or len(categories) < 2:
            raise InputError(f"{where}: exclusive set {group!r} needs at least two lists of terms.")
        what = f"each category of exclusive set {group!r}"
        sets[str(group)] = [_strings(category, where, what) for category in categories]
    return terms, checked, sets


def load_lexicon(extra: str | Path | None = None) -> Lexicon:
    """The shipped lexicon, extended by the file ``extra`` (same shape) when given.

    A file that cannot be used raises ``InputError`` naming it. Loaded once per file
    version: an edited file is read again.
    """
    if extra is None:
        return _load_lexicon(None)
    return _load_lexicon(_file_stamp(extra))


@functools.cache
def _load_lexicon(stamp: tuple[Path, int, int] | None) -> Lexicon:
    parts = [_lexicon_parts(_read_yaml(None, "lexicon.yaml"), "reconcile/data/lexicon.yaml")]
    if stamp is not None:
        parts.append(_lexicon_parts(_read_yaml(stamp[0], "lexicon.yaml"), str(stamp[0])))
    terms: list[str] = []
    referents: dict[str, Referent] = {}
    alias_index: dict[str, str] = {}
    exclusive: dict[str, list[list[str]]] = {}
    for part_terms, part_referents, part_exclusive in parts:
        terms.extend(part_terms)
        for entry in part_referents:
            name = entry["name"]
            referents[name] = Referent(name, str(entry["kind"]), entry["part_of"])
            for alias in [name, *entry["aliases"]]:
                if name_key(alias):
                    alias_index[name_key(alias)] = name
        exclusive.update(part_exclusive)
    return Lexicon(terms, referents, alias_index, exclusive)


def as_lexicon(value: Lexicon | str | Path | None) -> Lexicon:
    """A ``Lexicon`` as given, the shipped one for None, or the shipped one extended by a file."""
    return value if isinstance(value, Lexicon) else load_lexicon(value)
