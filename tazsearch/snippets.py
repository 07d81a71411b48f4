"""Snippets: the passages of an article that match a query best, with highlights.

An article is read passage by passage: each paragraph that may hold a query
word is split into sentences, and each sentence that may hold one is
analysed. An article longer than :data:`LONG_TEXT`, or a paragraph longer
than :data:`LONG_PARAGRAPH`, would take seconds that way (a file may hold
megabytes in one line); such text is read in windows instead. The query's
words are located in a folded copy of the text by regular expressions, which
run at C speed, and only windows of about :data:`WINDOW` characters each side
of their first occurrences are analysed, so the cost is bounded whatever the
text. No article of the corpus is that long, so their snippets are as before.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

import numpy as np

from .analysis import analyze, fold_spelt_umlauts, strip_accents
from .fields import HEADING_MARK
from .marks import TextMarks
from .results import Snippet, Span

MAX_SNIPPETS = 3
SNIPPET_CHARS = 240
# A sentence ends at . ! ? or … (maybe followed by a closing quote) before a
# capital, digit or opening quote; not after a digit, as in "21. Dezember".
_SENTENCE_END_RE = re.compile(r"(?:(?<=[^\d\s][.!?…])|(?<=[.!?…][\"“”»']))\s+(?=[A-ZÄÖÜ0-9„\"»(])")
# Texts read in windows: an article longer than this (the longest of the
# 29,053 in the corpus has 334,164 characters) ...
LONG_TEXT = 400_000
# ... and a paragraph longer than this (the corpus's longest has 2,503).
LONG_PARAGRAPH = 20_000
# Characters of a window each side of a located word.
WINDOW = 300
# In a long text, the query's terms of most weight that are located, ...
MAX_LOCATED_TERMS = 8
# ... the first occurrences of each that are located, ...
MAX_OCCURRENCES = 50
# ... and the windows analysed, those with the most weight of terms.
MAX_WINDOWS = 8
# Characters of a long paragraph searched for its first sentence, when no
# query word is in the article's text (the hit matched its title or tags).
FIRST_SENTENCE_CHARS = 2 * SNIPPET_CHARS
PARAGRAPH_BREAK = "\n\n"
Wanted = TextMarks | Collection[str]
"""What is marked: a query's marks, or terms marked wherever they are."""


def match_spans(text: str, wanted: Wanted) -> list[Span]:
    """Character spans of the words in ``text`` that are marked (see :mod:`tazsearch.marks`).

    Overlapping spans merge, and so do parts of one compound that both
    matched, so "Ukraine-Krieg" is marked as one word.
    """
    matched = TextMarks.of(wanted).matched(list(analyze(text)))
    return _merged(text, [(t.start, t.end) for t in matched])


def title_spans(text: str, wanted: Wanted, weights: dict[str, float]) -> list[Span]:
    """:func:`match_spans`, for a text that may be megabytes long (a title of one
    giant line): beyond :data:`LONG_PARAGRAPH` characters, only its windows are
    analysed, so only the first occurrences of its words are marked."""
    if len(text) <= LONG_PARAGRAPH:
        return match_spans(text, wanted)
    marks = TextMarks.of(wanted)
    return [
        (start + s, start + e)
        for start, end in located_windows(text, marks.terms, weights)
        for s, e in match_spans(text[start:end], marks)
    ]


def _fold_table() -> dict[int, str]:
    """Lower case without accents for Latin letters, and a space for typographic punctuation."""
    table = {cp: strip_accents(chr(cp).lower()) for cp in range(0x250)}
    table.update(dict.fromkeys(range(0x2000, 0x2070), " "))
    return table


_FOLD = _fold_table()
# Characters below this (Latin, Greek, Cyrillic) are folded one for one in long texts.
_FOLDED_BELOW = 0x530


def _same_length_fold_table() -> np.ndarray:
    """Each character below _FOLDED_BELOW as the first character of its folded form:
    lower case without accents, and "ß" as one "s"."""
    codes = np.arange(_FOLDED_BELOW, dtype=np.uint32)
    for cp in range(_FOLDED_BELOW):
        folded = strip_accents(chr(cp).lower())
        if folded:
            codes[cp] = ord(folded[0])
    return codes


_SAME_LENGTH_FOLD = _same_length_fold_table()


def may_match(text: str, wanted: Collection[str]) -> bool:
    """False if no word of ``text`` can have a wanted term; cheap, to skip analysing it.

    A German stem is the start of its word once case and accents are folded
    ("soldat" in "Soldaten", "haus" in "Häuser"), and a compound's part is in
    it, so a term that is not in the folded text is not in the text. Numbers
    lose their thousands dots as terms, so text with digits is always analysed.
    The stemmer reads "ue" as "ü" in some words, so that spelling is folded too.
    """
    folded = text.translate(_FOLD)
    if not folded.isascii():  # Letters beyond Latin: fold them the slow way.
        folded = strip_accents(folded.lower())
    refolded = fold_spelt_umlauts(folded)
    return any(t in folded or t in refolded or t[:1].isdigit() for t in wanted)


