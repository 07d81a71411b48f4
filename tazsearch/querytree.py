"""What a query asks for, as a tree: read by :mod:`tazsearch.querysyntax` from the
text a user typed, turned into the engine's queries by :mod:`tazsearch.query`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    """A word as typed; ``fuzzy`` is the number of edits allowed, None for exact."""

    text: str
    field: str | None = None
    fuzzy: int | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class Pattern:
    """A prefix or wildcard: ``*`` for any run of characters, ``?`` for one."""

    text: str
    field: str | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Words in a row; with ``slop``, in any order within ``slop`` other words."""

    text: str
    field: str | None = None
    slop: int | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class Dates:
    """Articles dated from ``start`` to ``end`` (each None for an open end)."""

    start: dt.datetime | None
    end: dt.datetime | None


@dataclass(frozen=True)
class Everything:
    """``*``: every article."""


@dataclass(frozen=True)
class Group:
    """Clauses that must all match (``all_``), or any of them.

    ``explicit`` marks an AND written out; side by side is not.
    """

    clauses: tuple[Clause, ...]
    all_: bool = True
    explicit: bool = False
    boost: float = 1.0


@dataclass(frozen=True)
class Clause:
    """One part of a group, with what ``+``, ``-`` or ``NOT`` said of it."""

    node: Node
    required: bool = False
    excluded: bool = False


Node = Word | Pattern | Phrase | Dates | Everything | Group
