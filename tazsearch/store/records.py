"""Each commit's record of its files: their sizes and CRC32 checksums, and its format.

A commit writes ``_MAIN_<n>.sums`` last, by renaming it into place: that
rename is the commit. Until then, readers see the commit before. The record
lets every open check that each file of the commit is there at the size it
was written (a cheap look at the folder), and ``tazsearch check`` read every
byte against its checksum. It also names the index format, so that a
tazsearch that writes another format refuses the index with a clear error
rather than misreading it.
"""

from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import IndexDamagedError
from .files import sums_name

# The index format this tazsearch reads and writes. Version 1 had no record
# of its files; version 2 added the record, an id column, and ids made unique
# per file; version 3 lists each segment's terms (.lex); version 4 names
# every tazsearch class its files pickle in tazsearch.store.pickled, the
# analyzer of the schema included; version 5 stores each article's path under
# the folder that was indexed (``source``), which answers show instead of the
# file's absolute path.
FORMAT_VERSION = 5
_CHUNK = 1 << 23


@dataclass(frozen=True)
class FileSum:
    """A file's size in bytes and the CRC32 of its bytes."""

    size: int
    crc32: int


@dataclass(frozen=True)
class Record:
    """What a commit holds: its number, format, writer and files."""

    generation: int
    format: int
    written_by: str
    files: dict[str, FileSum]

    def to_json(self) -> str:
        files = {name: [s.size, s.crc32] for name, s in sorted(self.files.items())}
        data = {
            "format": self.format,
            "written_by": self.written_by,
            "generation": self.generation,
            "files": files,
        }
        return json.dumps(data, indent=1)


def file_sum(path: Path) -> FileSum:
    """The size and checksum of a file, read a few megabytes at a time."""
    crc = size = 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
    return FileSum(size, crc)


def write_record(folder: Path, record: Record) -> None:
    """Write the record under a temporary name, to disk, then rename it into place."""
    final = folder / sums_name(record.generation)
    temporary = folder / f"{final.name}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(record.to_json())
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, final)


def read_record(folder: Path, generation: int, hint: str) -> Record:
    """The record of a commit; a damaged one is an :class:`IndexDamagedError`."""
    name = sums_name(generation)
    try:
        data = json.loads((folder / name).read_text(encoding="utf-8"))
        files = {n: FileSum(int(size), int(crc)) for n, (size, crc) in data["files"].items()}
        return Record(int(data["generation"]), int(data["format"]), str(data["written_by"]), files)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexDamagedError(
            f"the index at {folder} is damaged: {name} cannot be read; {hint}"
        ) from exc
