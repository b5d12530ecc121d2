"""OFAC's legacy CSV publication -> ListEntry, shared by the SDN and the Consolidated lists.

Each list is four files joined on ent_num: a primary file (one row per party), aliases, addresses
and "comments" (the tail of any Remarks longer than the primary file's ~1,000-character field). The
ent_num is OFAC's own party id and is carried unchanged into the trade.gov CSL, so it also gives
the cross-source `party_key`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from lists.ofac_csv import Table, read_table
from lists.ofac_remarks import parse_remarks
from screening.errors import ListParseError
from screening.listings.records import Address, EntityKind, ListEntry, Name, NameStrength
from screening.listings.source import ParseResult
from screening.names.countries import country_code

# SDN_Type as published; OFAC leaves it empty (`-0-`) for organisations.
KINDS: dict[str | None, EntityKind] = {
    None: EntityKind.ORGANIZATION,
    "individual": EntityKind.PERSON,
    "vessel": EntityKind.VESSEL,
    "aircraft": EntityKind.AIRCRAFT,
}
# Primary-file columns after ent_num that describe vessels, as stored in `extra`.
_VESSEL_COLUMNS = ("call_sign", "vessel_type", "tonnage", "grt", "vessel_flag", "vessel_owner")
# A postal code ends the city cell ("London EC3N 1DY", "Tijuana, Baja California CP 22000").
_POSTAL = re.compile(
    r"^(?P<place>.*?)[\s,]+(?P<postal>(?:[A-Z]{1,3}[\s-]?)?\d[\dA-Z-]*(?:\s+[\dA-Z]{2,4})?)$"
)

ListCodes = Callable[[tuple[str, ...], str | None], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class OfacLayout:
    """Which files make up one OFAC list and how its entries are labelled."""

    source: str
    primary: str
    alt: str
    add: str
    comments: str
    source_url: str
    list_codes: ListCodes


def parse_ofac(files: Mapping[str, bytes], layout: OfacLayout) -> ParseResult:
    # Mirrors and older downloads use lower-case names (sdn.csv); OFAC itself upper-case.
    by_name = {name.upper(): raw for name, raw in files.items()}
    if layout.primary not in by_name:
        raise ListParseError(f"{layout.primary} is missing", source=layout.source)
    warnings: list[str] = []
    tables: dict[str, Table] = {}
    for name, columns in (
        (layout.primary, 12),
        (layout.alt, 5),
        (layout.add, 6),
        (layout.comments, 2),
    ):
        if name not in by_name:
            warnings.append(f"{name} was not supplied; its data is absent from this version")
            continue
        tables[name] = read_table(
            by_name[name],
            name=name,
            columns=columns,
            source=layout.source,
            may_be_empty=name != layout.primary,
        )
        warnings.extend(tables[name].warnings)

    primary = _merge_duplicates(tables[layout.primary], warnings)
    overflow = _group(tables.get(layout.comments))
    aliases = _group(tables.get(layout.alt))
    addresses = _group(tables.get(layout.add))
    for name, grouped in (
        (layout.alt, aliases),
        (layout.add, addresses),
        (layout.comments, overflow),
    ):
        orphans = sorted(set(grouped) - set(primary))
        if orphans:
            warnings.append(
                f"{name}: {len(orphans)} rows refer to ent_nums absent from {layout.primary} "
                f"(first {orphans[0]}); ignored"
            )
    entries = [
        _entry(ent_num, row, overflow, aliases, addresses, layout, warnings)
        for ent_num, row in primary.items()
    ]
    return ParseResult(entries=entries, warnings=warnings)


def _group(table: Table | None) -> dict[int, list[list[str | None]]]:
    grouped: dict[int, list[list[str | None]]] = defaultdict(list)
    for ent_num, row in table.rows if table else ():
        grouped[ent_num].append(row)
    return grouped


def _merge_duplicates(table: Table, warnings: list[str]) -> dict[int, list[str | None]]:
    """One row per ent_num; a repeated ent_num (never seen in OFAC files so far) is folded in."""
    rows: dict[int, list[str | None]] = {}
    for ent_num, row in table.rows:
        first = rows.get(ent_num)
        if first is None:
            rows[ent_num] = row
            continue
        warnings.append(f"{table.name}: ent_num {ent_num} appears twice; rows merged")
        first[2] = "] [".join(p for p in (first[2], row[2]) if p)
        first[10] = "; ".join(r for r in (first[10], row[10]) if r)
        if row[0] and row[0] != first[0]:
            # Keep the second name findable: folded into the remarks as an a.k.a.
            first[10] = "; ".join(r for r in (first[10], f"a.k.a. '{row[0]}'") if r)
    return rows


def split_programs(cell: str | None) -> tuple[str, ...]:
    """`SDGT] [IRGC` -> ("SDGT", "IRGC")."""
    if not cell:
        return ()
    parts = (part.strip(" []") for part in cell.split("] ["))
    return tuple(dict.fromkeys(part for part in parts if part))


def parse_address(row: list[str | None]) -> Address | None:
    """ADD.CSV row after ent_num: add_num, address, city/state/postal, country, remarks."""
    street, locality, country_name = row[1], row[2], row[3]
    if not (street or locality or country_name):
        return None
    city = state = postal = None
    if locality:
        match = _POSTAL.match(locality)
        place = match["place"] if match else locality
        postal = match["postal"] if match else None
        city, _, rest = place.partition(", ")
        state = rest or None
    full = ", ".join(part for part in (street, locality, country_name) if part)
    return Address(
        full=full,
        street=street,
        city=city or None,
        state=state,
        postal_code=postal,
        country=country_code(country_name),
    )


def _entry(
    ent_num: int,
    row: list[str | None],
    overflow: Mapping[int, list[list[str | None]]],
    alt_rows: Mapping[int, list[list[str | None]]],
    add_rows: Mapping[int, list[list[str | None]]],
    layout: OfacLayout,
    warnings: list[str],
) -> ListEntry:
    name, sdn_type, program_cell, title = row[0], row[1], row[2], row[3]
    if not name:
        raise ListParseError(
            f"{layout.primary}: ent_num {ent_num} has no name", source=layout.source
        )
    remarks = row[10]
    tail = "".join(r[0] or "" for r in overflow.get(ent_num, ()))
    if tail:
        # The overflow resumes mid-word where the Remarks field was cut: join without a separator.
        remarks = (remarks or "") + tail
    kind = KINDS.get(sdn_type.lower() if sdn_type else None)
    if kind is None:
        warnings.append(f"ent_num {ent_num}: unknown SDN_Type {sdn_type!r}")
        kind = EntityKind.UNKNOWN
    facts = parse_remarks(remarks)
    programs = split_programs(program_cell)
    extra = {key: "; ".join(values) for key, values in facts.extra.items()}
    if title:
        extra["title"] = title
    extra.update(
        {key: value for key, value in zip(_VESSEL_COLUMNS, row[4:10], strict=True) if value}
    )
    countries = list(facts.countries)
    flag = country_code(row[8])
    if flag and flag not in countries:
        countries.append(flag)
    lists = layout.list_codes(programs, remarks)
    if not lists:
        warnings.append(f"ent_num {ent_num}: no list code for programmes {', '.join(programs)}")
    alt_names = [
        Name(r[2], NameStrength.STRONG, (r[1] or "aka").replace(".", "").lower())
        for r in alt_rows.get(ent_num, ())
        if r[2]
    ]
    addresses = (parse_address(r) for r in add_rows.get(ent_num, ()))
    return ListEntry(
        source=layout.source,
        source_key=str(ent_num),
        kind=kind,
        name=name,
        lists=lists,
        programs=programs,
        aliases=_unique_names(name, [*alt_names, *facts.aliases]),
        addresses=tuple(dict.fromkeys(a for a in addresses if a is not None)),
        identifiers=tuple(dict.fromkeys(facts.identifiers)),
        countries=tuple(countries),
        websites=tuple(facts.websites),
        email_domains=tuple(facts.email_domains),
        source_urls=(layout.source_url,),
        remarks=remarks,
        party_key=f"ofac:{ent_num}",
        extra=extra,
    )


def _unique_names(primary: str, names: list[Name]) -> tuple[Name, ...]:
    """Drop repeats and the primary name; a strong alias wins over the same name as a weak one."""
    seen = {primary.casefold()}
    kept: list[Name] = []
    strong = [n for n in names if n.strength is NameStrength.STRONG]
    for alias in (*strong, *(n for n in names if n.strength is not NameStrength.STRONG)):
        key = alias.value.casefold()
        if key not in seen:
            seen.add(key)
            kept.append(alias)
    return tuple(kept)
