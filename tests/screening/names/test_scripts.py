import pytest

from screening.names.scripts import detect_script


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("صدام", "Arab"),
        ("Чатаев", "Cyrl"),
        ("金正恩", "Hani"),
        (" JAMAAH", "Latn"),
        ("123", None),
        ("Ελλάδα", "Grek"),
        ("Концерн Kalashnikov Концерн", "Cyrl"),  # the majority of letters decides
    ],
)
def test_detect_script(text: str, script: str | None) -> None:
    assert detect_script(text) == script
