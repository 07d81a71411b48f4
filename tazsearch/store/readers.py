"""Snapshots of the last commit for the reads of one Index, in any number of threads.

Each read takes a snapshot of its own, so a slow search never holds up
another; idle snapshots are kept for reuse until a commit supersedes them.
A read that fails because a commit removed the files it was reading is tried
again on the new commit; any other failure is checked against the index's
record, so that damage is named and never answered from.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar

from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage

from ..errors import IndexDamagedError, IndexNotFoundError, IndexVersionError, TazsearchError
from .cache import SegmentCache
from .generations import latest_generation, open_generation
from .snapshot import Snapshot
from .verify import diagnose

T = TypeVar("T")
# Snapshots kept open for reuse, beyond those in use.
IDLE_SNAPSHOTS = 4


class Readers:
    """The reads of one index folder.

    ``rebuilding``: the index is to be replaced by a rebuild, so an old one
    that cannot be read (another format, damaged) reads as empty meanwhile.
    """

    def __init__(self, folder: Path, schema: Schema, *, seen: int = 0) -> None:
        self.folder = folder
        self.schema = schema
        self.rebuilding = False
        self.seen = seen  # the last commit read: once there was one, there must be one
        self._storage = FileStorage(str(folder))
        self._cache = SegmentCache()
        self._idle: list[Snapshot] = []
        self._lock = threading.Lock()  # guards the list of idle snapshots only
        self._closed = False

    def read(self, action: Callable[[Snapshot], T]) -> T:
        """``action(snapshot)`` on a snapshot of the last commit."""
        for attempt in (1, 2):
            snapshot = None
            try:
                snapshot = self.checkout()
                result = action(snapshot)
            except TazsearchError:
                if snapshot is not None:
                    self.checkin(snapshot)
                raise
            except Exception as exc:
                if snapshot is not None:
                    snapshot.close()
                number = snapshot.number if snapshot else -1
                if attempt == 1 and (latest_generation(self.folder) or 0) != number:
                    continue
                self.raise_damage_or(exc)
            self.checkin(snapshot)
            return result
        raise AssertionError("unreachable")

    def raise_damage_or(self, exc: BaseException) -> NoReturn:
        """Raise a read's failure as the damage of the index, if it is damaged: never a
        partial answer from a damaged index. Else raise the failure itself."""
        damage = diagnose(self.folder, self.schema)
        if damage is None:
            raise exc
        raise damage from exc

    def checkout(self) -> Snapshot:
        """A snapshot of the last commit, reused if one is idle."""
        try:
            latest = latest_generation(self.folder) or 0
            if not latest and self.seen and not self.rebuilding:
                raise IndexNotFoundError(
                    f"the index at {self.folder} is gone: it held commits, and now holds "
                    "none (was its folder moved or deleted?)"
                )
            with self._lock:
                while self._idle:
                    snapshot = self._idle.pop()
                    if snapshot.number == latest:
                        return snapshot
                    snapshot.close()
            generation = open_generation(self.folder, self.schema)
        except (IndexVersionError, IndexDamagedError):
            if not self.rebuilding:
                raise
            generation = None
        snapshot = Snapshot(self._storage, self.schema, generation, self._cache)
        self.seen = max(self.seen, snapshot.number)
        return snapshot

    def checkin(self, snapshot: Snapshot) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < IDLE_SNAPSHOTS:
                self._idle.append(snapshot)
                return
        snapshot.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            self._closed = True
        for snapshot in idle:
            snapshot.close()
