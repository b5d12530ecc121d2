"""Legal forms of companies in many languages, as data.

Legal forms are weak evidence: "Huawei Technologies" and "HUAWEI TECHNOLOGIES CO., LTD." are the
same party, yet a difference in legal form is still worth showing. The normaliser therefore pulls
legal-form words out of a name into a separate, canonical set instead of deleting them.

Every phrase is written in the token form the normaliser produces (lower case, ASCII after
transliteration, punctuation gone, "S.A." already collapsed to "sa"), and maps to one or more
canonical codes, so "Company Limited", "Co., Ltd." and 有限公司 all become {"co", "ltd"}.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

_PHRASES: dict[str, tuple[str, ...]] = {
    # English
    "co": ("co",),
    "company": ("co",),
    "cos": ("co",),
    "companies": ("co",),
    "ltd": ("ltd",),
    "limited": ("ltd",),
    "ltda": ("ltd",),
    "co ltd": ("co", "ltd"),
    "company limited": ("co", "ltd"),
    "corp": ("corp",),
    "corporation": ("corp",),
    "inc": ("inc",),
    "incorporated": ("inc",),
    "llc": ("llc",),
    "limited liability company": ("llc",),
    "limited liability co": ("llc",),
    "l l c": ("llc",),
    "llp": ("llp",),
    "limited liability partnership": ("llp",),
    "lp": ("lp",),
    "limited partnership": ("lp",),
    "plc": ("plc",),
    "public limited company": ("plc",),
    "pte": ("pte",),
    "private": ("pte",),
    "pvt": ("pte",),
    "pte ltd": ("pte", "ltd"),
    "private limited": ("pte", "ltd"),
    "pvt ltd": ("pte", "ltd"),
    "pty": ("pty",),
    "proprietary": ("pty",),
    "pty ltd": ("pty", "ltd"),
    "jsc": ("jsc",),
    "joint stock company": ("jsc",),
    "joint stock co": ("jsc",),
    "jsco": ("jsc",),
    "pjsc": ("pjsc",),
    "public joint stock company": ("pjsc",),
    "ojsc": ("oao",),
    "open joint stock company": ("oao",),
    "cjsc": ("zao",),
    "closed joint stock company": ("zao",),
    "fze": ("fze",),
    "free zone establishment": ("fze",),
    "fzco": ("fzco",),
    "free zone company": ("fzco",),
    "fzc": ("fzco",),
    "fzllc": ("fzllc",),
    "fz llc": ("fzllc",),
    "est": ("est",),
    "establishment": ("est",),
    "wll": ("wll",),
    # Russian and other post-Soviet forms, romanised as OFAC and anyascii write them
    "ooo": ("ooo",),
    "oao": ("oao",),
    "zao": ("zao",),
    "pao": ("pjsc",),
    "ao": ("jsc",),
    "tov": ("ooo",),
    "too": ("ooo",),
    "obshchestvo s ogranichennoi otvetstvennostyu": ("ooo",),
    "obshchestvo s ogranichennoy otvetstvennostyu": ("ooo",),
    "obshchestvo s ogranichennoj otvetstvennostju": ("ooo",),
    "obshchestvo s ogranichennoi otvetstvennostiu": ("ooo",),
    "obshchestvo s ogranichennoy otvetstvennostyu ooo": ("ooo",),
    "otkrytoe aktsionernoe obshchestvo": ("oao",),
    "otkrytoye aktsionernoye obshchestvo": ("oao",),
    "zakrytoe aktsionernoe obshchestvo": ("zao",),
    "zakrytoye aktsionernoye obshchestvo": ("zao",),
    "aktsionernoe obshchestvo": ("jsc",),
    "aktsionernoye obshchestvo": ("jsc",),
    "publichnoe aktsionernoe obshchestvo": ("pjsc",),
    "publichnoye aktsionernoye obshchestvo": ("pjsc",),
    "federalnoe gosudarstvennoe unitarnoe predpriyatie": ("fgup",),
    "fgup": ("fgup",),
    "gup": ("gup",),
    # German, Dutch, Nordic
    "gmbh": ("gmbh",),
    "gesellschaft mit beschrankter haftung": ("gmbh",),
    "gesellschaft mit beschraenkter haftung": ("gmbh",),
    "ag": ("ag",),
    "aktiengesellschaft": ("ag",),
    "kg": ("kg",),
    "gmbh co kg": ("gmbh", "kg"),
    "bv": ("bv",),
    "besloten vennootschap": ("bv",),
    "nv": ("nv",),
    "naamloze vennootschap": ("nv",),
    "ab": ("ab",),
    "aktiebolag": ("ab",),
    "as": ("as",),
    "asa": ("asa",),
    "oy": ("oy",),
    "oyj": ("oyj",),
    # Romance languages
    "sa": ("sa",),
    "sociedad anonima": ("sa",),
    "societe anonyme": ("sa",),
    "sociedade anonima": ("sa",),
    "sa de cv": ("sa", "cv"),
    "de cv": ("cv",),
    "sas": ("sas",),
    "sarl": ("sarl",),
    "societe a responsabilite limitee": ("sarl",),
    "srl": ("srl",),
    "sociedad de responsabilidad limitada": ("srl",),
    "societa a responsabilita limitata": ("srl",),
    "sl": ("sl",),
    "spa": ("spa",),
    "societa per azioni": ("spa",),
    "sapi": ("sapi",),
    "cia": ("co",),
    "compania": ("co",),
    "companhia": ("co",),
    "cie": ("co",),
    # Turkish, Persian, Arabic romanisations seen on the lists
    "as ltd": ("as", "ltd"),
    "sti": ("ltd",),
    "ltd sti": ("ltd",),
    "sanayi ve ticaret": ("sanayi_ticaret",),
    "sherkat": ("co",),
    "sharikat": ("co",),
    "sdn bhd": ("sdn_bhd",),
    "bhd": ("bhd",),
    "tbk": ("tbk",),
    "kk": ("kk",),
    "kabushiki kaisha": ("kk",),
}

# Words that only ever occur inside legal-form phrases; seen alone (a reordered or partly typed
# form such as "Stock Joint Company") they are dropped rather than taken as name words.
_FILLERS = (
    "joint", "stock", "liability", "obshchestvo", "aktsionernoe", "aktsionernoye",
    "otvetstvennostyu", "otvetstvennostiu", "otvetstvennostju", "ogranichennoi", "ogranichennoy",
    "ogranichennoj", "otkrytoe", "otkrytoye", "zakrytoe", "zakrytoye", "publichnoe",
    "publichnoye", "gesellschaft", "haftung", "beschrankter", "responsabilidad", "responsabilite",
)  # fmt: skip
for _word in _FILLERS:
    _PHRASES.setdefault(_word, ())
# "Co" is how "Company" is written inside any phrase too ("Joint Stock Co", "Ltd Liability Co").
for _phrase, _codes in list(_PHRASES.items()):
    for _long, _short in (("company", "co"), ("limited", "ltd")):
        if _long in _phrase.split():
            _short_form = " ".join(_short if w == _long else w for w in _phrase.split())
            _PHRASES.setdefault(_short_form, _codes)

LEGAL_PHRASES: Final = MappingProxyType(_PHRASES)
# Long words of legal forms, for correcting one typing error in them ("Compnay", "Limtied").
LEGAL_WORDS: Final = frozenset(w for p in _PHRASES for w in p.split() if len(w) >= 6)
# Longest phrase first wins; bounded so the matcher can scan with a small window.
MAX_PHRASE_TOKENS: Final = max(len(p.split()) for p in _PHRASES)

# Chinese legal forms, matched on the Han text before romanisation (longest first), written as the
# Latin legal-form phrase they stand for so they flow through the same table above.
CHINESE_LEGAL_FORMS: Final = MappingProxyType(
    {
        "股份有限公司": "co ltd",
        "有限责任公司": "llc",
        "有限責任公司": "llc",
        "有限公司": "co ltd",
        "股份公司": "jsc",
        "集团公司": "group corp",
        "集團公司": "group corp",
        "总公司": "corp",
        "總公司": "corp",
        "公司": "co",
        "株式会社": "kk",
        "株式會社": "kk",
    }
)
