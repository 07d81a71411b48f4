"""Query strings to Whoosh queries: German words, ranking tiers, questions, highlights.

Before it is parsed, a query is held to fixed limits (:func:`limit_query`),
so that its cost is bounded whatever it holds: at most
:data:`MAX_QUERY_WORDS` words, each at most :data:`MAX_WORD_CHARS` letters
long. A cut always comes with a note for the results.
"""

from __future__ import annotations

import os
import re
import traceback
import unicodedata
from collections.abc import Iterator
from itertools import islice
from typing import Any, NamedTuple

from whoosh import query as wq
from whoosh.qparser import AndGroup, FieldAliasPlugin, GtLtPlugin, OrGroup, QueryParser
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.searching import Searcher

from .analysis import QueryWord, query_words, strip_accents
from .errors import QuerySyntaxError
from .german import QUESTION_OPENERS, QUESTION_WORDS
from .schema import TEXT_FIELDS, GermanText
from .sections import Expander, InSection, in_content

DEFAULT_FIELD = "content"
FIELD_ALIASES = {"tags": ["tag"], "authors": ["author"]}
# How much matching all parts of a query compound counts against the whole word.
PART_BOOST = 0.5
# "?", "!" and the like after a word are punctuation, not Whoosh's wildcards.
_WORD_END_PUNCTUATION_RE = re.compile(r"(?<=\w)[?!.,;]+(?=\s|$)")
# A query searches its first this many words (runs of characters between spaces).
MAX_QUERY_WORDS = 64
# A word, a run of letters and digits, is searched for its first this many
# characters: no German word in the index is longer.
MAX_WORD_CHARS = 64
# How much of a cut word a note shows.
NOTE_WORD_CHARS = 20
_QUERY_WORD_RE = re.compile(r"\S+")
_LONG_WORD_RE = re.compile(rf"[^\W_]{{{MAX_WORD_CHARS + 1},}}")


class LimitedQuery(NamedTuple):
    """A query's text as it is searched, in NFC and within the limits, and a note
    for each cut."""

    text: str
    notes: list[str]


def limit_query(text: str) -> LimitedQuery:
    """The query held to :data:`MAX_QUERY_WORDS` words of :data:`MAX_WORD_CHARS`.

    Text in another Unicode form, such as "München" typed with a combining
    diaeresis, is the same text in NFC, the form of the index: that is no cut.
    """
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    notes = []
    words = list(islice(_QUERY_WORD_RE.finditer(text), MAX_QUERY_WORDS + 1))
    if len(words) > MAX_QUERY_WORDS:
        text = text[: words[MAX_QUERY_WORDS - 1].end()]
        notes.append(
            f"the query has more than {MAX_QUERY_WORDS} words; "
            f"only the first {MAX_QUERY_WORDS} were searched"
        )

    def cut(match: re.Match[str]) -> str:
        word = match.group()
        notes.append(
            f"{word[:NOTE_WORD_CHARS]}… is {len(word):,} characters long; "
            f"only its first {MAX_WORD_CHARS} were searched"
        )
        return word[:MAX_WORD_CHARS]

    return LimitedQuery(_LONG_WORD_RE.sub(cut, text), notes)


class GermanQueryParser(QueryParser):
    """Whoosh's query parser, with German words matched whole or by their parts.

    A word that is a compound ("Ukrainekrieg", "Ukraine-Krieg") matches the
    whole word or, weighed less, all of its parts, so it also finds "Krieg in
    der Ukraine". Words in ``drop`` (question words, in a question) are left out.
    """

    def __init__(self, schema: Any, group: Any, drop: frozenset[str] = frozenset()) -> None:
        super().__init__(DEFAULT_FIELD, schema, group=group)
        self.drop = drop
        self.combine = wq.And if group is AndGroup else wq.Or
        self.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
        self.add_plugin(GtLtPlugin())
        self.add_plugin(DateParserPlugin(free=False))

    def term_query(
        self,
        fieldname: str,
        text: str,
        termclass: Any,
        boost: float = 1.0,
        tokenize: bool = True,
        removestops: bool = True,
    ) -> wq.Query | None:
        field = self.schema[fieldname] if fieldname in self.schema else None  # noqa: SIM401
        if not (isinstance(field, GermanText) and termclass is wq.Term and tokenize):
            return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
        alternatives = [self._word(fieldname, w, boost) for w in query_words(text, self.drop)]
        if len(alternatives) > 1:
            return self.combine(alternatives)
        return alternatives[0] if alternatives else None

    @staticmethod
    def _word(fieldname: str, word: QueryWord, boost: float) -> wq.Query:
        whole = wq.Term(fieldname, word.term, boost=boost)
        if not word.parts:
            return whole
        parts = wq.And([wq.Term(fieldname, p) for p in word.parts], boost=boost * PART_BOOST)
        return wq.Or([whole, parts])


