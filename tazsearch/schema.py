"""The Whoosh fields of an article, their weights, and the mapping both ways.

Ranking uses one BM25 over all text of an article (the ``content`` field)
rather than a sum of per-field scores. Each word adds its field's weight to
the term frequency, so a title word counts three times a body word, and the
sum then saturates once, as in BM25F proper and SQLite FTS5's column weights.
Summing separately boosted per-field scores instead lets a title match
outweigh any amount of evidence in the body, which measurably hurts ranking.

The single fields (title, body, ...) are not indexed on their own, which
would double the postings to write. Each field's words sit in ``content`` at
positions of their own range (the title's from 0, the teaser's from
SECTION_SPAN, ...), so ``title:Nordkorea`` is ``Nordkorea`` in ``content`` at a
position in the title's range; see :mod:`tazsearch.query`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
from whoosh import columns, fields

from .analysis import GermanAnalyzer, Vocabulary, fold_spelt_umlauts, strip_accents
from .docvalues import facet_keys
from .parse import Article, Block, Link, Related
from .positions import COUNT, encode_position_lists

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
# The positions of each field's words in ``content`` start at a multiple of
# this, so that a phrase never spans two fields and the position of a word
# tells its field. Words past it in a field all take its last position.
SECTION_SPAN = 1 << 22
HEADING_MARK = "## "

WeightedTexts = Sequence[tuple[float, str]]


class GermanText(fields.TEXT):
    """A TEXT field of German text, or of several texts each with its weight.

    ``content`` gets ``[(weight, text), ...]``: each word adds its text's
    weight to the term's frequency (a compound's parts add PART_WEIGHT of
    it), and the i-th text's positions start at i * SECTION_SPAN. This runs
    in the indexing processes, once per article.
    """

    def __init__(self, stored: bool = False) -> None:
        super().__init__(analyzer=GermanAnalyzer(), phrase=True, stored=stored)

    def postings(self, values: Sequence[str | WeightedTexts]) -> FieldPostings:
        """The postings of several documents' values, as arrays: what the segment
        writer takes. A batch at a time, the array operations cost little per
        document."""
        texts: list[str] = []
        weights: list[float] = []
        sections: list[int] = []
        documents: list[int] = []
        for document, value in enumerate(values):
            pairs = [(1.0, value)] if isinstance(value, str) else value
            for section, (weight, text) in enumerate(pairs):
                texts.append(text)
                weights.append(weight)
                sections.append(section)
                documents.append(document)
        words = _vocabulary.analyse(texts)
        # Words past a text's span all take its last position.
        positions = np.array(sections)[words.texts] * SECTION_SPAN + np.minimum(
            words.positions, SECTION_SPAN - 1
        )
        word_weights = np.array(weights)[words.texts]
        word_weights[words.parts] *= PART_WEIGHT
        document_of = np.array(documents, dtype=np.int64)[words.texts]
        # By document, then by term; each posting's positions stay in order.
        keys = document_of * max(len(words.vocabulary), 1) + words.terms
        order = np.argsort(keys, kind="stable")
        starts = np.flatnonzero(np.diff(keys[order], prepend=-1))
        data, sizes = encode_position_lists(positions[order], starts)
        return FieldPostings(
            document_of[order][starts],
            words.terms[order][starts],
            words.vocabulary,
            words.generation,
            np.add.reduceat(word_weights[order], starts) if len(starts) else word_weights,
            sizes,
            data,
            np.bincount(document_of, minlength=len(values)),
        )

    def index(self, value: str | WeightedTexts, **kwargs: Any) -> list[tuple]:
        """As Whoosh's fields index: (term, frequency, weight, encoded positions)."""
        postings = self.postings([value])
        ends = np.cumsum(postings.sizes).tolist()
        return [
            (
                postings.terms[number].encode("utf-8"),
                COUNT.unpack_from(postings.data, start)[0],
                weight,
                postings.data[start:end],
            )
            for number, weight, start, end in zip(
                postings.numbers.tolist(),
                postings.weights.tolist(),
                [0, *ends[:-1]],
                ends,
                strict=True,
            )
        ]


class FieldPostings(NamedTuple):
    """Some documents' postings in a field, sorted by document: each posting's
    document (numbered in the batch), term as a vocabulary number (see
    :class:`~tazsearch.analysis.Vocabulary`), weighted frequency, and encoded
    positions, end to end in ``data`` with their ``sizes``; and each
    document's field length in words."""

    documents: np.ndarray
    numbers: np.ndarray
    terms: list[str]  # the vocabulary's terms, by number
    generation: int  # the vocabulary's generation: the numbers change with it
    weights: np.ndarray
    sizes: np.ndarray
    data: bytes
    lengths: np.ndarray


_vocabulary = Vocabulary()


def section_range(name: str) -> tuple[int, int]:
    """The range of positions in ``content`` of the words of field ``name``."""
    number = TEXT_FIELDS.index(name)
    return number * SECTION_SPAN, (number + 1) * SECTION_SPAN


class Section(GermanText):
    """One field of an article, stored, and searched as its range of ``content``."""

    indexed = False

    def __init__(self, name: str) -> None:
        super().__init__(stored=True)
        self.section = TEXT_FIELDS.index(name)

    def positions(self) -> tuple[int, int]:
        """The range of this field's positions in ``content``."""
        return section_range(TEXT_FIELDS[self.section])


def build_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        path=fields.ID(stored=True, unique=True, sortable=True),
        mtime=fields.COLUMN(columns.NumericColumn("q")),
        size=fields.COLUMN(columns.NumericColumn("q")),
        digest=fields.COLUMN(columns.VarBytesColumn()),
        content=GermanText(),
        **{name: Section(name) for name in TEXT_FIELDS},
        tag_key=fields.KEYWORD(commas=True),
        author_key=fields.KEYWORD(commas=True),
        facet_keys=fields.COLUMN(columns.VarBytesColumn()),
        date=fields.DATETIME(stored=True, sortable=True),
        kicker=fields.STORED(),
        headline=fields.STORED(),
        uri=fields.STORED(),
        links=fields.STORED(),
        related=fields.STORED(),
    )


def exact_key(value: str) -> str:
    """The exact-match form of a tag or author: case and umlaut spelling folded."""
    folded = strip_accents(fold_spelt_umlauts(value.lower()))
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
    tag_keys = [exact_key(t) for t in article.tags]
    author_keys = [exact_key(a) for a in article.authors]
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
        "tag_key": ",".join(tag_keys),
        "author_key": ",".join(author_keys),
        "facet_keys": facet_keys(tag_keys, author_keys),
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
