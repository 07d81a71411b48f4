"""Snippets: the passages of an article that match a query best, with highlights."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .analysis import analyze, fold_spelt_umlauts, strip_accents
from .results import Snippet, Span
from .schema import HEADING_MARK

MAX_SNIPPETS = 3
SNIPPET_CHARS = 240
# A sentence ends at . ! ? or … (maybe followed by a closing quote) before a
# capital, digit or opening quote; not after a digit, as in "21. Dezember".
_SENTENCE_END_RE = re.compile(r"(?:(?<=[^\d\s][.!?…])|(?<=[.!?…][\"“”»']))\s+(?=[A-ZÄÖÜ0-9„\"»(])")


def match_spans(text: str, wanted: set[str]) -> list[Span]:
    """Character spans of the words in ``text`` whose terms are wanted.

    Overlapping spans merge, and so do parts of one compound that both
    matched, so "Ukraine-Krieg" is marked as one word.
    """
    return _merged(text, [(t.start, t.end) for t in analyze(text) if t.text in wanted])


def _fold_table() -> dict[int, str]:
    """Lower case without accents for Latin letters, and a space for typographic punctuation."""
    table = {cp: strip_accents(chr(cp).lower()) for cp in range(0x250)}
    table.update(dict.fromkeys(range(0x2000, 0x2070), " "))
    return table


_FOLD = _fold_table()


def may_match(text: str, wanted: set[str]) -> bool:
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


def _merged(text: str, spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or text[merged[-1][1] : start] == "-"):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _paragraphs(teaser: str, body: str) -> Iterator[str]:
    for paragraph in [teaser, *body.split("\n\n")]:
        if paragraph.startswith(HEADING_MARK):
            paragraph = paragraph[len(HEADING_MARK) :]
        yield paragraph


def _sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE_END_RE.split(paragraph) if s.strip()]


def _clip(text: str, spans: list[Span]) -> Snippet:
    """Cut a long passage to a window around its first highlighted word."""
    if len(text) <= SNIPPET_CHARS:
        return Snippet(text, spans)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - SNIPPET_CHARS // 3, len(text) - SNIPPET_CHARS))
    start = text.rfind(" ", 0, start) + 1 if start else 0
    end = start + SNIPPET_CHARS
    end = text.find(" ", end) if text.find(" ", end) != -1 else len(text)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    shift = len(prefix) - start
    inside = [(s + shift, e + shift) for s, e in spans if s >= start and e <= end]
    return Snippet(prefix + text[start:end] + suffix, inside)


def make_snippets(
    teaser: str, body: str, wanted: set[str], weights: dict[str, float]
) -> list[Snippet]:
    """The 1 to 3 passages that match best, best first.

    A passage scores the weights of the distinct terms it holds, plus a little
    for each repeated match, so that passages with many different query words
    win over ones repeating one word.
    """
    scored = []
    for number, paragraph in enumerate(_paragraphs(teaser, body)):
        if not may_match(paragraph, wanted):
            continue
        for order, passage in enumerate(_sentences(paragraph)):
            if not may_match(passage, wanted):
                continue
            matches = [t for t in analyze(passage) if t.text in wanted]
            if matches:
                distinct = {t.text for t in matches}
                repeats = len(matches) - len(distinct)
                score = sum(weights.get(t, 1.0) for t in distinct) + 0.1 * repeats
                spans = [(t.start, t.end) for t in matches]
                scored.append((-score, (number, order), passage, spans))
    if not scored:
        first = next((s for p in _paragraphs(teaser, body) for s in _sentences(p)), "")
        return [_clip(first, [])] if first else []
    best = sorted(scored, key=lambda item: item[:2])[:MAX_SNIPPETS]
    return [_clip(passage, _merged(passage, spans)) for _, _, passage, spans in best]
