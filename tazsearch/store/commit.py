"""Write transactions: the write lock, the commit a run starts from, and its commit.

A run takes the lock first, then reads the last commit: nothing it does can
race another writer. Its new segments are written beside the old ones, and
the commit writes a new table of contents and then, as the one step that
makes it visible, renames the new record of files into place. Readers see
the commit before until then. A failure at any point leaves the last commit
as it was: :meth:`WriteTransaction.abort` removes what the run wrote, and
every transaction first removes what an interrupted run left behind.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from ..errors import IndexBusyError, TazsearchError
from .files import (
    INDEX_NAME,
    LOCK_FILE,
    SCRATCH_FOLDER,
    SCRATCH_SUFFIX,
    is_ours,
    segment_of,
    sums_generation,
    sums_name,
    toc_generation,
    toc_name,
)
from .generations import Generation, latest_generation, open_generation
from .lock import WriteLock
from .records import FORMAT_VERSION, FileSum, Record, file_sum, read_record, write_record
from .verified import remember

# Errors that mean the folder cannot be written: a run that needs to write
# fails with them, one that does not runs on.
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}


def write_error(folder: Path, exc: OSError) -> TazsearchError:
    """A failed write, as one line for the user."""
    return TazsearchError(f"cannot write the index at {folder}: {exc.strerror or exc}")


def _version() -> str:
    from .. import __version__

    return f"tazsearch {__version__}"


class WriteTransaction:
    """The write lock on an index, and the commit it was taken on (``base``).

    Use :func:`begin_write`. ``base`` is None for a new index. With
    ``rebuild``, the base is not read at all and the commit replaces it
    whole. In a folder that cannot be written, the transaction is
    ``read_only``: it runs, and fails only if it must commit.
    """

    def __init__(self, folder: Path, schema: Schema, *, rebuild: bool) -> None:
        self.folder = folder
        self.schema = schema
        self.rebuild = rebuild
        self.storage = FileStorage(str(folder))
        self.read_only = False
        self.base: Generation | None = None
        self._lock = WriteLock(folder)
        self._made_folder = False
        self._closed = False
        self._before: set[str] = set()

    def _begin(self) -> None:
        if not self.folder.exists():
            try:
                self.folder.mkdir(parents=True)
                self._made_folder = True
            except FileExistsError:  # Another writer made it meanwhile: not ours to remove.
                pass
            except OSError as exc:
                raise write_error(self.folder, exc) from exc
        try:
            locked = self._lock.acquire()
        except OSError as exc:
            if exc.errno not in _READ_ONLY_ERRNOS:
                raise write_error(self.folder, exc) from exc
            self.read_only = True
        else:
            if not locked:
                raise IndexBusyError(f"another process is writing the index at {self.folder}")
        try:
            self.base = None if self.rebuild else open_generation(self.folder, self.schema)
            if not self.read_only:
                self._remove_unreferenced(self._last_commit_files())
            self._before = set(self.storage.list())
        except BaseException:
            self._release()
            raise

    @property
    def base_segments(self) -> list[Any]:
        """Copies of the base's segments, whose deletions a run may change."""
        return [copy.deepcopy(s) for s in self.base.segments] if self.base else []

    def check_writable(self) -> None:
        """Raise the one-line error of a folder that cannot be written, if it cannot."""
        if self.read_only:
            raise write_error(self.folder, OSError(errno.EROFS, "the folder cannot be written"))

    def commit(self, segments: Iterable[Any]) -> int:
        """Make ``segments`` the index, in one step; the new generation's number."""
        self.check_writable()
        segments = list(segments)
        number = self._next_number()
        try:
            known = self.base.record.files if self.base else {}
            summed: dict[str, FileSum] = {}  # the files this run wrote
            wanted = {s.segid for s in segments}
            for name in self.storage.list():
                if segment_of(name) in wanted and name not in known:
                    summed[name] = file_sum(self.folder / name)
            TOC(self.schema, segments, number).write(self.storage, INDEX_NAME)
            summed[toc_name(number)] = file_sum(self.folder / toc_name(number))
            kept = {n: s for n, s in known.items() if segment_of(n) in wanted}
            files = {**kept, **summed}
            write_record(self.folder, Record(number, FORMAT_VERSION, _version(), files))
        except OSError as exc:
            raise write_error(self.folder, exc) from exc
        remember(self.folder, summed)
        # Committed: what the new commit does not hold may go.
        with contextlib.suppress(OSError):
            self._remove_unreferenced({*files, sums_name(number)})
        self._release()
        return number

    def abort(self) -> None:
        """Remove the files this run made and give the lock back; the last commit stays."""
        if self._closed:
            return
        if not self.read_only:
            with contextlib.suppress(OSError):
                for name in self.storage.list():
                    if is_ours(name) and name not in self._before:
                        os.unlink(self.folder / name)
                self._remove_scratch()
            if self._made_folder:
                with contextlib.suppress(OSError):
                    (self.folder / LOCK_FILE).unlink()
                    self.folder.rmdir()
        self._release()

    def _release(self) -> None:
        self._lock.release()
        self._closed = True

    def _next_number(self) -> int:
        """One past every generation named in the folder, committed or not."""
        numbers = [0]
        for name in self.storage.list():
            found = toc_generation(name)
            found = found if found is not None else sums_generation(name)
            if found is not None:
                numbers.append(found)
        return max(numbers) + 1

    def _last_commit_files(self) -> set[str] | None:
        """The files of the last commit, by its record; None if that cannot be read."""
        number = latest_generation(self.folder)
        if number is None:
            # No record: a new index, or one of an older format, whose files stay.
            return None
        try:
            return {*read_record(self.folder, number, "").files, sums_name(number)}
        except (OSError, TazsearchError):
            return None

    def _remove_unreferenced(self, keep: set[str] | None) -> None:
        """Delete the files tazsearch made that are not in ``keep`` (None: keep all).

        Only the holder of the lock runs this, so they are files of runs that
        failed or were killed, and of commits before the last one.
        """
        if keep is None:
            return
        for name in self.storage.list():
            if is_ours(name) and name not in keep:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.folder / name)
        self._remove_scratch()

    def _remove_scratch(self) -> None:
        """Remove the scratch folder of Whoosh's column writer, and its files."""
        scratch = self.folder / SCRATCH_FOLDER
        if scratch.is_dir():
            for file in scratch.iterdir():
                if file.name.endswith(SCRATCH_SUFFIX):
                    file.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                scratch.rmdir()

    def __enter__(self) -> WriteTransaction:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.abort()


def begin_write(folder: Path, schema: Schema, *, rebuild: bool = False) -> WriteTransaction:
    """Take the index's write lock and read its last commit.

    Raises :class:`IndexBusyError` at once if another writer holds the lock.
    """
    transaction = WriteTransaction(folder, schema, rebuild=rebuild)
    transaction._begin()
    return transaction
