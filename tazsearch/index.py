"""The library's Index: open or create one, bring it up to date, search it, get articles."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from .errors import (
    ArticleNotFoundError,
    IndexBusyError,
    IndexNotFoundError,
    IndexVersionError,
    TazsearchError,
)
from .facets import Filters
from .parse import Article, NotAnArticle, parse_bytes
from .query import highlight_terms, parse_query
from .ranking import GermanBM25
from .results import SearchResults, Span
from .schema import article_from_stored, build_schema, document_for
from .search import run_search, run_similar
from .snippets import match_spans
from .spelling import suggest
from .stats import IndexStats, collect_stats
from .writing import ParallelBuilder, SegmentBuilder

# Below this many files to index, starting processes costs more than it saves.
PARALLEL_MIN = 500
# More segments than this, and the smallest MERGE_FACTOR are merged into one.
MAX_SEGMENTS = 10
MERGE_FACTOR = 4
WRITER_MB = 256

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(files_done, files_total)`` while an update runs."""


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why."""

    path: str
    reason: str


@dataclass
class UpdateReport:
    """What one :meth:`Index.update` did, file by file counted."""

    indexed: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def files(self) -> int:
        return self.indexed + self.updated + self.unchanged + len(self.skipped)

    def to_dict(self) -> dict[str, Any]:
        return {
            "indexed": self.indexed,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class _FileState:
    mtime: int
    size: int
    digest: bytes = b""


def iter_files(root: Path) -> Iterator[Path]:
    """Every non-hidden file under ``root``, in a stable order, not following symlinks."""
    if not root.is_dir():
        yield root
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name


def _open_compatible(directory: Path) -> whoosh_index.Index:
    """Open a Whoosh index whose fields are the ones this tazsearch writes."""
    hint = f"rebuild it with `tazsearch index PATH --index {directory} --rebuild`"
    try:
        ix = whoosh_index.open_dir(directory)
    except Exception as exc:  # An unpicklable schema, a damaged table of contents.
        raise IndexVersionError(f"cannot open the index at {directory} ({exc}); {hint}") from exc
    expected = build_schema()
    found = {name: type(ix.schema[name]) for name in ix.schema.names()}
    if found != {name: type(expected[name]) for name in expected.names()}:
        ix.close()
        raise IndexVersionError(
            f"the index at {directory} was built by another version of tazsearch; {hint}"
        )
    return ix


def _remove_index_files(directory: Path) -> None:
    """Delete the files of a Whoosh index in ``directory``, and nothing else there."""
    if directory.is_dir():
        for file in directory.iterdir():
            if file.name.startswith(("MAIN_", "_MAIN_")) and file.is_file():
                file.unlink()


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


def _same_file(path: str, old: _FileState | None) -> bool:
    """Whether an indexed file's size and modification time are as indexed."""
    if old is None:
        return False
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return (old.mtime, old.size) == (stat.st_mtime_ns, stat.st_size)


def _commit(writer: Any, segments: list[Any]) -> None:
    """Commit the writer's deletions with the segments built beside it.

    Whoosh's writer has no public way to add segments written elsewhere; this
    is its own commit, in steps, with the final list of segments in the new
    table of contents. Segments are written as separate files, not compound
    ones: Whoosh copies a sub-file of a compound segment into memory each time
    it opens it.
    """
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()


def _merge_small(storage: Any, schema: Any, segments: list[Any]) -> list[Any]:
    """The segments, with the smallest merged into one when there are too many.

    Each run adds a segment or two; searching many small ones is slow. Merging
    copies postings (see :meth:`SegmentBuilder.add_segment`), which Whoosh's
    own merge did through its slow writer. Segments whose every document was
    deleted are dropped.
    """
    live = [s for s in segments if s.doc_count() > 0]
    if len(live) <= MAX_SEGMENTS:
        return live
    # The smallest few, so that each article is copied once per few-fold
    # growth of its segment rather than at every merge.
    small = sorted(live, key=lambda s: s.doc_count())[: max(MERGE_FACTOR, len(live) - MAX_SEGMENTS)]
    builder = SegmentBuilder(storage, schema)
    for segment in small:
        reader = SegmentReader(storage, schema, segment)
        try:
            builder.add_segment(reader)
        finally:
            reader.close()
    merged = builder.finish()
    return [s for s in live if s not in small] + merged


