"""Affiliate development set: how often a listed party's affiliate reaches review, and why not.

An affiliate is named as its group is plus places, local legal forms and business words
("Huawei Technologies Singapore Pte. Ltd.", "Rosneft Trading"). This bench generates such names
from real listed organisations of the list mirror with fixed templates (below, written before any
result was seen; any added later are marked as such), screens them with the real `MatchIndex` at
the review threshold, and measures:

- recall: share of generated affiliate names whose own party (or another record of the same
  organisation) scores at or above the review threshold, per template and per listed-name shape
  (core words empty or not, how many, which list);
- false-positive rate: the same templates on real unlisted companies (S&P 500 constituents whose
  bare name clears), share with any match at or above the threshold;
- for each miss, why the containment rule (`scoring._contained`) did not carry it: no core words,
  a listed non-droppable word absent from the query, an added word missing from the droppable
  tables (counted by word: what the tables lack), the single-pinyin-word rule, the party not
  retrieved, or a contained score still below the threshold.

Independence from the hand-written sets: every organisation named as `listed_name` in
bench/eval/affiliate_evasion.tsv or bench/eval/chinese.tsv is excluded, with every other record of
it (same normalised name) and every organisation sharing one of its distinctive core words (a
Huawei subsidiary listed separately would otherwise tune the test's Huawei rows). Those names are
read into sets and only counted; no value or other column of those files is printed or used. The
negatives come from the same public S&P 500 file the hand-written negatives drew on, but through
these templates, never through its rows. The dev set may be inspected row by row and tuned on; a
change to the tables should still be judged on the hand-written test half.

    python -m bench.affiliate_dev [--limit N] [--seed S] [--show K]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import string
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from bench.build_eval_set import _SUCCESSORS, _listed_keys
from bench.eval_sets import SETS, load_set
from bench.mirror import SHARED, load_mirror
from screening.errors import InvalidQueryError
from screening.listings.records import EntityKind, ListEntry
from screening.matching import MatchIndex, MatchResult, Query
from screening.matching.readings import read
from screening.matching.scoring import (
    MIN_CORE_LENGTH,
    WHOLE_NAME_WORDS,
    _align,
    core_words,
    whole_name,
)
from screening.names.affiliate import (
    droppable_words,
    is_english_word,
    phrase_places,
    place_or_generic_words,
)
from screening.names.normalize import NormName, normalize_name
from screening.names.pinyin import split_syllables
from screening.policy.decision import REVIEW_THRESHOLD

SEED: Final = 20250611
LIMIT: Final = 600  # listed organisations with core words; a third as many without
PER_ORG: Final = 10  # templates per listed organisation (plus the control)
PER_COMPANY: Final = 20  # templates per unlisted company
SCREEN_LIMIT: Final = 10  # as bench/matching_quality.py
MIN_SCORE: Final = 0.5
DEEP_LIMIT: Final = 100


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    family: str
    pattern: str  # {base}: name without legal form; {core}: its core words; {city}, {cn_city}


# Frozen before the first run. {base} is the listed name without its legal form, brackets and
# "and its successors" tail; {core} only its distinctive words (templates using it apply only
# when the name has other words to drop).
TEMPLATES: Final = (
    Template("control_base", "control", "{base}"),
    # country + local legal form
    Template("geo_sg", "geo", "{base} Singapore Pte. Ltd."),
    Template("geo_de", "geo", "{base} Deutschland GmbH"),
    Template("geo_hk", "geo", "{base} (Hong Kong) Limited"),
    Template("geo_jp", "geo", "{base} Japan K.K."),
    Template("geo_br", "geo", "{base} do Brasil Ltda."),
    Template("geo_me", "geo", "{base} Middle East FZE"),
    Template("geo_my", "geo", "{base} Malaysia Sdn. Bhd."),
    Template("geo_uk", "geo", "{base} UK Limited"),
    Template("geo_us", "geo", "{base} USA Inc."),
    Template("geo_in", "geo", "{base} India Private Limited"),
    Template("geo_fr", "geo", "{base} France SAS"),
    Template("geo_it", "geo", "{base} Italia S.r.l."),
    Template("geo_kr", "geo", "{base} Korea Co., Ltd."),
    Template("geo_ru", "geo", "{base} Rus LLC"),
    Template("geo_eu", "geo", "{base} Europe B.V."),
    Template("geo_au", "geo", "{base} Australia Pty Ltd"),
    Template("geo_tr", "geo", "{base} Türkiye A.Ş."),
    Template("geo_kz", "geo", "{base} Kazakhstan LLP"),
    Template("geo_vn", "geo", "{base} Vietnam Company Limited"),
    Template("geo_mx", "geo", "{base} México S.A. de C.V."),
    Template("geo_th", "geo", "{base} (Thailand) Co., Ltd."),
    Template("geo_pl", "geo", "{base} Polska Sp. z o.o."),
    Template("geo_es", "geo", "{base} España S.L."),
    Template("geo_sa", "geo", "{base} Saudi Arabia LLC"),
    Template("geo_za", "geo", "{base} South Africa (Pty) Ltd"),
    Template("geo_gulf", "geo", "{base} Gulf DMCC"),
    Template("geo_cn", "geo", "{base} (China) Co., Ltd."),
    Template("geo_ch", "geo", "{base} (Schweiz) AG"),
    Template("geo_nl", "geo", "{base} Nederland B.V."),
    Template("geo_ca", "geo", "{base} Canada Ltd."),
    Template("geo_id", "geo", "PT {base} Indonesia"),
    Template("geo_ph", "geo", "{base} Philippines, Inc."),
    Template("geo_eg", "geo", "{base} Egypt S.A.E."),
    Template("geo_ng", "geo", "{base} Nigeria Limited"),
    Template("geo_apac", "geo", "{base} Asia Pacific Pte. Ltd."),
    Template("geo_intl", "geo", "{base} International Limited"),
    Template("geo_fzllc", "geo", "{base} FZ-LLC"),
    # city and branch
    Template("city_branch", "city", "{base} {city} Branch"),
    Template("city_cn_prefix", "city", "{cn_city} {base} Co., Ltd."),
    Template("city_cn_suffix", "city", "{base} ({cn_city}) Co., Ltd."),
    Template("city_rep", "city", "{base} Representative Office in {city}"),
    Template("city_office", "city", "{base} {city} Office"),
    Template("city_liaison", "city", "{base} Liaison Office {city}"),
    Template("city_bare", "city", "{base} {city}"),
    # business words
    Template("biz_cloud", "business", "{base} Cloud"),
    Template("biz_ailab", "business", "{base} AI Lab"),
    Template("biz_digital", "business", "{base} Digital Services"),
    Template("biz_trading_llc", "business", "{base} Trading LLC"),
    Template("biz_tech", "business", "{base} Technologies"),
    Template("biz_holdings", "business", "{base} Holdings"),
    Template("biz_capital", "business", "{base} Capital Management"),
    Template("biz_logistics", "business", "{base} Logistics Co., Ltd."),
    Template("biz_engineering", "business", "{base} Engineering Services"),
    Template("biz_research", "business", "{base} Research Institute"),
    Template("biz_software", "business", "{base} Software Development Center"),
    Template("biz_invest", "business", "{base} Investment Company"),
    Template("biz_energy", "business", "{base} Energy Solutions"),
    Template("biz_leasing", "business", "{base} Leasing LLC"),
    Template("biz_shipping", "business", "{base} Shipping Agency"),
    Template("biz_ventures", "business", "{base} Ventures"),
    Template("biz_labs", "business", "{base} Labs"),
    Template("biz_security", "business", "{base} Security Systems"),
    Template("biz_datacenter", "business", "{base} Data Center"),
    Template("biz_semi", "business", "{base} Semiconductor"),
    Template("biz_finance", "business", "{base} Finance Ltd."),
    Template("biz_marine", "business", "{base} Marine Services"),
    Template("biz_aviation", "business", "{base} Aviation Services"),
    Template("biz_medical", "business", "{base} Medical Technology"),
    Template("biz_innovation", "business", "{base} Innovation Hub"),
    Template("biz_insurance", "business", "{base} Insurance Brokers"),
    Template("biz_realestate", "business", "{base} Real Estate Development"),
    Template("biz_pharma", "business", "{base} Pharma"),
    Template("biz_solar", "business", "{base} Solar Power"),
    Template("biz_networks", "business", "{base} Networks"),
    Template("biz_auto", "business", "{base} Automotive Parts"),
    Template("biz_intl_trade", "business", "{base} International Trading Co."),
    Template("biz_payments", "business", "{base} Payments"),
    Template("biz_robotics", "business", "{base} Robotics"),
    Template("biz_mining", "business", "{base} Mining & Metals"),
    Template("biz_consulting", "business", "{base} Consulting Group"),
    Template("biz_rnd", "business", "{base} R&D Center"),
    Template("biz_supply", "business", "{base} Supply Chain Management"),
    Template("biz_services", "business", "{base} Services LLC"),
    Template("biz_electronics", "business", "{base} Electronics Co., Ltd."),
    Template("biz_hitech", "business", "{base} High-Tech Co., Ltd."),
    Template("biz_scitech", "business", "{base} Science & Technology Co., Ltd."),
    Template("biz_import_export", "business", "{base} Import & Export Co., Ltd."),
    # only the distinctive part of the name, plus a place or a business
    Template("core_trading", "core", "{core} Trading"),
    Template("core_sg", "core", "{core} Singapore"),
    Template("core_intl_hold", "core", "{core} International Holdings"),
    Template("core_group", "core", "{core} Group"),
    Template("core_tech_cn", "core", "{core} Technology ({cn_city}) Co., Ltd."),
    Template("core_eu", "core", "{core} Europe GmbH"),
    Template("core_me", "core", "{core} Middle East DMCC"),
    Template("core_energy", "core", "{core} Energy"),
    Template("core_digital", "core", "{core} Digital"),
    Template("core_cloud", "core", "{core} Cloud"),
    Template("core_cn_prefix", "core", "{cn_city} {core} Technology Co., Ltd."),
    # combinations
    Template("combo_cloud_sg", "combo", "{base} Cloud Computing (Singapore) Pte. Ltd."),
    Template("combo_digital_my", "combo", "{base} Digital Technologies Malaysia Sdn. Bhd."),
    Template("combo_trading_dubai", "combo", "{base} Trading (Dubai) FZE"),
    Template("combo_energy_de", "combo", "{base} Energy Deutschland GmbH"),
    Template("combo_cn_tech", "combo", "{cn_city} {base} Technology Co., Ltd."),
    Template("combo_fin_hk", "combo", "{base} Financial Services Hong Kong Limited"),
    Template("combo_logistics_city", "combo", "{base} Logistics {city} Branch"),
    Template("combo_intl_trading_hk", "combo", "{base} International Trading (HK) Limited"),
    Template("combo_trading_house_rus", "combo", "{base} Trading House Rus LLC"),
    Template("combo_ai_sg", "combo", "{base} AI Research Lab Singapore"),
)
FAMILIES: Final = ("control", "geo", "city", "business", "core", "combo")

# Where branches and trading arms of listed parties sit (written with the templates).
CITIES: Final = (
    "Dubai", "Istanbul", "Almaty", "Tashkent", "Hamburg", "Rotterdam", "Mumbai", "Ho Chi Minh City",
    "Jakarta", "Lagos", "Johannesburg", "Sao Paulo", "Bangkok", "Kuala Lumpur", "Yerevan", "Baku",
    "Tbilisi", "Minsk", "Vladivostok", "Novosibirsk", "Yekaterinburg", "Kazan", "St. Petersburg",
    "Shenzhen", "Shanghai", "Hong Kong", "Singapore", "Tokyo", "Seoul", "Taipei", "London",
    "Frankfurt", "Milan", "Madrid", "Warsaw", "Limassol", "Doha", "Muscat", "Karachi", "Tehran",
    "Caracas", "Panama City", "Bogota", "Mexico City", "Beirut", "Damascus",
)  # fmt: skip
CN_CITIES: Final = (
    "Shenzhen", "Shanghai", "Beijing", "Guangzhou", "Hangzhou", "Suzhou", "Chengdu", "Wuhan",
    "Xi'an", "Tianjin", "Dongguan", "Ningbo", "Xiamen", "Qingdao", "Hefei", "Changsha", "Zhuhai",
    "Foshan", "Nanjing", "Shenyang", "Harbin", "Dalian", "Kunming", "Zhengzhou", "Jinan",
    "Changzhou", "Wenzhou", "Yiwu", "Urumqi", "Hohhot",
)  # fmt: skip

# Failure reasons, in the order a miss is attributed (the first blocker that applies).
CORE_EMPTY: Final = "core_words empty"
LISTED_MISSING: Final = "listed non-droppable word not in query"
ADDED_UNKNOWN: Final = "added word not in droppable tables"
SINGLE_PINYIN: Final = "single pinyin core word rule"
NOT_RETRIEVED: Final = "contained, not retrieved at the screen's floor"
CROWDED: Final = "contained, crowded out of the top results"
BELOW: Final = "contained, score below threshold"
OTHER: Final = "other"
REASONS: Final = (
    CORE_EMPTY, LISTED_MISSING, ADDED_UNKNOWN, SINGLE_PINYIN, NOT_RETRIEVED, CROWDED, BELOW, OTHER,
)  # fmt: skip
_BRACKETS = re.compile(r"\s*\([^()]*\)")


@dataclass(frozen=True, slots=True)
class Listed:
    key: str
    name: str
    base: str
    core: tuple[str, ...]  # core_words of the base name, the form every template reuses
    words: int  # name words of the base name
    core_text: str  # the core words as written, for {core}
    core_shorter: bool  # the name has words besides its core, so {core} drops something
    source_list: str
    expect: frozenset[str]  # this party and the other records of the same organisation
    # The base name normalised: the name every template was built from, and so the one a miss
    # is diagnosed against (the index holds its words as the name without brackets).
    target: NormName
    empty_why: str  # why core_words is empty; "" when it is not


@dataclass(slots=True)
class Item:
    query: str
    template: Template
    listed: Listed | None  # None for a negative
    company: str = ""
    expected_score: float = 0.0
    review: bool = False  # anything at or above the threshold
    scores: list[float] = field(default_factory=list)  # what the screen returned
    top: str = ""
    reason: str = ""
    blockers: dict[str, list[str]] = field(default_factory=dict)
    sole: bool = False  # the attributed blocker is the only one


def _title(text: str) -> str:
    # Upper-case list names read as customers type them; matching folds case either way.
    return string.capwords(text) if text.isupper() else text


def base_name(name: str) -> str:
    """The name as a subsidiary would reuse it: no legal form at either end, no brackets, no
    "and its successors" tail."""
    text = _BRACKETS.sub(" ", _SUCCESSORS.sub("", name))
    words = text.replace(",", " , ").split()
    # Longest run of words at either end that holds no name word (legal forms, stopwords).
    start = 0
    for i in range(len(words), 0, -1):
        if not normalize_name(" ".join(words[:i])).tokens:
            start = i
            break
    end = len(words)
    for i in range(start, len(words)):
        if not normalize_name(" ".join(words[i:])).tokens:
            end = i
            break
    kept = " ".join(words[start:end]).replace(" , ", ", ").strip(" ,;:-&")
    return _title(kept)


def _core_text(norm: NormName, core: tuple[str, ...]) -> str:
    """The core words as the name wrote them (after folding), capitalised."""
    return " ".join(r.capitalize() for t, r in zip(norm.tokens, norm.raw, strict=True) if t in core)


def _empty_why(norm: NormName) -> str:
    """Which clause of `core_words` leaves the name without a core."""
    droppable = droppable_words()
    core = [(t, r) for t, r in zip(norm.tokens, norm.raw, strict=True) if t not in droppable]
    if not core:
        return "every word droppable"
    if any(len(t) < MIN_CORE_LENGTH or t.isdigit() for t, _ in core):
        return "short or numeric word"
    if all(is_english_word(r) for _, r in core):
        return "every core word plain English"
    return ""


def _excluded(
    by_name: dict[str, set[str]], by_norm: dict[object, set[str]]
) -> tuple[set[str], set[str], int]:
    """Party keys and core words of the hand-written sets' listed organisations (never shown)."""
    names = {row.listed_name for name in SETS for row in load_set(name) if row.listed_name}
    keys: set[str] = set()
    cores: set[str] = set()
    for listed in names:
        keys.update(by_name.get(listed, set()))
        # Resolved the way bench/build_eval_set.py resolves those rows to records.
        for value in (listed, _SUCCESSORS.sub("", listed)):
            norm = normalize_name(value)
            keys.update(by_norm.get((norm.tokens, norm.legal), set()))
            # Only coined words: a shared plain word ("Aircraft") is no tie between groups.
            cores.update(
                t
                for t, r in zip(norm.tokens, norm.raw, strict=True)
                if t in core_words(norm) and not is_english_word(r)
            )
    return keys, cores, len(names)


