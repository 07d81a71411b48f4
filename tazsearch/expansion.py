"""Prefixes, wildcards and fuzzy words as a bounded number of index terms.

A prefix or wildcard (``Nordko*``, ``Kl?ma*``, ``?*``) stands for every index
term it matches, which may be most of the index; a fuzzy word (``Merkel~2``)
for every term within so many edits. :class:`Expander` finds them all in the
index's lexicon (:mod:`tazsearch.lexicon`) and keeps at most
:data:`MAX_EXPANSION` of each, and :data:`MAX_QUERY_EXPANSION` for a whole
query, so that every query has a bounded cost. Each cut adds a note: a cut
never changes a result silently.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import TYPE_CHECKING

from .lexicon import Lexicon
from .messages import TERMS_CUT, TERMS_NOT_SEARCHED, TOO_MANY_TERMS, Note, number

if TYPE_CHECKING:
    from .queries import Expansion
    from .store import Snapshot

# A prefix, wildcard or fuzzy word searches at most this many of its terms:
# the first in the index's (alphabetical) order, the nearest for a fuzzy word.
MAX_EXPANSION = 256
# The prefixes, wildcards and fuzzy words of one query search at most this
# many terms together.
MAX_QUERY_EXPANSION = 1024


def wildcard_regex(pattern: str) -> re.Pattern[str]:
    """A whole line matching the wildcard: ``*`` any run of characters, ``?`` one."""
    body = "".join(
        "[^\\n]*" if c == "*" else "[^\\n]" if c == "?" else re.escape(c) for c in pattern
    )
    return re.compile(f"^{body}$", re.MULTILINE)


class Expander:
    """The index terms of a query's prefixes, wildcards and fuzzy words, within its limits.

    One expander serves one query: each is expanded once, and the limit on the
    terms searched counts over all of them. ``notes`` says, in a line each,
    which expansions a limit cut short.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.expanded = 0
        self.notes: list[str] = []
        self._done: dict[tuple[str, str, int], tuple[str, ...]] = {}
        self._lexicon: Lexicon | None = None

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = Lexicon.of(self.snapshot)
        return self._lexicon

    def terms(self, q: Expansion) -> tuple[str, ...]:
        """The terms ``q`` stands for, at most :data:`MAX_EXPANSION` of them."""
        key = (q.kind, q.text, q.distance)
        if key not in self._done:
            self._done[key] = self._expand(q)
        return self._done[key]

    def _expand(self, q: Expansion) -> tuple[str, ...]:
        limit = max(0, min(MAX_EXPANSION, MAX_QUERY_EXPANSION - self.expanded))
        if q.kind == "prefix":
            candidates = self.lexicon.with_prefix(q.text)
        elif q.kind == "wildcard":
            candidates = self.lexicon.matching(wildcard_regex(q.text))
        else:
            candidates = (t for t, _ in self.lexicon.near(q.text, q.distance))
        found = list(islice(candidates, limit + 1))
        more = len(found) > limit
        found = found[:limit]
        self.expanded += len(found)
        if more:
            self._note(q.label or q.text, len(found), limit)
        return tuple(found)

    def _note(self, label: str, found: int, limit: int) -> None:
        if limit == MAX_EXPANSION:
            self.notes.append(Note(TOO_MANY_TERMS(label=label, limit=MAX_EXPANSION)))
            return
        total = number(MAX_QUERY_EXPANSION)
        if found:
            self.notes.append(Note(TERMS_CUT(label=label, found=found, total=total)))
        else:
            self.notes.append(Note(TERMS_NOT_SEARCHED(label=label, total=total)))
