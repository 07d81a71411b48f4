"""Whoosh, imported without the web client it never uses here.

``whoosh.compat``, which every Whoosh module imports, imports
``urllib.request`` for a download helper tazsearch never calls, and with it
http.client, email and ssl: some 25 ms of the 0.35 s a cold ``tazsearch
query`` may take. While ``whoosh.compat`` is imported, a stand-in takes
``urllib.request``'s place, whose ``urlretrieve`` imports the real one when
called; the stand-in is gone once the import is done, so a later ``import
urllib.request`` gets the real module.

Only in a process with one thread: another thread importing urllib.request
meanwhile would get the stand-in. A program that has threads running, or has
imported urllib.request already, imports Whoosh as it is.
"""

from __future__ import annotations

import sys
import threading
import types
from typing import Any


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def import_whoosh() -> None:
    """Import ``whoosh.compat`` as cheaply as this process allows."""
    if "whoosh.compat" in sys.modules or "urllib.request" in sys.modules:
        return
    if threading.active_count() > 1:
        import whoosh.compat

        return
    stand_in = types.ModuleType("urllib.request", "A stand-in while whoosh.compat is imported.")
    stand_in.urlretrieve = _urlretrieve  # type: ignore[attr-defined]
    sys.modules["urllib.request"] = stand_in
    try:
        import whoosh.compat
    except ImportError:  # Whoosh wanted more of urllib.request: take the real one.
        del sys.modules["urllib.request"]
        sys.modules.pop("whoosh.compat", None)
        import whoosh.compat  # noqa: F401
    finally:
        if sys.modules.get("urllib.request") is stand_in:
            del sys.modules["urllib.request"]


import_whoosh()
