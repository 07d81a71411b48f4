"""Snippets: the passages of an article that match a query best, with highlights."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .analysis import analyze
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
    spans = sorted((t.start, t.end) for t in analyze(text) if t.text in wanted)
    merged: list[Span] = []
    for start, end in spans:
        if merged and (start <= merged[-1][1] or text[merged[-1][1] : start] == "-"):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _passages(teaser: str, body: str) -> Iterator[str]:
    for paragraph in [teaser, *body.split("\n\n")]:
        if paragraph.startswith(HEADING_MARK):
            paragraph = paragraph[len(HEADING_MARK) :]
        yield from (s for s in _SENTENCE_END_RE.split(paragraph) if s.strip())


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
    for order, passage in enumerate(_passages(teaser, body)):
        seen: dict[str, int] = {}
        for term in analyze(passage):
            if term.text in wanted:
                seen[term.text] = seen.get(term.text, 0) + 1
        if seen:
            score = sum(weights.get(t, 1.0) for t in seen) + 0.1 * (sum(seen.values()) - len(seen))
            scored.append((-score, order, passage))
    if not scored:
        first = next(_passages(teaser, body), "")
        return [_clip(first, [])] if first else []
    best = sorted(scored)[:MAX_SNIPPETS]
    return [_clip(passage, match_spans(passage, wanted)) for _, _, passage in best]
