"""The library's Index: open or create one, bring it up to date, search it, get articles."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher

from .errors import (
    ArticleNotFoundError,
    FilterError,
    IndexDamagedError,
    IndexNotFoundError,
    IndexVersionError,
    TazsearchError,
)
from .facets import Filters
from .marks import Marks, TextMarks
from .matching import Evaluation
from .parse import Article
from .query import parse_query
from .ranking import GermanBM25
from .results import SearchResults, Span
from .schema import TEXT_FIELDS, article_from_stored, build_schema
from .search import run_search, run_similar
from .snippets import match_spans
from .sources import DEFAULT_MAX_SIZE
from .spelling import suggest
from .stats import IndexStats, collect_stats
from .store import (
    CheckReport,
    begin_write,
    check_index,
    latest_generation,
    open_generation,
    open_reader,
)
from .store.verify import diagnose
from .updating import ProgressCallback, Skipped, UpdateReport, run_update, storable_path

__all__ = ["Index", "ProgressCallback", "Skipped", "UpdateReport", "storable_path"]

T = TypeVar("T")
# Searchers kept open for reuse, beyond those in use.
IDLE_SEARCHERS = 4


class Index:
    """A tazsearch index in one directory.

    Open it with :meth:`open` (``create=True`` makes a new one if none is
    there), then :meth:`update` it from article files, :meth:`search` it and
    :meth:`get` single articles. It is a context manager.

    One Index may be shared between threads. Each read takes an open
    searcher of the last commit of its own, so a slow search never holds up
    another; searchers are kept for reuse until a commit supersedes them.
    """

    def __init__(self, path: str | os.PathLike[str], *, rebuild: bool = False) -> None:
        self.path = Path(path)
        self._schema = build_schema()
        self._storage = FileStorage(str(path))
        self._rebuild = rebuild
        self._idle: list[tuple[int, Searcher]] = []
        self._lock = threading.Lock()  # guards the list of idle searchers only
        self._closed = False
        self._seen = 0  # the last commit read: once there was one, there must be one

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
        index = cls(directory)
        index._seen = found.number if found else 0
        return index

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            self._closed = True
        for _, searcher in idle:
            searcher.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self._read(lambda searcher: searcher.doc_count())

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
        rebuild = self._rebuild if rebuild is None else rebuild
        transaction = begin_write(self.path, self._schema, rebuild=rebuild)
        report = run_update(transaction, roots, progress=progress, max_size=max_size)
        self._rebuild = False
        self._seen = latest_generation(self.path) or 0
        return report

    # Reading

    def _read(self, action: Callable[[Searcher], T]) -> T:
        """``action(searcher)`` on a searcher of the last commit.

        A read that fails because a commit removed the files it was reading
        is tried again on the new commit. Any other failure is checked
        against the index's record: damage is named, never a partial answer.
        """
        for attempt in (1, 2):
            number, searcher = -1, None
            try:
                number, searcher = self._checkout()
                result = action(searcher)
            except TazsearchError:
                if searcher is not None:
                    self._checkin(number, searcher)
                raise
            except Exception as exc:
                if searcher is not None:
                    searcher.close()
                if attempt == 1 and (latest_generation(self.path) or 0) != number:
                    continue
                damage = diagnose(self.path, self._schema)
                if damage is None:
                    raise
                raise damage from exc
            self._checkin(number, searcher)
            return result
        raise AssertionError("unreachable")

    @contextmanager
    def _reading(self) -> Iterator[Searcher]:
        """A searcher of the last commit, for a block of reads (tests use it)."""
        number, searcher = self._checkout()
        try:
            yield searcher
        finally:
            self._checkin(number, searcher)

    def _checkout(self) -> tuple[int, Searcher]:
        """A searcher of the last commit, reused if one is idle.

        An index opened for a rebuild whose old version cannot be read reads
        as empty until the rebuild commits.
        """
        try:
            latest = latest_generation(self.path) or 0
            if not latest and self._seen and not self._rebuild:
                raise IndexNotFoundError(
                    f"the index at {self.path} is gone: it held commits, and now holds "
                    "none (was its folder moved or deleted?)"
                )
            with self._lock:
                while self._idle:
                    number, searcher = self._idle.pop()
                    if number == latest:
                        return number, searcher
                    searcher.close()
            generation = open_generation(self.path, self._schema)
        except (IndexVersionError, IndexDamagedError):
            if not self._rebuild:
                raise
            generation = None
        reader = open_reader(self._storage, self._schema, generation)
        number = generation.number if generation else 0
        self._seen = max(self._seen, number)
        return number, Searcher(reader, weighting=GermanBM25())

    def _checkin(self, number: int, searcher: Searcher) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < IDLE_SEARCHERS:
                self._idle.append((number, searcher))
                return
        searcher.close()

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
            lambda searcher: run_search(
                searcher,
                query,
                limit=limit,
                page=page,
                filters=filters,
                sort=sort,
                facets=facets,
                autocorrect=autocorrect,
            )
        )

    def highlighter(self, query: str) -> Callable[[str], list[Span]]:
        """A function giving the spans of any text that the query's words match."""

        def marks(searcher: Searcher) -> TextMarks:
            found = Marks.of(parse_query(query).matches, Evaluation(searcher))
            return found.in_fields(*TEXT_FIELDS)

        wanted = self._read(marks)
        return lambda text: match_spans(text, wanted)

    def stats(self) -> IndexStats:
        """Articles, date range, size on disk, articles per year, top tags and authors."""
        updated = self._updated()
        return self._read(lambda searcher: collect_stats(searcher, self.path, updated))

    def _updated(self) -> float | None:
        number = latest_generation(self.path)
        if number is None:
            return None
        try:
            return os.path.getmtime(self.path / f"_MAIN_{number}.sums")
        except OSError:
            return None

    def suggest(self, query: str) -> str | None:
        """A did-you-mean for the query, from the index's own words, or None."""
        return self._read(lambda searcher: suggest(searcher.reader(), query))

    def similar(self, key: str, *, limit: int = 10, path_lookup: bool = True) -> SearchResults:
        """The articles most like the one with this id or file path, most alike first.

        With ``path_lookup=False`` the key is an id only, never read as a path.
        """
        _check_counts(limit=limit)
        return self._read(
            lambda searcher: run_similar(
                searcher, self._docnum(searcher, key, path_lookup), limit=limit
            )
        )

    def get(self, key: str, *, path_lookup: bool = True) -> Article:
        """The article with this id, or indexed from this file path.

        With ``path_lookup=False`` the key is an id only, never read as a path:
        what a service that takes ids from strangers wants.
        """
        return self._read(
            lambda searcher: article_from_stored(
                searcher.stored_fields(self._docnum(searcher, key, path_lookup))
            )
        )

    def _docnum(self, searcher: Any, key: str, path_lookup: bool = True) -> int:
        docnum = searcher.document_number(id=storable_path(key))
        if docnum is None and path_lookup and os.path.exists(key):
            docnum = searcher.document_number(path=storable_path(str(Path(key).resolve())))
        if docnum is None:
            what = "id or path" if path_lookup else "id"
            raise ArticleNotFoundError(f"no article with {what} {storable_path(key)!r}")
        return docnum

    def check(self) -> CheckReport:
        """Every file of the index read against the checksums recorded at its commit.

        Raises :class:`IndexNotFoundError` if there is no index.
        """
        return check_index(self.path, self._schema)


def _check_counts(**counts: object) -> None:
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise FilterError(f"{name} must be a whole number of at least 1, not {value!r}")


def _values(given: object) -> tuple[str, ...]:
    """Filter values: one string is one value, not a sequence of letters."""
    if isinstance(given, str):
        return (given,)
    values = tuple(given) if isinstance(given, Iterable) else (given,)
    if not all(isinstance(v, str) for v in values):
        raise FilterError(f"author and tag filters take strings, not {given!r}")
    return values
