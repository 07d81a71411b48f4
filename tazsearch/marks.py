"""What a hit's text is marked for: the words of the query that matched, as they matched.

A text's word is marked when it holds a whole word of the query (the word
itself, or the word as a part of a compound: "Truppenentsendung" for
"Entsendung"), a term a prefix, wildcard or fuzzy word stood for, or when it
is part of an occurrence of a phrase of the query. A compound's parts, which
the query also searches for ("Klima" and "Wandel" for "Klimawandel"), mark
nothing by themselves: "Klimakrise" has nothing to do with "Klimawandel". A
word under a field prefix marks that field's text only, and nothing under
``-`` or ``NOT`` is marked.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .analysis import Term as Token
from .fields import CONTENT
from .queries import AllOf, AnyOf, ButNot, Expansion, Phrase, Query, Scored, Term

if TYPE_CHECKING:
    from .matching import Evaluation

PhraseMark = tuple[tuple[str, ...], "int | None"]  # terms, and the slop of a proximity


@dataclass(frozen=True)
class TextMarks:
    """The marks of one text (a title, or a teaser and body): its words, and its
    phrases with their slop (None for words in a row)."""

    words: frozenset[str] = frozenset()
    phrases: tuple[PhraseMark, ...] = ()

    @classmethod
    def of(cls, marks: TextMarks | Collection[str]) -> TextMarks:
        """Marks as given, or for a collection of terms, each marked wherever it is."""
        return marks if isinstance(marks, TextMarks) else cls(frozenset(marks))

    @property
    def terms(self) -> frozenset[str]:
        """Every term that may be marked: what a text must hold to be worth analysing."""
        return self.words.union(*(terms for terms, _ in self.phrases))

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)

    def matched(self, tokens: list[Token]) -> list[Token]:
        """The tokens of an analysed text that are marked, in text order."""
        found = {i for i, t in enumerate(tokens) if t.text in self.words}
        for terms, slop in self.phrases:
            found.update(_occurrences(tokens, terms, slop))
        return [tokens[i] for i in sorted(found)]


@dataclass(frozen=True)
class Marks:
    """A query's marks, by the field they belong to (None: every field)."""

    words: frozenset[tuple[str | None, str]] = frozenset()
    phrases: frozenset[tuple[str | None, PhraseMark]] = frozenset()

    def in_fields(self, *fields: str) -> TextMarks:
        """The marks of a text made of these fields."""
        chosen = {None, *fields}
        return TextMarks(
            frozenset(term for section, term in self.words if section in chosen),
            tuple(
                sorted(
                    (mark for section, mark in self.phrases if section in chosen),
                    key=_phrase_order,
                )
            ),
        )

    @classmethod
    def of(cls, q: Query, ev: Evaluation) -> Marks:
        words: set[tuple[str | None, str]] = set()
        phrases: set[tuple[str | None, PhraseMark]] = set()
        for node in _positive(q):
            if isinstance(node, Term) and node.marked and node.field == CONTENT:
                words.add((node.section, node.text))
            elif isinstance(node, Expansion):
                words.update((node.section, t.text) for t in node.terms(ev))
            elif isinstance(node, Phrase):
                phrases.add((node.section, (node.terms, node.slop)))
        return cls(frozenset(words), frozenset(phrases))


def _phrase_order(mark: PhraseMark) -> tuple[tuple[str, ...], int]:
    """A fixed order for phrase marks: words in a row (slop None) before proximities."""
    terms, slop = mark
    return terms, -1 if slop is None else slop


def _positive(q: Query) -> Iterator[Query]:
    """The parts of ``q`` that count for a match, not those it excludes."""
    if isinstance(q, ButNot):
        yield from _positive(q.positive)
    elif isinstance(q, (AllOf, AnyOf)):
        for child in q.children:
            yield from _positive(child)
    elif isinstance(q, Scored):
        yield from _positive(q.must)
        yield from _positive(q.should)
    else:
        yield q


def _occurrences(tokens: list[Token], terms: tuple[str, ...], slop: int | None) -> Iterable[int]:
    """The tokens of every occurrence of the phrase in the text."""
    at: dict[int, list[int]] = defaultdict(list)  # position -> tokens there
    for i, token in enumerate(tokens):
        if token.text in terms:
            at[token.pos].append(i)
    if slop is None:
        return _in_a_row(tokens, at, terms)
    return _near(tokens, at, terms, slop)


def _in_a_row(tokens: list[Token], at: dict[int, list[int]], terms: tuple[str, ...]) -> set[int]:
    found: set[int] = set()
    for start in at:
        chosen = []
        for offset, term in enumerate(terms):
            here = [i for i in at.get(start + offset, ()) if tokens[i].text == term]
            if not here:
                break
            chosen += here
        else:
            found.update(chosen)
    return found


def _near(
    tokens: list[Token], at: dict[int, list[int]], terms: tuple[str, ...], slop: int
) -> set[int]:
    """Tokens of every window of at most ``len(terms) + slop`` positions holding each
    term as often as the phrase does."""
    needed = Counter(terms)
    positions = sorted(at)
    found: set[int] = set()
    for a, start in enumerate(positions):
        have: Counter[str] = Counter()
        chosen: list[int] = []
        for stop in positions[a:]:
            if stop - start + 1 > len(terms) + slop:
                break
            seen = {tokens[i].text for i in at[stop]}
            have.update(seen)
            chosen += at[stop]
            if all(have[t] >= n for t, n in needed.items()):
                found.update(chosen)
                break
    return found
