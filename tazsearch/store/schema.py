"""The Whoosh fields of an article, and an article as the writer takes it and gives it back.

``content`` holds every word of an article (see :mod:`tazsearch.fields`); the
single text fields are stored, not indexed. ``id``, ``path``, ``tag_key``,
``author_key`` and ``date`` are indexed as exact values; ``path``, ``id``,
``mtime``, ``size``, ``digest``, ``facet_keys`` and ``date`` are also columns,
read a whole segment at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from whoosh import columns, fields

from ..analysis import Vocabulary
from ..article import Article, Link, Related
from ..docvalues import facet_keys
from ..fields import (
    FIELD_WEIGHTS,
    PART_WEIGHT,
    SECTION_SPAN,
    TEXT_FIELDS,
    body_blocks,
    body_text,
    exact_key,
)
from .pickled import GermanAnalyzer
from .positions import encode_position_lists

WeightedTexts = Sequence[tuple[float, str]]


@dataclass(frozen=True)
class IndexDocument:
    """One article as the segment writer takes it: plain data, cheap to hand to an
    indexing process, which analyses it.

    ``content`` holds the texts of :data:`TEXT_FIELDS`, each with its weight;
    ``exact`` the values of the fields indexed as they are (id, path, tag and
    author keys, date); ``stored`` what the index gives back; ``columns`` the
    values of the column fields.
    """

    content: tuple[tuple[float, str], ...]
    exact: dict[str, Any]
    stored: dict[str, Any]
    columns: dict[str, Any]


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


def content_postings(vocabulary: Vocabulary, values: Sequence[WeightedTexts]) -> FieldPostings:
    """The ``content`` postings of several documents' weighted texts, as arrays.

    Each word adds its text's weight to the term's frequency (a compound's
    parts add PART_WEIGHT of it), and the i-th text's positions start at
    i * SECTION_SPAN. A batch at a time, the array operations cost little per
    document.
    """
    texts: list[str] = []
    weights: list[float] = []
    sections: list[int] = []
    documents: list[int] = []
    for document, pairs in enumerate(values):
        for section, (weight, text) in enumerate(pairs):
            texts.append(text)
            weights.append(weight)
            sections.append(section)
            documents.append(document)
    words = vocabulary.analyse(texts)
    # Words past a text's span all take its last position.
    positions = np.array(sections, dtype=np.int64)[words.texts] * SECTION_SPAN + np.minimum(
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


def _text(stored: bool = False) -> fields.TEXT:
    return fields.TEXT(analyzer=GermanAnalyzer(), phrase=True, stored=stored)


def build_schema() -> fields.Schema:
    """The fields of the index. The single text fields are stored only: their words
    are indexed in ``content``, at positions of their own range."""
    sections = {name: fields.STORED() for name in TEXT_FIELDS}
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        path=fields.ID(stored=True, unique=True, sortable=True),
        mtime=fields.COLUMN(columns.NumericColumn("q")),
        size=fields.COLUMN(columns.NumericColumn("q")),
        digest=fields.COLUMN(columns.VarBytesColumn()),
        content=_text(),
        **sections,
        tag_key=fields.KEYWORD(commas=True),
        author_key=fields.KEYWORD(commas=True),
        facet_keys=fields.COLUMN(columns.VarBytesColumn()),
        date=fields.DATETIME(stored=True, sortable=True),
        kicker=fields.STORED(),
        headline=fields.STORED(),
        uri=fields.STORED(),
        source=fields.STORED(),
        links=fields.STORED(),
        related=fields.STORED(),
    )


def document_for(
    article: Article, *, path: str, mtime: int, size: int, digest: bytes
) -> IndexDocument:
    """An article, and the state of the file it was read from, as the writer takes it."""
    tag_keys = [exact_key(t) for t in article.tags]
    author_keys = [exact_key(a) for a in article.authors]
    texts = {
        "title": article.title,
        "teaser": article.teaser,
        "captions": "\n".join(article.captions),
        "body": body_text(article.blocks),
        "tags": "\n".join(article.tags),
        "authors": "\n".join(article.authors),
    }
    date = dt.datetime.combine(article.date, dt.time()) if article.date else None
    stored = {
        "id": article.id,
        "path": path,
        "source": article.source,
        "title": article.title,
        "teaser": article.teaser,
        "body": texts["body"],
        "captions": list(article.captions),
        "tags": list(article.tags),
        "authors": list(article.authors),
        "kicker": article.kicker,
        "headline": article.headline,
        "uri": article.uri,
        "links": [(link.number, link.target) for link in article.links],
        "related": [(r.title, r.teaser) for r in article.related],
        **({"date": date} if date else {}),
    }
    exact = {
        "id": article.id,
        "path": path,
        "tag_key": ",".join(tag_keys),
        "author_key": ",".join(author_keys),
        **({"date": date} if date else {}),
    }
    columns = {
        "id": article.id,
        "path": path,
        "mtime": mtime,
        "size": size,
        "digest": digest,
        "facet_keys": facet_keys(tag_keys, author_keys),
        **({"date": date} if date else {}),
    }
    content = tuple((FIELD_WEIGHTS[name], texts[name]) for name in TEXT_FIELDS)
    return IndexDocument(content, exact, stored, columns)


def article_from_stored(stored: dict[str, Any]) -> Article:
    """Rebuild an Article from a hit's stored fields, without the file."""
    date = stored.get("date")
    return Article(
        id=stored["id"],
        path=stored["path"],
        source=stored.get("source", ""),
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
