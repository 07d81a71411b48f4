"""tazsearch: German full-text search for taz.de articles.

>>> from tazsearch import Index
>>> with Index.open("index", create=True) as ix:
...     ix.update(["seeds/"])
...     for hit in ix.search("Nordkorea Soldaten"):
...         print(hit.rank, hit.title)

The names below are imported on first use, so that the command line starts
without loading what it does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .article import Article, Block, Link, Related
    from .decoding import NotAnArticle
    from .errors import (
        ArticleNotFoundError,
        FilterError,
        IndexBusyError,
        IndexDamagedError,
        IndexNotFoundError,
        IndexVersionError,
        QuerySyntaxError,
        ServeError,
        TazsearchError,
    )
    from .index import Index, Skipped, UpdateReport
    from .matches import ArticleStream
    from .parse import parse_file, parse_text
    from .results import Hit, SearchResults, Snippet

    __version__: str

_MODULES = {
    "errors": (
        "ArticleNotFoundError",
        "FilterError",
        "IndexBusyError",
        "IndexDamagedError",
        "IndexNotFoundError",
        "IndexVersionError",
        "QuerySyntaxError",
        "ServeError",
        "TazsearchError",
    ),
    "index": ("Index", "Skipped", "UpdateReport"),
    "article": ("Article", "Block", "Link", "Related"),
    "decoding": ("NotAnArticle",),
    "matches": ("ArticleStream",),
    "parse": ("parse_file", "parse_text"),
    "results": ("Hit", "SearchResults", "Snippet"),
}
_MODULE_OF = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "Article",
    "ArticleNotFoundError",
    "ArticleStream",
    "Block",
    "FilterError",
    "Hit",
    "Index",
    "IndexBusyError",
    "IndexDamagedError",
    "IndexNotFoundError",
    "IndexVersionError",
    "Link",
    "NotAnArticle",
    "QuerySyntaxError",
    "Related",
    "SearchResults",
    "ServeError",
    "Skipped",
    "Snippet",
    "TazsearchError",
    "UpdateReport",
    "parse_file",
    "parse_text",
]


def _version() -> str:
    """The version installed, as written once, in pyproject.toml."""
    import importlib.metadata

    try:
        return importlib.metadata.version("tazsearch")
    except importlib.metadata.PackageNotFoundError:  # Run from a source tree, not installed.
        return "unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()[name] = _version()
        return globals()[name]
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'tazsearch' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