def is_question(text: str) -> bool:
    """A question ends in "?" or opens with a question word ("Wie viele Soldaten ...")."""
    words = text.split(maxsplit=1)
    return text.rstrip().endswith("?") or bool(words and words[0].lower() in QUESTION_OPENERS)


def _fold_patterns(q: wq.Query) -> wq.Query:
    """Lower-case and fold the text of prefix and wildcard queries, as the index is."""
    if isinstance(q, (wq.Prefix, wq.Wildcard)):
        return q.__class__(q.fieldname, strip_accents(q.text.lower()), boost=q.boost)
    return q.apply(_fold_patterns)


def _check(q: wq.Query, text: str) -> wq.Query:
    for leaf in q.leaves() if q.children() else [q]:
        if isinstance(leaf, wq.qcore._NullQuery) and getattr(leaf, "error", None):
            raise QuerySyntaxError(f"cannot read {leaf.error!r} in the query {text!r}")
    if q is wq.NullQuery or isinstance(q, wq.qcore._NullQuery):
        raise QuerySyntaxError(
            f"nothing to search for in {text!r}: stop words and punctuation are not indexed"
        )
    return _fold_patterns(q)


def _is_free_text(q: wq.Query) -> bool:
    """A word or phrase without a field prefix: what the relaxed query may leave out."""
    leaves = q.leaves() if q.children() else [q]
    return all(getattr(leaf, "fieldname", None) == DEFAULT_FIELD for leaf in leaves)


def _raised_by_whoosh(exc: BaseException) -> bool:
    """Whether an exception comes from inside Whoosh's query parser, not from our code.

    Whoosh raises bare Exceptions for bad dates and IndexErrors for operators
    without operands ("NOT AND a"); both mean a query it cannot read.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and f"{os.sep}whoosh{os.sep}" in frames[-1].filename


def parse_query(schema: Any, text: str) -> list[wq.Query]:
    """The ranking tiers of a query, each searching the ``content`` field alone."""
    return [in_content(tier, schema) for tier in _tiers(schema, text)]


def _tiers(schema: Any, text: str) -> list[wq.Query]:
    """The ranking tiers of a query: hits of an earlier tier rank above later ones.

    A keyword query has two tiers: every word required, then any word. The
    second keeps every field prefix, date range, NOT and explicit AND. A
    question has the second tier alone and leaves out its question words.
    The text is first held to the limits of :func:`limit_query`.
    """
    text = limit_query(text).text
    question = is_question(text)
    drop = QUESTION_WORDS | QUESTION_OPENERS if question else frozenset()
    cleaned = _WORD_END_PUNCTUATION_RE.sub(" ", text)
    try:
        strict = GermanQueryParser(schema, AndGroup, drop).parse(cleaned)
        loose = GermanQueryParser(schema, OrGroup, drop).parse(cleaned)
    except Exception as exc:
        if not _raised_by_whoosh(exc):
            raise
        reason = str(exc) if type(exc) in (Exception, ValueError) else "unbalanced operators"
        raise QuerySyntaxError(f"cannot read the query {text!r}: {reason}") from exc
    strict = _check(strict, text)
    if not isinstance(loose, wq.Or):
        return [strict]
    parts = loose.subqueries
    negatives = [c.query for c in parts if isinstance(c, wq.Not)]
    optional = [c for c in parts if not isinstance(c, wq.Not) and _is_free_text(c)]
    required = [c for c in parts if not isinstance(c, wq.Not) and not _is_free_text(c)]
    if len(optional) < 2:
        return [strict]
    relaxed: wq.Query = wq.And([*required, wq.Or(optional)]) if required else wq.Or(optional)
    if negatives:
        relaxed = wq.AndNot(relaxed, wq.Or(negatives))
    relaxed = _fold_patterns(relaxed)
    return [relaxed] if question else [strict, relaxed]


def _positive_leaves(q: wq.Query) -> Iterator[wq.Query]:
    if isinstance(q, wq.Not):
        return
    if isinstance(q, wq.AndNot):
        yield from _positive_leaves(q.a)
        return
    children = list(q.children())
    if not children:
        yield q
    for child in children:
        yield from _positive_leaves(child)


def highlight_terms(q: wq.Query, searcher: Searcher, expander: Expander | None = None) -> set[str]:
    """The index terms a hit's text should be highlighted for (nothing under NOT).

    A prefix or wildcard is highlighted for the terms it was searched for:
    ``expander`` is the query's own, or else one with the same limits.
    """
    reader = searcher.reader()
    expander = expander or Expander(reader)
    wanted = {DEFAULT_FIELD, *TEXT_FIELDS}
    found = set()
    for leaf in _positive_leaves(q):
        if isinstance(leaf, wq.MultiTerm):
            pairs = [(leaf.fieldname, text) for text in expander.terms(leaf)]
        elif isinstance(leaf, InSection):
            continue  # Whoosh finds no terms under a field range: not highlighted.
        else:
            pairs = leaf.existing_terms(reader, phrases=True, expand=True)
        for fieldname, text in pairs:
            if fieldname in wanted:
                found.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return found
