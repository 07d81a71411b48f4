"""The library's Index: open or create one, bring it up to date, search it, get articles."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from . import messages as m
from .article import Article
from .errors import ArticleNotFoundError, FilterError, IndexNotFoundError, TazsearchError
from .facets import Filters
from .fields import TEXT_FIELDS
from .marks import Marks, TextMarks
from .matches import PAGE_SIZE, ArticleStream
from .matching import Evaluation
from .query import parse_query
from .reports import ProgressCallback, Skipped, UpdateReport
from .results import SearchResults, Span
from .search import ordered_matches, run_search, run_similar
from .snippets import match_spans
from .sources import DEFAULT_MAX_SIZE, storable_path
from .spelling import suggest
from .stats import IndexStats, collect_stats
from .store import (
    CheckReport,
    Snapshot,
    article_from_stored,
    begin_write,
    build_schema,
    check_index,
    committed_at,
    latest_generation,
    open_generation,
)
from .store.readers import Readers

__all__ = ["Index", "ProgressCallback", "Skipped", "UpdateReport", "storable_path"]

T = TypeVar("T")
# The update pipeline (parsing, segment building, worker processes) is imported
# by the methods that write: a command that only reads starts without it.


class Index:
    """A tazsearch index in one directory.

    Open it with :meth:`open` (``create=True`` makes a new one if none is
    there), then :meth:`update` it from article files, :meth:`search` it and
    :meth:`get` single articles. It is a context manager.

    One Index may be shared between threads. Each read takes a snapshot of
    the last commit of its own, so a slow search never holds up another (see
    :class:`~tazsearch.store.readers.Readers`).
    """

    def __init__(
        self, path: str | os.PathLike[str], *, rebuild: bool = False, seen: int = 0
    ) -> None:
        self.path = Path(path)
        self._schema = build_schema()
        self._readers = Readers(self.path, self._schema, seen=seen)
        self._readers.rebuilding = rebuild

    @classmethod
    def open(
        cls, path: str | os.PathLike[str] = "index", *, create: bool = False, rebuild: bool = False
    ) -> Index:
        """Open the index at ``path``; with ``create``, a new one if none exists.

        Nothing is written until the first :meth:`update` commits. With
        ``rebuild``, whatever index is there (even one of another format, or
        a damaged one) is replaced by the next update, in one commit: until
        then, readers see the old one. An index of another format raises
        :class:`IndexVersionError`, a damaged one :class:`IndexDamagedError`;
        both suggest rebuilding.
        """
        text = os.fspath(path)
        if not text:
            raise TazsearchError("the index folder's name is empty")
        directory = Path(text)
        if rebuild:
            return cls(directory, rebuild=True)
        found = open_generation(directory, build_schema())
        if found is None and not create:
            hint = f"build one with `tazsearch index PATH --index {directory}`"
            raise IndexNotFoundError(f"no index at {directory}: {hint}")
        return cls(directory, seen=found.number if found else 0)

    def close(self) -> None:
        self._readers.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self._read(lambda snapshot: snapshot.doc_count())

    @property
    def generation(self) -> int:
        """The number of the index's last commit; each commit adds one, 0 before the first."""
        return latest_generation(self.path) or 0

    def update(
        self,
        paths: Iterable[str | os.PathLike[str]],
        progress: ProgressCallback | None = None,
        *,
        max_size: int = DEFAULT_MAX_SIZE,
        rebuild: bool | None = None,
    ) -> UpdateReport:
        """Index new and changed files under ``paths`` and drop deleted ones.

        Files whose size and modification time are unchanged are not read
        again; the index's own files (those in its folder) are never indexed.
        Only regular files of at most ``max_size`` bytes are read; others,
        and files that are not articles, are reported in ``skipped``. If an
        earlier version of such a file was indexed, that version stays, as do
        the articles of a folder that cannot be read. All changes are
        committed at once at the end, so the index never holds half a run,
        and a run that changes nothing writes nothing. With ``rebuild``
        (default: as opened), the index is built anew beside the old one and
        replaces it in that one commit.
        """
        from .updating import resolve_roots, run_update

        roots = resolve_roots(paths)
        rebuild = self._readers.rebuilding if rebuild is None else rebuild
        transaction = begin_write(self.path, self._schema, rebuild=rebuild)
        return self._written(run_update(transaction, roots, progress=progress, max_size=max_size))

    def add(self, articles: Iterable[Article]) -> UpdateReport:
        """Index articles held in memory, from :func:`parse_text` or built in code.

        Each replaces the indexed article with its id, if there is one (whether
        that came from a file or from memory); an article whose path is another
        article's is an error. All are committed at once, as by :meth:`update`,
        with its locking and its safety from crashes; any error, of any
        article, commits nothing. ``articles`` may be any iterable, read once.
        """
        from .updating import run_add

        transaction = begin_write(self.path, self._schema)
        return self._written(run_add(transaction, articles))

    def remove(
        self, ids: Iterable[str] = (), *, paths: Iterable[str] = (), missing_ok: bool = False
    ) -> UpdateReport:
        """Remove the articles with these ids, and those indexed from these paths, in
        one commit. One that is not indexed raises :class:`ArticleNotFoundError`, and
        nothing is removed, unless ``missing_ok``."""
        from .updating import run_remove

        transaction = begin_write(self.path, self._schema)
        return self._written(run_remove(transaction, ids, paths, missing_ok=missing_ok))

    def _written(self, report: UpdateReport) -> UpdateReport:
        """After a write: later reads must find its commit, the index is no longer
        being rebuilt."""
        self._readers.rebuilding = False
        self._readers.seen = latest_generation(self.path) or 0
        return report

    # Reading

    def _read(self, action: Callable[[Snapshot], T]) -> T:
        """``action(snapshot)`` on a snapshot of the last commit (see :class:`Readers`)."""
        return self._readers.read(action)

    @contextmanager
    def _reading(self) -> Iterator[Snapshot]:
        """A snapshot of the last commit, for a block of reads (tests use it)."""
        snapshot = self._readers.checkout()
        try:
            yield snapshot
        finally:
            self._readers.checkin(snapshot)

    def search(
        self,
        query: str = "",
        *,
        limit: int = 10,
        page: int = 1,
        authors: str | Iterable[str] = (),
        tags: str | Iterable[str] = (),
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
        matter); one string is one value. ``since`` and ``until`` take YYYY,
        YYYY-MM or YYYY-MM-DD. An empty query lists the articles that pass
        the filters, newest first. ``sort`` is relevance, newest or oldest.
        ``facets`` adds counts per date, tag and author over all matches.
        ``results.suggestion`` holds a did-you-mean for misspelt words; with
        ``autocorrect`` a query that finds nothing is searched as its
        suggestion instead. Raises :class:`QuerySyntaxError` for a query it
        cannot read and :class:`FilterError` for a bad filter, limit or page.
        """
        _check_counts(limit=limit, page=page)
        filters = Filters(_values(authors), _values(tags), since, until)
        return self._read(
            lambda snapshot: run_search(
                snapshot,
                query,
                limit=limit,
                page=page,
                filters=filters,
                sort=sort,
                facets=facets,
                autocorrect=autocorrect,
            )
        )

    def iter_articles(
        self,
        query: str = "",
        *,
        authors: str | Iterable[str] = (),
        tags: str | Iterable[str] = (),
        since: str | None = None,
        until: str | None = None,
        sort: str = "relevance",
        page_size: int = PAGE_SIZE,
    ) -> ArticleStream:
        """Every article the query matches, whole, in the order :meth:`search` gives
        its hits, read ``page_size`` at a time: for exports and batch jobs.

        Filters and ``sort`` are those of :meth:`search`; the query is never
        corrected to a did-you-mean. The stream's ``len`` is the number of
        matches. It reads one snapshot of the index, held until it is iterated
        to the end or closed; use it as a context manager to close it early.
        """
        _check_counts(page_size=page_size)
        filters = Filters(_values(authors), _values(tags), since, until)
        snapshot = self._readers.checkout()
        try:
            order, notes = ordered_matches(snapshot, query, filters=filters, sort=sort)
        except BaseException:
            self._readers.checkin(snapshot)
            raise
        return ArticleStream(self._readers, snapshot, order, notes, page_size)

    def highlighter(self, query: str) -> Callable[[str], list[Span]]:
        """A function giving the spans of any text that the query's words match."""

        def marks(snapshot: Snapshot) -> TextMarks:
            found = Marks.of(parse_query(query).matches, Evaluation(snapshot))
            return found.in_fields(*TEXT_FIELDS)

        wanted = self._read(marks)
        return lambda text: match_spans(text, wanted)

    def stats(self) -> IndexStats:
        """Articles, date range, size on disk, articles per year, top tags and authors."""
        updated = committed_at(self.path)
        return self._read(lambda snapshot: collect_stats(snapshot, self.path, updated))

    def suggest(self, query: str) -> str | None:
        """A did-you-mean for the query, from the index's own words, or None."""
        return self._read(lambda snapshot: suggest(snapshot, query))

    def similar(self, key: str, *, limit: int = 10, path_lookup: bool = True) -> SearchResults:
        """The articles most like the one with this id or file path, most alike first.

        With ``path_lookup=False`` the key is an id only, never read as a path.
        """
        _check_counts(limit=limit)
        return self._read(
            lambda snapshot: run_similar(snapshot, _docnum(snapshot, key, path_lookup), limit=limit)
        )

    def get(self, key: str, *, path_lookup: bool = True) -> Article:
        """The article with this id, or indexed from this file path.

        With ``path_lookup=False`` the key is an id only, never read as a path:
        what a service that takes ids from strangers wants.
        """
        return self._read(
            lambda snapshot: article_from_stored(
                snapshot.stored(_docnum(snapshot, key, path_lookup))
            )
        )

    def check(self) -> CheckReport:
        """Every file of the index read against the checksums recorded at its commit.

        Raises :class:`IndexNotFoundError` if there is no index.
        """
        return check_index(self.path, self._schema)


def _docnum(snapshot: Snapshot, key: str, path_lookup: bool = True) -> int:
    docnum = snapshot.docnum_of("id", storable_path(key))
    if docnum is None and path_lookup and os.path.exists(key):
        docnum = snapshot.docnum_of("path", storable_path(str(Path(key).resolve())))
    if docnum is None:
        what = "id or path" if path_lookup else "id"
        raise ArticleNotFoundError(f"no article with {what} {storable_path(key)!r}")
    return docnum


def _check_counts(**counts: object) -> None:
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise FilterError(m.BAD_COUNT(name=m.COUNT_NAMES[name], value=value))


def _values(given: object) -> tuple[str, ...]:
    """Filter values: one string is one value, not a sequence of letters."""
    if isinstance(given, str):
        return (given,)
    values = tuple(given) if isinstance(given, Iterable) else (given,)
    if not all(isinstance(v, str) for v in values):
        raise FilterError(m.NOT_STRINGS(given=given))
    return values
