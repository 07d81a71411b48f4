"""The errors tazsearch raises; each message is one line fit for a user."""

from __future__ import annotations

from typing import Any

from .messages import Text


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


class _InGerman:
    """Errors a user's input causes, told in English (``str``) and in German
    (``german``, for the web page). They are built from a
    :class:`~tazsearch.messages.Text` only, so that none is raised without its German.
    (A mixin, not an exception: the package exports every exception class.)"""

    german: str

    def __init__(self, text: Text) -> None:
        if not isinstance(text, Text):
            raise TypeError(f"{type(self).__name__} takes a Text of tazsearch.messages")
        super().__init__(text.en)
        self.german = text.de

    def __reduce__(self) -> tuple[Any, ...]:
        # Built again from both texts, not from args, which hold only the English.
        return type(self), (Text(str(self), self.german),)


class QuerySyntaxError(_InGerman, TazsearchError):
    """The query text cannot be understood."""


class FilterError(_InGerman, TazsearchError, ValueError):
    """A search parameter that cannot be used: a bad date, sort, limit or page."""


class ArticleNotFoundError(TazsearchError, KeyError):
    """No article in the index has the given id or path."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ServeError(TazsearchError):
    """The service cannot start: its port is taken, or not ours to take."""


# The errors of an index that cannot be read (gone, damaged, of another format,
# locked): the service, not the request, is at fault, and their messages name
# the index's path, so the service answers them without details.
INDEX_ERRORS = (IndexNotFoundError, IndexVersionError, IndexDamagedError, IndexBusyError)
