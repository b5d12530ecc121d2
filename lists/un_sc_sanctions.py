"""UN Security Council Consolidated List: every individual and entity under a UN sanctions regime.

One XML document, `CONSOLIDATED_LIST` holding `INDIVIDUALS/INDIVIDUAL` and `ENTITIES/ENTITY`; one
record per element, keyed by the UN reference number (`QDi.001`, `KPe.001`). Parsed only through
`lists.xmlsafe`, which refuses DTDs and entity declarations.

A well-formed list with no entries parses to zero entries: the sanity layer, which knows the
source's bounds, refuses it, so the parser does not duplicate that policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from xml.etree.ElementTree import Element

from lists.xmlsafe import local_name, parse_xml
from screening.errors import ListParseError
from screening.listings.records import (
    Address,
    EntityKind,
    Identifier,
    ListEntry,
    Name,
    NameStrength,
)
from screening.listings.source import ListSource, ParseResult, SourceFile
from screening.names.countries import country_code
from screening.names.scripts import detect_script

SOURCE_ID = "un_sc_sanctions"
URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
FILE_NAME = "consolidated.xml"

# QUALITY -> (strength, kind). "Low" aliases are, in the UN's words, too broad to identify anyone
# on their own; an empty QUALITY is treated like "Good", which is how the UN publishes most of them.
ALIAS_QUALITY: dict[str, tuple[NameStrength, str]] = {
    "good": (NameStrength.STRONG, "aka"),
    "a.k.a.": (NameStrength.STRONG, "aka"),
    "": (NameStrength.STRONG, "aka"),
    "f.k.a.": (NameStrength.STRONG, "fka"),
    "low": (NameStrength.WEAK, "aka"),
}
# Unicode character-name prefix -> ISO 15924 code; enough for the scripts the UN publishes.
NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _text(element: Element | None) -> str:
    """Element text with whitespace collapsed (the UN wraps long values across lines)."""
    if element is None or element.text is None:
        return ""
    return " ".join(element.text.split())


def _child(element: Element, tag: str) -> str:
    return _text(element.find(tag))


def _values(element: Element, tag: str) -> list[str]:
    """Texts of `<TAG><VALUE>..</VALUE></TAG>` groups (NATIONALITY, TITLE, DESIGNATION)."""
    return [v for group in element.findall(tag) for node in group if (v := _text(node))]


def parse(files: Mapping[str, bytes]) -> ParseResult:
    if FILE_NAME not in files:
        raise ListParseError(f"{FILE_NAME} is missing", source=SOURCE_ID)
    root = parse_xml(files[FILE_NAME], source=SOURCE_ID)
    if local_name(root.tag) != "CONSOLIDATED_LIST":
        raise ListParseError(
            f"root element is <{local_name(root.tag)}>, expected <CONSOLIDATED_LIST>",
            source=SOURCE_ID,
        )
    entries: list[ListEntry] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for group, tag, kind in (
        ("INDIVIDUALS", "INDIVIDUAL", EntityKind.PERSON),
        ("ENTITIES", "ENTITY", EntityKind.ORGANIZATION),
    ):
        for element in root.findall(f"{group}/{tag}"):
            entry = _entry(element, kind)
            if entry is None:
                warnings.append(f"{tag} {_child(element, 'DATAID') or '?'} has no name, skipped")
            elif entry.source_key in seen:
                warnings.append(f"{tag} {entry.source_key} appears twice, second copy skipped")
            else:
                seen.add(entry.source_key)
                entries.append(entry)
    return ParseResult(entries, warnings)


def _entry(element: Element, kind: EntityKind) -> ListEntry | None:
    parts = [p for tag in NAME_PARTS if (p := _child(element, tag))]
    if not parts:
        return None
    if kind is EntityKind.PERSON:
        name, aliases = " ".join(parts), []
    else:
        # Entities hold their whole name in FIRST_NAME, several names joined by " ; ".
        names = [n.strip() for n in " ".join(parts).split(";") if n.strip()]
        name, aliases = names[0], [Name(n) for n in names[1:]]
    prefix = "INDIVIDUAL" if kind is EntityKind.PERSON else "ENTITY"
    aliases += _aliases(element.findall(f"{prefix}_ALIAS"))
    if original := _child(element, "NAME_ORIGINAL_SCRIPT"):
        aliases.append(
            Name(original, NameStrength.STRONG, "original_script", detect_script(original))
        )

    nationalities = _values(element, "NATIONALITY")
    list_type = _child(element, "UN_LIST_TYPE")
    listed_on = _child(element, "LISTED_ON")[:10]
    extra = {
        "dataid": _child(element, "DATAID"),
        "titles": "; ".join(_values(element, "TITLE")),
        "designations": "; ".join(_values(element, "DESIGNATION")),
        "gender": _child(element, "GENDER"),
        "nationalities": "; ".join(nationalities),
        "dates_of_birth": "; ".join(_birth_dates(element.findall("INDIVIDUAL_DATE_OF_BIRTH"))),
        "places_of_birth": "; ".join(
            _joined(p, ("CITY", "STATE_PROVINCE", "COUNTRY"))
            for p in element.findall("INDIVIDUAL_PLACE_OF_BIRTH")
            if _joined(p, ("CITY", "STATE_PROVINCE", "COUNTRY"))
        ),
    }
    return ListEntry(
        source=SOURCE_ID,
        source_key=_child(element, "REFERENCE_NUMBER") or f"dataid:{_child(element, 'DATAID')}",
        kind=kind,
        name=name,
        lists=("UN",),
        programs=(list_type,) if list_type else (),
        aliases=_unique(aliases, name),
        addresses=tuple(
            a for node in element.findall(f"{prefix}_ADDRESS") if (a := _address(node))
        ),
        identifiers=tuple(
            i for node in element.findall("INDIVIDUAL_DOCUMENT") if (i := _document(node))
        ),
        countries=tuple(dict.fromkeys(c for n in nationalities if (c := country_code(n)))),
        listed_on=listed_on if _ISO_DATE.fullmatch(listed_on) else None,
        source_urls=(URL,),
        remarks=_child(element, "COMMENTS1") or None,
        extra={k: v for k, v in extra.items() if v},
    )


def _aliases(nodes: Iterable[Element]) -> list[Name]:
    out = []
    for node in nodes:
        value = _child(node, "ALIAS_NAME")
        if not value:
            continue
        strength, kind = ALIAS_QUALITY.get(_child(node, "QUALITY").lower(), ALIAS_QUALITY[""])
        out.append(Name(value, strength, kind))
    return out


def _unique(names: list[Name], primary: str) -> tuple[Name, ...]:
    seen = {primary.casefold()}
    out = []
    for name in names:
        if name.value.casefold() not in seen:
            seen.add(name.value.casefold())
            out.append(name)
    return tuple(out)


def _joined(node: Element, tags: tuple[str, ...]) -> str:
    return ", ".join(v for tag in tags if (v := _child(node, tag)))


def _address(node: Element) -> Address | None:
    full = _joined(node, ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"))
    if not full:
        return None
    return Address(
        full=full,
        street=_child(node, "STREET") or None,
        city=_child(node, "CITY") or None,
        state=_child(node, "STATE_PROVINCE") or None,
        postal_code=_child(node, "ZIP_CODE") or None,
        country=country_code(_child(node, "COUNTRY")) if _child(node, "COUNTRY") else None,
    )


def _document(node: Element) -> Identifier | None:
    number = _child(node, "NUMBER")
    if not number:
        return None
    country = _child(node, "ISSUING_COUNTRY") or _child(node, "COUNTRY_OF_ISSUE")
    return Identifier(
        type=_child(node, "TYPE_OF_DOCUMENT") or _child(node, "TYPE_OF_DOCUMENT2") or "Document",
        value=number,
        country=country_code(country) if country else None,
    )


def _birth_dates(nodes: Iterable[Element]) -> list[str]:
    out = []
    for node in nodes:
        span = "-".join(y for y in (_child(node, "FROM_YEAR"), _child(node, "TO_YEAR")) if y)
        date = _child(node, "DATE") or _child(node, "YEAR") or span
        if not date:
            continue
        qualifier = _child(node, "TYPE_OF_DATE").lower()
        out.append(f"circa {date}" if qualifier == "approximately" else date)
    return out


SOURCE = ListSource(
    id=SOURCE_ID,
    title="UN Security Council Consolidated List",
    publisher="United Nations Security Council",
    files=(SourceFile(URL),),
    parse=parse,
    min_records=500,
    max_records=5_000,
    homepage="https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list",
)