def listed_pool(
    entries: Sequence[ListEntry],
) -> tuple[list[Listed], dict[str, int]]:
    """Every listed organisation not tied to the hand-written sets, one per organisation."""
    by_name, by_norm = _listed_keys(list(entries))
    excluded_keys, excluded_cores, n_names = _excluded(by_name, by_norm)
    records: dict[str, list[ListEntry]] = defaultdict(list)
    for e in entries:
        records[e.key].append(e)
    seen: set[tuple[str, ...]] = set()
    pool: list[Listed] = []
    dropped = Counter[str]()
    for key in sorted(records):
        group = records[key]
        first = group[0]
        if first.kind is not EntityKind.ORGANIZATION:
            continue
        norm = normalize_name(first.name)
        expect = {key} | by_norm.get((norm.tokens, norm.legal), set())
        base = base_name(first.name)
        norm_base = normalize_name(base)
        # The base drops bracketed words ("(AIG)"): its core, not the full name's, is what an
        # affiliate built on it can be contained by.
        core = core_words(norm_base)
        if expect & excluded_keys:
            dropped["same organisation as a hand-written listed_name"] += 1
            continue
        if excluded_cores & (set(core) | set(core_words(norm))):
            dropped["shares a coined core word with one"] += 1
            continue
        if not base or norm_base.generic_only:
            dropped["nothing left once the legal form is dropped"] += 1
            continue
        if norm.tokens in seen:  # another copy (CSL and OFAC) of one name
            continue
        seen.add(norm.tokens)
        core_text = _core_text(norm_base, core)
        pool.append(
            Listed(
                key=key,
                name=first.name,
                base=base,
                core=core,
                words=len(norm_base.tokens),
                core_text=core_text,
                core_shorter=bool(core) and len(core) < len(norm_base.tokens),
                source_list=first.lists[0] if first.lists else first.source,
                expect=frozenset(expect),
                target=norm_base,
                empty_why="" if core else _empty_why(norm_base),
            )
        )
    dropped["hand-written listed names read"] = n_names
    return pool, dict(dropped)


