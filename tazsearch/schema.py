"""The Whoosh fields of an article, their weights, and the mapping both ways.

Ranking uses one BM25 over all text of an article (the ``content`` field)
rather than a sum of per-field scores. Each word adds its field's weight to
the term frequency, so a title word counts three times a body word, and the
sum then saturates once, as in BM25F proper and SQLite FTS5's column weights.
Summing separately boosted per-field scores instead lets a title match
outweigh any amount of evidence in the body, which measurably hurts ranking.

The single fields (title, body, ...) are indexed as well, for ``title:`` and
the other field prefixes of the query syntax.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from whoosh import fields

from .analysis import GermanAnalyzer, Term, analyze, strip_accents
from .parse import Article, Block, Link, Related
from .spelling import surface_words

SCHEMA_VERSION = 1

# How much one occurrence of a word counts towards the combined term frequency.
FIELD_WEIGHTS: dict[str, float] = {
    "title": 2.0,
    "teaser": 2.0,
    "tags": 2.0,
    "captions": 1.0,
    "body": 1.0,
    "authors": 1.0,
}
TEXT_FIELDS = tuple(FIELD_WEIGHTS)
# How much a part of a closed compound counts against the whole word: an
# article about the "Truppenentsendung" is found by "Entsendung", below one
# that says "Entsendung" itself.
PART_WEIGHT = 0.3
# Positions between two fields of ``content``, so a phrase never spans them.
FIELD_GAP = 100
HEADING_MARK = "## "

WeightedTexts = Sequence[tuple[float, str]]


class GermanText(fields.TEXT):
    """A TEXT field of German text, or of several texts each with its weight.

    ``content`` gets ``[(weight, text), ...]``: each word adds its text's
    weight to the term's frequency (a compound's parts add PART_WEIGHT of
    it), and positions jump by FIELD_GAP between texts. The analysis of the
    last few texts is kept, so the title analysed for ``content`` is not
    analysed again for ``title``; this runs in the indexing processes.
    """

    def __init__(self, stored: bool = False) -> None:
        super().__init__(analyzer=GermanAnalyzer(), phrase=True, stored=stored)

    def index(self, value: str | WeightedTexts, **kwargs: Any) -> Iterator[tuple]:
        parts = [(1.0, value)] if isinstance(value, str) else value
        positions: dict[str, list[int]] = defaultdict(list)
        weights: dict[str, float] = defaultdict(float)
        offset = 0
        for weight, text in parts:
            last = -1
            for term in _analysed(text):
                positions[term.text].append(offset + term.pos)
                weights[term.text] += weight * PART_WEIGHT if term.part else weight
                last = term.pos
            offset += last + 1 + FIELD_GAP
        encode = self.format.encode
        for term_text, plist in positions.items():
            yield term_text.encode("utf-8"), len(plist), weights[term_text], encode(plist)


_recent_analyses: dict[str, list[Term]] = {}


def _analysed(text: str) -> list[Term]:
    """The terms of ``text``, remembered for the few texts of the article being indexed."""
    terms = _recent_analyses.get(text)
    if terms is None:
        if len(_recent_analyses) > 16:
            _recent_analyses.clear()
        terms = _recent_analyses[text] = list(analyze(text))
    return terms


def build_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        path=fields.ID(stored=True, unique=True, sortable=True),
        mtime=fields.NUMERIC(int, bits=64, sortable=True),
        size=fields.NUMERIC(int, bits=64, sortable=True),
        digest=fields.ID(sortable=True),
        content=GermanText(),
        title=GermanText(stored=True),
        teaser=GermanText(stored=True),
        body=GermanText(stored=True),
        captions=GermanText(stored=True),
        tags=GermanText(stored=True),
        authors=GermanText(stored=True),
        words=fields.KEYWORD(),
        tag_key=fields.KEYWORD(commas=True),
        author_key=fields.KEYWORD(commas=True),
        date=fields.DATETIME(stored=True, sortable=True),
        kicker=fields.STORED(),
        headline=fields.STORED(),
        uri=fields.STORED(),
        links=fields.STORED(),
        related=fields.STORED(),
    )


def exact_key(value: str) -> str:
    """The exact-match form of a tag or author: case and umlaut spelling folded."""
    folded = strip_accents(value.lower().replace("ae", "a").replace("oe", "o").replace("ue", "u"))
    return " ".join(folded.replace(",", " ").split())


def body_text(blocks: Iterable[Block]) -> str:
    """The body as stored: paragraphs apart by blank lines, headings marked."""
    return "\n\n".join(HEADING_MARK + b.text if b.heading else b.text for b in blocks)


def body_blocks(text: str) -> tuple[Block, ...]:
    blocks = []
    for paragraph in text.split("\n\n"):
        if paragraph.startswith(HEADING_MARK):
            blocks.append(Block(paragraph[len(HEADING_MARK) :], heading=True))
        elif paragraph:
            blocks.append(Block(paragraph))
    return tuple(blocks)


def document_for(article: Article, **file_state: Any) -> dict[str, Any]:
    """The Whoosh document of an article; ``file_state`` fills path, mtime, size, digest.

    It holds plain strings, cheap to hand to an indexing process, which
    analyses them.
    """
    lists = {"captions": article.captions, "tags": article.tags, "authors": article.authors}
    texts = {
        "title": article.title,
        "teaser": article.teaser,
        "body": body_text(article.blocks),
        **{name: "\n".join(values) for name, values in lists.items()},
    }
    doc: dict[str, Any] = {
        "id": article.id,
        **texts,
        **{"_stored_" + name: list(values) for name, values in lists.items()},
        "content": [(FIELD_WEIGHTS[name], texts[name]) for name in TEXT_FIELDS],
        "words": surface_words(list(texts.values())),
        "tag_key": ",".join(exact_key(t) for t in article.tags),
        "author_key": ",".join(exact_key(a) for a in article.authors),
        "kicker": article.kicker,
        "headline": article.headline,
        "uri": article.uri,
        "links": [(link.number, link.target) for link in article.links],
        "related": [(r.title, r.teaser) for r in article.related],
        **file_state,
    }
    if article.date is not None:
        doc["date"] = dt.datetime.combine(article.date, dt.time())
    return doc


def article_from_stored(stored: dict[str, Any]) -> Article:
    """Rebuild an Article from a hit's stored fields, without the file."""
    date = stored.get("date")
    return Article(
        id=stored["id"],
        path=stored["path"],
        uri=stored.get("uri", ""),
        title=stored.get("title", ""),
        kicker=stored.get("kicker", ""),
        headline=stored.get("headline", ""),
        teaser=stored.get("teaser", ""),
        captions=tuple(stored.get("captions", ())),
        blocks=body_blocks(stored.get("body", "")),
        date=date.date() if date else None,
        links=tuple(Link(n, t) for n, t in stored.get("links", ())),
        authors=tuple(stored.get("authors", ())),
        tags=tuple(stored.get("tags", ())),
        related=tuple(Related(t, s) for t, s in stored.get("related", ())),
    )