def fold_in_place(text: str) -> str:
    """``text`` in lower case without accents, one character for one, so that an
    offset in it is the same offset in ``text``; in C and numpy, for megabytes."""
    if text.isascii():
        return text.lower()
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    small = codes < _FOLDED_BELOW
    folded = np.where(small, _SAME_LENGTH_FOLD[np.where(small, codes, 0)], codes)
    return folded.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")


@lru_cache(maxsize=4096)
def term_pattern(term: str) -> re.Pattern[str]:
    """Where ``term`` may start in text folded by :func:`fold_in_place`.

    As in :func:`may_match`, a stem is the start of its folded word, and a
    part is inside it; "a", "o" and "u" may be spelt "ae", "oe" and "ue", "ss"
    may be "ß" (folded to one "s"), and digits may have thousands dots.
    """
    pieces, i = [], 0
    while i < len(term):
        if term.startswith("ss", i):
            pieces.append("ss?")
            i += 2
            continue
        char = term[i]
        piece = re.escape(char)
        if char in "aou":
            piece += "e?"
        elif char.isdigit() and term[i + 1 : i + 2].isdigit():
            piece += r"\.?"
        pieces.append(piece)
        i += 1
    return re.compile("".join(pieces))


class _Located(NamedTuple):
    start: int
    end: int
    term: str


def _locate(text: str, terms: Collection[str], weights: dict[str, float]) -> list[_Located]:
    """The first occurrences of the weightiest terms in ``text``, in text order."""
    folded = fold_in_place(text)
    chosen = sorted(terms, key=lambda t: (-weights.get(t, 1.0), t))[:MAX_LOCATED_TERMS]
    found = [
        _Located(m.start(), m.end(), term)
        for term in chosen
        for m in islice(term_pattern(term).finditer(folded), MAX_OCCURRENCES)
    ]
    return sorted(found)


def _window(text: str, hit: _Located, after: int) -> tuple[int, int]:
    """WINDOW characters each side of a hit, within its paragraph, in whole words,
    and starting at ``after`` or later."""
    start = max(after, hit.start - WINDOW)
    end = min(len(text), hit.end + WINDOW)
    paragraph = text.rfind(PARAGRAPH_BREAK, start, hit.start)
    if paragraph != -1:
        start = paragraph + len(PARAGRAPH_BREAK)
    elif start > 0 and not text[start - 1].isspace():
        space = text.find(" ", start, hit.start)
        start = space + 1 if space != -1 else start
    paragraph = text.find(PARAGRAPH_BREAK, hit.end, end)
    if paragraph != -1:
        end = paragraph
    elif end < len(text) and not text[end].isspace():
        space = text.rfind(" ", hit.end, end)
        end = space if space != -1 else end
    return start, end


def located_windows(
    text: str,
    terms: Collection[str],
    weights: dict[str, float] | None = None,
    *,
    max_windows: int = MAX_WINDOWS,
) -> list[tuple[int, int]]:
    """Spans of ``text`` that hold its first occurrences of ``terms``, in text order.

    Text up to :data:`LONG_PARAGRAPH` characters is one span, whole. In a
    longer one, each located occurrence of a term gets a window, windows do
    not overlap or cross paragraphs, and the ``max_windows`` of them whose
    distinct terms weigh most (the first of equal ones) are kept. Located
    words may not be terms of the text; analysing the spans tells.
    """
    if len(text) <= LONG_PARAGRAPH:
        return [(0, len(text))] if text else []
    weights = weights or {}
    windows: list[tuple[int, int, set[str]]] = []
    for hit in _locate(text, terms, weights):
        if windows and hit.start < windows[-1][1]:
            windows[-1][2].add(hit.term)
            continue
        start, end = _window(text, hit, windows[-1][1] if windows else 0)
        windows.append((start, end, {hit.term}))
    best = sorted(windows, key=lambda w: (-sum(weights.get(t, 1.0) for t in w[2]), w[0]))
    return sorted((start, end) for start, end, _ in best[:max_windows])


def _merged(text: str, spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or text[merged[-1][1] : start] == "-"):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _paragraphs(teaser: str, body: str) -> Iterator[str]:
    """The teaser, then the body's paragraphs, without heading marks, one at a time."""
    yield _unmarked(teaser)
    start = 0
    while True:
        end = body.find(PARAGRAPH_BREAK, start)
        yield _unmarked(body[start:] if end == -1 else body[start:end])
        if end == -1:
            return
        start = end + len(PARAGRAPH_BREAK)


def _unmarked(paragraph: str) -> str:
    return paragraph[len(HEADING_MARK) :] if paragraph.startswith(HEADING_MARK) else paragraph


def _sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE_END_RE.split(paragraph) if s.strip()]


