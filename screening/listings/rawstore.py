"""Raw list files kept content-addressed on disk: `{root}/raw/{sha[:2]}/{sha}`.

A file is written once under its own hash and never modified, so every version's exact bytes stay
available for audit and re-parsing, and two versions that share a file share its storage.
"""

from __future__ import annotations

import os
from pathlib import Path


class RawStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def incoming(self) -> Path:
        """Where downloads stream to: the same filesystem, so the final move is atomic."""
        path = self.root / "incoming"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def path_for(self, sha256: str) -> Path:
        return self.root / "raw" / sha256[:2] / sha256

    def put(self, tmp: Path, sha256: str) -> Path:
        """Move a downloaded file into place under its hash (or drop it if already stored)."""
        final = self.path_for(sha256)
        if final.exists():
            tmp.unlink(missing_ok=True)
            return final
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        return final

    def read(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()
