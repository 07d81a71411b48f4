"""Saved taz files as text: whatever their encoding, one string with LF line ends.

Files should be UTF-8, but older saves may be Latin-1 or CP1252, UTF-16 with
or without a byte-order mark, may have CRLF line ends, or may start with a
byte-order mark. Decoding never fails on an encoding; binary data is no
article.
"""

from __future__ import annotations

import re

from .errors import TazsearchError


class NotAnArticle(TazsearchError, ValueError):
    """Raised for input that is not a taz article; str(exc) is a one-line reason."""


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)  # the five bytes CP1252 leaves undefined: Latin-1


# str.translate tables: Latin-1-decoded text -> CP1252, and surrogate escapes -> CP1252.
_LATIN1_TO_CP1252 = {b: _cp1252_char(b) for b in range(0x80, 0xA0)}
_ESCAPE_TO_CP1252 = {0xDC00 + b: _cp1252_char(b) for b in range(0x80, 0x100)}
_ESCAPE_RE = re.compile("[\udc80-\udcff]")


_MIN_UTF16_SAMPLE = 4  # bytes
_MIN_PLAIN_SHARE = 0.8  # share of ASCII text characters in a BOM-less UTF-16 sample


def _looks_like_bomless_utf16(data: bytes) -> str | None:
    """Return "utf-16-le"/"utf-16-be" if NUL-laden data is plainly UTF-16 text without BOM.

    Every other byte must be almost always NUL, and the decoded sample must read as
    mostly ASCII text with line breaks; anything else counts as binary.
    """
    sample = data[:4096]
    if len(data) % 2 or len(sample) < _MIN_UTF16_SAMPLE:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd >= 0.7 * half and even <= 0.05 * half:
        encoding = "utf-16-le"
    elif even >= 0.7 * half and odd <= 0.05 * half:
        encoding = "utf-16-be"
    else:
        return None
    text = sample.decode(encoding, errors="replace")
    plain = sum(1 for c in text if " " <= c <= "~" or c in "\t\n\r")
    if ("\n" not in text and "\r" not in text) or plain < _MIN_PLAIN_SHARE * len(text):
        return None
    return encoding


def is_text(text: str) -> bool:
    return "\x00" not in text


def decode(data: bytes) -> str:
    """Decode a saved taz file to text with LF line ends; never fails on encoding.

    UTF-32/UTF-16 with BOM, UTF-8 (BOM stripped), else CP1252 with Latin-1 for the bytes
    CP1252 cannot map. A UTF-8 file with a few stray invalid bytes keeps its UTF-8 text
    and only the stray bytes are read as CP1252. Raises :class:`NotAnArticle` for binary
    data ("binary file") and for empty or whitespace-only data ("empty file").
    """
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        text = data.decode("utf-32", errors="replace")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        if b"\x00" in data:
            encoding = _looks_like_bomless_utf16(data)
            if encoding is None:
                raise NotAnArticle("binary file")
            text = data.decode(encoding, errors="replace")
        else:
            text = _decode_8bit(data)
    text = text.lstrip("\ufeff")
    if not is_text(text):
        raise NotAnArticle("binary file")
    if not text.strip():
        raise NotAnArticle("empty file")
    return normalise_newlines(text)


def _decode_8bit(data: bytes) -> str:
    """UTF-8 if valid; mostly-UTF-8 with stray bytes per byte; else CP1252/Latin-1."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="surrogateescape")
    bad = len(_ESCAPE_RE.findall(text))
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    if non_ascii - bad > bad:  # a UTF-8 file with a few stray single-byte characters
        return text.translate(_ESCAPE_TO_CP1252)
    return data.decode("latin-1").translate(_LATIN1_TO_CP1252)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
