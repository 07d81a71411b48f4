"""The errors tazsearch raises; each message is one line fit for a user."""

from __future__ import annotations


class TazsearchError(Exception):
    """Base of every error that tazsearch reports to its user."""


class IndexNotFoundError(TazsearchError):
    """No index exists at the given directory."""


class IndexVersionError(TazsearchError):
    """The index was built by a tazsearch with other fields; it must be rebuilt."""


class IndexDamagedError(TazsearchError):
    """A file of the index is missing, cut short or changed since it was written."""


class IndexBusyError(TazsearchError):
    """Another writer holds the index's lock."""


class QuerySyntaxError(TazsearchError):
    """The query text cannot be understood."""


class FilterError(TazsearchError, ValueError):
    """A search parameter that cannot be used: a bad date, sort, limit or page."""


class ArticleNotFoundError(TazsearchError, KeyError):
    """No article in the index has the given id or path."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ServeError(TazsearchError):
    """The service cannot start: its port is taken, or not ours to take."""
