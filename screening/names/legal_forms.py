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

# More of the world's company forms, by code: the suffixes local subsidiaries carry ("Bosch
# Polska Sp. z o.o.", "PT Huawei Tech Investment", "X Egypt S.A.E.", "Y DMCC"), each as written in
# its register and as romanised. Where the bare abbreviation is also a name part, only the words
# written out are here: "BM" is BM Bank, "SAC", "SCI", "SNC", "ApS" and "SAPA" name companies, "YK-"
# begins tail numbers, and "Se", "Sia", "Ou", "Sau", "Sae" and "Sal" are given names (the last two,
# Egyptian S.A.E. and Lebanese S.A.L., are droppable affiliate words instead: affiliate.py).
_WORLD_FORMS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    # Gulf free zones and Arab forms
    (("dmcc",), ("dmcc",)),  # Dubai Multi Commodities Centre free-zone company
    (("fz",), ("fz",)),  # "Free Zone", alone or before another form
    (("llc",), ("dwc llc",)),
    (("saog",), ("saog",)),  # Omani public joint stock company
    (("saoc",), ("saoc",)),  # Omani closed joint stock company
    (("ksc",), ("ksc", "kscc", "kscp", "kpsc", "ksc closed", "ksc c")),  # Kuwaiti shareholding
    (("qsc",), ("qsc", "qpsc", "qjsc")),  # Qatari shareholding
    (("bsc",), ("bsc", "bscc", "bsc c", "bsc closed")),  # Bahraini shareholding
    # South and South-East Asia
    (("pt",), ("pt", "perseroan terbatas")),  # Indonesian limited company
    (("persero",), ("persero",)),  # Indonesian state-owned
    (("cv",), ("cv",)),  # Indonesian and Dutch limited partnership
    (("bhd",), ("berhad",)),
    (("sdn_bhd",), ("sendirian berhad",)),
    (("opc",), ("opc",)),  # Indian one person company
    (("plc",), ("pcl", "public co ltd", "public company ltd")),  # Thai public company limited
    (("co",), ("cong ty", "gongsi")),  # Vietnamese and pinyin "company"
    (("co", "llc"), ("cong ty tnhh", "tnhh")),  # trach nhiem huu han
    (("jsc",), ("cong ty co phan", "ctcp")),
    # East Asia, as romanised (anyascii writes 주식회사 "jusighoesa")
    (("co", "ltd"), ("jusighoesa", "jusik hoesa", "jusikhoesa", "chusik hoesa", "chusikhoesa")),
    (("co", "ltd"), ("youxian gongsi", "gufen youxian gongsi")),
    (("llc",), ("yuhanhoesa", "yuhan hoesa", "youxian zeren gongsi")),
    (("kk",), ("kabushiki gaisha",)),
    (("gk",), ("gk", "godo kaisha", "godo gaisha")),  # godo kaisha; Russian goskorporatsiya
    (("yk",), ("yugen kaisha", "yugen gaisha")),
    # Former Soviet Union, as the lists romanise them
    (("ooo",), ("osoo", "mchj", "mchzh", "zhshs", "khkhk", "shps")),  # KG, UZ, KZ, MN, GE
    (("ooo",), ("tovarystvo z obmezhenoyu vidpovidalnistyu",)),  # Ukrainian TOV
    (("ooo",), ("tavarystva z abmezhavanay adkaznastsyu",)),  # Belarusian TAA
    (("ooo",), ("obshestvo s ogranichennoj otvetstvennostyu",)),
    (("ooo",), ("obshestvo s ogranichennoy otvetstvennostyu",)),
    (("jsc",), ("aktsionerne tovarystvo", "aktsyyanernaye tavarystva", "aktcionernoe obshestvo")),
    (("pjsc",), ("publichne aktsionerne tovarystvo", "publichnoe aktcionernoe obshestvo")),
    (("zao",), ("prjsc", "pryvatne aktsionerne tovarystvo", "zakrytaye aktsyyanernaye tavarystva")),
    (("oao",), ("adkrytaye aktsyyanernaye tavarystva",)),
    (("ano",), ("ano", "avtonomnaya nekommercheskaya organizatsiya")),
    (("fgbu",), ("fgbu",)),  # federal state budgetary institution
    (("mup",), ("mup",)),  # municipal unitary enterprise
    (("chup",), ("chup",)),  # Belarusian private unitary enterprise
    # Central and Eastern Europe
    (("spzoo",), ("sp z oo", "sp zoo", "spzoo", "sp z o o", "spolka z oo")),
    (("spzoo",), ("spolka z ograniczona odpowiedzialnoscia",)),
    (("sa",), ("spolka akcyjna", "societate pe actiuni")),
    (("spk",), ("sp k", "spolka komandytowa")),
    (("spj",), ("sp j", "spolka jawna")),
    (("sro",), ("sro", "s ro", "spol s ro", "spolecnost s rucenim omezenym")),
    (("kft",), ("kft", "korlatolt felelossegu tarsasag")),
    (("zrt",), ("zrt", "nyrt")),
    (("doo",), ("doo", "dooel")),
    (("doo",), ("drustvo s ogranicenom odgovornoscu", "drustvo sa ogranicenom odgovornoscu")),
    (("ood",), ("ood", "eood")),  # Bulgarian limited company, single-owner
    (("ead",), ("ead",)),
    (("srl",), ("societatea cu raspundere limitata", "societate cu raspundere limitata")),
    (("sia",), ("sabiedriba ar ierobezotu atbildibu",)),
    (("uab",), ("uab", "uzdaroji akcine bendrove")),
    (("epe",), ("epe",)),  # Greek limited company
    # Western Europe and the Nordics
    (("ug",), ("ug haftungsbeschrankt",)),
    (("gmbh",), ("mbh",)),
    (("ohg",), ("ohg",)),
    (("kgaa",), ("kgaa",)),
    (("sagl",), ("sagl",)),
    (("bvba",), ("bvba",)),
    (("sprl",), ("sprl",)),
    (("vof",), ("vof",)),
    (("asbl",), ("asbl", "vzw")),  # Belgian non-profit association
    (("sasu",), ("sasu",)),
    (("eurl",), ("eurl",)),
    (("srl",), ("srls",)),
    (("sl",), ("slu", "sociedad limitada")),
    (("ltd",), ("lda", "limitada", "sociedade limitada")),
    (("eireli",), ("eireli",)),
    (("as",), ("a s", "aktieselskab", "aksjeselskap")),  # A/S
    (("aps",), ("anpartsselskab",)),
    (("asa",), ("allmennaksjeselskap",)),
    (("oy",), ("osakeyhtio",)),
    (("ehf",), ("ehf",)),
    # Latin America
    (("srl",), ("s de rl",)),
    (("srl", "cv"), ("s de rl de cv",)),
    (("spr",), ("spr", "spr de rl", "spr de ri")),
    (("spr", "cv"), ("spr de rl de cv",)),
    (("sa", "cv"), ("sab de cv",)),
    (("sac",), ("sociedad anonima cerrada",)),
    (("eirl",), ("eirl",)),
    (("ca",), ("ca", "compania anonima")),  # Venezuelan compañía anónima
    # Turkish, written out
    # "anonim" is one letter from "anonima" and so is read as it before phrases are looked up
    (("as",), ("anonim sirketi", "anonima sirketi")),
    (("ltd",), ("limited sirketi",)),
    (("co",), ("sirketi",)),
    (("sanayi_ticaret",), ("san ve tic", "san tic", "sanayi ticaret")),
    # Southern Africa
    (("soc", "ltd"), ("soc ltd",)),
)

