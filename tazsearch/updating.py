"""One update run: from article files to one commit of the index.

The run holds the index's write lock from its first step (see
:mod:`tazsearch.store.commit`), reads the last commit's record of which file
each article came from, and compares the files found with it. New and
changed files are read, parsed and handed to a segment builder; deleted
files' articles are marked deleted. Everything is committed at once at the
end, or, on any failure, nothing is and the run's files are removed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .errors import TazsearchError
from .parse import NotAnArticle, parse_bytes
from .sources import DEFAULT_MAX_SIZE, Found, NotReadable, read_file, scan, under
from .store import IndexDocument, WriteTransaction, document_for, open_generation
from .store.commit import write_error
from .store.parallel import ParallelBuilder
from .store.segments import (
    IndexedFile,
    delete,
    indexed_files,
    merge_small,
    new_builder,
)
from .store.verify import diagnose
from .store.writing import SegmentBuilder

T = TypeVar("T")
ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(files_done, files_total)`` while an update runs."""


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why."""

    path: str
    reason: str


@dataclass
class UpdateReport:
    """What one update did, file by file counted."""

    indexed: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def files(self) -> int:
        return self.indexed + self.updated + self.unchanged + len(self.skipped)

    @property
    def changed(self) -> bool:
        return bool(self.indexed or self.updated or self.removed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "indexed": self.indexed,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "seconds": round(self.seconds, 3),
        }


def storable_path(path: str) -> str:
    """The path as the index keeps it: bytes that are not UTF-8 become escapes like "\\xff".

    File names need not be text; the index's must. The real path is only
    needed to read the file, and the index never reads a file again.
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return path


class _Ids:
    """Article ids, unique per file and kept by a file from run to run.

    An article's id is its file name without the extension, if no other
    file has that id already; else the name with a hash of its path
    ("article-3f9a2c1d"). A file keeps its id as long as it is indexed.
    """

    def __init__(self, owners: dict[str, str]) -> None:
        self._owners = owners  # id -> path
        self._held = {path: article_id for article_id, path in owners.items()}

    def take(self, path: str, stem: str) -> str:
        if path in self._held:  # It had one before a rebuild.
            return self._held[path]
        base = stem if stem not in ("", ".", "..") else "article"
        digest = hashlib.blake2b(path.encode("utf-8", "surrogatepass")).hexdigest()
        for candidate in (
            base,
            f"{base}-{digest[:8]}",
            f"{base}-{digest[:16]}",
            f"{base}-{digest}",
        ):
            if self._owners.get(candidate, path) == path:
                self._owners[candidate] = path
                return candidate
        raise TazsearchError(f"no free id for {path!r}")  # 256-bit hashes do not collide


@dataclass
class _Run:
    """The state of one update run."""

    transaction: WriteTransaction
    report: UpdateReport
    max_size: int
    segments: list[Any]
    known: dict[str, IndexedFile]
    ids: _Ids
    todo: int = 0
    builder: SegmentBuilder | ParallelBuilder | None = None

    def add(self, document: IndexDocument) -> None:
        """Add a document to the run's segments; the builder is made for the first,
        so that a run that adds nothing writes nothing."""
        if self.builder is None:
            self.transaction.check_writable()
            self.builder = new_builder(self.transaction, self.todo)
        self.builder.add(document)

    def finish(self) -> list[Any]:
        return self.builder.finish() if self.builder else []

    def cancel(self) -> None:
        if self.builder is not None:
            self.builder.cancel()

    def delete(self, old: IndexedFile) -> None:
        delete(self.segments, old)

    def index_file(self, path: str, found: Found) -> None:
        """Read, parse and add one new or changed file; skip it with a reason if it is none."""
        old = self.known.get(path)
        kept = " (the earlier version stays indexed)" if old else ""
        try:
            data, info = read_file(found.path, self.max_size)
        except NotReadable as exc:
            self.report.skipped.append(Skipped(path, f"{exc}{kept}"))
            return
        digest = hashlib.blake2b(data, digest_size=16).digest()
        if old and old.digest == digest:
            self.report.unchanged += 1
            return
        try:
            article = parse_bytes(data, path)
        except NotAnArticle as exc:
            self.report.skipped.append(Skipped(path, f"{exc}{kept}"))
            return
        article_id = old.id if old else self.ids.take(path, article.id)
        article = dataclasses.replace(article, id=article_id)
        if old:
            self.delete(old)
            self.report.updated += 1
        else:
            self.report.indexed += 1
        state = {"path": path, "mtime": info.st_mtime_ns, "size": info.st_size, "digest": digest}
        self.add(document_for(article, **state))