def _clip(text: str, spans: list[Span], before: bool = False, after: bool = False) -> Snippet:
    """Cut a long passage to a window around its first highlighted word.

    ``before`` and ``after`` say that the passage is itself cut from a longer
    one, which the snippet then shows with "…" as well.
    """
    if len(text) <= SNIPPET_CHARS and not (before or after):
        return Snippet(text, spans)
    start, end = 0, len(text)
    if len(text) > SNIPPET_CHARS:
        first = spans[0][0] if spans else 0
        start = max(0, min(first - SNIPPET_CHARS // 3, len(text) - SNIPPET_CHARS))
        start = text.rfind(" ", 0, start) + 1 if start else 0
        end = start + SNIPPET_CHARS
        end = text.find(" ", end) if text.find(" ", end) != -1 else len(text)
    prefix = "… " if start or before else ""
    suffix = " …" if end < len(text) or after else ""
    shift = len(prefix) - start
    inside = [(s + shift, e + shift) for s, e in spans if s >= start and e <= end]
    return Snippet(prefix + text[start:end] + suffix, inside)


class _Passage(NamedTuple):
    """A passage that matched, with what ranks it: its score, negated, and its place."""

    rank: float
    place: tuple[int, int, int]  # paragraph, offset of its window, sentence
    text: str
    spans: list[Span]
    before: bool = False  # cut from a longer text at its start
    after: bool = False  # or at its end


def _scored(
    passage: str, wanted: TextMarks, weights: dict[str, float], place: tuple[int, int, int]
) -> _Passage | None:
    """A passage's score: the weights of the distinct terms it holds, plus a little
    for each repeated match, so that passages with many different query words win
    over ones repeating one word."""
    matches = wanted.matched(list(analyze(passage)))
    if not matches:
        return None
    distinct = {t.text for t in matches}
    repeats = len(matches) - len(distinct)
    score = sum(weights.get(t, 1.0) for t in distinct) + 0.1 * repeats
    return _Passage(-score, place, passage, [(t.start, t.end) for t in matches])


def _paragraph_passages(
    paragraph: str, wanted: TextMarks, weights: dict[str, float], number: int
) -> Iterator[_Passage]:
    """The matching sentences of a paragraph of ordinary length."""
    if not may_match(paragraph, wanted.terms):
        return
    for order, sentence in enumerate(_sentences(paragraph)):
        if may_match(sentence, wanted.terms):
            found = _scored(sentence, wanted, weights, (number, 0, order))
            if found:
                yield found


def _window_passages(
    text: str, wanted: TextMarks, weights: dict[str, float], number: int
) -> Iterator[_Passage]:
    """The matching sentences of the windows of a long text, the first and last of a
    window marked as cut where the window cuts a paragraph."""
    for start, end in located_windows(text, wanted.terms, weights):
        at_paragraph_start = start == 0 or (
            start >= len(PARAGRAPH_BREAK) and text.startswith(PARAGRAPH_BREAK, start - 2)
        )
        if at_paragraph_start and text.startswith(HEADING_MARK, start):
            start += len(HEADING_MARK)
        sentences = _sentences(text[start:end])
        for order, sentence in enumerate(sentences):
            found = _scored(sentence, wanted, weights, (number, start, order))
            if found:
                before = order == 0 and not at_paragraph_start
                after = (
                    order == len(sentences) - 1
                    and end < len(text)
                    and not text.startswith(PARAGRAPH_BREAK, end)
                )
                yield found._replace(before=before, after=after)


def _first_passage(teaser: str, body: str) -> Snippet | None:
    """The article's first sentence, for a hit whose text holds no query word."""
    for paragraph in _paragraphs(teaser, body):
        cut = len(paragraph) > LONG_PARAGRAPH
        sentences = _sentences(paragraph[:FIRST_SENTENCE_CHARS] if cut else paragraph)
        if sentences:
            return _clip(sentences[0], [], after=cut and len(sentences) == 1)
    return None


def make_snippets(
    teaser: str, body: str, marks: Wanted, weights: dict[str, float]
) -> list[Snippet]:
    """The 1 to 3 passages that match best, best first.

    A passage scores the weights of the distinct terms it holds, plus a little
    for each repeated match, so that passages with many different query words
    win over ones repeating one word. Long texts are read in windows.
    """
    wanted = TextMarks.of(marks)
    scored: list[_Passage] = []
    if len(teaser) + len(body) > LONG_TEXT:
        scored += _window_passages(f"{teaser}{PARAGRAPH_BREAK}{body}", wanted, weights, 0)
    else:
        for number, paragraph in enumerate(_paragraphs(teaser, body)):
            if len(paragraph) > LONG_PARAGRAPH:
                scored += _window_passages(paragraph, wanted, weights, number)
            else:
                scored += _paragraph_passages(paragraph, wanted, weights, number)
    if not scored:
        first = _first_passage(teaser, body)
        return [first] if first else []
    best = sorted(scored, key=lambda p: (p.rank, p.place))[:MAX_SNIPPETS]
    return [_clip(p.text, _merged(p.text, p.spans), p.before, p.after) for p in best]
