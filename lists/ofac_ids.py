"""Identifier statements in OFAC remarks: `<label> <value> [(<country>)] [issued ...]`.

`ID_LABELS` maps each label OFAC uses (as published) to the identifier type stored; None keeps the
label itself, which is also how the trade.gov CSL names the type, so both sources agree.
"""

from __future__ import annotations

import re

from screening.listings.records import Identifier
from screening.names.countries import country_code

_PHONE = "Phone Number"
_FAX = "Fax"

ID_LABELS: dict[str, str | None] = {
    "Passport": None,
    "Diplomatic Passport": None,
    "Passport No.": "Passport",
    "British National Overseas Passport": None,
    "Stateless Person Passport": None,
    "Tax ID No.": None,
    "Registration Number": None,
    "Registration ID": None,
    "National ID No.": None,
    "Cedula No.": None,
    "C.U.R.P.": None,
    "R.F.C.": None,
    "RFC": "R.F.C.",
    "NIT": "NIT #",
    "RUC": "RUC #",
    "RIF": "RIF #",
    "Government Gazette Number": None,
    "Identification Number": None,
    "Business Registration Number": None,
    "Business Registration Document": "Business Registration Document #",
    "Folio Mercantil No.": None,
    "Company Number": None,
    "UK Company Number": None,
    "Commercial Registry Number": None,
    "MMSI": None,
    "ISIN": None,
    "Equity Ticker": None,
    "Target Type": None,
    "Unified Social Credit Code (USCC)": None,
    "United Social Credit Code Certificate (USCCC)": "Unified Social Credit Code (USCC)",
    "Matricula Mercantil No": None,
    "V.A.T. Number": None,
    "License": None,
    "C.R. No.": None,
    "Legal Entity Number": None,
    "SWIFT/BIC": None,
    "D.N.I.": None,
    "D-U-N-S Number": None,
    "Economic Register Number (CBLS)": None,
    "Trade License No.": None,
    "Electoral Registry No.": None,
    "Chamber of Commerce Number": None,
    "Driver's License No.": None,
    "BIK (RU)": None,
    "Birth Certificate Number": None,
    "Italian Fiscal Code": None,
    "Public Registration Number": None,
    "Personal ID Card": None,
    "Central Registration System Number": None,
    "Credencial electoral": None,
    "National Foreign ID Number": None,
    "Cartilla de Servicio Militar Nacional": None,
    "Istanbul Chamber of Comm. No.": None,
    "Business Number": None,
    "US FEIN": None,
    "Enterprise Number": None,
    "Chinese Commercial Code": None,
    "SSN": None,
    "Residency Number": None,
    "I.F.E.": None,
    "Registered Charity No.": None,
    "C.U.I.": None,
    "C.U.I.T.": None,
    "C.U.I.P.": None,
    "C.I.F.": None,
    "N.I.F.": None,
    "N.I.E.": None,
    "C.I.N.": None,
    "RSIN": None,
    "RTN": None,
    "Branch Unit Number": None,
    "Dubai Chamber of Commerce Membership No.": None,
    "LE Number": None,
    "Certificate of Incorporation Number": None,
    "Turkish Identification Number": None,
    "Numero de Identidad": None,
    "Citizen's Card Number": None,
    "Kenyan ID No.": None,
    "Travel Document Number": None,
    "Permit Number": None,
    "VisaNumberID": None,
    "File Number": None,
    "SRE Permit No.": None,
    "Tazkira National ID Card": None,
    "Immigration No.": None,
    "Refugee ID Card": None,
    "Stateless Person ID Card": None,
    "Organization Code": None,
    "UAE Identification": None,
    "Other Vessel Call Sign": "Call Sign",
    "Aircraft Manufacturer's Serial Number (MSN)": None,
    "Aircraft Construction Number (also called L/N or S/N or F/N)": "Aircraft Construction Number",
    "Aircraft Tail Number": None,
    "Previous Aircraft Tail Number": None,
    "Aircraft Mode S Transponder Code": None,
    "Aircraft Serial Identification": None,
    "UN/LOCODE": None,
    "Phone Number": _PHONE,
    "Phone No.": _PHONE,
    "PHONE": _PHONE,
    "Telephone": _PHONE,
    "Telephone No.": _PHONE,
    "Telephone Number": _PHONE,
    "Fax": _FAX,
    "Fax No.": _FAX,
    "FAX": _FAX,
}

# Value, then an optional country in parentheses, then optional issue/expiry dates.
_TAIL = re.compile(
    r"^(?P<value>.*?)(?:\s*\((?P<country>[^()]+)\))?"
    r"(?:,?\s+(?:issued|expires|expired)\b.*)?$"
)


def parse_identifier(kind: str, text: str) -> Identifier | None:
    text = text.strip().rstrip(".")
    match = _TAIL.match(text)
    if match is None:  # pragma: no cover - the pattern matches any string
        return None
    value = match["value"]
    country = country_code(match["country"]) if match["country"] else None
    if match["country"] and country is None:
        # Not a country ("(Stuttgart)", "(Abogado)"): part of the number as OFAC wrote it.
        value = text[: match.end("country") + 1]
    value = value.strip(" :#,").rstrip(".")
    return Identifier(kind, value, country) if value else None
