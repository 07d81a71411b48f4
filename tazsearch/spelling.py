"""Did-you-mean: corrections for misspelt query words, drawn from the index's own words.

The look-up runs on the index's terms (stems), so it needs no vocabulary of
its own: a misspelt word's stem is compared with the stems the index holds,
and the correction is then written as the word appears in an article.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

from .analysis import WORD_RE, analyze, normalize_word
from .german import QUESTION_OPENERS, STOP_WORDS

CONTENT = "content"
MAX_DISTANCE = 2
# Shorter words are too often right as they are: abbreviations, names, numbers.
MIN_LENGTH = 4
# Only words in at most this many articles are checked, and corrected only to
# a word this many times as common.
MAX_RARE = 2
MORE_COMMON = 20
# Two-edit corrections keep the first two letters; assuming so makes the look-up fast.
SAME_PREFIX = 2
# Index terms have their umlauts and ß folded.
ALPHABET = "abcdefghijklmnopqrstuvwxyz"
OPERATORS = frozenset({"AND", "OR", "NOT", "TO"})
# A word of the query text, but not a field name ("title:") or a prefix ("Nord*").
_QUERY_WORD_RE = re.compile(r"(?<![\w\[])(" + WORD_RE.pattern + r")(?![\w:*?])")
# The stored fields a correction's spelling is taken from.
_SPELLING_SOURCES = ("title", "teaser", "body")


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance counting a swap of neighbours as one edit ("Nordkorae")."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _one_edit_away(word: str) -> set[str]:
    """Every string one deletion, swap, replacement or insertion away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return {
        *(a + b[1:] for a, b in splits if b),
        *(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1),
        *(a + c + b[1:] for a, b in splits if b for c in ALPHABET),
        *(a + c + b for a, b in splits for c in ALPHABET),
    }


def _candidates(reader: Any, term: str) -> list[str]:
    """Indexed terms one edit from ``term``; failing that, two edits with the same start.

    One edit is tried by looking up every variant, which is fast; Whoosh's
    Levenshtein automaton is slow, so it runs only when that finds nothing.
    """
    near = [v for v in _one_edit_away(term) if (CONTENT, v) in reader]
    if near:
        return near
    return list(reader.terms_within(CONTENT, term, MAX_DISTANCE, prefix=SAME_PREFIX))


def _spelling(reader: Any, term: str) -> str | None:
    """How the first article holding ``term`` most often writes it, in lower case."""
    postings = reader.postings(CONTENT, term)
    while postings.is_active() and reader.is_deleted(postings.id()):
        postings.next()
    if not postings.is_active():
        return None
    stored = reader.stored_fields(postings.id())
    written: Counter[str] = Counter()
    for name in _SPELLING_SOURCES:
        text = stored.get(name, "")
        written.update(text[t.start : t.end].lower() for t in analyze(text) if t.text == term)
    return written.most_common(1)[0][0] if written else None


def _correction(reader: Any, word: str) -> str | None:
    """The likeliest intended word: near in spelling, and far more common than ``word``.

    Each edit counts one, and each tenfold of frequency takes half an edit off,
    so "Biontek" becomes the common "Biontech" rather than a rare "Biontec".
    """
    lower = word.lower()
    if len(lower) < MIN_LENGTH or lower in STOP_WORDS or lower in QUESTION_OPENERS:
        return None
    term = normalize_word(lower)
    if not (lower.isalpha() and term):
        return None
    own = reader.doc_frequency(CONTENT, term)
    if own > MAX_RARE:
        return None
    scored = []
    for found in _candidates(reader, term):
        frequency = reader.doc_frequency(CONTENT, found)
        if found != term and frequency > MORE_COMMON * own:
            score = edit_distance(term, found) - 0.5 * math.log10(frequency)
            scored.append((score, found))
    for _, found in sorted(scored):
        spelled = _spelling(reader, found)
        if spelled:
            return spelled.capitalize() if word[:1].isupper() else spelled
    return None


def suggest(reader: Any, text: str) -> str | None:
    """The query with every word the index lacks replaced by its nearest indexed word.

    ``None`` when every word is known or no near word exists.
    """
    changed = False

    def replace(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group()
        if word.upper() in OPERATORS or "-" in word:
            return word
        corrected = _correction(reader, word)
        changed = changed or corrected is not None
        return corrected or word

    suggestion = _QUERY_WORD_RE.sub(replace, text)
    return suggestion if changed else None
