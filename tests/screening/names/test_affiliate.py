"""The affiliate word tables: what a subsidiary may add to its group's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.names.affiliate import (
    DATA,
    _parse,
    business_words,
    droppable_words,
    is_designator,
    is_english_word,
    phrase_places,
    place_or_generic_words,
    place_words,
)


@pytest.mark.parametrize(
    "word",
    [
        # country names as local subsidiaries write them, and the preposition of "do Brasil"
        "rus", "polska", "osterreich", "do", "de",
        # branch words and regions
        "liaison", "mena", "latam",
        # big cities (GeoNames rows) and the hand-written ones
        "kazan", "yiwu", "urumqi", "changzhou", "yekaterinburg", "beirut", "damascus", "hohhot",
        "wenzhou", "amman",
    ],
)  # fmt: skip
def test_places(word: str) -> None:
    assert word in place_words()
    assert word in place_or_generic_words()


@pytest.mark.parametrize(
    "word",
    [
        "hub", "real", "estate", "high", "hitech", "house", "institute", "labs", "torgovyy",
        "grupo", "banco", "kompaniya", "ticaret", "usluge", "sae", "sal",
        # what the Chinese table reads 智能 as (百度智能云 "Baidu Intelligent Cloud")
        "intelligent",
    ],
)  # fmt: skip
def test_business_words(word: str) -> None:
    assert word in business_words()
    assert word not in place_or_generic_words()
    assert word in droppable_words()


@pytest.mark.parametrize(
    "word",
    [
        # small towns and coined names keep their core: only cities of 1,000,000+ or capitals
        "vladivostok", "sabalan", "hikvision",
        # big cities that are everyday English words are not places
        "phoenix", "queen", "male",
        # a word of a several-word city name is not a place alone (Ho Chi Minh City, Port Louis)
        "minh", "chi", "port", "louis",
    ],
)  # fmt: skip
def test_not_places(word: str) -> None:
    assert word not in place_words()


def test_every_row_has_a_kind_and_a_source() -> None:
    rows = [
        line.split("\t")
        for line in DATA.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rows
    assert all(
        len(row) == 3 and row[0] in {"place", "business", "phrase"} and row[2] for row in rows
    )


def test_a_word_not_in_token_form_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "words.tsv"
    bad.write_text("place\tHo-Chi-Minh\tsomewhere\n", encoding="utf-8")
    with pytest.raises(ValueError, match="token form"):
        _parse(bad)
    bad.write_text("place\tkazan\n", encoding="utf-8")
    with pytest.raises(ValueError, match="source"):
        _parse(bad)
    bad.write_text("phrase\tho chi minh|kazan\tsomewhere\n", encoding="utf-8")
    with pytest.raises(ValueError, match="one word"):
        _parse(bad)


def test_places_of_several_words_are_places_only_whole() -> None:
    tokens = ("rosneft", "ho", "chi", "minh", "city", "branch")
    assert phrase_places(tokens) == {1, 2, 3, 4}
    assert phrase_places(("rosneft", "ho", "chi", "branch")) == frozenset()
    assert "ho" not in place_words()
    assert "chi" not in place_words()


@pytest.mark.parametrize(
    ("word", "english"),
    [("applied", True), ("unified", True), ("apply", True), ("ied", False), ("hikvision", False)],
)
def test_english_words_include_past_forms_in_ied(word: str, english: bool) -> None:
    assert is_english_word(word) is english


@pytest.mark.parametrize("token", ["v3", "p30", "br100", "mlu370", "7b", "4o", "ds2cd"])
def test_product_codes_are_designators(token: str) -> None:
    assert is_designator(token)


# A number alone, a word, a long code-like string, and letters outside ASCII are not.
@pytest.mark.parametrize("token", ["54", "huawei", "chat", "abc123456", "в3"])
def test_numbers_and_words_are_not_designators(token: str) -> None:
    assert not is_designator(token)
