"""Cell-level parsing for the trade.gov Consolidated Screening List (CSL).

The CSL flattens records from three agencies into one CSV: multi-valued cells are joined with
`; `, and the BIS and State lists embed aliases and boilerplate inside the name cell. These pure
functions undo that flattening one cell at a time so the row parser stays short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from screening.listings.records import Address, Identifier, Name, NameStrength
from screening.names.countries import country_code

SEPARATOR = "; "

# The `source` column is a long title; the list code is what screening users know.
LIST_CODES: dict[str, str] = {
    "Capta List (CAP) - Treasury Department": "CAP",
    "Denied Persons List (DPL) - Bureau of Industry and Security": "DPL",
    "Entity List (EL) - Bureau of Industry and Security": "EL",
    "Foreign Sanctions Evaders (FSE) - Treasury Department": "FSE",
    "ITAR Debarred (DTC) - State Department": "DTC",
    "Military End User (MEU) List - Bureau of Industry and Security": "MEU",
    "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department": (
        "CMIC"
    ),
    "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department": "MBS",
    "Nonproliferation Sanctions (ISN) - State Department": "ISN",
    "Palestinian Legislative Council List (PLC) - Treasury Department": "PLC",
    "Sectoral Sanctions Identifications List (SSI) - Treasury Department": "SSI",
    "Specially Designated Nationals (SDN) - Treasury Department": "SDN",
    "Unverified List (UVL) - Bureau of Industry and Security": "UVL",
}
# Abbreviations used inside the parentheses of a title that is not in the table above (a renamed
# or new list): they map onto the same codes so a cosmetic title change does not lose the list.
PAREN_CODES: dict[str, str] = {"NS-MBS LIST": "MBS", "NS-MBS": "MBS", "NS-CMIC": "CMIC"}
# Treasury (OFAC) lists: their rows carry OFAC's ent_num and a `type` column.
OFAC_LISTS = frozenset({"SDN", "FSE", "SSI", "PLC", "CAP", "CMIC", "MBS"})

_PAREN = re.compile(r"\(([^()]+)\)")


def list_code(source: str) -> str | None:
    """`Entity List (EL) - Bureau of ...` -> `EL`; None when no code can be read."""
    text = " ".join(source.split())
    if text in LIST_CODES:
        return LIST_CODES[text]
    inner: str
    for inner in _PAREN.findall(text):
        code = inner.strip().upper()
        code = PAREN_CODES.get(code, code)
        if re.fullmatch(r"[A-Z][A-Z-]{1,9}", code):
            return code
    return None


def clean(text: str) -> str:
    """Collapse whitespace and undo the cp1252 bytes (`Xi\\x92an`) that BIS data carries."""
    if any("\x80" <= ch <= "\x9f" for ch in text):
        text = "".join(_from_cp1252(ch) for ch in text)
    return " ".join(text.split())


def _from_cp1252(ch: str) -> str:
    if "\x80" <= ch <= "\x9f":
        try:
            return bytes([ord(ch)]).decode("cp1252")
        except UnicodeDecodeError:
            return " "
    return ch


def split_cell(cell: str) -> list[str]:
    """Split a `; `-joined cell; BIS sometimes writes the last item as `; and X`."""
    items = []
    for raw in cell.split(";"):
        item = clean(raw)
        item = re.sub(r"^and\s+", "", item)
        if item:
            items.append(item)
    return items


# Boilerplate the State Department appends to ISN names: it widens the listing, it is not a name.
_SUCCESSORS = re.compile(
    r"[,;]?\s+and\s+(?:any|its)\s+(?:successors?|sub-units?|subsidiar(?:y|ies))\b.*$", re.I
)
_AFFILIATED = re.compile(r"[,;]?\s*\bAffiliated Entit(?:y|ies)\s*:\s*", re.I)
_INLINE_AKA = re.compile(r",?\s+\b([af])\.k\.a\.,?\s+", re.I)
_PAREN_AKA = re.compile(r"\(\s*([af])\.k\.a\.,?\s*", re.I)


@dataclass(frozen=True, slots=True)
class SplitName:
    name: str
    aliases: tuple[Name, ...]
    changed: bool  # the published cell held more than the party's name


def split_name(cell: str) -> SplitName:
    """Separate the party's own name from aliases and boilerplate written into a name cell.

    Seen in the real data: `X and any successor, sub-unit, or subsidiary thereof`,
    `X, and its sub-units and successors`, `X, a.k.a. Y`, `X (f.k.a., Y)`, `PEARL (A.K.A. Y) LI`,
    and (Entity List affiliates) `X, Affiliated Entity: Parent Co., Ltd.`.
    """
    text = clean(cell)
    name = _SUCCESSORS.sub("", text)
    aliases: list[Name] = []
    parts = _AFFILIATED.split(name, maxsplit=1)
    if len(parts) == 2:
        name = parts[0].rstrip(" ,;")
        # The parent is a different party: recorded so a reviewer sees the link, but weak so that
        # the parent's name alone does not make a strong hit on the affiliate.
        aliases.extend(Name(p, NameStrength.WEAK, "affiliated") for p in split_cell(parts[1]))
    name, paren = _take_paren_aliases(name)
    aliases.extend(paren)
    inline = _INLINE_AKA.split(name)
    name = inline[0]
    for marker, alias in zip(inline[1::2], inline[2::2], strict=True):
        aliases.extend(Name(a, kind=f"{marker.lower()}ka") for a in split_cell(alias))
    text = text.rstrip(" ,;")
    name = clean(name).rstrip(" ,;") or text
    return SplitName(name, tuple(aliases), name != text)


def _take_paren_aliases(text: str) -> tuple[str, list[Name]]:
    aliases: list[Name] = []
    while match := _PAREN_AKA.search(text):
        depth, end = 1, match.end()
        while end < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        inner = text[match.end() : end - 1 if depth == 0 else end]
        kind = f"{match.group(1).lower()}ka"
        aliases.extend(Name(a, kind=kind) for a in split_cell(inner))
        text = f"{text[: match.start()]} {text[end:]}"
    return clean(text), aliases


def parse_address(item: str) -> Address:
    """`street, city, state, postal, CC` with empty parts dropped, so only the country is sure."""
    parts = [p.strip() for p in item.split(",") if p.strip()]
    country = None
    if parts and not any(ch.isdigit() for ch in parts[-1]):
        country = country_code(parts[-1])
    return Address(full=item, country=country)


# `ids` entries that are facts about the listing rather than identifiers of the party.
_INFO_ID = re.compile(
    r"(?:[:\-]$|date|^gender$|^target type$|^organization type|^secondary sanctions|"
    r"directive|^additional sanctions|^transactions prohibited|information$)",
    re.I,
)
_NATIONALITY_ID = re.compile(r"^nationality (?:of registration|country)$", re.I)


@dataclass(slots=True)
class IdFields:
    identifiers: list[Identifier]
    issuer_names: list[str]
    websites: list[str]
    email_domains: list[str]
    countries: list[str]
    info: dict[str, list[str]]


def parse_ids(cell: str) -> IdFields:
    """`Type, Number, CC; ...`: the number itself may hold commas, the country is optional."""
    out = IdFields([], [], [], [], [], {})
    for item in split_cell(cell):
        id_type, _, rest = item.partition(", ")
        id_type, rest = id_type.strip(), rest.strip()
        if not rest:
            continue
        lowered = id_type.lower()
        if lowered == "issuer name":
            out.issuer_names.append(rest)
        elif lowered == "website":
            out.websites.append(rest)
        elif lowered.startswith("email"):
            out.email_domains.append(rest.rsplit("@", 1)[-1].lower())
        elif _NATIONALITY_ID.match(id_type):
            if code := country_code(rest):
                out.countries.append(code)
        elif _INFO_ID.search(id_type):
            out.info.setdefault(id_type.rstrip(" :-"), []).append(rest)
        else:
            number, country = rest, None
            head, sep, tail = rest.rpartition(", ")
            if sep and re.fullmatch(r"[A-Z]{2}", tail) and (code := country_code(tail)):
                number, country = head, code
            out.identifiers.append(Identifier(id_type, number, country))
    return out
