from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.names.normalize import (
    canonical,
    domain_brand_spaced,
    fold,
    normalize_name,
    strip_controls,
    words,
)


@pytest.mark.parametrize(
    ("text", "tokens", "legal"),
    [
        ("HUAWEI TECHNOLOGIES CO., LTD.", ("huawei", "technology"), ("co", "ltd")),
        ("Huawei Technologies Company Limited", ("huawei", "technology"), ("co", "ltd")),
        ("HUAWEI TECH CO LTD", ("huawei", "technology"), ("co", "ltd")),
        ("华为技术有限公司", ("huawei", "technology"), ("co", "ltd")),
        ("CECOEX, S.A.", ("cecoex",), ("sa",)),
        ("Obshchestvo s Ogranichennoi Otvetstvennostyu Romashka", ("romashka",), ("ooo",)),
        ('ООО "Ромашка"', ("romashka",), ("ooo",)),
        ("Joint Stock Compnay Vostok", ("vostok",), ("jsc",)),
        ("Ltd Liability Co Tenron", ("tenron",), ("llc",)),
        ("Acme Intl Svcs FZE", ("acme", "international", "service"), ("fze",)),
        ("SMITH, John", ("smith", "john"), ()),
        ("O'Brien & Sons", ("obrien", "sons"), ()),
        ("Co., Ltd.", (), ("co", "ltd")),
    ],
)
def test_normalize_name_tokens_and_legal_forms(
    text: str, tokens: tuple[str, ...], legal: tuple[str, ...]
) -> None:
    norm = normalize_name(text)
    assert norm.tokens == tokens
    assert norm.legal == legal


def test_spacing_variants_share_compact_form() -> None:
    assert normalize_name("Cloud Walk").compact == normalize_name("CloudWalk").compact
    assert normalize_name("PETROGAT FZE").spaced == normalize_name("PETROGATFZE").spaced


def test_control_and_format_characters_are_dropped_not_fatal() -> None:
    assert fold("Hua\x00wei\u200b\u202e Tech\nCo") == "huawei tech co"


def test_transliteration_flag_ignores_latin_diacritics() -> None:
    assert normalize_name("华为").transliterated
    assert normalize_name("Москва").transliterated
    assert not normalize_name("Société Générale").transliterated


def test_generic_only_names_are_flagged() -> None:
    assert normalize_name("International Trading Company Ltd").generic_only
    assert not normalize_name("China Electronics Technology Group").generic_only


@pytest.mark.parametrize(
    ("token", "expected"),
    [("technologies", "technology"), ("intl", "international"), ("svcs", "service")],
)
def test_canonical(token: str, expected: str) -> None:
    assert canonical(token) == expected


@settings(max_examples=300)
@given(st.text())
def test_fold_and_words_are_idempotent(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    once = words(text)
    assert words(" ".join(once)) == once
    assert strip_controls(strip_controls(text)) == strip_controls(text)


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_normalize_never_crashes_and_yields_ascii_tokens(text: str) -> None:
    norm = normalize_name(text)
    assert all(t.isascii() and t for t in norm.tokens)


@pytest.mark.parametrize(
    ("name", "tokens", "legal"),
    [
        ("JOINT STOKC COMPANY EKRAN", ("ekran",), ("jsc",)),
        ("JOIuNT STOCK COMPANY RM", ("rm",), ("jsc",)),
        ("PUBLIC JONIT STOCK COMPANY SAMARA", ("samara",), ("pjsc",)),
        # Two-word "phrases" are not corrected: "Stick" could be the party's own name.
        ("Stick Company", ("stick",), ("co",)),
    ],
)
def test_one_typo_in_a_long_legal_phrase(
    name: str, tokens: tuple[str, ...], legal: tuple[str, ...]
):
    normalised = normalize_name(name)
    assert normalised.tokens == tokens
    assert normalised.legal == legal


@given(st.text(max_size=200))
def test_normalize_name_is_idempotent(text: str) -> None:
    # Normalising what normalisation kept (content words, then legal forms) changes nothing more.
    once = normalize_name(text)
    again = normalize_name(" ".join(once.raw))
    assert again.tokens == once.tokens
    assert normalize_name(" ".join(once.tokens)).tokens == once.tokens


@pytest.mark.parametrize(
    ("text", "same_as"),
    [
        ("The Fifty-Fourth Research Institute of CETC", "CETC 54th Research Institute"),
        ("Thirteenth Research Institute", "No. 13 Research Institute"),
        ("Twentieth Institute", "20th Institute"),
        ("Twenty First Century Fox", "21st Century Fox"),
    ],
)
def test_ordinal_words_past_twelfth(text: str, same_as: str) -> None:
    assert sorted(normalize_name(text).tokens) == sorted(normalize_name(same_as).tokens)


def test_tens_word_alone_stays_a_word() -> None:
    assert normalize_name("Fifty Shades Ninety").tokens == ("fifty", "shade", "ninety")


def test_initials_joined_by_an_ampersand_are_one_word() -> None:
    assert words("Huawei R&D Center") == ["huawei", "rd", "center"]
    assert words("AT&T Inc.") == ["att", "inc"]
    # Between words, or spaced, it is "and".
    assert words("Procter & Gamble") == ["procter", "and", "gamble"]
    assert words("Johnson&Johnson") == ["johnson", "and", "johnson"]
    assert words("R & D") == ["r", "and", "d"]
    # "M&M" and "M & M" still agree letter for letter.
    assert normalize_name("M&M Trading").compact == normalize_name("M & M Trading").compact


@pytest.mark.parametrize(
    "printed",
    ["CAEP ?s 902 Institute", "CAEP?s 902 Institute", "(CAEP)?s 902 Institute",
     "CAEP\ufffds 902 Institute", "CAEP’s 902 Institute"],
)  # fmt: skip
def test_a_possessive_whose_apostrophe_was_lost_is_read_as_one(printed: str) -> None:
    # The CSL prints "CASIC 3rd Academy?s 159 Factory": a "?" where an encoding lost the ’.
    assert normalize_name(printed).tokens == ("caep", "902", "institute")
    assert normalize_name("Is it ? so").tokens == ("is", "it", "so")


def test_a_letter_hyphened_to_a_word_is_part_of_it() -> None:
    assert normalize_name("E-Chips Technology").tokens == ("echip", "technology")
    assert normalize_name("T-Mobile").tokens == ("tmobile",)
    # Split letters are the evasion readings' to rejoin, with evidence; names keep their parts.
    assert normalize_name("S-b-e-r").tokens == ("s", "b", "e", "r")
    assert normalize_name("Kim Jong-un").tokens == ("kim", "jong", "un")


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("Z.ai", ("zdotai",)),
        ("Z.ai Singapore Pte. Ltd.", ("zdotai", "singapore")),
        ("01.AI", ("01dotai",)),
        # A longer name before the dot is a word of its own; dotted initials still collapse.
        ("Amazon.com, Inc.", ("amazon", "com")),
        ("U.S.A. Inc", ("usa",)),
    ],
)
def test_a_short_domain_brand_is_one_word(name: str, tokens: tuple[str, ...]) -> None:
    assert normalize_name(name).tokens == tokens


def test_a_short_domain_brand_with_a_digit_is_also_typed_spaced() -> None:
    assert domain_brand_spaced("01.AI") == "01 AI"
    # "Z ai" read together is "Zai", a name unrelated firms have.
    assert domain_brand_spaced("Z.ai") is None
    assert domain_brand_spaced("Amazon.com") is None