# Words that only ever occur inside legal-form phrases; seen alone (a reordered or partly typed
# form such as "Stock Joint Company") they are dropped rather than taken as name words.
_FILLERS = (
    "joint", "stock", "liability", "obshchestvo", "aktsionernoe", "aktsionernoye",
    "otvetstvennostyu", "otvetstvennostiu", "otvetstvennostju", "ogranichennoi", "ogranichennoy",
    "ogranichennoj", "otkrytoe", "otkrytoye", "zakrytoe", "zakrytoye", "publichnoe",
    "publichnoye", "gesellschaft", "haftung", "beschrankter", "responsabilidad", "responsabilite",
)  # fmt: skip
_WORLD_FILLERS = (
    "obshestvo", "aktcionernoe", "tovarystvo", "aktsionerne", "obmezhenoyu", "vidpovidalnistyu",
    "tavarystva", "aktsyyanernaye", "abmezhavanay", "adkaznastsyu", "haftungsbeschrankt",
    "spolka", "ograniczona", "odpowiedzialnoscia", "ogranicenom", "odgovornoscu", "raspundere",
    "ierobezotu", "atbildibu",
)  # fmt: skip


def _with_short_forms(phrases: dict[str, tuple[str, ...]]) -> None:
    """Each phrase also as written with "Co" and "Ltd" ("Joint Stock Co", "Ltd Liability Co")."""
    for phrase, codes in list(phrases.items()):
        for long, short in (("company", "co"), ("limited", "ltd")):
            if long in phrase.split():
                written = " ".join(short if w == long else w for w in phrase.split())
                phrases.setdefault(written, codes)


for _word in _FILLERS:
    _PHRASES.setdefault(_word, ())
_with_short_forms(_PHRASES)
# Long words of legal forms, for correcting one typing error in them ("Compnay", "Limtied"). Only
# the common forms above: a rare one spelled one letter away from a real name would swallow it
# ("Berhad" / "Behrad", "Otkritoe" / Otkritie Bank), so the world's forms must be spelled right.
# Nor the Russian participles ("otkrytoe" open, "zakrytoe" closed): one letter from the nouns
# firms are named after ("Otkrytie", Discovery, is Otkritie Bank's name), and written many ways.
_UNCORRECTED = frozenset({"otkrytoe", "otkrytoye", "zakrytoe", "zakrytoye"})
LEGAL_WORDS: Final = frozenset(
    w for p in _PHRASES for w in p.split() if len(w) >= 6 and w not in _UNCORRECTED
)
for _codes, _written in _WORLD_FORMS:
    for _form in _written:
        _PHRASES.setdefault(_form, _codes)
for _word in _WORLD_FILLERS:
    _PHRASES.setdefault(_word, ())
_with_short_forms(_PHRASES)

LEGAL_PHRASES: Final = MappingProxyType(_PHRASES)
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