def _balanced(rng: random.Random, pool: Sequence[Listed], n: int) -> list[Listed]:
    """n organisations taken in turn from each list, so small lists (EL, CMIC, MEU) are not
    drowned by the SDN list's thousands of entries."""
    by_list: dict[str, list[Listed]] = defaultdict(list)
    for o in pool:
        by_list[o.source_list].append(o)
    queues = []
    for code in sorted(by_list):
        members = by_list[code][:]
        rng.shuffle(members)
        queues.append(members)
    out: list[Listed] = []
    while len(out) < n and any(queues):
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop())
    return out


def fill(rng: random.Random, t: Template, base: str, core_text: str, core_ok: bool) -> str | None:
    if "{core}" in t.pattern and not core_ok:
        return None
    return t.pattern.format(
        base=base, core=core_text, city=rng.choice(CITIES), cn_city=rng.choice(CN_CITIES)
    )


def positives(rng: random.Random, orgs: Sequence[Listed], per_org: int) -> list[Item]:
    control, rest = TEMPLATES[0], TEMPLATES[1:]
    items: list[Item] = []
    for o in orgs:
        usable = [t for t in rest if "{core}" not in t.pattern or o.core_shorter]
        for t in (control, *rng.sample(usable, min(per_org, len(usable)))):
            query = fill(rng, t, o.base, o.core_text, o.core_shorter)
            if query is not None:
                items.append(Item(query, t, o))
    return items


