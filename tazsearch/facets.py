"""Filters (author, tag, time) and facet counts (dates, tags, authors) of a search."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import messages as m
from .dates import period
from .errors import FilterError
from .fields import exact_key
from .queries import AllOf, DateSpan, Query, Term

if TYPE_CHECKING:
    from .store import Snapshot

TOP_VALUES = 10
# Exact-value fields of the index, and the stored lists they come from.
FACET_FIELDS = {"tags": ("tag_key", "tags"), "authors": ("author_key", "authors")}


@dataclass(frozen=True)
class Filters:
    """Conditions every hit must meet. Repeated authors or tags must all hold.

    Authors and tags match whole values, ignoring case and umlaut spelling:
    ``tags=("schwerpunkt krieg in der ukraine",)`` matches the tag
    "Schwerpunkt Krieg in der Ukraine". ``since`` and ``until`` take YYYY,
    YYYY-MM or YYYY-MM-DD and include the whole period.
    """

    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    def __bool__(self) -> bool:
        return bool(self.authors or self.tags or self.since or self.until)

    def query(self) -> Query | None:
        """The filters as one query of the engine, or None when there are none."""
        parts: list[Query] = [Term(exact_key(a), "author_key", marked=False) for a in self.authors]
        parts += [Term(exact_key(t), "tag_key", marked=False) for t in self.tags]
        if self.since or self.until:
            start = period(self.since) if self.since else None
            end = period(self.until, end=True) if self.until else None
            if start and end and start > end:
                raise FilterError(m.SINCE_AFTER_UNTIL(since=self.since, until=self.until))
            parts.append(DateSpan(start, end))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


@dataclass(frozen=True)
class Facets:
    """How the matching articles spread over time, tags and authors.

    ``dates`` counts per year, or per month ("2021-03") when every dated match
    falls in one year; ``tags`` and ``authors`` are the most frequent values,
    most first.
    """

    date_unit: str
    dates: list[tuple[str, int]] = field(default_factory=list)
    tags: list[tuple[str, int]] = field(default_factory=list)
    authors: list[tuple[str, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "date_unit": self.date_unit,
            "dates": [{"value": v, "count": n} for v, n in self.dates],
            "tags": [{"value": v, "count": n} for v, n in self.tags],
            "authors": [{"value": v, "count": n} for v, n in self.authors],
        }


def date_counts(
    dates: Counter[dt.datetime | None], unit: str | None = None
) -> tuple[str, list[tuple[str, int]]]:
    """Counts per year, or per month when all dates fall in one year, unless ``unit`` says."""
    known = {d: n for d, n in dates.items() if d is not None and d.year > 1}
    unit = unit or ("month" if len({d.year for d in known}) == 1 else "year")
    pattern = "%Y-%m" if unit == "month" else "%Y"
    per_period: Counter[str] = Counter()
    for date, count in known.items():
        per_period[date.strftime(pattern)] += count
    return unit, sorted(per_period.items())


def _display_name(snapshot: Snapshot, facet: str, key: str) -> str:
    """The value as written in an article ("Annalena Baerbock"), for its folded key.

    Looking it up loads a whole stored article, so names are kept for the commit.
    """
    memo = snapshot.memo.setdefault("names", {})
    if (facet, key) not in memo:
        keyfield, storedfield = FACET_FIELDS[facet]
        docnum = snapshot.docnum_of(keyfield, key)
        stored = snapshot.stored(docnum) if docnum is not None else {}
        values = stored.get(storedfield, ())
        memo[facet, key] = next((v for v in values if exact_key(v) == key), key)
    return memo[facet, key]


def count_facets(
    snapshot: Snapshot, docs: np.ndarray, top: int = TOP_VALUES, date_unit: str | None = None
) -> Facets:
    """Facet counts over the articles in the mask ``docs``: all matches of a search,
    not just one page."""
    values = snapshot.values
    raw_dates, raw_counts = np.unique(values.dates[docs], return_counts=True)
    dates: Counter[dt.datetime | None] = Counter()
    for raw, count in zip(raw_dates.tolist(), raw_counts.tolist(), strict=True):
        dates[snapshot.date_of(raw)] += count
    unit, per_date = date_counts(dates, date_unit)
    tops = {}
    for name, column in (("tags", values.tags), ("authors", values.authors)):
        counts = column.counts(docs)
        # Most first; among equal counts, the value the index met first.
        best = np.argsort(-counts, kind="stable")[:top]
        tops[name] = [
            (_display_name(snapshot, name, column.names[code]), int(counts[code]))
            for code in best.tolist()
            if counts[code]
        ]
    return Facets(unit, per_date, tops["tags"], tops["authors"])
