from __future__ import annotations

from screening.names.evasion import unmask


def test_decorations_confusables_and_split_letters_are_reported() -> None:
    cleaned = unmask("★ H.u.a.w.\u0435.i ★")
    assert cleaned.text == "Huawei"
    assert {f.kind for f in cleaned.findings} == {
        "decoration_removed",
        "confusable_folded",
        "split_letters_joined",
    }


def test_whole_cyrillic_names_are_left_for_transliteration() -> None:
    assert unmask("Роснефть").text == "Роснефть"
    assert unmask("Роснефть").findings == ()


def test_ordinary_dotted_acronyms_are_not_evidence() -> None:
    assert unmask("P.M.C. Wagner").findings == ()
    assert unmask("No. 5 Plant").text == "No. 5 Plant"
