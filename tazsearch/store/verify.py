"""``tazsearch check``: every file of the last commit read against its record.

As ``git fsck`` or SQLite's ``integrity_check`` do, it reads every byte of
the index and compares each file's size and CRC32 with what the commit
recorded. A damaged file is named with the articles it holds, read from the
segment's stored fields where those are intact.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage

from ..errors import IndexDamagedError, IndexNotFoundError, TazsearchError
from .files import is_ours, segment_of, sums_name, toc_name
from .generations import (
    Generation,
    _refuse_older_format,
    check_hint,
    latest_generation,
    open_generation,
)
from .records import file_sum, read_record

# How many affected articles a report names; the count covers them all.
IDS_SHOWN = 20


@dataclass
class CheckReport:
    """What ``check`` found: ``problems`` is empty for a sound index."""

    folder: Path
    generation: int | None = None
    files: int = 0
    bytes: int = 0
    articles: int = 0
    problems: list[str] = field(default_factory=list)
    affected: list[str] = field(default_factory=list)  # ids of articles in damaged segments
    affected_count: int = 0
    leftovers: list[str] = field(default_factory=list)  # files of runs that did not commit
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "generation": self.generation,
            "files": self.files,
            "bytes": self.bytes,
            "articles": self.articles,
            "problems": self.problems,
            "affected_articles": self.affected_count,
            "affected_ids": self.affected,
            "leftover_files": self.leftovers,
            "seconds": round(self.seconds, 3),
        }


def check_index(folder: Path, schema: Schema) -> CheckReport:
    """Verify every file of the last commit of the index in ``folder``."""
    started = time.perf_counter()
    report = CheckReport(folder)
    number = latest_generation(folder)
    if number is None:
        try:
            _refuse_older_format(folder)
        except TazsearchError as exc:  # An older format: nothing to verify against.
            report.problems.append(str(exc))
            return _done(report, started)
        raise IndexNotFoundError(f"no index at {folder}")
    report.generation = number
    try:
        record = read_record(folder, number, "")
    except TazsearchError as exc:
        report.problems.append(str(exc).rstrip("; "))
        return _done(report, started)
    damaged_segments: set[str] = set()
    for name, expected in sorted(record.files.items()):
        report.files += 1
        problem = _file_problem(folder / name, expected.size, expected.crc32)
        if problem:
            report.problems.append(f"{name}: {problem}")
            damaged_segments.add(segment_of(name) or "")
        else:
            report.bytes += expected.size
    report.leftovers = sorted(
        name
        for name in os.listdir(folder)
        if is_ours(name) and name not in record.files and name != sums_name(number)
    )
    if toc_name(number) in {p.split(":")[0] for p in report.problems}:
        return _done(report, started)
    try:
        generation = open_generation(folder, schema, number) if not report.problems else None
    except TazsearchError as exc:
        report.problems.append(str(exc))
        generation = None
    if generation is None:
        generation = _segments_only(folder, schema, number)
    if generation is not None:
        report.articles = generation.doc_count
        _affected(report, generation, schema, damaged_segments)
    return _done(report, started)


def _file_problem(path: Path, size: int, crc: int) -> str | None:
    try:
        found = file_sum(path)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if found.size != size:
        return f"{found.size:,} bytes, {size:,} were written"
    if found.crc32 != crc:
        return "its bytes changed since it was written (checksum mismatch)"
    return None


def _segments_only(folder: Path, schema: Schema, number: int) -> Generation | None:
    """The commit's segments from its table of contents, without the other checks."""
    from whoosh.index import TOC

    from .files import INDEX_NAME

    try:
        record = read_record(folder, number, "")
        toc = TOC.read(FileStorage(str(folder)), INDEX_NAME, gen=number, schema=schema)
    except Exception:  # A table of contents that cannot be read: nothing more to say.
        return None
    return Generation(folder, number, tuple(toc.segments), record)


def _affected(
    report: CheckReport, generation: Generation, schema: Schema, damaged: set[str]
) -> None:
    """The ids of the live articles of damaged segments, from their stored fields
    where those can be read; the count in any case."""
    storage = FileStorage(str(generation.folder))
    for segment in generation.segments:
        if segment.segid not in damaged:
            continue
        report.affected_count += segment.doc_count()
        try:
            stored = segment.codec().per_document_reader(storage, segment)
            try:
                for docnum in range(segment.doc_count_all()):
                    if len(report.affected) >= IDS_SHOWN:
                        break
                    if not stored.is_deleted(docnum):
                        report.affected.append(stored.stored_fields(docnum)["id"])
            finally:
                stored.close()
        except Exception:  # The stored fields are damaged too: the count must do.
            continue


def _done(report: CheckReport, started: float) -> CheckReport:
    report.seconds = time.perf_counter() - started
    return report


def diagnose(folder: Path, schema: Schema) -> IndexDamagedError | None:
    """The damage a read of the index failed on, found by checking every file; None
    if every file is as written (then the failure is a bug, not damage)."""
    try:
        found = check_index(folder, schema)
    except TazsearchError as exc:
        return IndexDamagedError(str(exc))
    if found.ok:
        return None
    return IndexDamagedError(
        f"the index at {folder} is damaged: {found.problems[0]}; {check_hint(folder)}"
    )
