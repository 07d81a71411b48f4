"""The German analyzer: text in, index terms out.

One analyzer serves indexing and querying, so both sides always agree on what
a word becomes. A term is the Snowball German stem of the lower-cased word
with umlauts, ß and other accents folded, so "Südkorea", "Suedkorea" and
"Sudkorea" are one term, as are "Straße" and "Strasse".

A hyphenated compound such as "Ukraine-Krieg" is indexed as its parts and as
the joined word, all at the word's one position: "Ukraine", "Krieg",
"Ukraine-Krieg" and "Ukrainekrieg" then all find it, and phrases around it
still line up. At query time the compound becomes the joined word alone, which
every indexed compound carries.

A closed compound such as "Truppenentsendung" also yields the terms of its
parts ("Truppen", "Entsendung"; see :mod:`tazsearch.compounds`), marked as
parts so that the index can weigh them below a whole word.

Numbers keep their digits: "1.500" and "1500" are one term.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from array import array
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

import numpy as np
import Stemmer

from .arrays import range_indices
from .compounds import MIN_WORD, split_compound
from .german import STOP_WORDS, UMLAUT_FOLDS

# A piece is a number with separators ("1.500", "3,5") or a run of word
# characters; a word is pieces joined by hyphens ("Covid-19", "Ukraine-Krieg").
_PIECE = r"\d+(?:[.,]\d+)+|[^\W_]+"
WORD_RE = re.compile(rf"(?:{_PIECE})(?:-(?:{_PIECE}))*")
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_NUMBER_RE = re.compile(r"\d[\d.,]*")
# Soft hyphens and invisible joiners split words without being seen.
_INVISIBLES_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")

# A word is analysed for its first this many characters: no German word is
# longer, and analysing one of megabytes (a file of one line) would take minutes.
MAX_WORD_CHARS = 64
_stemmer = Stemmer.Stemmer("german")
# Words analysed are kept, the most recent this many of each kind: a corpus
# repeats its words, and stemming and splitting are the analyzer's cost.
_CACHE_LIMIT = 500_000


def strip_accents(text: str) -> str:
    """Fold umlauts and ß to their base letters and drop other accents."""
    text = text.translate(UMLAUT_FOLDS)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_spelt_umlauts(text: str) -> str:
    """ "ae", "oe" and "ue" as "a", "o" and "u", as strip_accents folds "ä", "ö" and "ü"."""
    return text.replace("ae", "a").replace("oe", "o").replace("ue", "u")


@lru_cache(maxsize=_CACHE_LIMIT)
def normalize_word(word: str) -> str | None:
    """The index term for one word without hyphens, or None for a stop word."""
    return _normalize(word)


def _normalize(word: str) -> str | None:
    lower = word.lower()
    if lower in STOP_WORDS:
        return None
    if lower[:1].isdigit() and _NUMBER_RE.fullmatch(lower):
        return lower.replace(".", "") if _THOUSANDS_RE.fullmatch(lower) else lower
    return strip_accents(_stemmer.stemWord(lower))


@lru_cache(maxsize=_CACHE_LIMIT)
def compound_parts(word: str) -> tuple[str, ...]:
    """The terms of the parts of a closed compound word, or ``()``."""
    return _parts(word, normalize_word(word))


def _parts(word: str, term: str | None) -> tuple[str, ...]:
    """The terms of the parts of ``word``, whose own term is ``term``."""
    folded = word.casefold()
    if not term or len(folded) < MIN_WORD or word[0].isdigit():
        return ()
    split = split_compound(folded)
    if not split:
        return ()
    terms = (normalize_word(part) for part in split)
    return tuple(dict.fromkeys(t for t in terms if t and t != term))


class Term(NamedTuple):
    """One index term and where it stands in the analysed text.

    ``part`` marks the part of a closed compound; its span is the whole word.
    """

    text: str
    pos: int
    start: int
    end: int
    part: bool = False


class QueryWord(NamedTuple):
    """One word of a query: its term, and the terms of its parts if it is a compound."""

    term: str
    parts: tuple[str, ...]


_WordTerms = tuple[tuple[str, int, int, bool], ...]


@lru_cache(maxsize=_CACHE_LIMIT)
def _word_terms(word: str) -> _WordTerms:
    """The index terms of one word, with their spans in it and whether each is a part.

    A hyphenated word's pieces come first, then compound parts, then the
    term of the whole word; a stop word has none.
    """
    pieces = word.split("-")
    term = normalize_word("".join(pieces) if len(pieces) > 1 else word)
    found = []
    offset = 0
    for piece in pieces:
        piece_term = normalize_word(piece) if len(pieces) > 1 else None
        if piece_term is not None and piece_term != term:
            found.append((piece_term, offset, offset + len(piece), False))
        found.extend((part, 0, len(word), True) for part in compound_parts(piece))
        offset += len(piece) + 1
    if term is not None:
        found.append((term, 0, len(word), False))
    return tuple(found)


def _clean(text: str) -> str:
    """``text`` in NFC, without invisible characters, and with every hyphen an ASCII one.

    NFC makes a query typed with combining marks ("Mu\u0308nchen") the word the
    index holds ("München"). Stored text is NFC already, so spans on it do not
    move; the check costs a scan, the normalisation only text that needs it.
    """
    if text.isascii():
        return text
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _INVISIBLES_RE.sub("", text).replace("\u2010", "-").replace("\u2011", "-")


def analyze(text: str, *, query: bool = False, start_pos: int = 0) -> Iterator[Term]:
    """Yield the terms of ``text``; word positions count from ``start_pos``.

    Stop words take no position, so phrases match across them. With ``query``
    a word yields its own term only: no hyphen or compound parts.
    """
    pos = start_pos
    for match in WORD_RE.finditer(_clean(text)):
        word = match.group()[:MAX_WORD_CHARS]
        start, end = match.span()
        if query:
            term = normalize_word(word.replace("-", ""))
            if term is None:
                continue
            yield Term(term, pos, start, end)
        else:
            found = _word_terms(word)
            if not found:
                continue
            for term, begin, stop, part in found:
                yield Term(term, pos, start + begin, start + stop, part)
        pos += 1


def _index_terms(word: str) -> tuple[tuple[str, bool], ...]:
    """A word's terms for indexing, each with whether it is a compound part.

    A word without hyphens, most of them, skips :func:`_word_terms`, whose
    character spans only highlighting needs, and the caches of whole words:
    the vocabulary keeps the outcome.
    """
    if "-" in word:
        return tuple((term, part) for term, _, _, part in _word_terms(word))
    term = _normalize(word)
    if term is None:
        return ()
    return (*((part, True) for part in _parts(word, term)), (term, False))


class IndexedWords(NamedTuple):
    """The terms of some texts, one entry per term occurrence, in text order.

    ``terms`` holds vocabulary numbers, the indexes of the terms in
    ``vocabulary``; ``positions`` counts the words of each text from 0, stop
    words left out; a word with several terms gives each of them its position.
    """

    terms: np.ndarray
    parts: np.ndarray  # whether each is a compound part
    texts: np.ndarray  # which of the texts each is in
    positions: np.ndarray
    vocabulary: list[str]  # the terms by number, a list only ever appended to
    generation: int  # the vocabulary's: its numbers change when this does


class Vocabulary:
    """The terms met while indexing, numbered, and the terms of each word met.

    Indexing analyses every word of every article, so a word is analysed the
    first time it is met only, and an article's words then become terms with
    a few array operations instead of a Python step per word. The numbers
    last until the vocabulary is full, when it starts again and
    ``generation`` counts up.
    """

    def __init__(self, limit: int = _CACHE_LIMIT) -> None:
        self.limit = limit
        self.generation = 0
        self._lock = threading.Lock()  # Threads indexing in one process share it.
        self._start()

    def _start(self) -> None:
        self.terms: list[str] = []  # by number
        self._numbers: dict[str, int] = {}
        self._entries: dict[str, int] = {}  # the number of each word's entry
        # Entry i's terms are _term_of[_first[i] : _first[i] + _count[i]].
        self._first = array("q")
        self._count = array("q")
        self._term_of = array("q")
        self._is_part = array("b")

    def analyse(self, texts: Sequence[str]) -> IndexedWords:
        """The terms of ``texts``."""
        with self._lock:
            return self._analyse(texts)

    def _analyse(self, texts: Sequence[str]) -> IndexedWords:
        if len(self._entries) >= self.limit:
            self._start()
            self.generation += 1
        words = [[w[:MAX_WORD_CHARS] for w in WORD_RE.findall(_clean(text))] for text in texts]
        every = list(chain.from_iterable(words))
        for word in set(every).difference(self._entries):
            self._add(word)
        numbers = np.array(list(map(self._entries.__getitem__, every)), dtype=np.int64)
        counts = np.frombuffer(self._count, dtype=np.int64)[numbers]
        text_of = np.repeat(np.arange(len(texts)), [len(w) for w in words])
        kept = counts > 0  # Stop words take no position.
        numbers, counts, text_of = numbers[kept], counts[kept], text_of[kept]
        ranks = np.arange(len(numbers)) - np.searchsorted(text_of, text_of)
        flat = range_indices(np.frombuffer(self._first, dtype=np.int64)[numbers], counts)
        return IndexedWords(
            np.frombuffer(self._term_of, dtype=np.int64)[flat],
            np.frombuffer(self._is_part, dtype=np.int8)[flat].astype(bool),
            np.repeat(text_of, counts),
            np.repeat(ranks, counts),
            self.terms,
            self.generation,
        )

    def _add(self, word: str) -> None:
        """Analyse a new word, and give it an entry."""
        self._entries[word] = len(self._first)
        found = _index_terms(word)
        self._first.append(len(self._term_of))
        self._count.append(len(found))
        for term, part in found:
            number = self._numbers.get(term)
            if number is None:
                number = self._numbers[term] = len(self.terms)
                self.terms.append(term)
            self._term_of.append(number)
            self._is_part.append(part)


def query_words(text: str, drop: frozenset[str] = frozenset()) -> list[QueryWord]:
    """The words of a query, each with the parts it may be matched by.

    A hyphenated word's parts are its pieces, a closed compound's parts its
    split. Words whose lower-case form is in ``drop`` are left out.
    """
    words = []
    for match in WORD_RE.finditer(_clean(text)):
        word = match.group()[:MAX_WORD_CHARS]
        if word.lower() in drop:
            continue
        pieces = word.split("-")
        term = normalize_word("".join(pieces))
        if term is None:
            continue
        if len(pieces) > 1:
            terms = (normalize_word(piece) for piece in pieces)
            parts = tuple(dict.fromkeys(t for t in terms if t and t != term))
        else:
            parts = compound_parts(word)
        words.append(QueryWord(term, parts))
    return words


def terms(text: str, *, query: bool = False) -> list[str]:
    """The term texts of ``text`` in order, as a list."""
    return [term.text for term in analyze(text, query=query)]
