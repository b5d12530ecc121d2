"""What a list source module declares: its files, its parser and the bounds a good parse meets."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from posixpath import basename
from urllib.parse import urlsplit

from screening.listings.records import ListEntry


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file a source publishes, at its official URL."""

    url: str
    required: bool = True
    # False for a file this service keeps itself (a custom list's last load): a mirror setting
    # never redirects it.
    mirrored: bool = True
    # True for a file shipped with the package (a curated list): a mirror may serve a newer one,
    # and a mirror without it falls back to the packaged copy instead of failing the refresh.
    packaged: bool = False

    @property
    def name(self) -> str:
        """The file's name in a mirror and in the parser's input: the official URL's basename."""
        return basename(urlsplit(self.url).path)


@dataclass(slots=True)
class ParseResult:
    entries: list[ListEntry]
    # Rows skipped or repaired, in words a list operator understands; shown, never fatal.
    warnings: list[str] = field(default_factory=list)


# A parser receives every fetched file's bytes keyed by SourceFile.name (optional files that were
# not published are absent) and raises screening.errors.ListParseError on malformed input.
Parser = Callable[[Mapping[str, bytes]], ParseResult]


@dataclass(frozen=True, slots=True)
class ListSource:
    id: str
    title: str
    publisher: str
    files: tuple[SourceFile, ...]
    parse: Parser
    # A parse outside these bounds is refused (OpenSanctions-style assertions): a list that
    # suddenly holds 3 or 3 million parties is a broken download or a format change, not news.
    min_records: int
    max_records: int
    refresh_interval_minutes: int = 360
    homepage: str = ""
    # Bump when the parser's output changes, so stored bytes are parsed again on next refresh.
    parser_version: str = "1"
