"""Country names as sanctions lists write them -> ISO 3166-1 alpha-2 codes.

pycountry carries the ISO 3166 data (kept current by its maintainers); the lists, though, use their
own spellings ("Korea, North", "Burma", "Region: Crimea"), so those are kept here as a lookup table
(data, not if-chains) and consulted first.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

# Spellings used by OFAC, the UN, the CSL, the EU and the UK that ISO names do not cover.
ALIASES: dict[str, str] = {
    "korea, north": "KP",
    "north korea": "KP",
    "democratic people's republic of korea": "KP",
    "dprk": "KP",
    "korea, south": "KR",
    "south korea": "KR",
    "republic of korea": "KR",
    "burma": "MM",
    "russia": "RU",
    "russian federation": "RU",
    "iran": "IR",
    "iran (islamic republic of)": "IR",
    "syria": "SY",
    "syrian arab republic": "SY",
    "turkey": "TR",
    "turkiye": "TR",
    "türkiye": "TR",
    "democratic republic of the congo": "CD",
    "congo, democratic republic of the": "CD",
    "the democratic republic of the congo": "CD",
    "congo, republic of the": "CG",
    "republic of the congo": "CG",
    "vietnam": "VN",
    "viet nam": "VN",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "the former yugoslav republic of macedonia": "MK",
    "macedonia": "MK",
    "kosovo": "XK",
    "west bank": "PS",
    "gaza": "PS",
    "palestinian": "PS",
    "palestine": "PS",
    "state of palestine": "PS",
    "region: crimea": "UA",
    "crimea": "UA",
    "region: gaza": "PS",
    "region: west bank": "PS",
    "region: northern mali": "ML",
    "region: kurdistan": "IQ",
    "region: kurdistan region": "IQ",
    "hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "taiwan": "TW",
    "china": "CN",
    "people's republic of china": "CN",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "uk": "GB",
    "united kingdom": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "cote d'ivoire": "CI",
    "côte d'ivoire": "CI",
    "ivory coast": "CI",
    "the gambia": "GM",
    "gambia": "GM",
    "the bahamas": "BS",
    "brunei": "BN",
    "cape verde": "CV",
    "czech republic": "CZ",
    "czechia": "CZ",
    "swaziland": "SZ",
    "eswatini": "SZ",
    "netherlands antilles": "AN",
    "micronesia, federated states of": "FM",
    "st. kitts and nevis": "KN",
    "st. lucia": "LC",
    "st. vincent and the grenadines": "VC",
    "saint kitts and nevis": "KN",
    "curacao": "CW",
    "curaçao": "CW",
    "sint maarten": "SX",
    "holy see": "VA",
    "vatican city": "VA",
    "congo (democratic republic)": "CD",
    "korea (north)": "KP",
    "korea (south)": "KR",
    "uae": "AE",
    "palestinian territories": "PS",
    "occupied palestinian territories": "PS",
    "undetermined": "",
}

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def country_code(value: str | None) -> str | None:
    """ISO alpha-2 code for a country name or code as a list writes it; None if unknown."""
    if not value:
        return None
    text = _SPACES.sub(" ", value).strip().strip(".").lower()
    if not text or text == "-0-":
        return None
    if text in ALIASES:
        return ALIASES[text] or None
    if len(text) == 2 and text.isalpha():
        found = pycountry.countries.get(alpha_2=text.upper())
        return found.alpha_2 if found else (text.upper() if text == "xk" else None)
    if len(text) == 3 and text.isalpha():
        found = pycountry.countries.get(alpha_3=text.upper())
        if found:
            return str(found.alpha_2)
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None
