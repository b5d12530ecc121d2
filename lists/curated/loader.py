"""The strict loader every curated source shares: JSON bytes -> a validated `CuratedDocument`.

A file is refused, as a whole, with a ListParseError naming the entry and the field, for an
unknown key, a bad country code or host name, a percentage outside 0..100, a duplicate, or a fact
without a source. A fact cites keys of the file's `sources` map in `src`; a file may declare a
`default_source` for facts that cite nothing (a one-document list such as an edition of 1260H).
A fact is verified when at least one of its sources is checked; `verified: false` marks it
unverified anyway, and `verified: true` on a fact whose every source is unchecked is refused.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any, TypeVar

from lists.curated import fields as f
from lists.curated.model import (
    AddressFact,
    CuratedDocument,
    CuratedEntry,
    Fact,
    IdentifierFact,
    ListingFact,
    ListingStatus,
    NameFact,
    PlaceFact,
    RelationFact,
    Repository,
    Source,
    SourceKind,
)
from screening.errors import ListParseError
from screening.listings.records import EntityKind
from screening.names.scripts import detect_script

FORMAT = 1
_T = TypeVar("_T")
NAME_KINDS = frozenset(
    {
        "aka",
        "short",  # a short form the party itself uses ("Hangzhou DeepSeek AI Co., Ltd.")
        "legal",  # another legal name: a listed holding, a former or unchecked English form
        "legal_zh",  # the Chinese legal name
        "former",
        "brand",
        "listed",  # the name as a list printed it, where it differs from the legal name
        "issuer",
        "operator",  # a foreign operating company the reference treats as the same organisation
        "operating_company",  # the group's main operating company, named only in Chinese
        "subsidiary",  # a subsidiary the reference names without facts of its own
    }
)
RELATION_KINDS = frozenset({"parent", "owner", "operator", "affiliate", "subsidiary"})
# Ties that point up an ownership chain: a cycle of them is a data error.
_UPWARD = frozenset({"parent", "owner"})
_ENTRY_KINDS = frozenset(kind.value for kind in EntityKind)
_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SOURCE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_LIST_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]*")
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_COMMIT = re.compile(r"[0-9a-f]{7,40}")
_FEDERAL_REGISTER = re.compile(r"\d+ FR \d+(?: \(FR doc \d{4}-\d{5}\))?|FR doc \d{4}-\d{5}")
_MAX_KEY = 100
# Literal types by their spelling, so that a checked string becomes one without a cast.
_SOURCE_KINDS: dict[str, SourceKind] = {"document": "document", "list": "list", "report": "report"}
_STATUSES: dict[str, ListingStatus] = {
    "listed": "listed",
    "removed": "removed",
    "withheld": "withheld",
}

_TOP = ("format", "list", "title", "version", "as_of", "sources", "entries")
_TOP_OPTIONAL = ("notes", "default_source", "lists", "remarks", "headquarters")
_ENTRY_OPTIONAL = (
    "key",
    "kind",
    "aliases",
    "countries",
    "headquarters",
    "addresses",
    "identifiers",
    "websites",
    "email_domains",
    "relations",
    "listings",
    "reports",
    "note",
)
_EVIDENCE = ("src", "verified")


def load(raw: bytes, *, source: str, list_code: str) -> CuratedDocument:
    """Parse and validate one curated file; `list_code` is the list the source expects it to be
    (a mirror serving another list's file under this name is refused)."""
    try:
        return _Reader(list_code).document(f.decode(raw))
    except f.Problem as exc:
        raise ListParseError(str(exc), source=source) from None


class _Reader:
    def __init__(self, list_code: str) -> None:
        self.list_code = list_code
        self.sources: dict[str, Source] = {}
        self.default_source: str | None = None
        self.list_codes: dict[str, str] = {}

    # --- the document -----------------------------------------------------------------------

    def document(self, data: Any) -> CuratedDocument:
        top = f.fields(data, "top level", required=_TOP, optional=_TOP_OPTIONAL)
        if top["format"] != FORMAT or isinstance(top["format"], bool):
            f.fail("top level format", f"{top['format']!r} is not a known format (expected 1)")
        code = f.text(top["list"], "top level list")
        if code != self.list_code:
            f.fail("top level list", f"this is list {code!r}, expected {self.list_code!r}")
        version = top["version"]
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            f.fail("top level version", f"expected a whole number from 1, got {version!r}")
        for i, note in enumerate(f.array(top.get("notes", []), "top level notes")):
            f.text(note, f"top level notes[{i}]")
        self.sources = self._sources(top["sources"])
        if "default_source" in top:
            self.default_source = self._source_key(top["default_source"], "top level")
        self.list_codes = self._list_codes(top.get("lists", {}))
        default_hq = None
        if "headquarters" in top:
            default_hq = self._place(top["headquarters"], "top level headquarters")
        entries = self._entries(f.array(top["entries"], "top level entries"), default_hq)
        return CuratedDocument(
            list_code=code,
            title=f.text(top["title"], "top level title"),
            version=version,
            as_of=f.iso_date(top["as_of"], "top level as_of"),
            sources=self.sources,
            lists=self.list_codes,
            remarks=f.text(top["remarks"], "top level remarks") if "remarks" in top else None,
            entries=entries,
        )

    def _sources(self, data: Any) -> dict[str, Source]:
        if not isinstance(data, dict) or not data:
            f.fail("top level sources", "expected an object with at least one source")
        return {
            f.pattern(key, "top level sources", _SOURCE_KEY, "a source key"): self._source(
                key, value
            )
            for key, value in data.items()
        }

    def _source(self, key: str, data: Any) -> Source:
        where = f"source {key!r}"
        obj = f.fields(
            data,
            where,
            required=("title",),
            optional=("kind", "urls", "repositories", "unchecked"),
        )
        kind: SourceKind = "document"
        if "kind" in obj:
            kind = _SOURCE_KINDS[f.one_of(obj["kind"], f"{where} kind", _SOURCE_KINDS)]
        urls = self._unique(
            [
                f.url(u, f"{where} urls[{i}]")
                for i, u in enumerate(f.array(obj.get("urls", []), where))
            ],
            f"{where} urls",
        )
        repos = tuple(
            self._repository(r, f"{where} repositories[{i}]")
            for i, r in enumerate(f.array(obj.get("repositories", []), f"{where} repositories"))
        )
        unchecked = (
            f.boolean(obj["unchecked"], f"{where} unchecked") if "unchecked" in obj else False
        )
        if not unchecked and not urls and not repos:
            f.fail(where, "a checked source needs urls or repositories (or unchecked: true)")
        return Source(key, f.text(obj["title"], f"{where} title"), kind, urls, repos, unchecked)

    def _repository(self, data: Any, where: str) -> Repository:
        obj = f.fields(data, where, required=("repository",), optional=("paths", "commit"))
        paths = self._unique(
            [
                f.text(p, f"{where} paths[{i}]")
                for i, p in enumerate(f.array(obj.get("paths", []), f"{where} paths"))
            ],
            f"{where} paths",
        )
        commit = None
        if "commit" in obj:
            commit = f.pattern(obj["commit"], f"{where} commit", _COMMIT, "a commit hash")
        repository = f.pattern(obj["repository"], f"{where} repository", _REPOSITORY, "owner/name")
        return Repository(repository, paths, commit)

    def _list_codes(self, data: Any) -> dict[str, str]:
        if not isinstance(data, dict):
            f.fail("top level lists", f"expected an object, got {f.kind_of(data)}")
        return {
            f.pattern(code, "top level lists", _LIST_CODE, "a list code"): f.text(
                title, f"top level lists {code}"
            )
            for code, title in data.items()
        }

    # --- entries ----------------------------------------------------------------------------

    def _entries(self, data: list[Any], default_hq: PlaceFact | None) -> tuple[CuratedEntry, ...]:
        entries: dict[str, CuratedEntry] = {}
        for i, item in enumerate(data):
            entry = self._entry(item, f"entries[{i}]", default_hq)
            if entry.key in entries:
                f.fail(
                    f"entry {entry.key!r} (entries[{i}])", "the key is used by an earlier entry too"
                )
            entries[entry.key] = entry
        resolved = {key: self._resolve(entry, entries) for key, entry in entries.items()}
        self._refuse_cycles(resolved)
        return tuple(resolved.values())

    def _entry(self, data: Any, where: str, default_hq: PlaceFact | None) -> CuratedEntry:
        where = _label(data, where)
        obj = f.fields(data, where, required=("name",), optional=_ENTRY_OPTIONAL)
        name = self._name(obj["name"], f"{where} name", primary=True)
        if "key" in obj:
            key = f.pattern(obj["key"], f"{where} key", _KEY, "a key (lower-case-words)")
        else:
            key = f.slug(name.value)
            if not key:
                f.fail(f"{where} name", f"{name.value!r} gives no key; add a 'key'")
        if len(key) > _MAX_KEY:
            f.fail(f"{where} key", f"{key!r} is longer than {_MAX_KEY} characters")
        at = f"entry {key!r}"
        kind = "organization"
        if "kind" in obj:
            kind = f.one_of(obj["kind"], f"{at} kind", _ENTRY_KINDS)
        aliases = self._items(obj, "aliases", at, lambda v, w: self._name(v, w, primary=False))
        seen = {name.value.casefold()}
        for i, alias in enumerate(aliases):
            if alias.value.casefold() in seen:
                f.fail(f"{at} aliases[{i}]", f"{alias.value!r} repeats the name or an alias")
            seen.add(alias.value.casefold())
        headquarters = default_hq
        if "headquarters" in obj:
            headquarters = self._place(obj["headquarters"], f"{at} headquarters")
        return CuratedEntry(
            key=key,
            kind=kind,
            name=name,
            aliases=aliases,
            countries=self._distinct(
                self._items(obj, "countries", at, self._country), f"{at} countries"
            ),
            headquarters=headquarters,
            addresses=self._items(obj, "addresses", at, self._address),
            identifiers=self._items(obj, "identifiers", at, self._identifier),
            websites=self._distinct(self._items(obj, "websites", at, self._host), f"{at} websites"),
            email_domains=self._distinct(
                self._items(obj, "email_domains", at, self._host), f"{at} email_domains"
            ),
            relations=self._items(obj, "relations", at, self._relation),
            listings=self._one_per_status(self._items(obj, "listings", at, self._listing), at),
            reports=self._reports(obj.get("reports", []), f"{at} reports"),
            note=f.text(obj["note"], f"{at} note") if "note" in obj else None,
        )

    def _items(
        self, obj: dict[str, Any], name: str, at: str, read: Callable[[Any, str], _T]
    ) -> tuple[_T, ...]:
        where = f"{at} {name}"
        return tuple(
            read(v, f"{where}[{i}]") for i, v in enumerate(f.array(obj.get(name, []), where))
        )

    def _distinct(self, facts: tuple[Fact, ...], where: str) -> tuple[Fact, ...]:
        seen: set[str] = set()
        for fact in facts:
            if fact.value in seen:
                f.fail(where, f"{fact.value!r} is listed twice")
            seen.add(fact.value)
        return facts

    def _one_per_status(
        self, listings: tuple[ListingFact, ...], at: str
    ) -> tuple[ListingFact, ...]:
        seen: set[tuple[str, str]] = set()
        for i, listing in enumerate(listings):
            if (listing.list, listing.status) in seen:
                f.fail(f"{at} listings[{i}]", f"{listing.list} {listing.status} is given twice")
            seen.add((listing.list, listing.status))
        return listings

    # --- facts ------------------------------------------------------------------------------

    def _evidence(self, obj: dict[str, Any], where: str) -> tuple[tuple[str, ...], bool]:
        """The fact's sources and whether it is verified."""
        if "src" in obj:
            keys = [
                self._source_key(k, f"{where} src") for k in f.array(obj["src"], f"{where} src")
            ]
            if not keys:
                f.fail(f"{where} src", "is empty: cite at least one source")
            sources = self._unique(keys, f"{where} src")
        elif self.default_source is not None:
            sources = (self.default_source,)
        else:
            f.fail(where, "has no source (add 'src' with keys of the sources map)")
        checked = any(not self.sources[k].unchecked for k in sources)
        if "verified" not in obj:
            return sources, checked
        verified = f.boolean(obj["verified"], f"{where} verified")
        if verified and not checked:
            f.fail(f"{where} verified", "is true, but every source it cites is unchecked")
        return sources, verified

    def _as_object(self, data: Any, main: str) -> Any:
        # A bare string is shorthand for {main: value}, citing the default source.
        return {main: data} if isinstance(data, str) else data

    def _value_fact(self, data: Any, where: str, check: Any) -> Fact:
        obj = f.fields(
            self._as_object(data, "value"),
            where,
            required=("value",),
            optional=(*_EVIDENCE, "note"),
        )
        sources, verified = self._evidence(obj, where)
        note = f.text(obj["note"], f"{where} note") if "note" in obj else None
        return Fact(check(obj["value"], f"{where} value"), sources, verified, note)

    def _country(self, data: Any, where: str) -> Fact:
        return self._value_fact(data, where, f.country)

    def _host(self, data: Any, where: str) -> Fact:
        return self._value_fact(data, where, f.host)

    def _name(self, data: Any, where: str, *, primary: bool) -> NameFact:
        optional = (*_EVIDENCE, "note") if primary else (*_EVIDENCE, "note", "kind", "strength")
        obj = f.fields(
            self._as_object(data, "value"), where, required=("value",), optional=optional
        )
        value = f.text(obj["value"], f"{where} value")
        kind = "primary" if primary else "aka"
        if "kind" in obj:
            kind = f.one_of(obj["kind"], f"{where} kind", NAME_KINDS)
        if kind == "legal_zh" and detect_script(value) != "Hani":
            f.fail(f"{where} value", f"{value!r} is kind legal_zh but not written in Chinese")
        weak = None
        if "strength" in obj:
            weak = f.one_of(obj["strength"], f"{where} strength", ("strong", "weak")) == "weak"
        sources, verified = self._evidence(obj, where)
        note = f.text(obj["note"], f"{where} note") if "note" in obj else None
        return NameFact(value, kind, weak, sources, verified, note)

    def _place(self, data: Any, where: str) -> PlaceFact:
        obj = f.fields(
            self._as_object(data, "country"),
            where,
            required=("country",),
            optional=(*_EVIDENCE, "city"),
        )
        sources, verified = self._evidence(obj, where)
        city = f.text(obj["city"], f"{where} city") if "city" in obj else None
        return PlaceFact(f.country(obj["country"], f"{where} country"), city, sources, verified)

    def _address(self, data: Any, where: str) -> AddressFact:
        obj = f.fields(data, where, required=("full", "country"), optional=(*_EVIDENCE, "city"))
        sources, verified = self._evidence(obj, where)
        return AddressFact(
            f.text(obj["full"], f"{where} full"),
            f.country(obj["country"], f"{where} country"),
            f.text(obj["city"], f"{where} city") if "city" in obj else None,
            sources,
            verified,
        )

    def _identifier(self, data: Any, where: str) -> IdentifierFact:
        obj = f.fields(data, where, required=("type", "value"), optional=(*_EVIDENCE, "country"))
        sources, verified = self._evidence(obj, where)
        return IdentifierFact(
            f.text(obj["type"], f"{where} type"),
            f.text(obj["value"], f"{where} value"),
            f.country(obj["country"], f"{where} country") if "country" in obj else None,
            sources,
            verified,
        )

    def _relation(self, data: Any, where: str) -> RelationFact:
        optional = ("entry", "name", "percent", "percent_note", "country", "as_of", "note")
        obj = f.fields(data, where, required=("kind",), optional=(*optional, *_EVIDENCE))
        if ("entry" in obj) == ("name" in obj):
            f.fail(where, "give either 'entry' (a key of this file) or 'name', not both or neither")
        sources, verified = self._evidence(obj, where)
        entry = (
            f.pattern(obj["entry"], f"{where} entry", _KEY, "an entry key")
            if "entry" in obj
            else None
        )
        return RelationFact(
            kind=f.one_of(obj["kind"], f"{where} kind", RELATION_KINDS),
            name=f.text(obj["name"], f"{where} name") if "name" in obj else "",
            entry=entry,
            percent=f.percent(obj["percent"], f"{where} percent") if "percent" in obj else None,
            percent_note=self._optional_text(obj, "percent_note", where),
            country=f.country(obj["country"], f"{where} country") if "country" in obj else None,
            as_of=f.iso_date(obj["as_of"], f"{where} as_of") if "as_of" in obj else None,
            sources=sources,
            verified=verified,
            note=self._optional_text(obj, "note", where),
        )

    def _listing(self, data: Any, where: str) -> ListingFact:
        optional = ("name", "since", "effective", "until", "reported", "federal_register", "note")
        obj = f.fields(data, where, required=("list", "status"), optional=(*optional, *_EVIDENCE))
        code = f.text(obj["list"], f"{where} list")
        if code not in self.list_codes:
            f.fail(
                f"{where} list",
                f"{code!r} is not in the file's lists ({', '.join(self.list_codes)})",
            )
        status = _STATUSES[f.one_of(obj["status"], f"{where} status", _STATUSES)]
        dates: dict[str, str] = {
            k: f.iso_date(obj[k], f"{where} {k}")
            for k in ("since", "effective", "until", "reported")
            if k in obj
        }
        self._listing_dates(status, dates, where)
        register = tuple(
            f.pattern(
                v,
                f"{where} federal_register[{i}]",
                _FEDERAL_REGISTER,
                "a citation like '90 FR 4617'",
            )
            for i, v in enumerate(
                f.array(obj.get("federal_register", []), f"{where} federal_register")
            )
        )
        sources, verified = self._evidence(obj, where)
        return ListingFact(
            list=code,
            status=status,
            name=self._optional_text(obj, "name", where),
            since=dates.get("since"),
            effective=dates.get("effective"),
            until=dates.get("until"),
            reported=dates.get("reported"),
            federal_register=register,
            sources=sources,
            verified=verified,
            note=self._optional_text(obj, "note", where),
        )

    def _listing_dates(self, status: str, dates: dict[str, str], where: str) -> None:
        needs = {"listed": (), "removed": ("until",), "withheld": ("reported",)}[status]
        refuses = {
            "listed": ("until", "reported"),
            "removed": ("reported",),
            "withheld": ("since", "effective", "until"),
        }[status]
        for key in needs:
            if key not in dates:
                f.fail(where, f"status {status} needs '{key}'")
        for key in refuses:
            if key in dates:
                f.fail(f"{where} {key}", f"does not go with status {status}")
        # ISO dates (and months) compare as text.
        if "since" in dates and "until" in dates and dates["until"] < dates["since"]:
            f.fail(f"{where} until", f"{dates['until']} is before since {dates['since']}")

    def _reports(self, data: Any, where: str) -> tuple[str, ...]:
        keys = [self._source_key(k, where) for k in f.array(data, where)]
        for key in keys:
            if self.sources[key].kind != "report":
                f.fail(where, f"source {key!r} is not a report (kind: report)")
        return self._unique(keys, where)

    # --- references between entries ---------------------------------------------------------

    def _resolve(self, entry: CuratedEntry, entries: dict[str, CuratedEntry]) -> CuratedEntry:
        relations = []
        for i, relation in enumerate(entry.relations):
            if relation.entry is None:
                relations.append(relation)
                continue
            where = f"entry {entry.key!r} relations[{i}] entry"
            target = entries.get(relation.entry)
            if target is None:
                f.fail(where, f"no entry has the key {relation.entry!r}")
            if target.key == entry.key:
                f.fail(where, "an entry cannot be related to itself")
            hq = target.headquarters.country if target.headquarters else None
            relations.append(
                dataclasses.replace(
                    relation, name=target.name.value, country=relation.country or hq
                )
            )
        seen: set[tuple[str, str]] = set()
        for i, relation in enumerate(relations):
            if (relation.kind, relation.name) in seen:
                f.fail(
                    f"entry {entry.key!r} relations[{i}]",
                    f"{relation.kind} {relation.name!r} is given twice",
                )
            seen.add((relation.kind, relation.name))
        return dataclasses.replace(entry, relations=tuple(relations))

    def _refuse_cycles(self, entries: dict[str, CuratedEntry]) -> None:
        up = {
            key: [r.entry for r in entry.relations if r.entry is not None and r.kind in _UPWARD]
            for key, entry in entries.items()
        }
        done: set[str] = set()

        def visit(node: str, path: list[str]) -> None:
            if node in done:
                return
            if node in path:
                cycle = " -> ".join([*path[path.index(node) :], node])
                f.fail(f"entry {node!r} relations", f"parent/owner ties form a cycle: {cycle}")
            for parent in up[node]:
                visit(parent, [*path, node])
            done.add(node)

        for key in up:
            visit(key, [])

    # --- small helpers ----------------------------------------------------------------------

    def _source_key(self, value: Any, where: str) -> str:
        key = f.text(value, where)
        if key not in self.sources:
            f.fail(where, f"{key!r} is not a key of the sources map")
        return key

    def _optional_text(self, obj: dict[str, Any], key: str, where: str) -> str | None:
        return f.text(obj[key], f"{where} {key}") if key in obj else None

    def _unique(self, values: list[str], where: str) -> tuple[str, ...]:
        seen: set[str] = set()
        for value in values:
            if value in seen:
                f.fail(where, f"{value!r} is given twice")
            seen.add(value)
        return tuple(values)


def _label(data: Any, where: str) -> str:
    """`entry 'deepseek'` where the entry's key (or its name's) can be read before it is checked,
    so that even an unknown key is reported against the entry a reader can find."""
    if not isinstance(data, dict):
        return where
    key, name = data.get("key"), data.get("name")
    if isinstance(name, dict):
        name = name.get("value")
    if isinstance(key, str) and _KEY.fullmatch(key):
        return f"entry {key!r}"
    if isinstance(name, str) and (derived := f.slug(name)):
        return f"entry {derived!r}"
    return where
