"""The structure OFAC packs into the free-text Remarks of its legacy CSV files.

Remarks are `; `-separated statements ("DOB 12 Jul 1986; nationality China; Passport 123 (Russia);
a.k.a. 'BNC'."), many prefixed `alt.` for a second value of the same kind. Each statement is matched
against `RULES`, a table of (pattern, handler) kept as data; statements no rule knows stay in the
entry's remarks, which are always kept whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lists.ofac_ids import ID_LABELS, parse_identifier
from screening.listings.records import Identifier, Name, NameStrength
from screening.names.countries import country_code


@dataclass(slots=True)
class RemarkFacts:
    aliases: list[Name] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    websites: list[str] = field(default_factory=list)
    email_domains: list[str] = field(default_factory=list)
    extra: dict[str, list[str]] = field(default_factory=dict)

    def add_extra(self, key: str, value: str) -> None:
        self.extra.setdefault(key, []).append(value)


Handler = Callable[[re.Match[str], RemarkFacts], None]

_ALT = re.compile(r"^(?:alt\.|Alt\.)\s+")
# A closing period after an abbreviation ("CO., LTD.", "S.A.") belongs to the abbreviation.
_ABBREVIATION_END = re.compile(
    r"(?:\b(?:[A-Za-z]\.)+|\b(?:ltd|inc|co|corp|bhd|pte|llc|plc|gmbh|cia|jr|sr|st|no)\.)$", re.I
)
# Hosts shared by many unrelated parties, where only the path identifies the listed one.
SHARED_HOSTS = frozenset(
    {"facebook.com", "instagram.com", "t.me", "twitter.com", "x.com", "vk.com", "youtube.com"}
)


def _clean(value: str) -> str:
    return value.strip().rstrip(".").strip()


def _strip_period(value: str) -> str:
    text = value.strip()
    if text.endswith(".") and not _ABBREVIATION_END.search(text):
        text = text[:-1].rstrip()
    return text


def _weak_alias(match: re.Match[str], facts: RemarkFacts) -> None:
    kind = match["kind"].lower() + "ka"
    # Only the outer quotes delimit the name: transliterated Arabic keeps its own apostrophes.
    value = match["name"].strip().rstrip(".")
    value = value[:-1] if value.endswith("'") else value
    if value.strip():
        facts.aliases.append(Name(value.strip(), NameStrength.WEAK, kind))


def _issuer(match: re.Match[str], facts: RemarkFacts) -> None:
    facts.aliases.append(Name(match["value"].strip(), NameStrength.STRONG, "issuer"))


def website_host(url: str) -> str | None:
    """`http://www.Example.com/about/` -> `example.com`: what a domain screen compares."""
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip().rstrip(".").lower())
    host, _, path = text.partition("/")
    host = host.split(":", 1)[0].removeprefix("www.").strip(".")
    if not host or "." not in host:
        return None
    path = path.strip("/")
    return f"{host}/{path}" if host in SHARED_HOSTS and path else host


def _website(match: re.Match[str], facts: RemarkFacts) -> None:
    host = website_host(match["url"])
    if host and host not in facts.websites:
        facts.websites.append(host)


def _email(match: re.Match[str], facts: RemarkFacts) -> None:
    domain = _clean(match["address"]).rpartition("@")[2].lower()
    if "." in domain and domain not in facts.email_domains:
        facts.email_domains.append(domain)


def _country(match: re.Match[str], facts: RemarkFacts) -> None:
    code = country_code(_clean(match["value"]))
    if code and code not in facts.countries:
        facts.countries.append(code)


def _extra(key: str, *, country: bool = False) -> Handler:
    def handle(match: re.Match[str], facts: RemarkFacts) -> None:
        facts.add_extra(key, _strip_period(match["value"]))
        if country:
            _country(match, facts)

    return handle


def _identifier(kind: str | None = None) -> Handler:
    def handle(match: re.Match[str], facts: RemarkFacts) -> None:
        label = kind or ID_LABELS.get(match["label"]) or match["label"].rstrip(" :#")
        found = parse_identifier(label, match["value"])
        if found is not None:
            facts.identifiers.append(found)

    return handle


def _digital_currency(match: re.Match[str], facts: RemarkFacts) -> None:
    value = _clean(match["value"])
    facts.identifiers.append(Identifier(f"Digital Currency Address - {match['currency']}", value))


_ID_ALTERNATION = "|".join(re.escape(label) for label in sorted(ID_LABELS, key=len, reverse=True))

# Ordered by how often each statement occurs, so most statements stop at the first few patterns.
RULES: tuple[tuple[re.Pattern[str], Handler], ...] = (
    (re.compile(r"^DOB:?\s+(?P<value>.+)$"), _extra("dob")),
    (re.compile(r"^Linked To:\s*(?P<value>.+)$"), _extra("linked_to")),
    (re.compile(r"^POB:?\s+(?P<value>.+)$"), _extra("pob")),
    (re.compile(r"^(?:nationality|citizen)\b:?\s*(?P<value>.+)$", re.I), _country),
    (re.compile(r"^(?P<kind>[afn])\.k\.a\.,?\s+'(?P<name>.+)$", re.I), _weak_alias),
    (re.compile(r"^Gender\s+(?P<value>.+)$"), _extra("gender")),
    (
        re.compile(
            r"^(?:Vessel Registration Identification|Identification Number|Company Number"
            r"|International Maritime Organization No\.)\s+IMO:?\s+(?P<value>.+)$"
        ),
        _identifier("IMO"),
    ),
    (
        re.compile(r"^Digital Currency Address - (?P<currency>\w+)\s+(?P<value>\S+)"),
        _digital_currency,
    ),
    (re.compile(r"^(?:Website|Web site):?\s+(?P<url>\S+)", re.I), _website),
    (re.compile(r"^(?P<url>(?:https?://|www\.)\S+?)\.?(?:\s*\(website\))?\.?$", re.I), _website),
    (re.compile(r"^(?:Email Address|E-?mail)[:\s]\s*(?P<address>\S+@\S+)", re.I), _email),
    (re.compile(r"^(?P<address>[^\s@']+@[^\s@']+?)\.?(?:\s*\(email\))?\.?$"), _email),
    (re.compile(r"^Issuer Name\s+(?P<value>.+)$"), _issuer),
    (re.compile(r"^Organization Established Date\s+(?P<value>.+)$"), _extra("established")),
    (re.compile(r"^Organization Type:\s*(?P<value>.+)$"), _extra("organization_type")),
    (re.compile(r"^Nationality of Registration\s+(?P<value>.+)$"), _country),
    (re.compile(r"^Aircraft Model\s+(?P<value>.+)$"), _extra("aircraft_model")),
    (re.compile(r"^Aircraft Operator\s+(?P<value>.+)$"), _extra("aircraft_operator")),
    (re.compile(r"^Aircraft Manufacture Date\s+(?P<value>.+)$"), _extra("aircraft_built")),
    (re.compile(r"^Vessel Year of Build\s+(?P<value>.+)$"), _extra("vessel_built")),
    (re.compile(r"^Other Vessel Flag\s+(?P<value>.+)$"), _extra("other_vessel_flag", country=True)),
    (re.compile(r"^Other Vessel Type\s+(?P<value>.+)$"), _extra("other_vessel_type")),
    (re.compile(r"^Former Vessel Flag\s+(?P<value>.+)$"), _extra("former_vessel_flag")),
    (
        re.compile(r"^Secondary sanctions risk:\s*(?P<value>.+)$"),
        _extra("secondary_sanctions_risk"),
    ),
    (re.compile(rf"^(?P<label>{_ID_ALTERNATION})(?=[\s:#])[\s:#]*(?P<value>.+)$"), _identifier()),
    # Identifier types OFAC adds over time: "<words> Number|No.|ID|Code <value with a digit>".
    (
        re.compile(
            r"^(?P<label>[A-Z][\w.'/()&,\- ]{0,60}?(?:Number|No\.|ID|Code))"
            r"\s*[:#]?\s+(?P<value>[^\s]*\d.*)$"
        ),
        _identifier(),
    ),
)


_QUOTED_NAME_START = re.compile(r"^(?:alt\.\s+)?[afn]\.k\.a\.,?\s+'", re.I)


def _closed(statement: str) -> bool:
    return statement.rstrip(".").endswith("'")


def split_remarks(remarks: str) -> list[str]:
    """Statements of a Remarks cell; a quoted a.k.a. name may itself contain "; "."""
    parts = [part.strip() for part in remarks.split("; ")]
    statements: list[str] = []
    index = 0
    while index < len(parts):
        part, index = parts[index], index + 1
        if _QUOTED_NAME_START.match(part) and not _closed(part):
            end = next((i for i in range(index, len(parts)) if _closed(parts[i])), None)
            if end is not None:
                part, index = "; ".join(parts[index - 1 : end + 1]), end + 1
        statements.append(part)
    if statements:
        statements[-1] = _strip_period(statements[-1])
    return [part for part in statements if part]


def parse_remarks(remarks: str | None) -> RemarkFacts:
    facts = RemarkFacts()
    if not remarks:
        return facts
    for statement in split_remarks(remarks):
        text = _ALT.sub("", statement)
        for pattern, handle in RULES:
            match = pattern.match(text)
            if match:
                handle(match, facts)
                break
    return facts
