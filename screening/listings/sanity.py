"""Checks that stand between a download and the active list.

A bad download must never replace a good list: an empty file, an HTML error page served with
status 200, a count outside the source's plausible bounds, or a sudden large drop against the active
version are all refused here, before anything is written.
"""

from __future__ import annotations

from screening.errors import ListSanityError

_HTML_MARKERS = (b"<!doctype html", b"<html")


def check_raw_file(name: str, head: bytes, size: int, *, source: str) -> None:
    """Refuse a file that is empty or is an HTML page (a portal's error or login page)."""
    if size == 0 or not head.strip(b" \t\r\n\x1a\x00"):
        raise ListSanityError(f"{name} is empty ({size} bytes)", source=source)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    # Anywhere in the first KiB, not only at the start: XHTML pages open with an XML declaration.
    if any(marker in start[:1024] for marker in _HTML_MARKERS):
        raise ListSanityError(f"{name} is an HTML page, not the list file", source=source)


def check_count(
    count: int,
    *,
    source: str,
    min_records: int,
    max_records: int,
    previous: int | None,
    max_drop_share: float,
) -> None:
    """Refuse a parse whose size is implausible in itself or against the active version."""
    if count < min_records or count > max_records:
        raise ListSanityError(
            f"{count} records is outside the expected range {min_records}..{max_records}",
            source=source,
        )
    if previous and count < previous * (1 - max_drop_share):
        drop = 1 - count / previous
        raise ListSanityError(
            f"{count} records is a {drop:.0%} drop from the active version's {previous} "
            f"(more than the {max_drop_share:.0%} allowed); refresh with --allow-drop to accept",
            source=source,
        )
