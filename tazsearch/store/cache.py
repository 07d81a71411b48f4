"""Values computed from segments, kept by the Index that reads them.

A segment never changes once written (only which of its documents are
deleted, which the commit records), so what is computed from one segment
holds as long as the segment is in use: its field lengths, dates and facet
keys, and its list of terms. An :class:`~tazsearch.index.Index` keeps one
cache, shared by its searches in every thread.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
# Values kept, the most recently used: a few kinds for each of some dozens of segments.
CACHED_VALUES = 256


class SegmentCache:
    """A bounded, thread-safe map of (segment id, kind) to a value computed once."""

    def __init__(self, limit: int = CACHED_VALUES) -> None:
        self.limit = limit
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value kept for ``key``, computed (outside the lock) if there is none."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.limit:
                self._values.popitem(last=False)
        return value
