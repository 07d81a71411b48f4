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

Numbers keep their digits: "1.500" and "1500" are one term.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

import Stemmer
from whoosh.analysis import Token, Tokenizer
from whoosh.lang.stopwords import stoplists

# A piece is a number with separators ("1.500", "3,5") or a run of word
# characters; a word is pieces joined by hyphens ("Covid-19", "Ukraine-Krieg").
_PIECE = r"\d+(?:[.,]\d+)+|[^\W_]+"
WORD_RE = re.compile(rf"(?:{_PIECE})(?:-(?:{_PIECE}))*")
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_NUMBER_RE = re.compile(r"\d[\d.,]*")
_UMLAUT_SPELLINGS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_UMLAUT_FOLDS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
# Soft hyphens and invisible joiners split words without being seen.
_INVISIBLES = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_HYPHENS = str.maketrans("\u2010\u2011", "--")


def _stop_words() -> frozenset[str]:
    """Snowball's German stop words, in every spelling a user may type them."""
    words = set(stoplists["de"])
    for word in list(words):
        words.add(word.translate(_UMLAUT_SPELLINGS))
        words.add(word.translate(_UMLAUT_FOLDS))
    return frozenset(words)


STOP_WORDS = _stop_words()
_stemmer = Stemmer.Stemmer("german")
_term_cache: dict[str, str | None] = {}
_TERM_CACHE_LIMIT = 500_000


def strip_accents(text: str) -> str:
    """Fold umlauts and ß to their base letters and drop other accents."""
    text = text.translate(_UMLAUT_FOLDS)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_word(word: str) -> str | None:
    """The index term for one word without hyphens, or None for a stop word."""
    term = _term_cache.get(word)
    if term is not None or word in _term_cache:
        return term
    lower = word.lower()
    if lower in STOP_WORDS:
        term = None
    elif _NUMBER_RE.fullmatch(lower):
        term = lower.replace(".", "") if _THOUSANDS_RE.fullmatch(lower) else lower
    else:
        term = strip_accents(_stemmer.stemWord(lower))
    if len(_term_cache) >= _TERM_CACHE_LIMIT:
        _term_cache.clear()
    _term_cache[word] = term
    return term


class Term(NamedTuple):
    """One index term and where it stands in the analysed text."""

    text: str
    pos: int
    start: int
    end: int


def analyze(text: str, *, query: bool = False, start_pos: int = 0) -> Iterator[Term]:
    """Yield the terms of ``text``; word positions count from ``start_pos``.

    Stop words take no position, so phrases match across them. With ``query``
    a hyphenated compound yields only its joined form.
    """
    text = text.translate(_INVISIBLES).translate(_HYPHENS)
    pos = start_pos
    for match in WORD_RE.finditer(text):
        word = match.group()
        start = match.start()
        if "-" not in word:
            term = normalize_word(word)
            if term is not None:
                yield Term(term, pos, start, match.end())
                pos += 1
            continue
        parts = word.split("-")
        joined = normalize_word("".join(parts))
        emitted = False
        if not query:
            offset = start
            for part in parts:
                term = normalize_word(part)
                if term is not None and term != joined:
                    yield Term(term, pos, offset, offset + len(part))
                    emitted = True
                offset += len(part) + 1
        if joined is not None:
            yield Term(joined, pos, start, match.end())
            emitted = True
        if emitted:
            pos += 1


def terms(text: str, *, query: bool = False) -> list[str]:
    """The term texts of ``text`` in order, as a list."""
    return [term.text for term in analyze(text, query=query)]


class GermanAnalyzer(Tokenizer):
    """Whoosh's face of :func:`analyze`, used by every text field.

    It is a single tokenizer rather than a chain of filters, so each word
    passes through Python once.
    """

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.stopped = False
        token.boost = 1.0
        if not tokenize:
            # Whoosh asks for this with terms that are already analysed.
            token.text = token.original = value
            token.pos = start_pos
            token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for term in analyze(value, query=mode == "query", start_pos=start_pos):
            token.text = term.text
            if keeporiginal:
                token.original = value[term.start : term.end]
            if positions:
                token.pos = term.pos
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token
