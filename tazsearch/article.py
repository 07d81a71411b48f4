"""A taz article as tazsearch holds it: the parts a saved file has, as plain data."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    """One entry of ``## LINKS``: the anchor number and its target path or URL."""

    number: int
    target: str


@dataclass(frozen=True)
class Related:
    """One item of ``## ARTIKEL ZUM THEMA``: another article's title and teaser."""

    title: str
    teaser: str


@dataclass(frozen=True)
class Block:
    """A body paragraph, or a ``## `` subheading (``heading=True``, text without ``## ``)."""

    text: str
    heading: bool = False


@dataclass(frozen=True)
class Article:
    """A parsed taz article."""

    id: str
    path: str
    uri: str
    title: str
    kicker: str
    headline: str
    teaser: str
    captions: tuple[str, ...]
    blocks: tuple[Block, ...]
    date: datetime.date | None
    links: tuple[Link, ...]
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    related: tuple[Related, ...]

    @property
    def body(self) -> str:
        """The body blocks (paragraphs and subheadings) joined by blank lines."""
        return "\n\n".join(b.text for b in self.blocks)

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON: lists for tuples, the date as YYYY-MM-DD."""
        data = dataclasses.asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data
