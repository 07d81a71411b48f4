"""Splitting German closed compounds: "Truppenentsendung" is "Truppen" + "Entsendung".

A word is split where both sides are German words that are, on average, more
common than the whole word (the frequency method of Koehn and Knight, 2003),
allowing the linking elements German puts between the parts ("Bundestag-s-wahl",
"Schwan-en-see"). The parts are split again the same way, so longer chains
come apart too. Word frequencies come from wordfreq's German list, loaded on
first use.
"""

from __future__ import annotations

import importlib.util
import math
import os
import pickle
from functools import lru_cache
from pathlib import Path

from .german import COMPOUND_LINKS, NOT_COMPOUND_HEADS, STOP_WORDS

MIN_WORD = 8
MIN_MODIFIER = 4
MIN_HEAD = 4
MIN_PART_ZIPF = 3.0  # parts must be ordinary words: at least once per million words
MAX_DEPTH = 2


def _cache_file() -> Path:
    """The cache of the part words, named after the size and time of wordfreq's
    German list, so that another wordfreq's list is read anew. (Found without
    importing wordfreq or reading package metadata: both cost a cold query
    milliseconds.)"""
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("wordfreq is not installed")
    info = (Path(spec.origin).parent / "data" / "large_de.msgpack.gz").stat()
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    name = f"compound-parts-de-{info.st_size}-{info.st_mtime_ns}-{MIN_PART_ZIPF}.pickle"
    return Path(home) / "tazsearch" / name


def _build() -> dict[str, float]:
    """Words that can be compound parts, with their Zipf frequency.

    Rarer words never decide a split: a compound is split when its parts are
    commoner than it, and parts need MIN_PART_ZIPF. So only these are kept,
    some 40,000 of wordfreq's 630,000.
    """
    from wordfreq import get_frequency_dict

    words = get_frequency_dict("de", "large").items()
    zipfs = ((w, math.log10(f) + 9) for w, f in words)
    return {
        w: z
        for w, z in zipfs
        if z >= MIN_PART_ZIPF and w not in STOP_WORDS and w not in NOT_COMPOUND_HEADS
    }


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    """The part words, from a per-user cache file after the first use.

    Reading wordfreq's whole list takes half a second, too long for the start
    of every query; the cache loads in milliseconds.
    """
    try:
        cache = _cache_file()
    except OSError:  # wordfreq's list is not where it was: no cache, then.
        return _build()
    try:
        return pickle.loads(cache.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError):
        pass
    frequencies = _build()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(frequencies))
        partial.replace(cache)
    except OSError:
        pass  # No cache then; the next process builds it again.
    return frequencies


def part_words() -> list[str]:
    """Every word that can be a part of a compound, sorted (for exports to other
    engines' decompounders)."""
    return sorted(_frequencies())


def _best_split(word: str) -> tuple[str, str] | None:
    freq = _frequencies()
    best, best_score = None, freq.get(word, 0.0)
    for cut in range(MIN_MODIFIER, len(word) - MIN_HEAD + 1):
        head = word[cut:]
        head_zipf = freq.get(head, 0.0)
        if head_zipf < MIN_PART_ZIPF:
            continue
        left = word[:cut]
        for link in COMPOUND_LINKS:
            if not left.endswith(link) or len(left) - len(link) < MIN_MODIFIER:
                continue
            modifier = left[: len(left) - len(link)]
            modifier_zipf = freq.get(modifier, 0.0)
            score = (modifier_zipf + head_zipf) / 2
            if modifier_zipf >= MIN_PART_ZIPF and score > best_score:
                best, best_score = (modifier, head), score
    return best


@lru_cache(maxsize=50_000)
def split_compound(word: str, depth: int = MAX_DEPTH) -> tuple[str, ...]:
    """The parts of a case-folded compound, or ``()`` when it is not one.

    ``split_compound("truppenentsendung") == ("truppen", "entsendung")``
    """
    if len(word) < MIN_WORD or not word.isalpha() or depth == 0:
        return ()
    split = _best_split(word)
    if split is None:
        return ()
    parts: list[str] = []
    for part in split:
        parts += split_compound(part, depth - 1) or (part,)
    return tuple(parts)