def resolve_roots(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The paths to index, made absolute; a missing or unreadable one is an error
    before anything is read."""
    roots = []
    for path in paths:
        try:
            os.lstat(path)
        except OSError as exc:
            shown = storable_path(os.fspath(path))
            if isinstance(exc, FileNotFoundError):
                raise TazsearchError(f"no such file or directory: {shown}") from None
            raise TazsearchError(f"cannot read {shown}: {exc.strerror or exc}") from None
        roots.append(Path(path).resolve())
    return roots


def run_update(
    transaction: WriteTransaction,
    roots: Iterable[Path],
    *,
    progress: ProgressCallback | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
) -> UpdateReport:
    """Index new and changed files under ``roots``, drop deleted ones, commit once.

    The transaction is committed, or aborted on any failure; either way its
    lock is given back.
    """
    started = time.perf_counter()
    roots = [Path(root) for root in roots]
    report = UpdateReport()
    run: _Run | None = None
    try:
        found = scan(roots, leave_out=transaction.folder.resolve())
        report.skipped += [Skipped(storable_path(p), reason) for p, reason in found.passed]
        segments = transaction.base_segments
        known = _read_or_name_damage(transaction, lambda: indexed_files(transaction, segments))
        files = _storable_files(found.files, report)
        # Files passed over, and those in folders that could not be read, stay.
        passed = {storable_path(p) for p, _ in found.passed}
        unreadable = [storable_path(folder) for folder in found.unreadable]
        root_names = [storable_path(str(root)) for root in roots]
        gone = [
            path
            for path in known
            if under(path, root_names)
            and path not in files
            and path not in passed
            and not under(path, unreadable)
        ]
        owners = {article.id: path for path, article in known.items() if path not in gone}
        if transaction.rebuild:  # Files keep the ids the index being replaced gave them.
            owners = _former_ids(transaction, set(files))
        run = _Run(transaction, report, max_size, segments, known, _Ids(owners))
        todo = [(path, f) for path, f in files.items() if not _unchanged(known.get(path), f)]
        report.unchanged = len(files) - len(todo)
        run.todo = len(todo)
        for done, (path, found_file) in enumerate(todo, report.unchanged + 1):
            run.index_file(path, found_file)
            if progress:
                progress(done, len(files))
        for path in gone:
            run.delete(known[path])
            report.removed += 1
        new_segments = run.finish()
        if report.changed or transaction.base is None:
            transaction.commit(merge_small(transaction, segments + new_segments))
        else:
            transaction.abort()
    except BaseException as exc:
        if run is not None:
            with contextlib.suppress(Exception):  # The first failure is the one to report.
                run.cancel()
        transaction.abort()
        if isinstance(exc, OSError):
            raise write_error(transaction.folder, exc) from exc
        raise
    report.seconds = time.perf_counter() - started
    return report


def _storable_files(found: list[Found], report: UpdateReport) -> dict[str, Found]:
    """The files found by their paths as the index keeps them. Two names that are
    kept alike (a name that is not UTF-8, and one spelling out its escape) cannot
    both be indexed: the second is skipped, never lost without a word."""
    files: dict[str, Found] = {}
    for f in found:
        path = storable_path(f.path)
        if path in files:
            reason = f"its name is kept as {path!r}, as another file's is: rename one of them"
            report.skipped.append(Skipped(path, reason))
        else:
            files[path] = f
    return files


def _read_or_name_damage(transaction: WriteTransaction, read: Callable[[], T]) -> T:
    """``read()``; a failure of a damaged index's files is named as its damage."""
    try:
        return read()
    except TazsearchError:
        raise
    except Exception as exc:
        damage = diagnose(transaction.folder, transaction.schema)
        if damage is None:
            raise
        raise damage from exc


def _former_ids(transaction: WriteTransaction, paths: set[str]) -> dict[str, str]:
    """Id -> path of the articles of the index a rebuild replaces, where it can be read."""
    try:
        former = open_generation(transaction.folder, transaction.schema)
        if former is None:
            return {}
        known = indexed_files(transaction, list(former.segments))
    except Exception:  # Another format, or damaged: the rebuild starts afresh.
        return {}
    return {article.id: path for path, article in known.items() if path in paths}


def _unchanged(old: IndexedFile | None, found: Found) -> bool:
    """Whether an indexed file's size and modification time are as indexed."""
    return old is not None and (old.mtime, old.size) == (found.mtime, found.size)
