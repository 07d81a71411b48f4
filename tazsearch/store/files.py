"""The names of an index's files, and how to tell the files tazsearch wrote.

An index folder may hold the user's own files as well; tazsearch deletes only
files whose names it makes: the table of contents of a commit
(``_MAIN_<n>.toc``), its record of files (``_MAIN_<n>.sums``), their
temporary forms, and the files of a segment (``MAIN_<16 letters or
digits>.<ext>``). Whoosh's own pattern, ``MAIN_<letters>.<anything>``, would
take ``MAIN_notes.txt`` for a segment's file.
"""

from __future__ import annotations

import re

INDEX_NAME = "MAIN"
LOCK_FILE = f"{INDEX_NAME}_WRITELOCK"
# Whoosh's column writer keeps its scratch files ("<random>.ctmp") in this folder.
SCRATCH_FOLDER = f"{INDEX_NAME}.tmp"
SCRATCH_SUFFIX = ".ctmp"
# Each segment lists the terms of ``content``, sorted, one a line, in a file
# of this extension (see tazsearch.lexicon).
LEXICON_EXT = ".lex"
_SEGMENT_FILE_RE = re.compile(
    rf"{INDEX_NAME}_([a-z0-9]{{16}})\.(?:trm|pst|vps|seg|lex|[A-Za-z0-9_]+\.col)"
)
_TOC_RE = re.compile(rf"_{INDEX_NAME}_(\d+)\.toc")
_SUMS_RE = re.compile(rf"_{INDEX_NAME}_(\d+)\.sums")
# Whoosh writes a table of contents to "<name>.<time()>" first; the record of
# files goes to "<name>.<pid>.tmp".
_TEMPORARY_RE = re.compile(rf"_{INDEX_NAME}_\d+\.(?:toc\.\d+(?:\.\d+)?|sums\.\d+\.tmp)")


def toc_name(generation: int) -> str:
    return f"_{INDEX_NAME}_{generation}.toc"


def sums_name(generation: int) -> str:
    return f"_{INDEX_NAME}_{generation}.sums"


def segment_of(name: str) -> str | None:
    """The segment id of a segment's file, or None for any other name."""
    match = _SEGMENT_FILE_RE.fullmatch(name)
    return match.group(1) if match else None


def toc_generation(name: str) -> int | None:
    match = _TOC_RE.fullmatch(name)
    return int(match.group(1)) if match else None


def sums_generation(name: str) -> int | None:
    match = _SUMS_RE.fullmatch(name)
    return int(match.group(1)) if match else None


def is_temporary(name: str) -> bool:
    return bool(_TEMPORARY_RE.fullmatch(name))


def is_ours(name: str) -> bool:
    """Whether tazsearch (or Whoosh on its behalf) made a file of this name."""
    return bool(
        segment_of(name) or toc_generation(name) is not None or sums_generation(name) is not None
    ) or is_temporary(name)
