"""Phrases and proximity from positions: which candidate articles hold the words in a row,
or near each other.

Each word comes as two arrays: ``owners`` (the candidate, numbered from 0,
of each position) and ``positions``. Words of different fields never meet:
every field has its own range of positions, far apart.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from .fields import SECTION_SPAN

Positions = tuple[np.ndarray, np.ndarray]  # owners, positions


def phrase_starts(words: list[Positions]) -> np.ndarray:
    """The candidates holding the words at consecutive positions, in order.

    Each (candidate, position) pair of the i-th word, moved back by i,
    becomes one number; a phrase starts where the numbers of all words meet.
    """
    starts = None
    for i, (owners, positions) in enumerate(words):
        kept = positions >= i
        keys = (owners[kept].astype(np.int64) << 32) | (positions[kept] - i)
        starts = keys if starts is None else np.intersect1d(starts, keys, assume_unique=False)
    if starts is None:
        return np.zeros(0, dtype=np.int64)
    return np.unique(starts >> 32)


def near_starts(words: list[Positions], keys: list[int], slop: int) -> np.ndarray:
    """The candidates holding the words in any order with at most ``slop`` other
    words among them: in a window of at most ``len(words) + slop`` positions,
    within one field. ``keys`` numbers the distinct words: a word that comes
    twice needs two of its positions in the window."""
    needed = Counter(keys)
    first = {key: n for n, key in reversed(list(enumerate(keys)))}
    chosen = [(key, words[n]) for key, n in sorted(first.items())]
    owners = np.concatenate([o for _, (o, _) in chosen]).astype(np.int64)
    positions = np.concatenate([p for _, (_, p) in chosen]).astype(np.int64)
    label = np.concatenate([np.full(len(o), key, dtype=np.int64) for key, (o, _) in chosen])
    groups = owners * (1 << 12) + positions // SECTION_SPAN
    order = np.lexsort((positions, groups))
    groups, positions, label, owners = groups[order], positions[order], label[order], owners[order]
    if len(needed) == 2 and set(needed.values()) == {1}:
        # Two words: the nearest pair is always side by side in position order.
        pairs = (groups[1:] == groups[:-1]) & (label[1:] != label[:-1])
        gaps = positions[1:] - positions[:-1] - 1
        return np.unique(owners[:-1][pairs & (gaps <= slop)])
    found = [
        owner
        for owner, start, stop in _runs(groups, owners)
        if _covered(positions[start:stop], label[start:stop], needed, slop, len(words))
    ]
    return np.unique(np.array(found, dtype=np.int64))


def _runs(groups: np.ndarray, owners: np.ndarray) -> list[tuple[int, int, int]]:
    """(owner, start, stop) of each run of equal groups."""
    if not len(groups):
        return []
    bounds = np.flatnonzero(np.diff(groups)) + 1
    starts = [0, *bounds.tolist()]
    stops = [*bounds.tolist(), len(groups)]
    return [(int(owners[a]), a, b) for a, b in zip(starts, stops, strict=True)]


def _covered(
    positions: np.ndarray, labels: np.ndarray, needed: Counter[int], slop: int, count: int
) -> bool:
    """Whether a window of at most ``count + slop`` positions holds each word as
    often as the phrase does (a sliding window over one field's positions)."""
    have: Counter[int] = Counter()
    missing = sum(needed.values())
    left = 0
    pos, lab = positions.tolist(), labels.tolist()
    for right, word in enumerate(lab):
        have[word] += 1
        if have[word] <= needed[word]:
            missing -= 1
        while missing == 0:
            if pos[right] - pos[left] + 1 <= count + slop:
                return True
            have[lab[left]] -= 1
            if have[lab[left]] < needed[lab[left]]:
                missing += 1
            left += 1
    return False