def _screen(index: MatchIndex, name: str, limit: int, min_score: float) -> MatchResult | None:
    try:
        return index.screen(Query(name), limit=limit, min_score=min_score)
    except InvalidQueryError:
        return None


def negatives(rng: random.Random, index: MatchIndex, per_company: int) -> tuple[list[Item], int]:
    """The templates on S&P 500 companies whose own name clears (no list match at review)."""
    with (SHARED / "companies" / "sp500_constituents.csv").open(encoding="utf-8") as fh:
        names = [row["Security"] for row in csv.DictReader(fh)]
    items: list[Item] = []
    skipped = 0
    bases: set[str] = set()
    for name in names:
        base = base_name(name)
        if not base or base in bases:  # share classes: "Alphabet Inc. (Class A)" and "(Class C)"
            continue
        bases.add(base)
        bare = [_screen(index, v, SCREEN_LIMIT, MIN_SCORE) for v in (name, base)]
        if any(r is not None and r.score >= REVIEW_THRESHOLD for r in bare):
            skipped += 1
            continue
        norm = normalize_name(base)
        core = core_words(norm)
        core_ok = bool(core) and len(core) < len(norm.tokens)
        core_text = _core_text(norm, core)
        usable = [t for t in TEMPLATES[1:] if "{core}" not in t.pattern or core_ok]
        for t in rng.sample(usable, min(per_company, len(usable))):
            query = fill(rng, t, base, core_text, core_ok)
            if query is not None:
                items.append(Item(query, t, None, company=name))
    return items, skipped


