"""Legal forms of the world's companies come out of a name; name words that look like one stay."""

from __future__ import annotations

import pytest

from screening.names.legal_forms import LEGAL_PHRASES, LEGAL_WORDS
from screening.names.normalize import normalize_name


@pytest.mark.parametrize(
    ("text", "tokens", "legal"),
    [
        ("Bosch Polska Sp. z o.o.", ("bosch", "polska"), ("spzoo",)),
        ("Bosch Polska Sp. z o. o.", ("bosch", "polska"), ("spzoo",)),
        ("PT Huawei Tech Investment Tbk", ("huawei", "technology", "investment"), ("pt", "tbk")),
        ("Rosneft Gulf DMCC", ("rosneft", "gulf"), ("dmcc",)),
        ("Kobolt Trading FZ Pte. Ltd.", ("kobolt", "trading"), ("fz", "ltd", "pte")),
        ("Maersk A/S", ("maersk",), ("as",)),
        ("Cong ty TNHH Thinh Cuong", ("thinh", "cuong"), ("co", "llc")),
        ("주식회사 삼성", ("samseong",), ("co", "ltd")),
        ("Cilinder Sistem D.O.O.", ("cilinder", "sistem"), ("doo",)),
        ("Dekart EOOD", ("dekart",), ("ood",)),
        ("Lacno S.R.O.", ("lacno",), ("sro",)),
        ("Envigh, S. de R.L. de C.V.", ("envigh",), ("cv", "srl")),
        ("Ramor Dis Ticaret Anonim Sirketi", ("ramor", "dis", "ticaret"), ("as",)),
        ("Standart Teknik Parca San. ve Tic. A.S.", ("standart", "teknik", "parca"),
         ("as", "sanayi_ticaret")),
        ("Tavarystva z abmezhavanay adkaznastsyu Belkaztrans", ("belkaztran",), ("ooo",)),
        ("OsOO Kargolayn", ("kargolayn",), ("ooo",)),
        ("Siemens Malaysia Sendirian Berhad", ("siemen", "malaysia"), ("sdn_bhd",)),
    ],
)  # fmt: skip
def test_world_legal_forms(text: str, tokens: tuple[str, ...], legal: tuple[str, ...]) -> None:
    norm = normalize_name(text)
    assert norm.tokens == tokens
    assert norm.legal == legal


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("BM Bank", "bm"),  # BM is the bank's name, not Israeli B.M.
        ("SAC Capital Advisors", "sac"),
        ("SNC-Lavalin", "snc"),
        ("Chan Sau Luen", "sau"),
        ("Bunthawee Sae Chang", "sae"),  # Egyptian S.A.E. is an affiliate word, not a legal form
        ("Ovlas Trading S.A.L.", "sal"),
        ("Behrad Trading", "behrad"),  # one letter from "Berhad": rare forms are not corrected to
        ("Otkritie Bank", "otkritie"),
        ("Otkrytie", "otkrytie"),  # one letter from the participle "otkrytoe" (open)
        ("Kapital Bank", "kapital"),
    ],
)
def test_name_words_like_a_legal_form_stay(text: str, kept: str) -> None:
    assert kept in normalize_name(text).tokens


def test_only_the_common_forms_correct_a_typing_error() -> None:
    assert "company" in LEGAL_WORDS
    assert "berhad" in LEGAL_PHRASES
    assert not {"berhad", "anonim", "sirketi", "gongsi", "capital"} & LEGAL_WORDS


def test_every_phrase_is_in_token_form() -> None:
    for phrase in LEGAL_PHRASES:
        assert phrase == " ".join(phrase.split())
        assert all(word.isalnum() and word == word.lower() for word in phrase.split())
