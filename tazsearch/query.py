"""Query strings to the engine's queries: German words, ranking tiers, questions, highlights.

A query is read by :mod:`tazsearch.querysyntax` into a tree of what it asks
for; here its words are analysed as the index's were, and the tree becomes
the ranking tiers of :mod:`tazsearch.queries`:

- A keyword query has two tiers when it has two free words or more (words,
  phrases, prefixes or fuzzy words without a field or ``+``): articles with
  every word first, then those with any. Field prefixes, dates, ``+``
  clauses and explicit ``AND`` groups must hold in both; ``-`` and ``NOT``
  clauses exclude in both. With a ``+`` clause, as in Lucene, the free words
  are optional: the second tier needs none of them, they only rank higher.
  The matches of a query are those of its last tier.
- A question (ending in ``?`` or opening with a question word) has the second
  tier alone, without its question words.
- A word that is a compound ("Ukrainekrieg", "Ukraine-Krieg") matches the
  whole word or, weighed less, all of its parts, so it also finds "Krieg in
  der Ukraine".

Before it is read, a query is held to fixed limits (:func:`limit_query`), so
that its cost is bounded: at most :data:`MAX_QUERY_WORDS` words of at most
:data:`MAX_WORD_CHARS` letters. A cut always comes with a note.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

from . import messages as m
from .analysis import MAX_WORD_CHARS, QueryWord, query_words, strip_accents
from .errors import QuerySyntaxError
from .german import QUESTION_OPENERS, QUESTION_WORDS
from .queries import AllOf, AnyOf, ButNot, DateSpan, Every, Expansion, Phrase, Query, Scored, Term
from .querysyntax import parse
from .querytree import Clause, Dates, Everything, Group, Node, Pattern, Word
from .querytree import Phrase as PhraseNode

# How much matching all parts of a query compound counts against the whole word.
PART_BOOST = 0.5
# A query searches its first this many words (runs of characters between spaces).
MAX_QUERY_WORDS = 64
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
        notes.append(m.Note(m.TOO_MANY_WORDS(limit=MAX_QUERY_WORDS)))

    def cut(match: re.Match[str]) -> str:
        word = match.group()
        start, length = word[:NOTE_WORD_CHARS], m.number(len(word))
        notes.append(m.Note(m.WORD_CUT(start=start, length=length, limit=MAX_WORD_CHARS)))
        return word[:MAX_WORD_CHARS]

    return LimitedQuery(_LONG_WORD_RE.sub(cut, text), notes)


def is_question(text: str) -> bool:
    """A question ends in "?" or opens with a question word ("Wie viele Soldaten ...")."""
    words = text.split(maxsplit=1)
    return text.rstrip().endswith("?") or bool(words and words[0].lower() in QUESTION_OPENERS)


@dataclass(frozen=True)
class ParsedQuery:
    """A query's ranking tiers (hits of an earlier tier rank above later ones), and
    notes on what was left out of it."""

    tiers: tuple[Query, ...]
    notes: tuple[str, ...] = ()

    @property
    def matches(self) -> Query:
        """The query whose matches are all the query's: its last tier."""
        return self.tiers[-1]


def parse_query(text: str) -> ParsedQuery:
    """The ranking tiers of a query string; :class:`QuerySyntaxError` if it cannot be read."""
    limited = limit_query(text).text
    tree = parse(limited)
    question = is_question(limited)
    compiler = _Compiler(QUESTION_WORDS | QUESTION_OPENERS if question else frozenset())
    required, optional, excluded = compiler.top(tree)
    if not (required or optional or excluded):
        raise QuerySyntaxError(m.NOTHING_TO_SEARCH(query=text))
    strict = _all([*required, *optional]) if required or optional else Every()
    tiers = [strict]
    if compiler.plus and optional:
        # "+Merkel Söder": Söder is optional, as in Lucene; it only ranks higher.
        tiers.append(Scored(_all(required), _any(optional)))
    elif len(_unique(optional)) >= 2:
        tiers.append(_all([*required, _any(optional)]))
    if excluded:
        negative = _any(excluded)
        tiers = [ButNot(tier, negative) for tier in tiers]
    return ParsedQuery(tuple(tiers[-1:] if question else tiers), tuple(compiler.notes))


def _all(queries: list[Query]) -> Query:
    queries = _unique(queries)
    return queries[0] if len(queries) == 1 else AllOf(tuple(queries))


def _any(queries: list[Query]) -> Query:
    queries = _unique(queries)
    return queries[0] if len(queries) == 1 else AnyOf(tuple(queries))


def _unique(queries: list[Query]) -> list[Query]:
    """The queries without repeats: a word asked for twice counts once."""
    return list(dict.fromkeys(queries))


