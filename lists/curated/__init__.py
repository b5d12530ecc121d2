"""Curated list data shipped with the package, and the loader every curated source shares.

The JSON files here are this project's own transcriptions: facts with their sources, never a copy
of someone else's data file. A source module declares one of them as its official file by its
file:// URL, so a refresh with no mirror reads the packaged copy and a mirror
(`{mirror}/{source id}/{file name}`) can serve a newer one through the same refresh path.
"""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent


def packaged_url(name: str) -> str:
    """The file:// URL of a data file in this package."""
    return (DATA_DIR / name).as_uri()
