"""What an update did: the report of a run, and the files it passed over."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(files_done, files_total)`` while an update runs."""


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why."""

    path: str
    reason: str


@dataclass
class UpdateReport:
    """What one update did, file by file counted."""

    indexed: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def files(self) -> int:
        return self.indexed + self.updated + self.unchanged + len(self.skipped)

    @property
    def changed(self) -> bool:
        return bool(self.indexed or self.updated or self.removed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "indexed": self.indexed,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "seconds": round(self.seconds, 3),
        }
