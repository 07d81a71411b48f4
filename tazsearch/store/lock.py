"""The index's write lock: an exclusive ``flock`` on ``MAIN_WRITELOCK``.

It is the lock Whoosh's own writer takes, on the same file. An existing lock
file is opened for reading, which is enough for ``flock`` and works on a
read-only disk, so that a run that has nothing to write still runs there.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from .files import LOCK_FILE


class WriteLock:
    """One holder at a time, across processes and within one: each holder opens the file."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting: False if another holds it.

        Raises OSError when the lock file can be neither opened nor made,
        as in a read-only folder without one.
        """
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        """Give the lock back; never fails, even if its folder is gone."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