# -- diagnosis ---------------------------------------------------------------------------------


def blockers(q: NormName, c: NormName, groups: frozenset[str]) -> dict[str, list[str]]:
    """What stops `scoring._contained` from calling q an affiliate of c (empty: nothing).

    The same tests in the same order, but every failing one is collected, with the words."""
    droppable = droppable_words()
    aligned, joins = _align(q.tokens, c.tokens)
    matched_q = {i for i, _, _ in aligned} | {i for qi, _ in joins for i in qi}
    exact_c = {j for _, j, s in aligned if s >= 1.0} | {j for _, cj in joins for j in cj}
    added = [i for i in range(len(q.tokens)) if i not in matched_q]
    phrased = phrase_places(q.tokens)
    unknown = [q.tokens[i] for i in added if q.tokens[i] not in droppable and i not in phrased]
    out: dict[str, list[str]] = {}
    core = core_words(c)
    if not core:
        # The whole-name rule (three words or more, or two plain English words that are not
        # places or trades, every one present) may still carry it; then only the added words
        # can stop it.
        if not whole_name(c):
            out[CORE_EMPTY] = [f"{_empty_why(c)}, under {WHOLE_NAME_WORDS} words and no pair"]
        elif len(exact_c) < len(c.tokens):
            out[CORE_EMPTY] = [f"{_empty_why(c)}, not every word present"]
        elif not added:
            out[OTHER] = ["nothing added"]
        if unknown:
            out[ADDED_UNKNOWN] = unknown
        return out
    matched = {c.tokens[j] for j in exact_c}
    missing = [t for t in core if t not in matched]
    missing += [
        t
        for j, t in enumerate(c.tokens)
        if j not in exact_c and t not in droppable and t not in missing
    ]
    if missing:
        out[LISTED_MISSING] = missing
    if unknown:
        out[ADDED_UNKNOWN] = unknown
    single = len(core) == 1 and len(matched) == 1 and core[0] not in groups
    if not out and single and split_syllables(core[0]) is not None:
        places = place_or_generic_words()
        off = [q.tokens[i] for i in added if q.tokens[i] not in places]
        if off:
            out[SINGLE_PINYIN] = off
    if not out and not added and len(exact_c) == len(c.tokens):
        out[OTHER] = ["nothing added or dropped"]
    return out


