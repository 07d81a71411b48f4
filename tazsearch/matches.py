"""Every match of a query as whole articles, read lazily, a page at a time.

For exports and batch jobs: :meth:`tazsearch.Index.iter_articles` orders the
matches once, as a search would, and the articles are read from the index a
page at a time as they are iterated, so that memory does not grow with the
number of matches.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .article import Article
from .store import Snapshot, article_from_stored
from .store.readers import Readers

PAGE_SIZE = 100


class ArticleStream:
    """Every article a query matches, in the order of its hits, read ``page_size``
    at a time from one snapshot of the index.

    ``len(stream)`` is the number of matches, known at once. The snapshot is
    held until the stream is iterated to the end or closed (it is a context
    manager): commits made meanwhile are not seen, and do not disturb it.
    ``notes`` says which limits cut the query short, as for a search.
    """

    def __init__(
        self,
        readers: Readers,
        snapshot: Snapshot,
        order: np.ndarray,
        notes: list[str],
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.notes = notes
        self._readers = readers
        self._snapshot: Snapshot | None = snapshot
        self._order = order
        self._page_size = page_size

    def __len__(self) -> int:
        return len(self._order)

    def __iter__(self) -> Iterator[Article]:
        try:
            for start in range(0, len(self._order), self._page_size):
                yield from self._page(self._order[start : start + self._page_size].tolist())
        finally:
            self.close()

    def _page(self, docnums: list[int]) -> list[Article]:
        if self._snapshot is None:
            raise ValueError("the stream of articles is closed")
        try:
            return [article_from_stored(self._snapshot.stored(d)) for d in docnums]
        except Exception as exc:
            self._readers.raise_damage_or(exc)

    def close(self) -> None:
        """Give the snapshot back; iterating it again raises ValueError."""
        if self._snapshot is not None:
            self._readers.checkin(self._snapshot)
            self._snapshot = None

    def __enter__(self) -> ArticleStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
