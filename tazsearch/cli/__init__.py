"""The ``tazsearch`` command line: a thin layer over the library's Index.

:mod:`.app` holds the frame (the command group, shared options, messages and
the entry point); each other module holds the commands of one kind.
"""

# In this order the commands are listed: writing, reading, exporting, serving.
from . import indexing, reading, exporting, serving  # noqa: F401, I001 (they add their commands)
from .app import QUERY_MARK, app, main

__all__ = ["QUERY_MARK", "app", "main"]
