"""Which files of an index have been read whole against their checksums, and when.

Opening an index checks every file of its last commit against the record of
that commit: a file changed in place (the same size, other bytes) would
otherwise give wrong answers without an error. Reading every byte at every
open would cost as much as a search, so the files checked are remembered in
the user's cache folder, with their size, modification time and inode: a
file is read again only when one of them changes. A commit remembers the
files it has just written and summed. Without a cache folder, every open
reads every file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from .records import FileSum, Record, file_sum

# Cache files kept, one per index folder: the oldest go first.
KEPT_FOLDERS = 256
_Stamp = tuple[int, int, int, int]  # size, modification time (ns), inode, CRC32


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tazsearch" / "verified"


def _cache_file(folder: Path) -> Path:
    key = hashlib.blake2b(str(folder.resolve()).encode("utf-8", "surrogatepass"), digest_size=12)
    return cache_folder() / f"{key.hexdigest()}.json"


def _stamp(path: Path, crc: int) -> _Stamp:
    info = path.stat()
    return (info.st_size, info.st_mtime_ns, info.st_ino, crc)


def _load(folder: Path) -> dict[str, _Stamp]:
    try:
        data = json.loads(_cache_file(folder).read_text(encoding="utf-8"))
        return {name: tuple(stamp) for name, stamp in data.items()}  # type: ignore[misc]
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _save(folder: Path, stamps: dict[str, _Stamp]) -> None:
    """Write the folder's stamps, as one rename; silently not, where the cache cannot be."""
    target = _cache_file(folder)
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(stamps), encoding="utf-8")
        os.replace(temporary, target)
        kept = sorted(target.parent.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-KEPT_FOLDERS]:
            old.unlink(missing_ok=True)


def changed_files(folder: Path, record: Record) -> Iterable[tuple[str, FileSum, FileSum]]:
    """(name, recorded, found) of each file of the commit whose bytes differ from the
    record; files already checked since they last changed are not read again."""
    stamps = _load(folder)
    checked = dict(stamps)
    for name, expected in sorted(record.files.items()):
        path = folder / name
        try:
            info = path.stat()
        except OSError:
            continue  # A missing file is the sizes' check's to report.
        if stamps.get(name) == (info.st_size, info.st_mtime_ns, info.st_ino, expected.crc32):
            continue
        found = file_sum(path)
        if found != expected:
            yield name, expected, found
            continue
        checked[name] = _stamp(path, found.crc32)
    if checked != stamps:
        _save(folder, {n: s for n, s in checked.items() if n in record.files})


def remember(folder: Path, sums: dict[str, FileSum]) -> None:
    """Note files just written and summed as checked."""
    stamps = _load(folder)
    for name, found in sums.items():
        with contextlib.suppress(OSError):
            stamps[name] = _stamp(folder / name, found.crc32)
    _save(folder, stamps)
