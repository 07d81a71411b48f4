"""Index statistics: how many articles, from when, about what, and how big."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .docvalues import UNDATED
from .facets import count_facets

if TYPE_CHECKING:
    from .store import Snapshot


@dataclass(frozen=True)
class IndexStats:
    """A summary of an index; ``per_year`` and the tops are (value, count) pairs."""

    articles: int
    first_date: dt.date | None
    last_date: dt.date | None
    size_bytes: int
    updated: dt.datetime | None
    per_year: list[tuple[str, int]]
    top_tags: list[tuple[str, int]]
    top_authors: list[tuple[str, int]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "first_date": self.first_date.isoformat() if self.first_date else None,
            "last_date": self.last_date.isoformat() if self.last_date else None,
            "size_bytes": self.size_bytes,
            "updated": self.updated.isoformat(timespec="seconds") if self.updated else None,
            "per_year": [{"value": v, "count": n} for v, n in self.per_year],
            "top_tags": [{"value": v, "count": n} for v, n in self.top_tags],
            "top_authors": [{"value": v, "count": n} for v, n in self.top_authors],
        }


def directory_size(directory: Path) -> int:
    return sum(f.stat().st_size for f in directory.iterdir() if f.is_file())


def collect_stats(snapshot: Snapshot, directory: Path, updated: float | None) -> IndexStats:
    live = snapshot.live
    facets = count_facets(snapshot, live, date_unit="year")
    distinct = np.unique(snapshot.values.dates[live]).tolist()
    as_date = snapshot.date_of
    known = [as_date(d) for d in distinct if d != UNDATED]
    return IndexStats(
        articles=snapshot.doc_count(),
        first_date=min(known).date() if known else None,
        last_date=max(known).date() if known else None,
        size_bytes=directory_size(directory),
        updated=dt.datetime.fromtimestamp(updated).astimezone() if updated else None,
        per_year=facets.dates,
        top_tags=facets.tags,
        top_authors=facets.authors,
    )
