"""Whoosh's own matchers, with tazsearch's BM25, as the reference its scores are checked on;
and plain helpers that give every match of a query as a set or a dict.

tazsearch ranks with its own evaluator on arrays (tazsearch.matching); these
tests compare its scores with what Whoosh's matchers give for the same
query, with the same BM25 (k1 = 1.0, b = 0.75 and the IDF of Robertson and
Sparck Jones).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from whoosh import scoring
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.searching import Searcher

from tazsearch.matching import Evaluation
from tazsearch.queries import Query
from tazsearch.ranking import K1, B, idf
from tazsearch.store import Snapshot
from tazsearch.store.schema import build_schema


class _Scorer(scoring.BM25FScorer):
    def __init__(self, searcher: Any, fieldname: str, text: bytes, b: float, k1: float) -> None:
        super().__init__(searcher, fieldname, text, b, k1)
        parent = searcher.get_parent()
        self.idf = idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))


class GermanBM25(scoring.BM25F):
    """BM25 with k1 = 1.0, b = 0.75 and Robertson-Sparck Jones IDF."""

    def __init__(self, k1: float = K1, b: float = B) -> None:
        super().__init__(B=b, K1=k1)

    def scorer(self, searcher: Any, fieldname: str, text: bytes, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        return _Scorer(searcher, fieldname, text, self.B, self.K1)


def whoosh_searcher(folder: Path) -> Searcher:
    """Whoosh's own searcher of the index's last commit."""
    index = FileIndex(FileStorage(str(folder)), schema=build_schema())
    return index.searcher(weighting=GermanBM25())


def matching_docs(snapshot: Snapshot, q: Query) -> set[int]:
    """Every document ``q`` matches, as a set of document numbers."""
    return set(np.flatnonzero(Evaluation(snapshot).docs(q)).tolist())


def scored_matches(snapshot: Snapshot, q: Query) -> dict[int, float]:
    """Every document ``q`` matches, with its score."""
    evaluation = Evaluation(snapshot)
    docs = np.flatnonzero(evaluation.docs(q))
    return dict(zip(docs.tolist(), evaluation.scores(q)[docs].tolist(), strict=True))
