"""Update runs: from article files, or from articles held in memory, to one commit.

A run holds the index's write lock from its first step (see
:mod:`tazsearch.store.commit`) and reads the last commit's record of which
file each article came from. An update from files compares the files found
with it: new and changed files are read, parsed and handed to a segment
builder, deleted files' articles are marked deleted. Articles added from
memory replace those with their ids; removals mark articles deleted.
Everything is committed at once at the end, or, on any failure, nothing is
and the run's files are removed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any, TypeVar

from .article import Article, article_problem
from .errors import ArticleNotFoundError, TazsearchError
from .parse import NotAnArticle, parse_bytes
from .reports import ProgressCallback, Skipped, UpdateReport
from .sources import DEFAULT_MAX_SIZE, Found, NotReadable, read_file, scan, storable_path, under
from .store import IndexDocument, WriteTransaction, document_for, open_generation
from .store.commit import write_error
from .store.parallel import ParallelBuilder
from .store.segments import (
    PARALLEL_MIN,
    IndexedArticle,
    delete,
    indexed_articles,
    merge_small,
    new_builder,
    stored_articles,
)
from .store.verify import diagnose
from .store.writing import SegmentBuilder

T = TypeVar("T")


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
    """The state of one run: the last commit's articles, and what the run adds."""

    transaction: WriteTransaction
    report: UpdateReport
    segments: list[Any]
    indexed: list[IndexedArticle]
    max_size: int = DEFAULT_MAX_SIZE
    ids: _Ids = field(default_factory=lambda: _Ids({}))
    todo: int = 0
    builder: SegmentBuilder | ParallelBuilder | None = None

    def __post_init__(self) -> None:
        self.by_id = {article.id: article for article in self.indexed}
        self.by_path = {article.path: article for article in self.indexed if article.path}

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

    def delete(self, old: IndexedArticle) -> None:
        delete(self.segments, old)

    def index_file(self, path: str, found: Found) -> None:
        """Read, parse and add one new or changed file; skip it with a reason if it is none."""
        old = self.by_path.get(path)
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
        article = dataclasses.replace(article, id=article_id, source=storable_path(found.source))
        self.replace(old, article, mtime=info.st_mtime_ns, size=info.st_size, digest=digest)

    def replace(self, old: IndexedArticle | None, article: Article, **state: Any) -> None:
        """Index ``article`` in place of ``old`` (None: a new one)."""
        if old:
            self.delete(old)
            self.report.updated += 1
        else:
            self.report.indexed += 1
        self.add(document_for(article, path=article.path, **state))


def _transact(
    transaction: WriteTransaction,
    work: Callable[[_Run], None],
    *,
    max_size: int = DEFAULT_MAX_SIZE,
) -> UpdateReport:
    """``work(run)`` on the last commit's articles, then one commit of what it
    changed. On any failure, the transaction is aborted; either way its lock is
    given back."""
    started = time.perf_counter()
    report = UpdateReport()
    run: _Run | None = None
    try:
        segments = transaction.base_segments
        indexed = _read_or_name_damage(transaction, lambda: indexed_articles(transaction, segments))
        run = _Run(transaction, report, segments, indexed, max_size)
        work(run)
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
    """Index new and changed files under ``roots``, drop deleted ones, commit once."""
    roots = [Path(root) for root in roots]

    def work(run: _Run) -> None:
        report = run.report
        found = scan(roots, leave_out=transaction.folder.resolve())
        report.skipped += [Skipped(storable_path(p), reason) for p, reason in found.passed]
        files = _storable_files(found.files, report)
        # Files passed over, and those in folders that could not be read, stay.
        passed = {storable_path(p) for p, _ in found.passed}
        unreadable = [storable_path(folder) for folder in found.unreadable]
        root_names = [storable_path(str(root)) for root in roots]
        gone = [  # Articles added from memory (no digest) have no file to be gone.
            article
            for path, article in run.by_path.items()
            if article.digest
            and under(path, root_names)
            and path not in files
            and path not in passed
            and not under(path, unreadable)
        ]
        todo = [(path, f) for path, f in files.items() if not _unchanged(run.by_path.get(path), f)]
        report.unchanged = len(files) - len(todo)
        run.todo = len(todo)
        gone_ids = {article.id for article in gone}
        owners = {a.id: a.path for a in run.indexed if a.id not in gone_ids}
        if transaction.rebuild:  # Articles keep the ids the index being replaced gave them.
            owners = _carry_over(run, set(files))
        run.ids = _Ids(owners)
        for done, (path, found_file) in enumerate(todo, report.unchanged + 1):
            run.index_file(path, found_file)
            if progress:
                progress(done, len(files))
        for article in gone:
            run.delete(article)
            report.removed += 1

    return _transact(transaction, work, max_size=max_size)


