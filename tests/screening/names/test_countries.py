import pytest

from screening.names.countries import country_code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Korea, North", "KP"),
        ("Burma", "MM"),
        ("Region: Crimea", "UA"),
        ("cn", "CN"),
        ("RUS", "RU"),
        ("Germany", "DE"),
        ("Iran (Islamic Republic of)", "IR"),
        ("-0-", None),
        ("", None),
        (None, None),
        ("Atlantis", None),
    ],
)
def test_list_spellings_map_to_iso(value: str | None, code: str | None):
    assert country_code(value) == code
