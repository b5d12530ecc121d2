"""Load the list mirror beside the repository through the real parsers."""

from __future__ import annotations

import hashlib
from pathlib import Path

from lists import get_source
from screening.listings.records import ListEntry

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
MIRROR = SHARED / "mirror"
OUT = REPO / "bench" / "out"
SOURCES = ("us_ofac_sdn", "us_ofac_cons", "us_trade_csl", "un_sc_sanctions")


def load_mirror(root: Path = MIRROR) -> tuple[list[ListEntry], dict[str, str]]:
    """All entries of the mirrored sources, and a version label per source (content hash)."""
    if not root.is_dir():
        raise SystemExit(f"list mirror not found at {root}")
    entries: list[ListEntry] = []
    versions: dict[str, str] = {}
    for sid in SOURCES:
        folder = root / sid
        files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
        digest = hashlib.sha256(b"".join(files[k] for k in sorted(files))).hexdigest()[:12]
        versions[sid] = f"{root.name}:{digest}"
        entries.extend(get_source(sid).parse(files).entries)
    return entries, versions
