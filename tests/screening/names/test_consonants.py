"""Consonant keys: a name in Arabic script against its Latin transliteration."""

from __future__ import annotations

import pytest

from screening.names.consonants import consonant_keys, has_arabic_script, query_keys
from screening.names.normalize import normalize_name


def _listed(name: str) -> tuple[str, ...]:
    return consonant_keys(normalize_name(name).raw)


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        ("بانک ملی ایران", "BANK MELLI IRAN"),
        ("بانک سپه", "BANK SEPAH"),  # Persian ه as h; "ph" only once the vowel is gone
        ("حزب الله", "HIZBALLAH"),  # words written apart in one script, together in the other
        ("بانک پارسیان", "PARSIAN BANK"),  # words in another order
        ("سپاه پاسداران انقلاب اسلامی", "SEPAH-E PASDARAN-E ENQELAB-E ESLAMI"),  # the ezafe
        ("بنیاد مستضعفان", "BONYAD MOSTAZAFAN"),  # ض is z in Persian
    ],
)
def test_a_name_in_arabic_script_has_the_keys_of_its_transliteration(
    typed: str, listed: str
) -> None:
    assert set(query_keys(typed)) & set(_listed(listed))


def test_only_a_query_in_arabic_script_and_a_long_key_count() -> None:
    assert query_keys("Bank Melli Iran") == ()  # Latin queries meet by their words
    assert query_keys("كريم") == ()  # four consonants or fewer meet too much
    assert _listed("MAHAN AIR") == ()
    assert has_arabic_script("بانک")
    assert not has_arabic_script("Bank")


def test_different_names_have_different_keys() -> None:
    assert not set(query_keys("بانک ملت")) & set(_listed("BANK MELLI IRAN"))
    # In Arabic, ض stays "d": مصرف الراجحي is not read with a z.
    assert "z" not in "".join(query_keys("قاضي الرياض"))
