"""The index on disk: Whoosh's file format, its commits, and their record of files.

Everything that knows how Whoosh lays an index out on disk, or uses a name
Whoosh keeps private, lives in this package. The rest of tazsearch asks it
for a reader of the last commit, and for a write transaction that commits
segments in one step.
"""

from .commit import WriteTransaction, begin_write
from .files import INDEX_NAME
from .generations import (
    Generation,
    latest_generation,
    open_generation,
    open_reader,
    read_lexicon,
)
from .verify import CheckReport, check_index

__all__ = [
    "INDEX_NAME",
    "CheckReport",
    "Generation",
    "WriteTransaction",
    "begin_write",
    "check_index",
    "latest_generation",
    "open_generation",
    "open_reader",
    "read_lexicon",
]
