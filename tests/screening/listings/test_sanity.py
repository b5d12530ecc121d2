from __future__ import annotations

import pytest

from screening.errors import ListSanityError
from screening.listings.sanity import check_count, check_raw_file


@pytest.mark.parametrize(
    "head",
    [
        b"<!DOCTYPE html><html><head><title>503</title>",
        b"\r\n  <html lang='en'><body>Maintenance</body></html>",
        b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN"><html>',
    ],
)
def test_html_pages_are_refused(head: bytes):
    with pytest.raises(ListSanityError, match="HTML"):
        check_raw_file("SDN.CSV", head, len(head), source="us_ofac_sdn")


@pytest.mark.parametrize("head", [b"", b"\x1a", b"  \r\n"])
def test_empty_files_are_refused(head: bytes):
    with pytest.raises(ListSanityError, match="empty"):
        check_raw_file("SDN.CSV", head, len(head), source="us_ofac_sdn")


def test_list_files_pass():
    check_raw_file("SDN.CSV", b'36,"AEROCARIBBEAN AIRLINES",-0- ', 30, source="s")
    check_raw_file("consolidated.xml", b'<?xml version="1.0"?><CONSOLIDATED_LIST>', 40, source="s")


def test_count_bounds():
    kwargs = {"source": "s", "min_records": 10, "max_records": 100, "max_drop_share": 0.3}
    check_count(50, previous=60, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ListSanityError, match="outside"):
        check_count(5, previous=None, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ListSanityError, match="outside"):
        check_count(101, previous=None, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ListSanityError, match="50% drop"):
        check_count(30, previous=60, **kwargs)  # type: ignore[arg-type]