def _under(path: str, roots: Iterable[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


class Index:
    """A tazsearch index in one directory.

    Open it with :meth:`open` (``create=True`` makes a new one if none is
    there), then :meth:`update` it from article files, :meth:`search` it and
    :meth:`get` single articles. It is a context manager.

    One Index may be shared between threads: its reads go through one open
    searcher behind a lock, refreshed to the last commit before each use.
    """

    def __init__(self, path: str | os.PathLike[str], _ix: whoosh_index.Index) -> None:
        self.path = Path(path)
        self._ix = _ix
        self._searcher: Any = None
        self._lock = threading.RLock()

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        """The index's one open searcher, brought up to date with the last commit.

        Opening a searcher reads every segment's files, which costs more than
        most queries, so one stays open; the lock makes it safe to share.
        """
        with self._lock:
            if self._searcher is None:
                self._searcher = self._ix.searcher(weighting=GermanBM25())
            else:
                # The old searcher's segment readers are reused, not closed.
                self._searcher = self._searcher.refresh()
            yield self._searcher

    @classmethod
    def open(
        cls, path: str | os.PathLike[str] = "index", *, create: bool = False, rebuild: bool = False
    ) -> Index:
        """Open the index at ``path``; with ``create``, make an empty one if none exists.

        ``rebuild`` replaces whatever index is there with an empty one. An
        index built by a tazsearch with other fields raises
        :class:`IndexVersionError`, which suggests rebuilding.
        """
        directory = Path(path)
        if rebuild:
            _remove_index_files(directory)
        if whoosh_index.exists_in(directory):
            return cls(directory, _open_compatible(directory))
        if not (create or rebuild):
            hint = f"build one with `tazsearch index PATH --index {directory}`"
            raise IndexNotFoundError(f"no index at {directory}: {hint}")
        try:
            directory.mkdir(parents=True, exist_ok=True)
            return cls(directory, whoosh_index.create_in(directory, build_schema()))
        except OSError as exc:
            raise TazsearchError(f"cannot create an index at {directory}: {exc.strerror}") from exc

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
        self._ix.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self._ix.doc_count()

    @property
    def generation(self) -> int:
        """The number of the index's last commit; each commit adds one."""
        return self._ix.latest_generation()

    def update(
        self, paths: Iterable[str | os.PathLike[str]], progress: ProgressCallback | None = None
    ) -> UpdateReport:
        """Index new and changed files under ``paths`` and drop deleted ones.

        Files whose size and modification time are unchanged are not read
        again; the index's own files (those in its folder) are never indexed. A file that is not an
        article is reported in ``skipped``; if an earlier version of it was
        indexed, that version stays. All changes are committed at once at the
        end, so the index never holds half a run.
        """
        started = time.perf_counter()
        report = UpdateReport()
        roots = [str(Path(p).resolve()) for p in paths]
        for root in roots:
            if not os.path.exists(root):
                raise TazsearchError(f"no such file or directory: {root}")
        own_folder = self.path.resolve()  # as in `tazsearch index .` beside index/
        found = (f.absolute() for root in roots for f in iter_files(Path(root)))
        files = {storable_path(str(f)): str(f) for f in found if f.parent != own_folder}
        known = self._file_states([storable_path(root) for root in roots])
        todo = [(path, known.pop(path, None)) for path in files]
        todo = [(path, old) for path, old in todo if not _same_file(files[path], old)]
        report.unchanged = len(files) - len(todo)
        writer = self._open_writer()
        builder: SegmentBuilder | ParallelBuilder | None = None
        try:
            builder = self._builder(len(todo))
            with self._ix.searcher() as searcher:
                taken_ids: dict[str, str] = {}
                for done, (path, old) in enumerate(todo, report.unchanged + 1):
                    self._update_file(
                        files[path], path, old, writer, builder, searcher, taken_ids, report
                    )
                    if progress:
                        progress(done, len(files))
            for path in known:
                writer.delete_by_term("path", path)
                report.removed += 1
            segments = builder.finish()
        except BaseException as exc:
            try:
                if builder is not None:
                    with contextlib.suppress(Exception):
                        builder.cancel()
            finally:
                writer.cancel()  # Releases the index's write lock.
            if isinstance(exc, OSError):
                raise self._write_error(exc) from exc
            raise
        try:
            if report.indexed or report.updated or report.removed:
                every = _merge_small(self._ix.storage, self._ix.schema, writer.segments + segments)
                _commit(writer, every)
            else:
                writer.cancel()
        except BaseException as exc:  # A full disk, say: the last commit stays as it was.
            if not writer.is_closed:
                with contextlib.suppress(Exception):
                    writer.cancel()  # Releases the index's write lock.
            # The new segments' files are deleted by the next commit.
            if isinstance(exc, OSError):
                raise self._write_error(exc) from exc
            raise
        report.seconds = time.perf_counter() - started
        return report

    def _open_writer(self) -> Any:
        """Whoosh's writer, holding the index's write lock until it commits or cancels.

        The lock is taken here rather than by the writer, so that it is given
        back when making the writer fails, on a full disk say.
        """
        lock = self._ix.lock("WRITELOCK")
        if not lock.acquire(blocking=False):
            raise IndexBusyError(f"another process is writing the index at {self.path}")
        try:
            writer = SegmentWriter(self._ix, _lk=False, limitmb=WRITER_MB, compound=False)
        except BaseException as exc:
            lock.release()
            if isinstance(exc, OSError):
                raise self._write_error(exc) from exc
            raise
        writer.writelock = lock
        return writer

    def _write_error(self, exc: OSError) -> TazsearchError:
        return TazsearchError(f"cannot write the index at {self.path}: {exc.strerror or exc}")

    def _builder(self, documents: int) -> SegmentBuilder | ParallelBuilder:
        """A segment builder that indexes on every core when there is much to index."""
        cores = os.cpu_count() or 1
        if documents >= PARALLEL_MIN and cores > 1:
            return ParallelBuilder(str(self.path), self._ix.schema, cores)
        return SegmentBuilder(self._ix.storage, self._ix.schema)

    def _update_file(
        self,
        real_path: str,
        path: str,
        old: _FileState | None,
        writer: Any,
        builder: SegmentBuilder | ParallelBuilder,
        searcher: Any,
        taken_ids: dict[str, str],
        report: UpdateReport,
    ) -> None:
        try:
            stat = os.stat(real_path)
            with open(real_path, "rb") as f:
                data = f.read()
        except OSError as exc:
            report.skipped.append(Skipped(path, f"cannot read: {exc.strerror or exc}"))
            return
        digest = hashlib.blake2b(data, digest_size=16).digest()
        if old and old.digest == digest:
            report.unchanged += 1
            return
        try:
            article = parse_bytes(data, path)
        except NotAnArticle as exc:
            kept = " (the earlier version stays indexed)" if old else ""
            report.skipped.append(Skipped(path, f"{exc}{kept}"))
            return
        owner = taken_ids.get(article.id) or self._path_of(searcher, article.id)
        if owner and owner != path:
            report.skipped.append(Skipped(path, f"duplicate article id {article.id!r}: {owner}"))
            return
        taken_ids[article.id] = path
        state = {"path": path, "mtime": stat.st_mtime_ns, "size": stat.st_size, "digest": digest}
        if old:
            writer.delete_by_term("path", path)
            report.updated += 1
        else:
            report.indexed += 1
        builder.add(document_for(article, **state))

    @staticmethod
    def _path_of(searcher: Any, article_id: str) -> str | None:
        if not searcher.doc_count_all():  # A new index: nothing to look up.
            return None
        stored = searcher.document(id=article_id)
        return stored["path"] if stored else None

    def _file_states(self, roots: list[str]) -> dict[str, _FileState]:
        """Path -> state of every indexed file under ``roots``, read from columns, not documents."""
        states = {}
        with self._ix.reader() as reader:
            if reader.doc_count() == 0:
                return {}
            paths = reader.column_reader("path")
            mtimes = reader.column_reader("mtime")
            sizes = reader.column_reader("size")
            digests = reader.column_reader("digest")
            for docnum in reader.all_doc_ids():
                path = paths[docnum]
                if _under(path, roots):
                    states[path] = _FileState(mtimes[docnum], sizes[docnum], digests[docnum])
        return states

    def search(
        self,
        query: str = "",
        *,
        limit: int = 10,
        page: int = 1,
        authors: Iterable[str] = (),
        tags: Iterable[str] = (),
        since: str | None = None,
        until: str | None = None,
        sort: str = "relevance",
        facets: bool = False,
        autocorrect: bool = True,
    ) -> SearchResults:
        """Search with the query syntax of the CLI; hits come ranked best first.

        Articles holding every query word come before those holding only
        some, unless the query is a question. ``authors`` and ``tags`` keep
        articles with all these exact values (case and umlaut spelling do not
        matter); ``since`` and ``until`` take YYYY, YYYY-MM or YYYY-MM-DD. An
        empty query lists the articles that pass the filters, newest first.
        ``sort`` is relevance, newest or oldest. ``facets`` adds counts per
        date, tag and author over all matches. ``results.suggestion`` holds a
        did-you-mean for misspelt words; with ``autocorrect`` a query that
        finds nothing is searched as its suggestion instead. Raises
        :class:`QuerySyntaxError` for a query it cannot read and
        :class:`FilterError` for a bad filter.
        """
        filters = Filters(tuple(authors), tuple(tags), since, until)
        with self._reading() as searcher:
            return run_search(
                searcher,
                query,
                limit=limit,
                page=page,
                filters=filters,
                sort=sort,
                facets=facets,
                autocorrect=autocorrect,
            )

    def highlighter(self, query: str) -> Callable[[str], list[Span]]:
        """A function giving the spans of any text that the query's words match."""
        with self._reading() as searcher:
            wanted = highlight_terms(parse_query(searcher.schema, query)[-1], searcher)
        return lambda text: match_spans(text, wanted)

    def stats(self) -> IndexStats:
        """Articles, date range, size on disk, articles per year, top tags and authors."""
        with self._reading() as searcher:
            return collect_stats(searcher, self.path, self._ix.last_modified())

    def suggest(self, query: str) -> str | None:
        """A did-you-mean for the query, from the index's own words, or None."""
        with self._reading() as searcher:
            return suggest(searcher.reader(), query)

    def similar(self, key: str, *, limit: int = 10, path_lookup: bool = True) -> SearchResults:
        """The articles most like the one with this id or file path, most alike first.

        With ``path_lookup=False`` the key is an id only, never read as a path.
        """
        with self._reading() as searcher:
            return run_similar(searcher, self._docnum(searcher, key, path_lookup), limit=limit)

    def get(self, key: str, *, path_lookup: bool = True) -> Article:
        """The article with this id, or indexed from this file path.

        With ``path_lookup=False`` the key is an id only, never read as a path:
        what a service that takes ids from strangers wants.
        """
        with self._reading() as searcher:
            docnum = self._docnum(searcher, key, path_lookup)
            return article_from_stored(searcher.stored_fields(docnum))

    def _docnum(self, searcher: Any, key: str, path_lookup: bool = True) -> int:
        docnum = searcher.document_number(id=storable_path(key))
        if docnum is None and path_lookup and os.path.exists(key):
            docnum = searcher.document_number(path=storable_path(str(Path(key).resolve())))
        if docnum is None:
            what = "id or path" if path_lookup else "id"
            raise ArticleNotFoundError(f"no article with {what} {storable_path(key)!r}")
        return docnum
