"""The ranking function: BM25 over the combined, field-weighted term frequencies.

Whoosh's own BM25F gives every term an IDF of at least 1, so common words
("Jahr", "sagte") add up in long queries such as questions. This model uses
the IDF of Robertson and Sparck Jones as Lucene and Xapian do, which tends to
zero for words found in most articles.
"""

from __future__ import annotations

import math
from typing import Any

from whoosh import scoring

K1 = 1.0
B = 0.75


def idf(doc_count: int, doc_frequency: int) -> float:
    return math.log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


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
