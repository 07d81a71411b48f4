"""Commits ("generations") of an index: which is the last, and opening one for reading.

A generation is committed once its record of files exists (see
:mod:`tazsearch.store.records`). Opening one checks that record against the
folder: the format, the table of contents byte for byte, and every other
file's size. A damaged index is named here, before any search can give a
partial answer from it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.reading import EmptyReader, IndexReader, MultiReader, SegmentReader

from ..errors import IndexDamagedError, IndexVersionError
from .files import (
    INDEX_NAME,
    LEXICON_EXT,
    segment_of,
    sums_generation,
    sums_name,
    toc_generation,
    toc_name,
)
from .records import FORMAT_VERSION, Record, read_record
from .verified import changed_files

# Opening the last commit while a writer commits the next may find its files
# gone; it then tries the new one, this many times in all.
_OPEN_ATTEMPTS = 5


def check_hint(folder: Path) -> str:
    return (
        f"run `tazsearch check --index {folder}` for details, or rebuild it with "
        f"`tazsearch index PATH --index {folder} --rebuild`"
    )


def rebuild_hint(folder: Path) -> str:
    return f"rebuild it with `tazsearch index PATH --index {folder} --rebuild`"


@dataclass(frozen=True)
class Generation:
    """One commit of an index: its number, its segments and its record of files."""

    folder: Path
    number: int
    segments: tuple[Any, ...]
    record: Record

    @property
    def doc_count(self) -> int:
        """Articles in the commit, deleted ones not counted."""
        return sum(segment.doc_count() for segment in self.segments)

    def segment_files(self, segment: Any) -> list[str]:
        """The names of a segment's files, as recorded at commit."""
        return sorted(name for name in self.record.files if segment_of(name) == segment.segid)


def latest_generation(folder: Path) -> int | None:
    """The number of the last commit in ``folder``; None if it holds none."""
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return max((n for n in map(sums_generation, names) if n is not None), default=None)


def committed_at(folder: Path) -> float | None:
    """When the last commit in ``folder`` was made (its record's time); None if never."""
    number = latest_generation(folder)
    if number is None:
        return None
    try:
        return os.path.getmtime(folder / sums_name(number))
    except OSError:
        return None


def _refuse_older_format(folder: Path) -> None:
    """Raise :class:`IndexVersionError` if the folder holds a table of contents
    without any record: an index of an older format, or one whose record is gone."""
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    tocs = [n for n in map(toc_generation, names) if n is not None]
    if tocs:
        raise IndexVersionError(
            f"the index at {folder} has no record of its files ({toc_name(max(tocs))} "
            f"without _MAIN_{max(tocs)}.sums): it was written by an older tazsearch, or "
            f"the record was deleted; {rebuild_hint(folder)}"
        )


def open_generation(folder: Path, schema: Schema, number: int | None = None) -> Generation | None:
    """The commit ``number``, or the last one (None if there is none), checked against its record.

    Raises :class:`IndexVersionError` for another format and
    :class:`IndexDamagedError` for a missing, cut or changed file.
    """
    for attempt in range(_OPEN_ATTEMPTS):
        latest = latest_generation(folder) if number is None else number
        if latest is None:
            _refuse_older_format(folder)
            return None
        try:
            return _open(folder, schema, latest)
        except (FileNotFoundError, IndexDamagedError):
            # A commit may have replaced this one meanwhile, and removed its files.
            if number is not None or attempt == _OPEN_ATTEMPTS - 1:
                raise
            if latest_generation(folder) == latest:
                raise
    raise AssertionError("unreachable")


def _open(folder: Path, schema: Schema, number: int) -> Generation:
    hint = check_hint(folder)
    record = read_record(folder, number, hint)
    if record.format != FORMAT_VERSION:
        raise IndexVersionError(
            f"the index at {folder} has format {record.format} (written by "
            f"{record.written_by}), and this tazsearch reads format {FORMAT_VERSION}; "
            f"{rebuild_hint(folder)}"
        )
    toc = toc_name(number)
    for name, expected in sorted(record.files.items()):
        try:
            size = os.stat(folder / name).st_size
        except FileNotFoundError:
            if latest_generation(folder) != number:
                raise
            raise IndexDamagedError(
                f"the index at {folder} is damaged: {name} is missing; {hint}"
            ) from None
        if size != expected.size:
            raise IndexDamagedError(
                f"the index at {folder} is damaged: {name} is {size:,} bytes, "
                f"{expected.size:,} were written; {hint}"
            )
    for name, _, _ in changed_files(folder, record):
        raise IndexDamagedError(
            f"the index at {folder} is damaged: {name} changed since it was written "
            f"(its checksum differs); {hint}"
        )
    try:
        segments = TOC.read(
            FileStorage(str(folder)), INDEX_NAME, gen=number, schema=schema
        ).segments
    except Exception as exc:  # Whoosh raises many kinds for a table it cannot read.
        raise IndexDamagedError(
            f"the index at {folder} is damaged: {toc} cannot be read; {hint}"
        ) from exc
    generation = Generation(folder, number, tuple(segments), record)
    for segment in segments:
        if not generation.segment_files(segment):
            raise IndexDamagedError(
                f"the index at {folder} is damaged: the files of segment {segment.segid} "
                f"are not in {toc}'s record; {hint}"
            )
    return generation


def open_reader(storage: FileStorage, schema: Schema, generation: Generation | None) -> IndexReader:
    """A reader of every segment of the commit; an empty one for no commit."""
    if generation is None or not generation.segments:
        return EmptyReader(schema)
    readers = [
        SegmentReader(storage, schema, segment, generation=generation.number)
        for segment in generation.segments
    ]
    return readers[0] if len(readers) == 1 else MultiReader(readers, generation=generation.number)


def open_segment_reader(storage: FileStorage, schema: Schema, segment: Any) -> SegmentReader:
    """A reader of one segment, as a merge reads it."""
    return SegmentReader(storage, schema, segment)


def read_lexicon(storage: FileStorage, segment: Any) -> str | None:
    """A segment's sorted terms of the content field, one a line; None for a segment
    written without them."""
    name = segment.make_filename(LEXICON_EXT)
    if not storage.file_exists(name):
        return None
    stream = storage.open_file(name)
    try:
        return stream.read().decode("utf-8")
    finally:
        stream.close()