def _is_free(node: Node) -> bool:
    """A word, phrase, prefix or fuzzy word without a field, or a group of only such
    joined by OR or side by side: what the second tier may leave out."""
    if isinstance(node, (Word, Pattern, PhraseNode)):
        return node.field is None
    if isinstance(node, Group):
        return not node.explicit and all(
            _is_free(c.node) and not (c.required or c.excluded) for c in node.clauses
        )
    return isinstance(node, Everything)


class _Compiler:
    """Turns a query's tree into the engine's queries, analysing its words."""

    def __init__(self, drop: frozenset[str]) -> None:
        self.drop = drop
        self.notes: list[str] = []
        self.plus = False  # whether a top clause is marked "+"

    def top(self, tree: Group) -> tuple[list[Query], list[Query], list[Query]]:
        """The top clauses: those required, those the second tier may leave out, and
        those excluded."""
        required: list[Query] = []
        optional: list[Query] = []
        excluded: list[Query] = []
        for clause in tree.clauses:
            query = self.node(clause.node)
            if query is None:
                self._left_out(clause)
                continue
            self.plus = self.plus or clause.required
            if clause.excluded:
                excluded.append(query)
            elif clause.required or not _is_free(clause.node):
                required.append(query)
            else:
                optional.append(query)
        return required, optional, excluded

    def _left_out(self, clause: Clause) -> None:
        if clause.required or clause.excluded:
            self.notes.append(m.Note(m.LEFT_OUT(part=_shown(clause.node))))

    def node(self, node: Node) -> Query | None:
        if isinstance(node, Word):
            return self.word(node)
        if isinstance(node, PhraseNode):
            return self.phrase(node)
        if isinstance(node, Pattern):
            return self.pattern(node)
        if isinstance(node, Dates):
            return DateSpan(node.start, node.end)
        if isinstance(node, Everything):
            return Every()
        return self.group(node)

    def group(self, group: Group) -> Query | None:
        musts: list[Query] = []
        shoulds: list[Query] = []
        excluded: list[Query] = []
        for clause in group.clauses:
            query = self.node(clause.node)
            if query is None:
                self._left_out(clause)
            elif clause.excluded:
                excluded.append(query)
            elif clause.required:
                musts.append(query)
            else:
                shoulds.append(query)
        positive: Query | None
        if group.all_:
            positive = _all([*musts, *shoulds]) if musts or shoulds else None
        elif musts:
            positive = Scored(_all(musts), _any(shoulds)) if shoulds else _all(musts)
        else:
            positive = _any(shoulds) if shoulds else None
        if positive is None:
            if not excluded:
                return None
            positive = Every()
        if group.boost != 1.0:
            positive = AllOf((positive,), boost=group.boost)
        if excluded:
            return ButNot(positive, _any(excluded))
        return positive

    def word(self, word: Word) -> Query | None:
        found = query_words(word.text, self.drop)
        section = _section(word.field)
        if word.fuzzy:
            label = f"{_label(word.text, word.field)}~{word.fuzzy}"
            parts: list[Query] = [
                Expansion("fuzzy", w.term, word.fuzzy, section, word.boost, label) for w in found
            ]
        else:
            parts = [_whole_or_parts(w, section, word.boost) for w in found]
        return _all(parts) if parts else None

    def phrase(self, phrase: PhraseNode) -> Query | None:
        terms = tuple(w.term for w in query_words(phrase.text))
        section = _section(phrase.field)
        if not terms:
            return None
        if len(terms) == 1:
            return Term(terms[0], section=section, boost=phrase.boost)
        return Phrase(terms, phrase.slop, section, phrase.boost)

    def pattern(self, pattern: Pattern) -> Query:
        folded = strip_accents(pattern.text.lower())
        label = _label(pattern.text, pattern.field)
        section = _section(pattern.field)
        body = folded[:-1]
        if folded.endswith("*") and "*" not in body and "?" not in body:
            return Expansion("prefix", body, 0, section, pattern.boost, label)
        return Expansion("wildcard", folded, 0, section, pattern.boost, label)


def _whole_or_parts(word: QueryWord, section: str | None, boost: float) -> Query:
    whole = Term(word.term, section=section, boost=boost)
    if not word.parts:
        return whole
    parts = tuple(Term(p, section=section, marked=False) for p in word.parts)
    return AnyOf((whole, AllOf(parts, boost=boost * PART_BOOST)))


def _section(field: str | None) -> str | None:
    """The field whose range of positions a field prefix searches; None for all."""
    return field if field not in (None, "date") else None


def _label(text: str, field: str | None) -> str:
    shown = {"tags": "tag", "authors": "author"}.get(field or "", field)
    return f"{shown}:{text}" if shown else text


def _shown(node: Node) -> str:
    if isinstance(node, (Word, Pattern)):
        return repr(_label(node.text, node.field))
    if isinstance(node, PhraseNode):
        return repr(f'"{node.text}"')
    return "a group"
