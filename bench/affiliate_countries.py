"""The CLDR country rows of `screening/names/data/affiliate_words.tsv`, printed again.

A subsidiary abroad often names its country in the country's own language, or in its
parent's: "Gazprom Germania", "Huawei do Brasil", "Hikvision Deutschland". pycountry gives the
English names only; CLDR, as the `babel` package ships it, gives every country's name in each
language. Taken here: one-word names of five letters or more in the languages of the places
where listed groups keep affiliates, that are not everyday English words (GCIDE or Webster's
2nd: no "Columbia", "Chine", "Suede") nor places already. Kept in the table, not read from the
package at run time, for the reason `bench.affiliate_cities` gives. Not a dependency of the
service: `pip install babel==2.19.0` to run it.

    python -m bench.affiliate_countries > /tmp/country_rows.tsv
"""

from __future__ import annotations

import sys
from typing import Any

from english_words import get_english_words_set

from bench.affiliate_cities import generated_places
from screening.names.affiliate import droppable_words
from screening.names.legal_forms import LEGAL_PHRASES
from screening.names.normalize import canonical, words
from screening.names.vocab import STOPWORDS

LANGUAGES = ("de", "fr", "es", "pt", "it", "nl", "pl", "tr", "ms", "id", "sv")
MIN_LENGTH = 5
# CLDR's pseudo-territories and groupings, which are not countries.
_NOT_COUNTRIES = frozenset({"XA", "XB", "ZZ", "EU", "EZ", "UN", "QO"})


def main() -> int:
    try:
        from babel import Locale  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        print("pip install babel==2.19.0 first", file=sys.stderr)
        return 2
    # As written: a capitalised entry is a proper noun ("Germania"), not an everyday word.
    common = get_english_words_set(["gcide", "web2"], lower=False, alpha=True)
    # What the table drops already, but for these rows themselves.
    known = droppable_words() - generated_places("CLDR")
    seen: set[str] = set()
    for language in LANGUAGES:
        locale: Any = Locale.parse(language)
        found: set[str] = set()
        for code, name in locale.territories.items():
            if len(code) != 2 or not code.isalpha() or code in _NOT_COUNTRIES:
                continue
            tokens = words(name)
            if len(tokens) != 1:
                continue
            word = tokens[0]
            if (
                len(word) >= MIN_LENGTH
                and word.isalnum()
                and word not in common
                and canonical(word) not in common
                and canonical(word) not in known
                and word not in LEGAL_PHRASES
                and word not in STOPWORDS
                and word not in seen
            ):
                found.add(word)
        seen |= found
        if found:
            print(f"place\t{' '.join(sorted(found))}\tCLDR (babel 2.19.0), {language}: one-word "
                  "country names, not everyday English words")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