def diagnose(index: MatchIndex, item: Item, groups: frozenset[str]) -> None:
    """Set the item's blockers; for a miss, also the reason it is attributed to."""
    assert item.listed is not None
    q = read(item.query)[0][1]
    found = blockers(q, item.listed.target, groups)
    if item.expected_score >= REVIEW_THRESHOLD:
        item.blockers = found
        return
    if found:
        item.blockers = found
        item.reason = next(r for r in REASONS if r in found)
        item.sole = len(found) == 1
        return
    # Containment holds for one of its names, yet the party did not reach review: find out why.
    deep = _screen(index, item.query, DEEP_LIMIT, 0.05)
    scores = [m for m in (deep.matches if deep else []) if m.party_key in item.listed.expect]
    item.sole = True
    if not scores:
        item.reason = NOT_RETRIEVED
    elif scores[0].score >= REVIEW_THRESHOLD:
        # Found once the floor is low: either better parties filled the results, or retrieval
        # bounded the name below the floor and never scored it.
        better = sum(s >= scores[0].score for s in item.scores)
        item.reason = CROWDED if better >= SCREEN_LIMIT else NOT_RETRIEVED
        item.blockers = {item.reason: [f"{scores[0].score:.3f} with floor 0.05"]}
    elif scores[0].match_type == "contained":
        item.reason = BELOW
    else:
        item.reason = OTHER
        item.blockers = {OTHER: [scores[0].match_type]}


def expected_explanation(index: MatchIndex, item: Item) -> str:
    assert item.listed is not None
    deep = _screen(index, item.query, DEEP_LIMIT, 0.05)
    for m in deep.matches if deep else []:
        if m.party_key in item.listed.expect:
            return m.explanation
    return "(party not among the candidates scored)"


# -- report ------------------------------------------------------------------------------------


def _rate(hits: Sequence[bool]) -> str:
    return f"{sum(hits) / len(hits):.3f}" if hits else "  -  "


def _row(label: str, pos: Sequence[Item], neg: Sequence[Item], width: int = 28) -> str:
    found = [i.expected_score >= REVIEW_THRESHOLD for i in pos]
    review = [i.review for i in pos]
    fp = [i.review for i in neg]
    return (
        f"  {label:{width}s} n={len(pos):5d} recall {_rate(found)}  to review {_rate(review)}"
        f"   neg n={len(neg):5d} FP {_rate(fp)}"
    )


def _shape(o: Listed) -> str:
    n = len(o.core)
    if n == 0:
        # Three words or more may still be contained whole.
        long = o.words >= WHOLE_NAME_WORDS
        return f"core empty, {'3+' if long else '1-2'} words"
    return f"core {n if n < 3 else '3+'} word{'s' if n > 1 else ''}"


def _empty_label(o: Listed) -> str:
    return o.empty_why or "-"


def _list_label(o: Listed) -> str:
    return o.source_list


def _spread(items: Sequence[Item], k: int) -> list[Item]:
    """k items, from as many organisations and templates as possible."""
    picked: list[Item] = []
    taken: set[int] = set()
    orgs: set[str] = set()
    tpls: set[str] = set()
    for strict in (True, False):
        for i in items:
            key = i.listed.key if i.listed else i.company
            fresh = key not in orgs and i.template.id not in tpls
            if len(picked) < k and id(i) not in taken and (fresh or not strict):
                picked.append(i)
                taken.add(id(i))
                orgs.add(key)
                tpls.add(i.template.id)
    return picked


