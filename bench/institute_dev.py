"""Numbered-institute development set: how often a listed research institute or academy of a
Chinese defence group reaches review however a customer writes it, and why not.

Customers write "China Electronics Technology Group Corporation 14th Research Institute" as
"CETC 14", "No. 14 Research Institute of CETC", "The Fourteenth Research Institute of CETC",
"中国电子科技集团公司第十四研究所", "中电科14所" or "电科十四所". This bench selects the listed
numbered institutes and academies of the mirror (a name holding a number or ordinal next to
Institute or Academy, or "No. N"), reads the group each belongs to (CETC, CASC, CASIC, AVIC,
NORINCO, CSSC/CSIC, CAEP) and its academy and institute numbers, and writes them in fixed
templates (below, written before any result was seen; any added later are marked as such):
English forms, group-acronym forms and Chinese-script forms built from a small table of the
groups' Chinese names, with Chinese numerals written both ways (七百零一 and 七〇一). Each
query is screened with the real `MatchIndex` at the review threshold.

- recall: share of generated names whose own party (or another record of the same organisation)
  scores at or above the review threshold, per template and per group;
- false positives: the same templates with numbers that no listed institute of the group has
  ("CETC 99th Research Institute"), and unlisted Chinese research institutes and universities.
  A negative that reaches review on the group itself, or on the academy a numbered institute
  belongs to, is counted apart ("parent hit"): the group or academy is listed, so the hit is
  right, though not on the institute. Only a hit on another numbered institute, or on an
  unrelated party, is a false positive.
- for each miss, whether the own party was scored at all, what the best match was and how the
  query was read.

Independence from the hand-written sets: every organisation named as `listed_name` in
bench/eval/chinese.tsv or bench/eval/affiliate_evasion.tsv is excluded, with every other record of
it (same normalised name), through `bench.affiliate_dev`'s own helper; only that column is read and
it is never printed. The dev set may be inspected row by row and tuned on; a change should still be
judged on the hand-written test half.

    python -m bench.institute_dev [--show K]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from bench.affiliate_dev import _excluded, _rate, _screen
from bench.build_eval_set import _listed_keys
from bench.mirror import load_mirror
from screening.listings.records import EntityKind, ListEntry
from screening.matching import MatchIndex
from screening.matching.readings import read
from screening.names.chinese import to_simplified
from screening.names.native import native_names
from screening.names.normalize import normalize_name
from screening.names.numerals import chinese_number
from screening.policy.decision import REVIEW_THRESHOLD

SEED: Final = 20250612
SCREEN_LIMIT: Final = 10  # as bench/matching_quality.py
MIN_SCORE: Final = 0.5
DEEP_LIMIT: Final = 100
NEGATIVE_NUMBERS: Final = 4  # unlisted numbers per group and template


@dataclass(frozen=True, slots=True)
class Group:
    code: str
    pattern: re.Pattern[str]  # how the mirror's names write it
    name: str  # English name as listed
    short: str  # a shorter English name customers use
    acronym: str
    zh_full: str
    zh_short: str
    zh_alt: str


# The groups and their Chinese names (written with the templates, before any result).
GROUPS: Final = (
    Group(
        "CETC",
        re.compile(r"\bCETC\b|China Electronics? Technology Group", re.I),
        "China Electronics Technology Group Corporation",
        "China Electronics Technology Group",
        "CETC",
        "中国电子科技集团公司",
        "中电科",
        "中国电科",
    ),
    Group(
        "CASIC",
        re.compile(r"\bCASIC\b|Aerospace Science (?:and|&) Industry", re.I),
        "China Aerospace Science and Industry Corporation",
        "China Aerospace Science and Industry",
        "CASIC",
        "中国航天科工集团",
        "航天科工",
        "航天科工集团",
    ),
    Group(
        "CASC",
        re.compile(r"\bCASC\b|Aerospace Science (?:and|&) Technology", re.I),
        "China Aerospace Science and Technology Corporation",
        "China Aerospace Science and Technology",
        "CASC",
        "中国航天科技集团",
        "航天科技",
        "航天科技集团",
    ),
    Group(
        "AVIC",
        re.compile(r"\bAVIC\b|Aviation Industry Corporation of China", re.I),
        "Aviation Industry Corporation of China",
        "Aviation Industry of China",
        "AVIC",
        "中国航空工业集团",
        "中航工业",
        "航空工业",
    ),
    Group(
        "NORINCO",
        re.compile(r"\bNORINCO\b|China North Industries", re.I),
        "China North Industries Group Corporation",
        "China North Industries Group",
        "NORINCO",
        "中国兵器工业集团",
        "兵器工业",
        "兵器工业集团",
    ),
    Group(
        "CSSC",
        re.compile(r"\bCSSC\b|\bCSIC\b|China (?:State )?Shipbuilding", re.I),
        "China Shipbuilding Industry Corporation",
        "China State Shipbuilding Corporation",
        "CSIC",
        "中国船舶重工集团",
        "中船重工",
        "中国船舶",
    ),
    Group(
        "CAEP",
        re.compile(r"\bCAEP\b|Academy of Engineering Physics", re.I),
        "China Academy of Engineering Physics",
        "Chinese Academy of Engineering Physics",
        "CAEP",
        "中国工程物理研究院",
        "中物院",
        "中国工程物理研究院",
    ),
)
NO_GROUP: Final = "none"


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    family: str  # en, acronym, zh, own, academy, zh_academy, plain
    needs: str  # "inst": an institute number; "acad": an academy entry; "acad_inst": both
    pattern: str


# Frozen before the first run. {n} institute number, {nth} 14th, {Nth} Fourteenth, {a}/{ath}/{Ath}
# the academy number, {g} group name, {gs} shorter group name, {acr} acronym, {zf}/{zs}/{za} the
# group's Chinese names, {zn} 十四 (七百零一), {zd} 七〇一 (digit by digit), {zan} the academy in
# Chinese numerals, {own} the institute's own name as listed.
TEMPLATES: Final = (
    Template("control_listed", "control", "any", "{listed}"),
    # English, the group written out
    Template("en_group_nth", "en", "inst", "{g} {nth} Research Institute"),
    Template("en_nth_of_group", "en", "inst", "{nth} Institute of {gs}"),
    Template("en_no_of_group", "en", "inst", "No. {n} Research Institute of {g}"),
    Template("en_word_of_group", "en", "inst", "The {Nth} Research Institute of {gs}"),
    Template("en_group_institute_n", "en", "inst", "{g} Institute {n}"),
    # the group acronym
    Template("acr_bare", "acronym", "inst", "{acr} {n}"),
    Template("acr_no", "acronym", "inst", "{acr} No. {n} Research Institute"),
    Template("acr_no_nospace", "acronym", "inst", "{acr} No.{n} Research Institute"),
    Template("acr_nth", "acronym", "inst", "{acr} {nth} Institute"),
    Template("acr_no_of", "acronym", "inst", "No. {n} Research Institute of {acr}"),
    Template("acr_word_of", "acronym", "inst", "The {Nth} Research Institute of {acr}"),
    Template("acr_hash", "acronym", "inst", "{acr} {n}# Institute"),
    Template("acr_n_institute", "acronym", "inst", "{acr} {n} Institute"),
    # Chinese script
    Template("zh_full_di", "zh", "inst", "{zf}第{zn}研究所"),
    Template("zh_full_digits", "zh", "inst", "{zf}{n}所"),
    Template("zh_short_digits", "zh", "inst", "{zs}{n}所"),
    Template("zh_short_di", "zh", "inst", "{zs}第{zn}研究所"),
    Template("zh_short_cn_suo", "zh", "inst", "{zs}{zn}所"),
    Template("zh_alt_digits", "zh", "inst", "{za}{n}所"),
    Template("zh_full_zero", "zh", "inst", "{zf}第{zd}研究所"),
    Template("zh_short_zero_suo", "zh", "inst", "{zs}{zd}所"),
    Template("zh_short_digits_yjs", "zh", "inst", "{zs}{n}研究所"),
    # the institute's own name
    Template("own_name", "own", "own", "{own}"),
    Template("own_acr", "own", "own", "{acr} {own}"),
    # institutes of an academy
    Template("acad_nth_nth", "academy", "acad_inst", "{acr} {ath} Academy {nth} Institute"),
    Template("acad_word_no", "academy", "acad_inst", "{acr} {Ath} Academy No. {n} Institute"),
    Template(
        "acad_of", "academy", "acad_inst", "{nth} Research Institute of the {Ath} Academy of {acr}"
    ),
    Template("acad_bare", "academy", "acad_inst", "{acr} {a}-{n}"),
    Template("zh_acad_inst", "zh_academy", "acad_inst", "{zs}{zan}院{n}所"),
    Template("zh_acad_inst_full", "zh_academy", "acad_inst", "{zf}第{zan}研究院第{zn}研究所"),
    Template("zh_acad_inst_cn", "zh_academy", "acad_inst", "{zs}{zan}院{zn}所"),
    # academies themselves
    Template("acad_acr_nth", "academy", "acad", "{acr} {ath} Academy"),
    Template("acad_word_of", "academy", "acad", "{Ath} Academy of {g}"),
    Template("acad_acr_no", "academy", "acad", "{acr} Academy No. {a}"),
    Template("acad_group_word", "academy", "acad", "{gs} {Ath} Research Academy"),
    Template("zh_acad_short", "zh_academy", "acad", "{zs}{zan}院"),
    Template("zh_acad_group", "zh_academy", "acad", "{za}{zan}院"),
    Template("zh_acad_full", "zh_academy", "acad", "{zf}第{zan}研究院"),
    # numbered institutes of no group: the number written the other ways
    Template("plain_digits", "plain", "plain", "{plain_n}"),
    Template("plain_no", "plain", "plain", "{plain_no}"),
    Template("plain_word", "plain", "plain", "{plain_word}"),
)
FAMILIES: Final = ("control", "en", "acronym", "zh", "own", "academy", "zh_academy", "plain")

# Unlisted Chinese research institutes and universities (written with the templates). Any whose
# bare name turns out to reach review on its own is reported and left out.
UNLISTED: Final = (
    "中国科学院自动化研究所", "Institute of Automation, Chinese Academy of Sciences",
    "中国科学院物理研究所", "Institute of Physics, Chinese Academy of Sciences",
    "中国科学院化学研究所", "Institute of Chemistry, Chinese Academy of Sciences",
    "中国科学院植物研究所", "Institute of Botany, Chinese Academy of Sciences",
    "中国农业科学院", "Chinese Academy of Agricultural Sciences",
    "中国医学科学院", "Chinese Academy of Medical Sciences",
    "中国林业科学研究院", "Chinese Academy of Forestry",
    "中国气象科学研究院", "Chinese Academy of Meteorological Sciences",
    "中国水利水电科学研究院", "China Institute of Water Resources and Hydropower Research",
    "中国地质科学院", "Chinese Academy of Geological Sciences",
    "北京大学", "Peking University", "复旦大学", "Fudan University",
    "浙江大学", "Zhejiang University", "南京大学", "Nanjing University",
    "中山大学", "Sun Yat-sen University", "武汉大学", "Wuhan University",
    "中国建筑第八工程局", "China Construction Eighth Engineering Division",
    "中铁十一局", "China Railway 11th Bureau Group",
    "上海市第六人民医院", "Shanghai Sixth People's Hospital",
    "北京市第四中学", "Beijing No. 4 High School",
    "中国纺织科学研究院", "China Textile Academy",
    "中国电力科学研究院", "China Electric Power Research Institute",
    "中国汽车技术研究中心", "China Automotive Technology and Research Center",
    "中国铁道科学研究院", "China Academy of Railway Sciences",
)  # fmt: skip

_ORD_WORDS: Final = (
    "", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth",
    "Tenth", "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth",
    "Seventeenth", "Eighteenth", "Nineteenth",
)  # fmt: skip
_TENS: Final = (
    "",
    "",
    "Twenty",
    "Thirty",
    "Forty",
    "Fifty",
    "Sixty",
    "Seventy",
    "Eighty",
    "Ninety",
)
_TENS_ORD: Final = (
    "", "", "Twentieth", "Thirtieth", "Fortieth", "Fiftieth", "Sixtieth", "Seventieth",
    "Eightieth", "Ninetieth",
)  # fmt: skip
_CN_DIGITS: Final = "〇一二三四五六七八九"

_NUM_ORD = r"(\d+)(?:st|nd|rd|th)?"
_WORDS_RE = "|".join(w for w in _ORD_WORDS if w)
_ACADEMY: Final = re.compile(
    rf"\b(?:{_NUM_ORD}|({_WORDS_RE}))\s+academy\b|\bacademy\s+#?(\d+)", re.I
)
_ACADEMY_HASH: Final = re.compile(r"#(\d+)\s+academy", re.I)
_INSTITUTE: Final = re.compile(
    rf"\b(?:no\.?\s*)?{_NUM_ORD}\s+(?:research\s+)?institute\b|\binstitute\s+(\d+)\b", re.I
)
_NUMBERED: Final = re.compile(
    rf"(?:\b(?:no\.?\s*)?\d+(?:st|nd|rd|th)?|\b(?:{_WORDS_RE}))\s+"
    r"(?:[a-z]+\s+){0,3}?(?:institute|academy)\b|\b(?:institute|academy)\s+(?:no\.?\s*)?\d+\b"
    r"|第?[零〇一二三四五六七八九十百]+(?:研究所|研究院)",
    re.I,
)
_BRACKETS: Final = re.compile(r"\s*\([^()]*\)")
_ANY_NUMBER: Final = re.compile(rf"\d|\b(?:{_WORDS_RE})\b|no\.", re.I)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ordinal_word(n: int) -> str | None:
    """14 -> Fourteenth, 54 -> Fifty-Fourth; None from 100 (nobody writes those out)."""
    if not 0 < n < 100:
        return None
    if n < 20:
        return _ORD_WORDS[n]
    tens, unit = divmod(n, 10)
    return _TENS_ORD[tens] if unit == 0 else f"{_TENS[tens]}-{_ORD_WORDS[unit]}"


def chinese_numeral(n: int) -> str:
    """14 -> 十四, 54 -> 五十四, 701 -> 七百零一, 110 -> 一百一十."""
    if n < 10:
        return _CN_DIGITS[n] if n else "零"
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        tens, unit = divmod(n, 10)
        return _CN_DIGITS[tens] + "十" + (_CN_DIGITS[unit] if unit else "")
    hundreds, rest = divmod(n, 100)
    head = _CN_DIGITS[hundreds] + "百"
    if rest == 0:
        return head
    if rest < 10:
        return head + "零" + _CN_DIGITS[rest]
    tens, unit = divmod(rest, 10)
    return head + _CN_DIGITS[tens] + "十" + (_CN_DIGITS[unit] if unit else "")


def chinese_digits(n: int) -> str:
    """701 -> 七〇一: the digit-by-digit way institute numbers above 99 are written."""
    return "".join(_CN_DIGITS[int(d)] for d in str(n))


@dataclass(frozen=True, slots=True)
class Institute:
    key: str
    name: str
    group: str  # a Group code or NO_GROUP
    academy: int | None
    number: int | None  # the institute's number; None for an academy
    own: str  # the institute's own (number-free) name, when the list gives one
    expect: frozenset[str]
    plain: str  # the numbered name of a no-group institute, as listed


@dataclass(slots=True)
class Item:
    query: str
    template: Template
    inst: Institute | None  # None for an unlisted name
    group: str
    negative: bool = False
    academy: int | None = None  # the academy a negative names
    expected_score: float = 0.0
    review: bool = False
    top: str = ""
    top_key: str = ""
    top_name: str = ""
    at_review: list[str] = field(default_factory=list)  # party keys at or above the threshold
    reason: str = ""
    scores: list[float] = field(default_factory=list)


def _word_number(word: str) -> int | None:
    low = word.casefold()
    for i, w in enumerate(_ORD_WORDS):
        if w and w.casefold() == low:
            return i
    return None


def _numbers_of(names: Sequence[str]) -> tuple[int | None, int | None]:
    academy: int | None = None
    number: int | None = None
    for raw in names:
        text = _BRACKETS.sub(" ", raw)
        if academy is None:
            m = _ACADEMY.search(text) or _ACADEMY_HASH.search(text)
            if m is not None:
                groups = [g for g in m.groups() if g]
                academy = int(groups[0]) if groups[0].isdigit() else _word_number(groups[0])
        if number is None:
            m = _INSTITUTE.search(text)
            if m is not None:
                number = int(next(g for g in m.groups() if g))
    return academy, number


def _group_of(names: Sequence[str]) -> str:
    for g in GROUPS:
        if any(g.pattern.search(n) for n in names):
            return g.code
    return NO_GROUP


def _own_name(names: Sequence[str]) -> str:
    """An alias naming the institute itself: no number, no group, an Institute or Academy."""
    for n in names[1:] if len(names) > 1 else ():
        text = _BRACKETS.sub("", n).replace("?", "'").strip(" .")
        if _ANY_NUMBER.search(text) or _group_of([text]) != NO_GROUP:
            continue
        if re.search(r"institute|academy", text, re.I) and len(text.split()) >= 3:
            return text
    return ""


def institute_pool(entries: Sequence[ListEntry]) -> tuple[list[Institute], dict[str, int]]:
    """Every listed numbered institute or academy not tied to the hand-written sets."""
    by_name, by_norm = _listed_keys(list(entries))
    excluded_keys, _, n_names = _excluded(by_name, by_norm)
    records: dict[str, list[ListEntry]] = defaultdict(list)
    for e in entries:
        records[e.key].append(e)
    pool: list[Institute] = []
    dropped: Counter[str] = Counter()
    seen: set[tuple[str, int | None, int | None, str]] = set()
    for key in sorted(records):
        first = records[key][0]
        if first.kind is not EntityKind.ORGANIZATION:
            continue
        names = [first.name, *(a.value for a in first.aliases)]
        numbered = [n for n in names if _NUMBERED.search(_BRACKETS.sub(" ", n))]
        if not numbered:
            continue
        if re.search(r"factory|plant|厂", first.name, re.I):
            dropped["a numbered factory, not an institute"] += 1
            continue
        group = _group_of(names)
        academy, number = _numbers_of(numbered)
        if academy is None and number is None:
            dropped["no number read"] += 1
            continue
        norm = normalize_name(first.name)
        norm_keys = {key} | by_norm.get((norm.tokens, norm.legal), set())
        if norm_keys & excluded_keys:
            dropped["same organisation as a hand-written listed_name"] += 1
            continue
        if group == NO_GROUP and number is None and academy is None:
            continue
        ident = (group, academy, number, first.name if group == NO_GROUP else "")
        if ident in seen:  # the same institute on two lists
            continue
        seen.add(ident)
        plain = numbered[0] if group == NO_GROUP else ""
        pool.append(
            Institute(
                key=key,
                name=first.name,
                group=group,
                academy=academy,
                number=number,
                own=_own_name(names) if group != NO_GROUP else "",
                expect=frozenset(norm_keys),
                plain=plain,
            )
        )
    dropped["hand-written listed names read"] = n_names
    return pool, dict(dropped)


def _plain_forms(text: str) -> dict[str, str]:
    """A no-group numbered name with its number written as digits, "No. N" and a word."""
    text = _BRACKETS.sub(" ", text).strip()
    m = re.search(rf"\b(?:no\.?\s*)?(\d+)(?:st|nd|rd|th)?\b|\b({_WORDS_RE})\b", text, re.I)
    if m is None:
        return {}
    n = int(m.group(1)) if m.group(1) else _word_number(m.group(2)) or 0
    rest = (text[: m.start()] + text[m.end() :]).strip()
    rest = " ".join(rest.split())
    word = ordinal_word(n)
    out = {"plain_n": f"{n} {rest}", "plain_no": f"No. {n} {rest}"}
    if word is not None:
        out["plain_word"] = f"{word} {rest}"
    return out


def _fields(
    inst: Institute | None, group: Group | None, n: int | None, a: int | None
) -> dict[str, str]:
    f: dict[str, str] = {}
    if inst is not None:
        f["listed"] = inst.name
        if inst.own:
            f["own"] = inst.own
        f.update(_plain_forms(inst.plain) if inst.plain else {})
    if group is not None:
        f.update(
            g=group.name,
            gs=group.short,
            acr=group.acronym,
            zf=group.zh_full,
            zs=group.zh_short,
            za=group.zh_alt,
        )
    if n is not None:
        f.update(n=str(n), nth=ordinal(n), zn=chinese_numeral(n))
        if n >= 100:  # 七〇一: only three-digit numbers are written digit by digit
            f["zd"] = chinese_digits(n)
        word = ordinal_word(n)
        if word is not None:
            f["Nth"] = word
    if a is not None:
        f.update(a=str(a), ath=ordinal(a), zan=chinese_numeral(a))
        word = ordinal_word(a)
        if word is not None:
            f["Ath"] = word
    return f


def _applies(t: Template, inst: Institute) -> bool:
    if t.needs == "any":
        return True
    if t.needs == "plain":
        return inst.group == NO_GROUP
    if inst.group == NO_GROUP:
        return False
    if t.needs == "own":
        return bool(inst.own)
    if t.needs == "inst":
        return inst.number is not None
    if t.needs == "acad_inst":
        return inst.number is not None and inst.academy is not None
    if t.needs == "acad":
        return inst.academy is not None and inst.number is None
    return False


def _fill(t: Template, fields: dict[str, str]) -> str | None:
    try:
        return t.pattern.format(**fields)
    except KeyError:  # a field this institute lacks (no ordinal word above 99)
        return None


def _group(code: str) -> Group | None:
    return next((g for g in GROUPS if g.code == code), None)


def positives(pool: Sequence[Institute]) -> list[Item]:
    items: list[Item] = []
    for inst in pool:
        fields = _fields(inst, _group(inst.group), inst.number, inst.academy)
        for t in TEMPLATES:
            if _applies(t, inst):
                query = _fill(t, fields)
                if query is not None:
                    items.append(Item(query, t, inst, inst.group))
    return items


def listed_numbers(entries: Sequence[ListEntry]) -> dict[str, set[int]]:
    """Every number any listed name of a group holds (hand-written ones included: they are
    listed all the same), so a negative never uses one."""
    out: dict[str, set[int]] = defaultdict(set)
    for e in entries:
        names = [e.name, *(a.value for a in e.aliases)]
        group = _group_of(names)
        if group == NO_GROUP:
            continue
        for n in names:
            text = _BRACKETS.sub(" ", n)
            out[group].update(int(d) for d in re.findall(r"\d+", text))
            for w in re.findall(rf"\b(?:{_WORDS_RE})\b", text, re.I):
                out[group].add(_word_number(w) or 0)
    # The native-script data file names academies and institutes too (航天科技四院).
    for native in native_names():
        text = to_simplified(native.native_name)
        for g in GROUPS:
            if any(z in text for z in (g.zh_full, g.zh_short, g.zh_alt)) or g.pattern.search(
                native.listed_name
            ):
                for m in re.finditer(
                    r"([零〇一二两三四五六七八九十百]+|[0-9]+)(?:研究所|研究院|所|院)", text
                ):
                    number = chinese_number(m.group(1))
                    if number:
                        out[g.code].add(number)
    return out


def negatives(
    rng: random.Random, pool: Sequence[Institute], taken: dict[str, set[int]]
) -> list[Item]:
    """The group templates with numbers no listed name of the group holds."""
    items: list[Item] = []
    for g in GROUPS:
        members = [i for i in pool if i.group == g.code]
        taken_n = taken_a = taken.get(g.code, set())
        free_n = [n for n in (*range(1, 100), *range(100, 1000, 7)) if n not in taken_n]
        free_a = [a for a in range(1, 13) if a not in taken_a]
        small = [n for n in free_n if n < 100]
        big = [n for n in free_n if n >= 100]
        half = NEGATIVE_NUMBERS // 2
        numbers = rng.sample(small, half) + rng.sample(big, NEGATIVE_NUMBERS - half)
        with_academy = [i for i in members if i.academy is not None and i.number is not None]
        for t in TEMPLATES:
            if t.family in ("control", "own", "plain"):
                continue
            for k in range(NEGATIVE_NUMBERS):
                n = numbers[k]
                if t.needs == "acad":
                    fields = _fields(None, g, None, free_a[k % len(free_a)])
                elif t.needs == "acad_inst":
                    # an academy with an institute number none of the group's names has
                    acad = with_academy[k % len(with_academy)].academy if with_academy else 1
                    fields = _fields(None, g, n, acad)
                else:
                    fields = _fields(None, g, n, None)
                query = _fill(t, fields)
                if query is not None:
                    acad_of = int(fields["a"]) if "a" in fields and t.needs == "acad_inst" else None
                    items.append(Item(query, t, None, g.code, negative=True, academy=acad_of))
    neg_t = Template("unlisted", "unlisted", "any", "{name}")
    items.extend(Item(name, neg_t, None, NO_GROUP, negative=True) for name in UNLISTED)
    return items


# Numbers the reading check writes in every template, listed or not (written with the templates).
SYNTHETIC: Final = (
    1,
    2,
    5,
    9,
    10,
    11,
    13,
    14,
    19,
    20,
    23,
    38,
    54,
    99,
    101,
    110,
    203,
    701,
    811,
    902,
)
SYNTHETIC_ACADEMIES: Final = (1, 3, 5, 8, 9)


def reading_agreement() -> dict[str, list[bool]]:
    """Per template: does some reading of the query hold the institute's number (and the
    academy's) as a token, and no other number? Needs no listed name: it checks that every
    writing of "institute N" reaches the one form the normaliser gives the listed name."""
    out: dict[str, list[bool]] = defaultdict(list)
    for g in GROUPS:
        for t in TEMPLATES:
            if t.needs not in ("inst", "acad_inst", "acad"):
                continue
            for k, n in enumerate(SYNTHETIC):
                a = SYNTHETIC_ACADEMIES[k % len(SYNTHETIC_ACADEMIES)]
                if t.needs == "inst":
                    fields, want = _fields(None, g, n, None), {str(n)}
                elif t.needs == "acad":
                    if k >= len(SYNTHETIC_ACADEMIES):
                        continue
                    fields, want = _fields(None, g, None, a), {str(a)}
                else:
                    fields, want = _fields(None, g, n, a), {str(a), str(n)}
                query = _fill(t, fields)
                if query is None:
                    continue
                ok = False
                for _, norm in read(query):
                    digits = {tok for tok in norm.tokens if tok.isdigit()}
                    if digits == want:
                        ok = True
                        break
                out[t.id].append(ok)
    return out


# -- screening and diagnosis -------------------------------------------------------------------

NOT_SCORED: Final = "own party not scored (floor 0.05)"
BELOW: Final = "own party scored below threshold"
CROWDED: Final = "own party crowded out of the top results"
REASONS: Final = (NOT_SCORED, BELOW, CROWDED)

PARENT: Final = "parent hit (the group or the academy, listed itself)"
WRONG_INSTITUTE: Final = "another numbered institute"
UNRELATED: Final = "an unrelated party"


def _numbered_party(name: str) -> bool:
    return bool(_NUMBERED.search(_BRACKETS.sub(" ", name)))


def _hit_kind(item: Item, key: str, by_key: dict[str, ListEntry]) -> str:
    entry = by_key.get(key)
    names = [entry.name, *(a.value for a in entry.aliases)] if entry else [item.top_name]
    group = _group_of(names)
    if group != item.group or group == NO_GROUP:
        return UNRELATED
    academy, number = _numbers_of([n for n in names if _numbered_party(n)])
    if number is None and (academy is None or academy == item.academy):
        # The group itself, or the academy the queried institute belongs to: listed itself.
        return PARENT
    return WRONG_INSTITUTE


def classify_hit(index: MatchIndex, item: Item, by_key: dict[str, ListEntry]) -> str:
    """What a negative reached review on: the group or parent academy if any match at review
    is one (the reviewer sees it), else what the top match is."""
    kinds = [_hit_kind(item, key, by_key) for key in item.at_review]
    return PARENT if PARENT in kinds else kinds[0] if kinds else UNRELATED


def screen_all(index: MatchIndex, items: Sequence[Item]) -> None:
    for item in items:
        result = _screen(index, item.query, SCREEN_LIMIT, MIN_SCORE)
        if result is None:
            continue
        item.review = result.score >= REVIEW_THRESHOLD
        item.scores = [m.score for m in result.matches]
        item.at_review = [m.party_key for m in result.matches if m.score >= REVIEW_THRESHOLD]
        if result.matches:
            top = result.matches[0]
            item.top = f"{top.score:.3f} {top.entity_name!r}: {top.explanation}"
            item.top_key = top.party_key
            item.top_name = top.entity_name
        if item.inst is not None:
            item.expected_score = max(
                (m.score for m in result.matches if m.party_key in item.inst.expect),
                default=0.0,
            )


def diagnose(index: MatchIndex, item: Item) -> str:
    assert item.inst is not None
    deep = _screen(index, item.query, DEEP_LIMIT, 0.05)
    own = [m for m in (deep.matches if deep else []) if m.party_key in item.inst.expect]
    if not own:
        item.reason = NOT_SCORED
        return "(not scored)"
    if own[0].score >= REVIEW_THRESHOLD:
        item.reason = CROWDED
    else:
        item.reason = BELOW
    return f"{own[0].score:.3f} {own[0].explanation}"


def _readings(query: str) -> str:
    return " | ".join(" ".join(norm.tokens) for _, norm in read(query)[:3])


# -- report ------------------------------------------------------------------------------------


def _row(label: str, pos: Sequence[Item], neg: Sequence[Item], width: int = 22) -> str:
    hits = [i.expected_score >= REVIEW_THRESHOLD for i in pos]
    fp = [i.review and i.reason != PARENT for i in neg]
    parent = [i.review and i.reason == PARENT for i in neg]
    return (
        f"  {label:{width}s} n={len(pos):4d} recall {_rate(hits)}   neg n={len(neg):4d} "
        f"FP {_rate(fp)} parent {_rate(parent)}"
    )


def report(
    index: MatchIndex, pos: list[Item], neg: list[Item], show: int, own: dict[int, str]
) -> None:
    real = [i for i in pos if i.template.family != "control"]
    print(f"\n== overall at the review threshold {REVIEW_THRESHOLD}")
    print(_row("all templates", real, neg))
    print(_row("control: as listed", [i for i in pos if i.template.family == "control"], []))
    print(_row("group negatives", [], [i for i in neg if i.group != NO_GROUP]))
    print(_row("unlisted institutes", [], [i for i in neg if i.group == NO_GROUP]))
    print("\n== per family")
    for fam in FAMILIES:
        print(
            _row(
                fam,
                [i for i in pos if i.template.family == fam],
                [i for i in neg if i.template.family == fam],
            )
        )
    print("\n== per template")
    for t in TEMPLATES:
        these = [i for i in pos if i.template.id == t.id]
        tn = [i for i in neg if i.template.id == t.id]
        if these or tn:
            print(_row(t.id, these, tn, 22) + f"   {t.pattern}")
    print("\n== per group (templates other than the control)")
    for code in [g.code for g in GROUPS] + [NO_GROUP]:
        these = [i for i in real if i.group == code]
        orgs = len({i.inst.key for i in these if i.inst})
        print(_row(code, these, [i for i in neg if i.group == code]) + f"  institutes={orgs}")

    fps = [i for i in neg if i.review]
    print(f"\n== {len(fps)} negatives at review, by what they hit")
    for kind, k in Counter(i.reason for i in fps).most_common():
        print(f"  {kind:56s} {k:4d}")

    misses = [i for i in real if i.expected_score < REVIEW_THRESHOLD]
    by_reason: dict[str, list[Item]] = defaultdict(list)
    for i in misses:
        by_reason[i.reason].append(i)
    print(f"\n== why {len(misses)} of {len(real)} generated names missed")
    for reason in REASONS:
        if by_reason.get(reason):
            print(f"  {reason:56s} {len(by_reason[reason]):4d}")
    if show <= 0:
        return
    for reason in REASONS:
        these = by_reason.get(reason, [])
        if not these:
            continue
        print(f"\n-- examples: {reason}")
        tpls: Counter[str] = Counter()
        for i in these:
            if tpls[i.template.id] >= max(1, show // 4) or sum(tpls.values()) >= show:
                continue
            tpls[i.template.id] += 1
            assert i.inst is not None
            print(f"  [{i.template.id}] {i.query!r} <- listed {i.inst.name!r}")
            print(f"      read: {_readings(i.query)}")
            print(f"      top:  {i.top or '(nothing at 0.5)'}")
            print(f"      own:  {own.get(id(i), '-')}")
    if fps:
        print("\n-- examples: negatives at review")
        for i in sorted(fps, key=lambda x: x.reason != PARENT)[: show * 2]:
            print(f"  [{i.template.id}] {i.query!r} ({i.reason})")
            print(f"      read: {_readings(i.query)}")
            print(f"      top:  {i.top}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--show", type=int, default=0, help="examples per failure reason")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--list", action="store_true", help="print the selected institutes")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    entries, versions = load_mirror()
    index = MatchIndex.build(entries, versions)
    print(
        f"index {index.stats()['parties']} parties, built in {time.perf_counter() - started:.0f}s"
    )
    pool, dropped = institute_pool(entries)
    per_group = Counter(i.group for i in pool)
    print(f"numbered institutes and academies usable: {len(pool)} {dict(per_group)}")
    print(f"left out: {dropped}")
    if args.list:
        for inst in pool:
            print(f"  {inst.group:8s} acad={inst.academy} inst={inst.number} {inst.name!r}")
    rng = random.Random(args.seed)
    pos = positives(pool)
    neg = negatives(rng, pool, listed_numbers(entries))
    by_key = {e.key: e for e in entries}
    # Unlisted names whose bare form reaches review are listed after all (or read so): out.
    screen_all(index, [*pos, *neg])
    kept_neg = []
    skipped = []
    for i in neg:
        if i.group == NO_GROUP and i.review and i.top_name and _listed_as(i, by_key):
            skipped.append(i.query)
        else:
            kept_neg.append(i)
    if skipped:
        print(f"unlisted names left out, listed after all: {skipped}")
    for i in kept_neg:
        if i.review:
            i.reason = classify_hit(index, i, by_key)
    own = {id(i): diagnose(index, i) for i in pos if i.expected_score < REVIEW_THRESHOLD}
    print(f"{len(pos)} positives, {len(kept_neg)} negatives")
    report(index, pos, kept_neg, args.show, own)
    agreement = reading_agreement()
    every = [ok for oks in agreement.values() for ok in oks]
    print(f"\n== reading check: synthetic numbers in every group template, {_rate(every)} read")
    for t in TEMPLATES:
        if t.id in agreement:
            print(f"  {t.id:22s} n={len(agreement[t.id]):4d} read {_rate(agreement[t.id])}")
    print(f"\ntotal {time.perf_counter() - started:.0f}s")


def _listed_as(item: Item, by_key: dict[str, ListEntry]) -> bool:
    """The top match is the named organisation itself (its score says exact)."""
    return item.top.split(" ", 1)[0] >= "0.990"


if __name__ == "__main__":
    main()
