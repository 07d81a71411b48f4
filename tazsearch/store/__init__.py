"""The index on disk: Whoosh's file format, its commits, and their record of files.

Everything that knows how Whoosh lays an index out on disk, or uses a name
Whoosh keeps private, lives in this package (a test holds the rest of
tazsearch to that). The rest asks it for a :class:`Snapshot` of the last
commit to read, and for a write transaction that builds segments and commits
them in one step.
"""

# First, before any other module here imports Whoosh (see lean_whoosh).
from . import lean_whoosh  # noqa: F401
from .blocks import TermPostings
from .cache import SegmentCache
from .commit import WriteTransaction, begin_write, write_error
from .files import INDEX_NAME
from .generations import (
    Generation,
    committed_at,
    latest_generation,
    open_generation,
    read_lexicon,
)
from .records import FORMAT_VERSION
from .schema import IndexDocument, article_from_stored, build_schema, document_for
from .snapshot import Snapshot
from .verify import CheckReport, check_index, diagnose

__all__ = [
    "FORMAT_VERSION",
    "INDEX_NAME",
    "CheckReport",
    "Generation",
    "IndexDocument",
    "SegmentCache",
    "Snapshot",
    "TermPostings",
    "WriteTransaction",
    "article_from_stored",
    "begin_write",
    "build_schema",
    "check_index",
    "committed_at",
    "diagnose",
    "document_for",
    "latest_generation",
    "open_generation",
    "read_lexicon",
    "write_error",
]
