"""The ranking function: BM25 over the combined, field-weighted term frequencies.

Whoosh's own BM25F gives every term an IDF of at least 1, so common words
("Jahr", "sagte") add up in long queries such as questions. This model uses
the IDF of Robertson and Sparck Jones as Lucene and Xapian do, which tends to
zero for words found in most articles.
"""

from __future__ import annotations

import math

K1 = 1.0
B = 0.75


def idf(doc_count: int, doc_frequency: int) -> float:
    """Robertson and Sparck Jones' IDF, never below zero."""
    return math.log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))
