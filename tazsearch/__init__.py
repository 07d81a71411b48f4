"""tazsearch: German full-text search for taz.de articles.

>>> from tazsearch import Index
>>> with Index.open("index", create=True) as ix:
...     ix.update(["seeds/"])
...     for hit in ix.search("Nordkorea Soldaten"):
...         print(hit.rank, hit.title)
"""

from .errors import (
    ArticleNotFoundError,
    IndexBusyError,
    IndexNotFoundError,
    IndexVersionError,
    QuerySyntaxError,
    TazsearchError,
)
from .index import Index, Skipped, UpdateReport
from .parse import Article, Block, Link, NotAnArticle, Related, parse_file
from .results import Hit, SearchResults, Snippet

__all__ = [
    "Article",
    "ArticleNotFoundError",
    "Block",
    "Hit",
    "Index",
    "IndexBusyError",
    "IndexNotFoundError",
    "IndexVersionError",
    "Link",
    "NotAnArticle",
    "QuerySyntaxError",
    "Related",
    "SearchResults",
    "Skipped",
    "Snippet",
    "TazsearchError",
    "UpdateReport",
    "parse_file",
]
__version__ = "0.1.0"
