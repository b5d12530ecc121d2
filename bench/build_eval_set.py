"""Build the matching evaluation set from the list mirror (deterministic, seeded).

Positives: variants of listed names as customers type them, each labelled with the party it must
find. Negatives: real companies on no list (S&P 500) plus generated plausible non-listed names.
Every item is assigned to the `tune` or `test` split by a hash of its party (or name), so all
variants of one party sit in the same split. Output: bench/out/eval.jsonl (git-ignored).

    python -m bench.build_eval_set
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Callable

from bench.eval_sets import SETS, load_set
from bench.mirror import OUT, SHARED, load_mirror
from screening.listings.records import EntityKind, ListEntry, NameStrength
from screening.names.normalize import normalize_name

SEED = 20240503
PER_KIND = 250

# Chinese names of listed companies (public knowledge), with the listed English name to find.
CHINESE = (
    ("华为技术有限公司", "HUAWEI TECHNOLOGIES CO., LTD."),
    ("華為技術有限公司", "HUAWEI TECHNOLOGIES CO., LTD."),
    ("华为投资控股有限公司", "Huawei Investment & Holding Co., Ltd."),
    ("杭州海康威视数字技术股份有限公司", "Hangzhou Hikvision Digital Technology Co., Ltd."),
    ("中芯国际集成电路制造有限公司", "Semiconductor Manufacturing International Corporation"),
    ("深圳市大疆创新科技有限公司", "SZ DJI Technology Co., Ltd."),
    ("商汤集团有限公司", "Sensetime Group Limited"),
    ("旷视科技有限公司", "Megvii Technology Limited"),
    ("云从科技有限公司", "Cloudwalk Technology Co., Ltd."),
    ("浪潮集团有限公司", "INSPUR GROUP CO., LTD."),
    ("曙光信息产业股份有限公司", "Dawning Information Industry Co., Ltd"),
    ("中国移动通信集团有限公司", "China Mobile Communications Group Co., Ltd."),
    ("中國移動通信集團有限公司", "China Mobile Communications Group Co., Ltd."),
    ("中国移动有限公司", "China Mobile Limited"),
    ("中国电信股份有限公司", "China Telecom Corporation Limited"),
    ("中国联合网络通信集团有限公司", "China United Network Communications Group Co., Ltd."),
    ("中国航空工业集团有限公司", "AVIATION INDUSTRY CORPORATION OF CHINA, LTD."),
    ("中国航天科技集团有限公司", "China Aerospace Science and Technology Corporation"),
    ("中国航天科工集团有限公司", "CHINA AEROSPACE SCIENCE AND INDUSTRY CORPORATION LIMITED"),
    ("中国电子科技集团有限公司", "China Electronics Technology Group Corporation"),
    ("中国船舶重工股份有限公司", "CHINA SHIPBUILDING INDUSTRY COMPANY LIMITED"),
    ("中国北方工业集团有限公司", "CHINA NORTH INDUSTRIES GROUP CORPORATION LIMITED"),
    ("中国广核集团有限公司", "CHINA GENERAL NUCLEAR POWER CORPORATION"),
    ("中国铁建股份有限公司", "CHINA RAILWAY CONSTRUCTION CORPORATION LIMITED"),
    ("中国交通建设股份有限公司", "CHINA COMMUNICATIONS CONSTRUCTION COMPANY LIMITED"),
    ("中国海洋石油集团有限公司", "CHINA NATIONAL OFFSHORE OIL CORPORATION"),
    ("中国工程物理研究院", "Chinese Academy of Engineering Physics"),
    ("西北工业大学", "Northwestern Polytechnical University"),
    ("国防科技大学", "National University of Defense Technology (NUDT)"),
    ("北京航空航天大学", "Beijing University of Aeronautics and Astronautics (BUAA)"),
    ("中海油", "CNOOC Limited"),
)

# Written after the first word table was frozen. Their failures then led to a broader table of
# common words (not of these names), so they are no longer a clean held-out set: see CHINESE_FRESH.
CHINESE_SECOND = (
    ("中国航空发动机集团有限公司", "AERO ENGINE CORPORATION OF CHINA"),
    ("中国运载火箭技术研究院", "CHINA ACADEMY OF LAUNCH VEHICLE TECHNOLOGY"),
    ("中国电子信息产业集团有限公司", "CHINA ELECTRONICS CORPORATION"),
    ("中国核工业集团有限公司", "CHINA NATIONAL NUCLEAR CORPORATION"),
    ("中国核工业建设股份有限公司", "CHINA NUCLEAR ENGINEERING CORPORATION LIMITED"),
    ("中航西安飞机工业集团股份有限公司", "AVIC XI'AN AIRCRAFT INDUSTRY GROUP COMPANY LTD."),
    ("南京熊猫电子股份有限公司", "NANJING PANDA ELECTRONICS COMPANY LIMITED"),
    ("厦门市美亚柏科信息股份有限公司", "XIAMEN MEIYA PICO INFORMATION CO., LTD."),
    ("中山大学", "Sun Yat-Sen University"),
    ("四川大学", "Sichuan University"),
    ("电子科技大学", "University of Electronic Science and Technology of China"),
    ("国家超级计算天津中心", "National Supercomputing Center Tianjin (NSCC-TJ)"),
    ("国家超级计算广州中心", "National Supercomputing Center Guangzhou (NSCC-GZ)"),
    ("上海飞机制造有限公司", "Shanghai Aircraft Manufacturing Co. Ltd. (SAMC)"),
    ("上海飞机设计研究院", "Shanghai Aircraft Design and Research Institute"),
    ("哈尔滨通用飞机工业有限责任公司", "Harbin General Aircraft Industry Co., Ltd."),
    (
        "中国科学院上海应用物理研究所",
        "Shanghai Institute of Applied Physics, Chinese Academy of Sciences",
    ),
    ("武汉生物制品研究所有限责任公司", "Wuhan Institute of Biological Products Co., Ltd."),
)

# Written after that broader table was frozen and never run before it: the clean figure for
# Chinese-script names outside the table (brand words such as 中航 "AVIC" or 熊猫 "Panda" need a
# dictionary the matcher does not have).
CHINESE_FRESH = (
    ("中国东方红卫星股份有限公司", "China Spacesat Co., Ltd."),
    ("江西洪都航空工业股份有限公司", "Jiangxi Hongdu Aviation Industry Co., Ltd."),
    ("中航重机股份有限公司", "AVIC Heavy Machinery Co., Ltd."),
    ("中航光电科技股份有限公司", "AVIC Jonhon Optronic Technology Co., Ltd."),
    ("中航沈飞股份有限公司", "AVIC Shenyang Aircraft Company Limited"),
    ("航天彩虹无人机股份有限公司", "Aerospace CH UAV Co., Ltd"),
    ("航天通信控股集团股份有限公司", "Aerospace Communications Holdings Group Company Limited"),
    ("中国卫通集团股份有限公司", "China Satellite Communications Co., Ltd."),
    ("陕西中天火箭技术股份有限公司", "Shaanxi Zhongtian Rocket Technology Company Limited"),
    ("中航航空电子系统股份有限公司", "China Avionics Systems Co., Ltd."),
    ("中航电测仪器股份有限公司", "Zhonghang Electronic Measuring Instruments Company Limited"),
    ("中光学集团股份有限公司", "Costar Group Co., Ltd."),
    ("中国航发沈阳黎明航空发动机有限责任公司", "AECC Shenyang Liming Aero Engine Co., Ltd."),
    ("中国航发哈尔滨东安发动机有限公司", "AECC Harbin Dongan Engine Co., Ltd."),
    ("中航成都飞机工业（集团）有限责任公司", "AVIC Chengdu Aircraft Industrial (GROUP) Co. Ltd."),
    ("广州航新航空科技股份有限公司", "Guangzhou Hangxin Aviation Technology Co., Ltd."),
    ("沈阳仪表科学研究院有限公司", "Shenyang Academy of Instrumentation Science Co.,Ltd."),
    ("成都嘉纳海威科技有限责任公司", "Chengdu GaStone Technology Co., Ltd. (CGTC)"),
    ("中国船舶集团有限公司", "China State Shipbuilding Corporation Limited"),
)

ABBREV = {
    "technologies": "Tech", "technology": "Tech", "international": "Intl", "company": "Co",
    "corporation": "Corp", "limited": "Ltd", "industries": "Ind", "manufacturing": "Mfg",
    "services": "Svcs", "group": "Grp", "communications": "Comm", "electronics": "Elec",
    "national": "Natl", "university": "Univ", "institute": "Inst", "engineering": "Eng",
    "development": "Dev", "association": "Assn", "and": "&", "incorporated": "Inc",
}  # fmt: skip
LEGAL_RENDERINGS = (
    "Co., Ltd.", "Company Limited", "Ltd", "LLC", "Inc.", "Corp.", "Corporation", "GmbH",
    "S.A.", "JSC", "OOO", "FZE", "Pte. Ltd.", "Limited",
)  # fmt: skip
LEGAL_TAIL = re.compile(
    r"[ ,]+(co\.?,? ?ltd\.?|company limited|limited|ltd\.?|llc|inc\.?|corp\.?|corporation|"
    r"gmbh|s\.a\.?|jsc|ooo|fze|fzco|pjsc|oao|zao|plc|ag|b\.v\.|s\.p\.a\.)$",
    re.IGNORECASE,
)

WEST_A = (
    "Northern", "Blue", "Silver", "Granite", "Harbor", "Summit", "Oak", "Maple", "Pioneer",
    "Evergreen", "Crescent", "Lakeside", "Redwood", "Sterling", "Keystone", "Prairie", "Atlas",
    "Beacon", "Cedar", "Falcon", "Horizon", "Liberty", "Meridian", "Orchard", "Pinnacle",
    "Riverbend", "Sunrise", "Timber", "Valley", "Westfield", "Ashford", "Brookline", "Cobalt",
)  # fmt: skip
WEST_B = (
    "Logistics", "Software", "Foods", "Precision Parts", "Dental Supply", "Analytics",
    "Packaging", "Textiles", "Robotics", "Construction", "Consulting", "Medical Devices",
    "Farms", "Plastics", "Printing", "Marine Services", "Solar", "Instruments", "Tooling",
)  # fmt: skip
CN_CITY = ("Shenzhen", "Hangzhou", "Ningbo", "Suzhou", "Wuxi", "Foshan", "Dongguan", "Xiamen")
PINYIN = (
    "heng", "tai", "xin", "feng", "hua", "sheng", "yuan", "jia", "mei", "long", "rui", "kang",
    "bo", "hong", "jin", "da", "yi", "tong", "an", "cheng", "fu", "lian", "ming", "qiang",
)  # fmt: skip
CN_TRADE = ("Electronics", "Textile", "Hardware", "Plastic Products", "Lighting", "Furniture")
CN_CHARS = "恒泰鑫丰盛源佳美隆瑞康博宏金达益通安诚福联明强"
CN_CITY_ZH = ("宁波", "佛山", "东莞", "无锡", "温州", "义乌")
CN_TRADE_ZH = ("五金制品", "纺织品", "照明电器", "塑料制品", "家具", "服装")
RU_WORDS = (
    "Severnaya", "Zvezda", "Romashka", "Uralskiy", "Les", "Volzhskiy", "Khleb", "Sadovod",
    "Tekhnostroy", "Pishchevik", "Belaya", "Reka", "Svetlyy", "Put", "Sibirskiye", "Ogni",
)  # fmt: skip
FIRST = (
    "Emily", "Jacob", "Olivia", "Liam", "Sophie", "Lucas", "Hannah", "Noah", "Grace", "Ethan",
    "Chloe", "Mason", "Laura", "Oliver", "Megan", "Daniel", "Rachel", "Thomas", "Anna", "Peter",
)  # fmt: skip
LAST = (
    "Thornton", "Whitaker", "Lindqvist", "Brennan", "Holloway", "Castellano", "Fairbanks",
    "Kowalczyk", "Pemberton", "Ashworth", "Delacroix", "Harrington", "Vandermeer", "Sorensen",
)  # fmt: skip


def _typo(rng: random.Random, name: str) -> str | None:
    words = name.split()
    spots = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not spots:
        return None
    i = rng.choice(spots)
    w = words[i]
    k = rng.randrange(1, len(w) - 1)
    op = rng.choice(("swap", "delete", "substitute", "insert"))
    letter = rng.choice("aeioulnrst")
    if op == "swap":
        w = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
    elif op == "delete":
        w = w[:k] + w[k + 1 :]
    elif op == "substitute":
        w = w[:k] + (letter if w[k].lower() != letter else "x") + w[k + 1 :]
    else:
        w = w[:k] + letter + w[k:]
    words[i] = w
    return " ".join(words)


def _legal(rng: random.Random, name: str) -> str:
    m = LEGAL_TAIL.search(name)
    base = name[: m.start()] if m else name
    if m and rng.random() < 0.4:
        return base
    options = [r for r in LEGAL_RENDERINGS if not m or r.lower() != m.group(1).lower()]
    return f"{base} {rng.choice(options)}"


def _abbrev(rng: random.Random, name: str) -> str | None:
    words = name.split()
    spots = [i for i, w in enumerate(words) if w.lower().strip(",.") in ABBREV]
    if not spots:
        return None
    for i in rng.sample(spots, k=max(1, len(spots) // 2 + 1)):
        words[i] = ABBREV[words[i].lower().strip(",.")]
    return " ".join(words)


def _drop(rng: random.Random, name: str) -> str | None:
    words = [w for w in re.split(r"[\s,]+", LEGAL_TAIL.sub("", name)) if w]
    if len(words) < 3:
        return None
    del words[rng.randrange(1, len(words))]
    return " ".join(words)


def _reorder(rng: random.Random, entry: ListEntry) -> str | None:
    if entry.kind is EntityKind.PERSON and "," in entry.name:
        surname, given = entry.name.split(",", 1)
        return f"{given.strip()} {surname.strip()}"
    words = LEGAL_TAIL.sub("", entry.name).split()
    if len(words) < 2:
        return None
    i = rng.randrange(len(words) - 1)
    words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def _spacing(rng: random.Random, name: str) -> str | None:
    words = name.split()
    if len(words) >= 2:
        i = rng.randrange(len(words) - 1)
        if words[i].isalpha() and words[i + 1].isalpha():
            return " ".join([*words[:i], words[i] + words[i + 1], *words[i + 2 :]])
    long_words = [i for i, w in enumerate(words) if len(w) >= 8 and w.isalpha()]
    if not long_words:
        return None
    i = rng.choice(long_words)
    k = rng.randrange(3, len(words[i]) - 3)
    words[i] = words[i][:k] + " " + words[i][k:]
    return " ".join(words)


def _alias(rng: random.Random, entry: ListEntry) -> str | None:
    strong = [
        a.value
        for a in entry.aliases
        if a.strength is NameStrength.STRONG and a.kind in {"aka", "fka", "nka", "issuer"}
    ]
    return rng.choice(strong) if strong else None


def _split(key: str) -> str:
    return "tune" if hashlib.sha256(key.encode()).digest()[0] % 2 == 0 else "test"


def positives(rng: random.Random, entries: list[ListEntry]) -> list[dict[str, object]]:
    """Variants of listed names, PER_KIND per variant kind where enough names qualify."""
    by_key: dict[str, ListEntry] = {}
    for e in entries:
        by_key.setdefault(e.key, e)
    pool = [e for e in by_key.values() if e.kind in {EntityKind.ORGANIZATION, EntityKind.PERSON}]
    orgs = [e for e in pool if e.kind is EntityKind.ORGANIZATION]
    makers: dict[str, tuple[list[ListEntry], Callable[[ListEntry], str | None]]] = {
        "exact": (pool, lambda e: e.name),
        "case_punct": (pool, lambda e: re.sub(r"[^\w\s]", "", e.name).lower()),
        "typo": (pool, lambda e: _typo(rng, e.name)),
        "legal_form": (orgs, lambda e: _legal(rng, e.name)),
        "abbreviation": (orgs, lambda e: _abbrev(rng, e.name)),
        "dropped_word": (pool, lambda e: _drop(rng, e.name)),
        "word_reorder": (pool, lambda e: _reorder(rng, e)),
        "alias": (pool, lambda e: _alias(rng, e)),
        "spacing": (orgs, lambda e: _spacing(rng, e.name)),
        "original_script": (
            pool,
            lambda e: next((a.value for a in e.aliases if a.kind == "original_script"), None),
        ),
    }
    items: list[dict[str, object]] = []
    for kind, (candidates, make) in makers.items():
        shuffled = sorted(candidates, key=lambda e: e.key)
        rng.shuffle(shuffled)
        made = 0
        for e in shuffled:
            if made >= PER_KIND:
                break
            query = make(e)
            # A variant made only of generic words and legal forms ("International Group") names
            # no party at all; no screening service should be scored on matching it.
            if not query or normalize_name(query).generic_only:
                continue
            items.append({"query": query, "kind": kind, "expect": e.key, "split": _split(e.key)})
            made += 1
    names: dict[object, str] = {}
    for e in entries:
        for n in e.all_names():
            names.setdefault(normalize_name(n.value), e.key)
    tables = (
        ("chinese_script", CHINESE),
        ("chinese_script_2", CHINESE_SECOND),
        ("chinese_script_fresh", CHINESE_FRESH),
    )
    for kind, table in tables:
        for chinese, english in table:
            key = names.get(normalize_name(english))
            if key is not None:
                item = {"query": chinese, "kind": kind, "expect": key}
                items.append({**item, "split": _split(key)})
    return items


def negatives(rng: random.Random, entries: list[ListEntry]) -> list[dict[str, object]]:
    """Real non-listed companies and generated plausible names no list contains."""
    # A generated name whose words (in any order) are a listed name is not a negative.
    listed = {tuple(sorted(normalize_name(n.value).tokens)) for e in entries for n in e.all_names()}
    out: list[tuple[str, str]] = []
    with (SHARED / "companies" / "sp500_constituents.csv").open(encoding="utf-8") as fh:
        out.extend(("sp500", row["Security"]) for row in csv.DictReader(fh))

    def pinyin_brand() -> str:
        return (rng.choice(PINYIN) + rng.choice(PINYIN)).capitalize()

    generators: dict[str, tuple[int, Callable[[], str]]] = {
        "gen_western": (
            400,
            lambda: f"{rng.choice(WEST_A)} {rng.choice(WEST_B)} {rng.choice(LEGAL_RENDERINGS)}",
        ),
        "gen_chinese_latin": (
            300,
            lambda: f"{rng.choice(CN_CITY)} {pinyin_brand()} {rng.choice(CN_TRADE)} Co., Ltd.",
        ),
        "gen_chinese_script": (
            200,
            lambda: (
                rng.choice(CN_CITY_ZH)
                + "".join(rng.sample(CN_CHARS, 2))
                + rng.choice(CN_TRADE_ZH)
                + "有限公司"
            ),
        ),
        "gen_russian": (200, lambda: "OOO " + " ".join(rng.sample(RU_WORDS, 2))),
        "gen_person": (250, lambda: f"{rng.choice(FIRST)} {rng.choice(LAST)}"),
    }
    for kind, (count, make) in generators.items():
        seen: set[str] = set()
        while len(seen) < count:
            seen.add(make())
        out.extend((kind, name) for name in sorted(seen))
    return [
        {"query": name, "kind": kind, "expect": None, "split": _split(name)}
        for kind, name in out
        if tuple(sorted(normalize_name(name).tokens)) not in listed
    ]


_SUCCESSORS = re.compile(r",?\s+and (?:its|any) (?:sub-units|successors?|subsidiar).*$", re.I)


def _listed_keys(entries: list[ListEntry]) -> tuple[dict[str, set[str]], dict[object, set[str]]]:
    """Primary name -> party keys, and normalised name -> party keys (other records of one
    organisation: the CSL and OFAC copies, EL "Rosneft" and SSI "... ROSNEFT OIL COMPANY")."""
    by_name: dict[str, set[str]] = {}
    by_norm: dict[object, set[str]] = {}
    for e in entries:
        by_name.setdefault(e.name, set()).add(e.key)
        for n in e.all_names():
            norm = normalize_name(n.value)
            if norm.tokens:
                by_norm.setdefault((norm.tokens, norm.legal), set()).add(e.key)
    return by_name, by_norm


def hand_written(entries: list[ListEntry]) -> list[dict[str, object]]:
    """The sets of bench/eval/, each positive resolved to the party keys that count as found."""
    from screening.names.native import native_names

    by_name, by_norm = _listed_keys(entries)
    # Parties that received a native-script name from our data file: "never saw" excludes them.
    native_keys: set[str] = set()
    for native in native_names():
        norm = normalize_name(native.listed_name)
        native_keys.update(by_name.get(native.listed_name, set()))
        native_keys.update(by_norm.get((norm.tokens, norm.legal), set()))
    items: list[dict[str, object]] = []
    unresolved: Counter[str] = Counter()
    for set_name in SETS:
        for row in load_set(set_name):
            kind = f"{set_name}:{row.category}"
            base = {"query": row.query, "kind": kind, "set": set_name, "split": row.split}
            if not row.listed_name:
                items.append({**base, "expect": None})
                continue
            keys = set(by_name.get(row.listed_name, set()))
            # Every record sharing a normalised name with the listed one is the same party; the
            # parsers drop "and its sub-units and successors" tails the file copied verbatim.
            bare = _SUCCESSORS.sub("", row.listed_name)
            for value in (row.listed_name, bare):
                norm = normalize_name(value)
                keys.update(by_norm.get((norm.tokens, norm.legal), set()))
            if not keys:
                unresolved[f"{set_name} {row.split}"] += 1
                if row.split == "tune":
                    print(f"  unresolved (tune): {row.listed_name}")
                continue
            ordered = sorted(keys)
            items.append(
                {
                    **base,
                    "expect": ordered[0],
                    "expect_any": ordered,
                    "native_alias": bool(keys & native_keys),
                }
            )
    for what, n in sorted(unresolved.items()):
        print(f"  {n} positives of {what} name no record of the mirror")
    return items


def main() -> None:
    entries, versions = load_mirror()
    rng = random.Random(SEED)
    items = positives(rng, entries) + negatives(rng, entries)
    for item in items:
        item["set"] = "generated"
    items += hand_written(entries)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "eval.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    counts = Counter((str(i["kind"]), str(i["split"])) for i in items)
    print(f"wrote {len(items)} items to {path} (versions {versions})")
    for (kind, split), n in sorted(counts.items()):
        print(f"  {kind:20s} {split:5s} {n}")


if __name__ == "__main__":
    main()
