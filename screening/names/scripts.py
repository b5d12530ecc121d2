"""Which script a name is written in, as an ISO 15924 code.

Sources rarely say; the Unicode character names do ("CYRILLIC SMALL LETTER A", "CJK UNIFIED
IDEOGRAPH-534E"), so the majority script of a name's letters is read from them.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

# Unicode character-name prefix -> ISO 15924 code.
SCRIPTS = {
    "LATIN": "Latn", "CYRILLIC": "Cyrl", "GREEK": "Grek", "ARABIC": "Arab", "HEBREW": "Hebr",
    "CJK": "Hani", "HANGUL": "Hang", "HIRAGANA": "Hira", "KATAKANA": "Kana", "GEORGIAN": "Geor",
    "ARMENIAN": "Armn", "THAI": "Thai", "DEVANAGARI": "Deva", "BENGALI": "Beng", "TAMIL": "Taml",
    "ETHIOPIC": "Ethi", "MYANMAR": "Mymr", "KHMER": "Khmr", "LAO": "Laoo", "SYRIAC": "Syrc",
    "TIBETAN": "Tibt", "MONGOLIAN": "Mong", "SINHALA": "Sinh", "THAANA": "Thaa",
}  # fmt: skip


def detect_script(text: str) -> str | None:
    """ISO 15924 code of the script most letters of `text` are written in; None without letters."""
    counts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            prefix = unicodedata.name(char, "").split(" ", 1)[0]
            counts[SCRIPTS.get(prefix, "Zyyy")] += 1
    return counts.most_common(1)[0][0] if counts else None