def report(pos: list[Item], neg: list[Item], show: int, index: MatchIndex) -> None:
    real = [i for i in pos if i.template.family != "control"]
    fam_neg: dict[str, list[Item]] = defaultdict(list)
    tpl_neg: dict[str, list[Item]] = defaultdict(list)
    for i in neg:
        fam_neg[i.template.family].append(i)
        tpl_neg[i.template.id].append(i)
    with_core = [i for i in real if i.listed and i.listed.core]
    empty = [i for i in real if i.listed and not i.listed.core]
    print(f"\n== overall at the review threshold {REVIEW_THRESHOLD}")
    print(_row("all templates", real, neg))
    print(_row("  names with core words", with_core, []))
    print(_row("  names with core empty", empty, []))
    print(_row("control: bare base name", [i for i in pos if i.template.family == "control"], []))

    print("\n== per family")
    for fam in FAMILIES[1:]:
        print(_row(fam, [i for i in real if i.template.family == fam], fam_neg[fam]))
    print("\n== per template (names with core words | all names)")
    for t in TEMPLATES:
        these = [i for i in pos if i.template.id == t.id]
        cored = [i for i in these if i.listed and i.listed.core]
        hits = [i.expected_score >= REVIEW_THRESHOLD for i in cored]
        print(
            _row(t.id, these, tpl_neg[t.id], 24) + f"   | core-word names n={len(cored):4d} "
            f"recall {_rate(hits)}   {t.pattern}"
        )

    print("\n== per listed-name shape (affiliate templates; control recall in brackets)")
    ctl = [i for i in pos if i.template.family == "control"]

    def shape_rows(label: str, key: str, pick: list[Item], ctl_pick: list[Item]) -> None:
        cr = _rate([i.expected_score >= REVIEW_THRESHOLD for i in ctl_pick])
        orgs = len({i.listed.key for i in ctl_pick if i.listed})
        print(_row(f"{label}: {key}", pick, [], 46) + f"  orgs={orgs:4d} [control {cr}]")

    shapes_of: tuple[tuple[str, Callable[[Listed], str]], ...] = (
        ("shape", _shape),
        ("empty because", _empty_label),
        ("list", _list_label),
    )
    for label, fn in shapes_of:
        keys = sorted({fn(i.listed) for i in pos if i.listed})
        for key in keys:
            shape_rows(
                label,
                key,
                [i for i in real if i.listed and fn(i.listed) == key],
                [i for i in ctl if i.listed and fn(i.listed) == key],
            )
    print("\n  recall by shape x family")
    shapes = sorted({_shape(i.listed) for i in pos if i.listed})
    print("  " + " " * 22 + "".join(f"{f:>10s}" for f in FAMILIES))
    for s in shapes:
        cells = []
        for fam in FAMILIES:
            hits = [
                i.expected_score >= REVIEW_THRESHOLD
                for i in pos
                if i.listed and _shape(i.listed) == s and i.template.family == fam
            ]
            cells.append(f"{_rate(hits):>10s}")
        print(f"  {s:22s}" + "".join(cells))

    misses = [i for i in real if i.expected_score < REVIEW_THRESHOLD]
    print(
        f"\n== why {len(misses)} affiliate names missed (first blocker that applies; "
        f"'sole' = the only blocker, so fixing it alone makes the rule fire)"
    )
    by_reason: dict[str, list[Item]] = defaultdict(list)
    for i in misses:
        by_reason[i.reason].append(i)
    for reason in REASONS:
        these = by_reason.get(reason, [])
        if these:
            sole = sum(i.sole for i in these)
            print(f"  {reason:42s} {len(these):5d}  ({len(these) / len(misses):.1%}), sole {sole}")
    with_any = Counter(r for i in misses for r in i.blockers)
    print(
        "  misses with each blocker at all: "
        + ", ".join(f"{r}: {n}" for r, n in with_any.most_common())
    )

    def counted(title: str, reason: str, only_sole: bool, top: int = 40) -> None:
        words: Counter[str] = Counter()
        orgs: dict[str, set[str]] = defaultdict(set)
        where: dict[str, Counter[str]] = defaultdict(Counter)
        for i in misses:
            if reason in i.blockers and (not only_sole or len(i.blockers) == 1):
                for w in dict.fromkeys(i.blockers[reason]):
                    words[w] += 1
                    orgs[w].add(i.listed.key if i.listed else "")
                    where[w][i.template.id] += 1
        # Among every affiliate name holding the word where it blocks: how many still hit.
        seen: Counter[str] = Counter()
        for i in real:
            seen.update(set(i.blockers.get(reason, ())))
        total = sum(words.values())
        print(f"\n== {title}: {len(words)} distinct, {total} occurrences")
        print(f"  {'word':22s} {'misses':>6s} {'orgs':>5s} {'of names':>8s}   templates")
        for w, n in words.most_common(top):
            tpls = ", ".join(f"{t} {k}" for t, k in where[w].most_common(3))
            print(f"  {w:22s} {n:6d} {len(orgs[w]):5d} {seen[w]:8d}   ({tpls})")

    counted(
        "added query words not in the droppable tables (token form), where that is the only "
        "blocker",
        ADDED_UNKNOWN,
        True,
    )
    counted("added query words not in the droppable tables, every miss", ADDED_UNKNOWN, False, 25)
    counted("listed words absent from the query that block containment", LISTED_MISSING, False, 25)
    counted("single-pinyin rule: added words that are not places", SINGLE_PINYIN, False, 15)
    whys = Counter(" ".join(i.blockers[CORE_EMPTY]) for i in misses if CORE_EMPTY in i.blockers)
    print("\n== core-empty misses by why the name has no core (and why the whole-name rule fails)")
    for w, n in whys.most_common():
        print(f"  {w:60s} {n:5d}")
    empties: Counter[str] = Counter()
    empty_misses: Counter[str] = Counter()
    droppable = droppable_words()
    missed_orgs = {i.listed.key: i.listed for i in misses if i.listed and CORE_EMPTY in i.blockers}
    for i in misses:
        if i.listed and CORE_EMPTY in i.blockers:
            norm = normalize_name(i.listed.base)
            empty_misses.update(t for t in dict.fromkeys(norm.tokens) if t not in droppable)
    for o in missed_orgs.values():
        norm = normalize_name(o.base)
        empties.update(t for t in dict.fromkeys(norm.tokens) if t not in droppable)
    print(
        f"\n== listed words of those names that are not droppable yet leave no core "
        f"(plain English or short): {len(empties)} distinct over {len(missed_orgs)} orgs"
    )
    for w, n in empties.most_common(30):
        print(f"  {w:22s} orgs {n:4d}  misses {empty_misses[w]:5d}")

    if neg:
        fps = [i for i in neg if i.review]
        print(
            f"\n== {len(fps)} false positives of {len(neg)} negatives; by match type of the "
            "top match"
        )
        kinds = Counter(i.top.split(" as ", 1)[-1].split(",", 1)[0] for i in fps)
        for k, n in kinds.most_common(10):
            print(f"  {k:30s} {n:5d}")
    if show <= 0:
        return
    for reason in REASONS:
        these = by_reason.get(reason, [])
        if not these:
            continue
        print(f"\n-- examples: {reason}")
        for i in _spread(these, show):
            assert i.listed is not None
            detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in i.blockers.items())
            print(
                f"  [{i.template.id}] {i.query!r} <- listed {i.listed.name!r} "
                f"(core {' '.join(i.listed.core) or '-'})"
            )
            print(f"      blockers: {detail or '-'}; expected party score {i.expected_score:.3f}")
            print(f"      top: {i.top or '(nothing at 0.5)'}")
            print(f"      own: {expected_explanation(index, i)}")
    if neg:
        print("\n-- examples: false positives")
        for i in [i for i in neg if i.review][: show * 2]:
            print(f"  [{i.template.id}] {i.query!r} (from {i.company!r})")
            print(f"      top: {i.top}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--limit",
        type=int,
        default=LIMIT,
        help="listed organisations with core words (plus a third as many without)",
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--show", type=int, default=0, help="examples per failure reason")
    parser.add_argument("--per-org", type=int, default=PER_ORG)
    parser.add_argument("--per-company", type=int, default=PER_COMPANY)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    entries, versions = load_mirror()
    index = MatchIndex.build(entries, versions)
    print(
        f"index {index.stats()['parties']} parties, built in {time.perf_counter() - started:.0f}s"
    )
    rng = random.Random(args.seed)
    pool, dropped = listed_pool(entries)
    print(f"listed organisations usable: {len(pool)}; left out: {dropped}")
    cored = [o for o in pool if o.core]
    empty = [o for o in pool if not o.core]
    orgs = _balanced(rng, cored, args.limit) + _balanced(rng, empty, args.limit // 3)
    pos = positives(rng, orgs, args.per_org)
    neg, skipped = negatives(rng, index, args.per_company)
    print(
        f"sampled {len(orgs)} organisations ({len(cored)} with core words and {len(empty)} "
        f"without in the pool); {len(pos)} positives, {len(neg)} negatives "
        f"({skipped} companies skipped: their own name reaches review)"
    )
    screened = time.perf_counter()
    for item in (*pos, *neg):
        result = _screen(index, item.query, SCREEN_LIMIT, MIN_SCORE)
        if result is None:
            continue
        item.review = result.score >= REVIEW_THRESHOLD
        item.scores = [m.score for m in result.matches]
        if result.matches:
            item.top = result.matches[0].explanation
        if item.listed is not None:
            item.expected_score = max(
                (m.score for m in result.matches if m.party_key in item.listed.expect),
                default=0.0,
            )
    print(f"screened {len(pos) + len(neg)} in {time.perf_counter() - screened:.0f}s")
    groups: frozenset[str] = index._groups  # the matcher's own group words, for the pinyin rule
    # Hits too: how often a word missing from the tables is carried by the plain score anyway.
    for item in pos:
        if item.template.family != "control":
            diagnose(index, item, groups)
    report(pos, neg, args.show, index)
    print(f"\ntotal {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
