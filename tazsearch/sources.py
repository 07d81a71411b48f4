"""Finding and reading article files: regular files only, never more than a set size.

A folder is walked without following symbolic links. Only regular files are
read: a FIFO would block the run for ever, a device such as /dev/zero would
feed it without end, and a link could lead anywhere on the machine. Each is
reported with its reason instead. A file is opened without following a
link and without blocking, checked to be regular once open, and read only up
to the size limit, so memory never grows with a file's size.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# The default largest file read as an article: far above any real one (taz
# articles are a few dozen kilobytes), far below what would strain memory.
DEFAULT_MAX_SIZE = 10 * 1024 * 1024
_READ_CHUNK = 1 << 20
_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


class NotReadable(Exception):
    """A file that is not read as an article; str(exc) is the one-line reason."""


@dataclass(frozen=True)
class Found:
    """A regular file under a root, with its size and modification time in nanoseconds;
    ``source`` is its path under the root folder (its name, for a root that is a file)."""

    path: str
    size: int
    mtime: int
    source: str


@dataclass
class Scan:
    """What walking the roots found: regular files, files passed over with a
    reason, and folders that could not be read (their indexed files stay)."""

    files: list[Found] = field(default_factory=list)
    passed: list[tuple[str, str]] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def format_size(size: int) -> str:
    """A size for a message: bytes, KB, MB or GB (powers of 1,024)."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def parse_size(text: str) -> int:
    """A size as a user writes it: 5000000, 500K, 10M or 1G (powers of 1,024)."""
    cleaned = text.strip().upper().removesuffix("B")
    factor = 1
    for suffix, power in (("K", 1), ("M", 2), ("G", 3)):
        if cleaned.endswith(suffix):
            cleaned, factor = cleaned[:-1], 1024**power
            break
    if not re.fullmatch(r"[0-9]+", cleaned) or int(cleaned) * factor < 1:
        raise ValueError(f"cannot read the size {text!r}: use a number of bytes, or 500K, 10M, 1G")
    return int(cleaned) * factor


def kind_of(mode: int) -> str:
    """What a file that is not a regular one is, for a message."""
    if stat.S_ISLNK(mode):
        return "a symbolic link (not followed)"
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def scan(roots: Iterable[Path], leave_out: Path | None = None) -> Scan:
    """Every regular, non-hidden file under the roots, in a stable order.

    A root that is a file is taken as it is; a root folder is walked.
    Files directly in ``leave_out`` (the index's own folder) are left out.
    """
    found = Scan()
    for root in roots:
        try:
            info = os.stat(root)
        except OSError as exc:
            found.passed.append((str(root), f"cannot read: {exc.strerror or exc}"))
            continue
        if stat.S_ISDIR(info.st_mode):
            _walk(str(root), found, str(leave_out) if leave_out else None)
        elif stat.S_ISREG(info.st_mode):
            found.files.append(Found(str(root), info.st_size, info.st_mtime_ns, root.name))
        else:
            found.passed.append((str(root), f"not an article file: {kind_of(info.st_mode)}"))
    return found


def _walk(root: str, found: Scan, leave_out: str | None) -> None:
    """Every entry under ``root``, depth first, in name order; a stack, not recursion,
    so that no depth of folders is too deep."""
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            found.unreadable.append(folder)
            reason = f"cannot read the folder: {exc.strerror or exc} (its indexed articles stay)"
            found.passed.append((folder, reason))
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as exc:
                found.passed.append((entry.path, f"cannot read: {exc.strerror or exc}"))
                continue
            if stat.S_ISDIR(info.st_mode):
                subfolders.append(entry.path)
            elif stat.S_ISREG(info.st_mode):
                if folder != leave_out:
                    source = os.path.relpath(entry.path, root)
                    found.files.append(Found(entry.path, info.st_size, info.st_mtime_ns, source))
            elif stat.S_ISLNK(info.st_mode) and _is_folder(entry.path):
                # A folder moved elsewhere and linked back keeps its indexed articles.
                found.unreadable.append(entry.path)
                reason = "a symbolic link to a folder, not followed (its indexed articles stay)"
                found.passed.append((entry.path, reason))
            else:
                found.passed.append((entry.path, f"not an article file: {kind_of(info.st_mode)}"))
        pending.extend(reversed(subfolders))


def _is_folder(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False


def read_file(path: str, max_size: int) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file of at most ``max_size`` bytes, and its status.

    Opened without following a link and without blocking, so a file swapped
    for a link or a FIFO after the walk is refused, not followed or waited on.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if os.path.islink(path):
            raise NotReadable("not an article file: a symbolic link (not followed)") from exc
        raise NotReadable(f"cannot read: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotReadable(f"not an article file: {kind_of(info.st_mode)}")
        if info.st_size > max_size:
            raise NotReadable(_too_large(info.st_size, max_size))
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, min(_READ_CHUNK, max_size + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_size:  # It grew while being read.
                raise NotReadable(_too_large(size, max_size))
        return b"".join(chunks), info
    except OSError as exc:
        raise NotReadable(f"cannot read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def _too_large(size: int, max_size: int) -> str:
    return f"larger than {format_size(max_size)} ({format_size(size)}); --max-size raises the limit"


def under(path: str, folders: Iterable[str]) -> bool:
    """Whether ``path`` is one of ``folders`` or lies below one."""
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def storable_path(path: str) -> str:
    """The path as the index keeps it: bytes that are not UTF-8 become escapes like "\\xff".

    File names need not be text; the index's must. The real path is only
    needed to read the file, and the index never reads a file again.
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return path
