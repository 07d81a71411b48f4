"""Did-you-mean: corrections for misspelt query words, drawn from the index's own words.

The look-up runs on the index's terms (stems), so it needs no vocabulary of
its own: a misspelt word's stem is compared with the stems the index holds,
and the correction is then written as the word appears in an article.

Its cost is bounded whatever the query: words longer than
:data:`MAX_WORD_LENGTH` are not corrected, at most :data:`MAX_WORDS` words of
a query are looked up, the two-edit look-up runs at C speed over the index's
lists of terms, and a correction's spelling is read from windows
around its first occurrences in an article, not from the whole article. A
limit that may have changed the suggestion adds a note.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from typing import TYPE_CHECKING, NamedTuple

from .analysis import WORD_RE, analyze, normalize_word
from .fields import CONTENT
from .german import QUESTION_OPENERS, STOP_WORDS
from .lexicon import Lexicon
from .messages import FIRST_UNKNOWN_WORDS, NEAREST_WORDS, NO_LONG_CORRECTIONS, Note
from .snippets import located_windows

if TYPE_CHECKING:
    from .store import Snapshot

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
# A word of the query text, but not a field name ("title:"), a prefix ("Nord*"),
# a fuzzy or boosted word ("Merkel~", "Merkel^2") or a word after "-" or "+".
_QUERY_WORD_RE = re.compile(r"(?<![\w\[\-+!\\])(" + WORD_RE.pattern + r")(?![\w:*?~^])")
# The stored fields a correction's spelling is taken from.
_SPELLING_SOURCES = ("title", "teaser", "body")
# Longer words are not corrected: the one-edit variants of a word grow with its
# length, and so does comparing it with the index's words.
MAX_WORD_LENGTH = 32
# At most this many words of a query, the first rare or unknown ones, are
# looked up; each look-up costs some tens of milliseconds.
MAX_WORDS = 5
# How many indexed words a query word may begin that are looked at for its completion.
MAX_COMPLETIONS = 1000
# How many near words are tried for their spelling in an article, best first.
MAX_TRIED = 10
# A correction's spelling is read from this many windows around its first
# occurrences in each field of an article: an article may be megabytes long.
SPELLING_WINDOWS = 32


class Spelling(NamedTuple):
    """A query's did-you-mean, or None, and a note for each limit that may have
    changed it."""

    suggestion: str | None
    notes: list[str]


class _Budget:
    """The look-ups one query may still make, and the notes of those it may not."""

    def __init__(self) -> None:
        self.words = MAX_WORDS
        self.notes: list[str] = []

    def note(self, text: Note) -> None:
        if text not in self.notes:
            self.notes.append(text)


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


def _candidates(snapshot: Snapshot, term: str) -> list[str]:
    """Indexed terms one edit from ``term``; failing that, two edits with the same start.

    One edit is tried by looking up every variant, which is fast; the two-edit
    look-up compares the terms with the same start, so it runs only when that
    finds nothing.
    """
    near = [v for v in _one_edit_away(term) if snapshot.has_term(CONTENT, v)]
    if near:
        return near
    return _two_edits_away(snapshot, term)


def _two_edits_away(snapshot: Snapshot, term: str) -> list[str]:
    """Indexed terms at most two edits from ``term`` that start as it does, found in
    the index's lists of terms at C speed (see :mod:`tazsearch.lexicon`)."""
    start = term[:SAME_PREFIX]
    near = Lexicon.of(snapshot).near(term, MAX_DISTANCE)
    return [found for found, _ in near if found.startswith(start)]


def _written_forms(text: str, term: str) -> Counter[str]:
    """How often each spelling of ``term`` occurs in ``text``, in lower case.

    A text longer than :data:`~tazsearch.snippets.LONG_PARAGRAPH` is read in
    windows around the term's first occurrences only.
    """
    windows = located_windows(text, {term}, max_windows=SPELLING_WINDOWS)
    written: Counter[str] = Counter()
    for start, end in windows:
        piece = text[start:end]
        written.update(piece[t.start : t.end].lower() for t in analyze(piece) if t.text == term)
    return written


def _spelling(snapshot: Snapshot, term: str) -> str | None:
    """How the first article holding ``term`` most often writes it, in lower case."""
    docnum = snapshot.first_doc_with(CONTENT, term)
    if docnum is None:
        return None
    stored = snapshot.stored(docnum)
    written: Counter[str] = Counter()
    for name in _SPELLING_SOURCES:
        written.update(_written_forms(stored.get(name, ""), term))
    return written.most_common(1)[0][0] if written else None


def _correction(snapshot: Snapshot, word: str, budget: _Budget) -> str | None:
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
    own = snapshot.doc_frequency(CONTENT, term)
    if own > MAX_RARE:
        return None
    if len(lower) > MAX_WORD_LENGTH:
        budget.note(Note(NO_LONG_CORRECTIONS(limit=MAX_WORD_LENGTH)))
        return None
    if budget.words == 0:
        budget.note(Note(FIRST_UNKNOWN_WORDS(limit=MAX_WORDS)))
        return None
    budget.words -= 1
    completions = [
        c for c in snapshot.terms_with_prefix(CONTENT, term, MAX_COMPLETIONS) if c != term
    ]
    if completions:
        # A word that begins indexed words ("Klimawan") is not corrected to
        # another word: at most it is completed, to its commonest completion.
        best = max(completions, key=lambda c: (snapshot.doc_frequency(CONTENT, c), c))
        if snapshot.doc_frequency(CONTENT, best) <= MORE_COMMON * own:
            return None
        spelled = _spelling(snapshot, best)
        return _as_written(spelled, word) if spelled else None
    scored = []
    for found in _candidates(snapshot, term):
        frequency = snapshot.doc_frequency(CONTENT, found)
        if found != term and frequency > MORE_COMMON * own:
            score = edit_distance(term, found) - 0.5 * math.log10(frequency)
            scored.append((score, found))
    ranked = sorted(scored)
    for _, found in ranked[:MAX_TRIED]:
        spelled = _spelling(snapshot, found)
        if spelled:
            return _as_written(spelled, word)
    if len(ranked) > MAX_TRIED:
        budget.note(Note(NEAREST_WORDS(limit=MAX_TRIED, word=word)))
    return None


def _as_written(spelled: str, word: str) -> str:
    """A correction's spelling, capitalised as the word it corrects was."""
    return spelled.capitalize() if word[:1].isupper() else spelled


def check_spelling(snapshot: Snapshot, text: str) -> Spelling:
    """The query with every word the index lacks replaced by its nearest indexed word,
    and notes on the limits that may have changed it.

    The suggestion is ``None`` when every word is known or no near word exists.
    """
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    budget = _Budget()
    corrections: dict[str, str | None] = {}  # A repeated word is looked up once.

    def replace(match: re.Match[str]) -> str:
        word = match.group()
        if word.upper() in OPERATORS or "-" in word:
            return word
        if word not in corrections:
            corrections[word] = _correction(snapshot, word, budget)
        return corrections[word] or word

    suggestion = _QUERY_WORD_RE.sub(replace, text)
    changed = any(corrections.values())
    return Spelling(suggestion if changed else None, budget.notes)


def suggest(snapshot: Snapshot, text: str) -> str | None:
    """The query with every word the index lacks replaced by its nearest indexed word.

    ``None`` when every word is known or no near word exists.
    """
    return check_spelling(snapshot, text).suggestion