def run_add(transaction: WriteTransaction, articles: Iterable[Article]) -> UpdateReport:
    """Index articles held in memory, each in place of the indexed article with its
    id; commit once."""

    def work(run: _Run) -> None:
        pending = iter(articles)
        # Workers pay off for many articles: a first few hundred are looked at.
        first = list(islice(pending, PARALLEL_MIN))
        run.todo = len(first)
        ids: set[str] = set()
        paths: set[str] = set()
        for number, article in enumerate(chain(first, pending), 1):
            problem = article_problem(article)
            if problem is None and article.id in ids:
                problem = f"its id {article.id!r} came before"
            if problem is None and article.path in paths:
                problem = f"its path {article.path!r} came before"
            if problem is not None:
                raise TazsearchError(f"cannot add article {number}: {problem}")
            ids.add(article.id)
            paths |= {article.path} - {""}
            old = run.by_id.get(article.id)
            holder = run.by_path.get(article.path) if article.path else None
            if holder is not None and holder is not old:
                raise TazsearchError(
                    f"cannot add article {number}: its path {article.path!r} is indexed "
                    f"already, as article {holder.id!r}"
                )
            run.replace(old, article, mtime=0, size=0, digest=b"")

    return _transact(transaction, work)


def run_remove(
    transaction: WriteTransaction, ids: Iterable[str], paths: Iterable[str], *, missing_ok: bool
) -> UpdateReport:
    """Remove the articles with these ids, and those indexed from these paths; commit
    once. One that is not indexed is an :class:`ArticleNotFoundError`, and nothing
    is removed, unless ``missing_ok``."""

    def work(run: _Run) -> None:
        found: dict[str, IndexedArticle] = {}
        missing: list[str] = []
        for key in _strings(ids, "ids"):
            article = run.by_id.get(key)
            found.update({article.id: article} if article else {})
            missing += [] if article else [f"id {key!r}"]
        for path in _strings(paths, "paths"):
            article = run.by_path.get(path) or run.by_path.get(storable_path(os.path.abspath(path)))
            found.update({article.id: article} if article else {})
            missing += [] if article else [f"path {path!r}"]
        if missing and not missing_ok:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            raise ArticleNotFoundError(f"nothing was removed: no article with {missing[0]}{more}")
        for article in found.values():
            run.delete(article)
            run.report.removed += 1

    return _transact(transaction, work)


def _strings(given: Iterable[str], name: str) -> list[str]:
    """Ids or paths as given: a list of strings (one string alone is one)."""
    values = [given] if isinstance(given, str) else list(given)
    if not all(isinstance(v, str) for v in values):
        raise TazsearchError(f"{name} must be strings")
    return values


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


def _carry_over(run: _Run, paths: set[str]) -> dict[str, str]:
    """For a rebuild: id -> path of the articles of the index it replaces, so that
    files keep their ids. Articles added from memory (no file's digest), which no
    file holds, are indexed again from their stored fields. An index that cannot
    be read (another format, damaged) gives nothing; one whose articles from
    memory cannot be read says so in the report."""
    transaction = run.transaction
    try:
        former = open_generation(transaction.folder, transaction.schema)
    except TazsearchError:
        return {}
    if former is None:
        return {}
    try:
        segments = list(former.segments)
        articles = indexed_articles(transaction, segments)
        held = [a for a in articles if not a.digest]
        stored = stored_articles(transaction, segments, [(a.segment, a.docnum) for a in held])
    except Exception as exc:
        reason = f"cannot be read from the index being replaced ({type(exc).__name__}: {exc})"
        run.report.skipped.append(Skipped("(articles added from memory)", reason))
        return {}
    for article in stored:
        run.replace(None, article, mtime=0, size=0, digest=b"")
    owners = {a.id: a.path for a in articles if a.path in paths}
    return {**owners, **{a.id: a.path for a in held}}


def _unchanged(old: IndexedArticle | None, found: Found) -> bool:
    """Whether an indexed file's size and modification time are as indexed."""
    return old is not None and (old.mtime, old.size) == (found.mtime, found.size)
