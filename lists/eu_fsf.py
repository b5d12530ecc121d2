"""EU Financial Sanctions Files (FSF): the consolidated list of EU financial sanctions (XML 1.1).

Format facts this parser relies on (learned from the published file as read by open-source
consumers, e.g. the OpenSanctions `eu_fsf` crawler and its shared FSF parser):

- The root is `export` in the namespace http://eu.europa.ec/fpi/fsd/export (attributes
  generationDate, globalFileId); each listed party is one `sanctionEntity` child.
- Nearly all data sits in attributes; element text appears only in `remark` and in
  `regulation/publicationUrl`.
- `sanctionEntity` carries logicalId (the FSD's stable key), euReferenceNumber, unitedNationId (for
  UN-derived listings), designationDate (often absent) and designationDetails.
- `regulation` (one per legal act that created or amended the entry): programme code ("UKR", "IRQ",
  "TAQA"...), numberTitle, publicationDate, entryIntoForceDate, child `publicationUrl`.
- `subjectType@code` is "person" or "enterprise".
- `nameAlias`: wholeName (plus firstName / middleName / lastName), nameLanguage (upper-case EU
  language code, empty when untranslated), strong ("true"/"false"), function, gender, title. The
  same name recurs translated into the EU languages, including Bulgarian (Cyrillic) and Greek; the
  first alias is not always the English one. A child `remark` sometimes grades an alias as
  "low quality".
- `citizenship`, `address`, `identification` and `birthdate` give countryIso2Code ("00" = unknown)
  and countryDescription ("UNKNOWN"). `address` has street, city, zipCode, poBox, region, place and
  `contactInfo` children (key PHONE / FAX / EMAIL / WEB, value); `identification` has
  identificationTypeCode (passport, id, regnumber, swiftbic, imo, fiscalcode, other, ...),
  identificationTypeDescription, number and latinNumber.
- The file has no deletion marker: a delisted party is simply absent from the next file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import NamedTuple
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

SOURCE_ID = "eu_fsf"
URL = (
    "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content"
    "?token=dG9rZW4tMjAxNw"
)
FILE = SourceFile(URL)
NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"

_KINDS = {"person": EntityKind.PERSON, "enterprise": EntityKind.ORGANIZATION}
_ID_TYPES = {
    "passport": "Passport",
    "id": "National ID",
    "regnumber": "Registration Number",
    "swiftbic": "SWIFT/BIC",
    "imo": "IMO",
    "fiscalcode": "Tax ID",
}
# EU official languages written in a non-Latin script: names in them are translations made for the
# Official Journal, not the party's own spelling.
_EU_NON_LATIN_LANGUAGES = frozenset({"BG", "EL"})
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL_DOMAIN = re.compile(r"[\w.+-]+@\s*([\w-]+(?:\s*\.\s*[\w-]+)+)")
_SPACES = re.compile(r"\s+")


class _Alias(NamedTuple):
    name: Name
    language: str


def _clean(value: str | None) -> str:
    return _SPACES.sub(" ", value or "").strip()


def _children(element: Element, tag: str) -> Iterator[Element]:
    return (child for child in element if local_name(child.tag) == tag)


def _country(node: Element) -> str | None:
    code = _clean(node.get("countryIso2Code"))
    if code and code != "00" and (found := country_code(code)):
        return found
    description = _clean(node.get("countryDescription"))
    return country_code(description) if description.upper() != "UNKNOWN" else None


def _names(entity: Element) -> list[_Alias]:
    found: list[_Alias] = []
    for node in _children(entity, "nameAlias"):
        parts = (node.get("firstName"), node.get("middleName"), node.get("lastName"))
        value = _clean(node.get("wholeName")) or _clean(" ".join(p or "" for p in parts))
        if not value:
            continue
        remark = " ".join(_clean(r.text) for r in _children(node, "remark")).lower()
        weak = node.get("strong", "true").strip().lower() == "false" or "low quality" in remark
        language = _clean(node.get("nameLanguage")).upper()
        script = detect_script(value)
        if script in (None, "Latn"):
            name = Name(value, NameStrength.WEAK if weak else NameStrength.STRONG)
        else:
            kind = "aka" if language in _EU_NON_LATIN_LANGUAGES else "original_script"
            name = Name(value, NameStrength.WEAK if weak else NameStrength.STRONG, kind, script)
        found.append(_Alias(name, language))
    return found


def _primary(names: list[_Alias]) -> Name:
    """First strong English/untranslated Latin name, else first strong Latin one, else first."""
    strong = [a for a in names if a.name.strength is NameStrength.STRONG] or names
    for alias in strong:
        if alias.name.script is None and alias.language in ("", "EN"):
            return alias.name
    latin = [a.name for a in strong if a.name.script is None]
    return latin[0] if latin else strong[0].name


def _aliases(names: list[_Alias], primary: Name) -> tuple[Name, ...]:
    # A name repeated for several languages is one alias; a strong reading beats a weak one.
    kept: dict[str, Name] = {}
    for alias in names:
        value = alias.name.value
        if value == primary.value:
            continue
        if value not in kept or kept[value].strength is NameStrength.WEAK:
            kept[value] = alias.name
    return tuple(kept.values())


def _address(node: Element) -> Address | None:
    street, city, region, zip_code, po_box, place = (
        _clean(node.get(k)) for k in ("street", "city", "region", "zipCode", "poBox", "place")
    )
    country = _country(node)
    description = _clean(node.get("countryDescription"))
    parts = [street, f"P.O. Box {po_box}" if po_box else "", place, city, region, zip_code]
    parts.append(description if description.upper() != "UNKNOWN" else "")
    full = ", ".join(p for p in parts if p)
    if not full:
        return None
    return Address(full, street or None, city or None, region or None, zip_code or None, country)


def _contacts(entity: Element) -> tuple[list[str], list[str]]:
    websites: list[str] = []
    domains: list[str] = []
    for address in _children(entity, "address"):
        for info in _children(address, "contactInfo"):
            key, value = _clean(info.get("key")).upper(), info.get("value") or ""
            if key == "WEB":
                websites += [w for w in re.split(r"[\s,;]+", value) if "." in w]
            elif key == "EMAIL":
                domains += [re.sub(r"\s", "", d).lower() for d in _EMAIL_DOMAIN.findall(value)]
    return list(dict.fromkeys(websites)), list(dict.fromkeys(domains))


def _identifiers(entity: Element) -> tuple[Identifier, ...]:
    found: list[Identifier] = []
    for node in _children(entity, "identification"):
        code = _clean(node.get("identificationTypeCode"))
        label = _ID_TYPES.get(code.lower()) or _clean(node.get("identificationTypeDescription"))
        country = _country(node)
        for number in dict.fromkeys((_clean(node.get("number")), _clean(node.get("latinNumber")))):
            if number:
                found.append(Identifier(label or code or "Other", number, country))
    return tuple(dict.fromkeys(found))


def _birth_dates(entity: Element) -> list[str]:
    dates: list[str] = []
    for node in _children(entity, "birthdate"):
        full = _clean(node.get("birthdate"))
        year, month = _clean(node.get("year")), _clean(node.get("monthOfYear"))
        partial = (
            f"{year}-{int(month):02d}" if year and month.isascii() and month.isdigit() else year
        )
        if full or partial:
            dates.append(full or partial)
    return list(dict.fromkeys(dates))


def _entry(entity: Element, warnings: list[str]) -> ListEntry | None:
    key = _clean(entity.get("logicalId"))
    if not key:
        warnings.append("a sanctionEntity without logicalId was skipped")
        return None
    code = next((_clean(s.get("code")) for s in _children(entity, "subjectType")), "")
    kind = _KINDS.get(code.lower(), EntityKind.UNKNOWN)
    if kind is EntityKind.UNKNOWN:
        warnings.append(f"entity {key}: unknown subject type {code!r}, kept as unknown")
    names = _names(entity)
    if not names:
        warnings.append(f"entity {key}: no name given; skipped")
        return None
    primary = _primary(names)
    regulations = list(_children(entity, "regulation"))
    programs = (_clean(r.get("programme")) for r in regulations)
    urls = (_clean(u.text) for r in regulations for u in _children(r, "publicationUrl"))
    in_force = sorted(_clean(r.get("entryIntoForceDate")) for r in regulations)
    in_force = [d for d in in_force if _ISO_DATE.fullmatch(d)]
    designated = _clean(entity.get("designationDate"))
    listed_on = designated if _ISO_DATE.fullmatch(designated) else next(iter(in_force), None)
    websites, domains = _contacts(entity)
    addresses = (_address(a) for a in _children(entity, "address"))
    citizenships = (_country(c) for c in _children(entity, "citizenship"))
    remarks = [_clean(r.text) for r in _children(entity, "remark") if _clean(r.text)]
    extra = {
        "eu_reference_number": _clean(entity.get("euReferenceNumber")),
        "un_reference_number": _clean(entity.get("unitedNationId")),
        "designation_details": _clean(entity.get("designationDetails")),
        "birth_dates": "; ".join(_birth_dates(entity)),
    }
    return ListEntry(
        source=SOURCE_ID,
        source_key=key,
        kind=kind,
        name=primary.value,
        lists=("EU",),
        programs=tuple(dict.fromkeys(p for p in programs if p)),
        aliases=_aliases(names, primary),
        addresses=tuple(dict.fromkeys(a for a in addresses if a is not None)),
        identifiers=_identifiers(entity),
        countries=tuple(dict.fromkeys(c for c in citizenships if c)),
        websites=tuple(websites),
        email_domains=tuple(domains),
        listed_on=listed_on,
        source_urls=tuple(dict.fromkeys(u for u in urls if u)),
        remarks="\n".join(remarks) or None,
        extra={k: v for k, v in extra.items() if v},
    )


def parse(files: Mapping[str, bytes]) -> ParseResult:
    raw = files.get(FILE.name)
    if raw is None:
        raise ListParseError(f"file {FILE.name!r} was not fetched", source=SOURCE_ID)
    head = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise ListParseError("received an HTML page instead of the XML list", source=SOURCE_ID)
    root = parse_xml(raw, source=SOURCE_ID)
    if local_name(root.tag) != "export":
        raise ListParseError(
            f"root element is <{local_name(root.tag)}>, expected <export>", source=SOURCE_ID
        )
    warnings: list[str] = []
    if not root.tag.startswith(f"{{{NAMESPACE}}}"):
        warnings.append(f"unexpected namespace on <export>: {root.tag!r}")
    entries: dict[str, ListEntry] = {}
    for node in _children(root, "sanctionEntity"):
        entry = _entry(node, warnings)
        if entry is not None and entry.source_key in entries:
            warnings.append(f"entity {entry.source_key}: listed twice; the first kept")
        elif entry is not None:
            entries[entry.source_key] = entry
    return ParseResult(list(entries.values()), warnings)


SOURCE = ListSource(
    id=SOURCE_ID,
    title="EU Financial Sanctions Files (consolidated list)",
    publisher="European Commission",
    files=(FILE,),
    parse=parse,
    min_records=1_000,
    max_records=100_000,
    homepage="https://www.eeas.europa.eu/eeas/european-union-sanctions_en",
)
