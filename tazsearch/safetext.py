"""Text from articles and file names made harmless for terminals, pipes and JSON.

Article text and file names are data. A control character in them must never
reach a terminal as one: ESC and CSI (``\\x9b``) start escape sequences that
clear the screen, set the window title or write the clipboard (OSC 52); a
newline or carriage return forges a line of output; the bidi overrides and
isolates reorder what is shown. Such characters are shown as visible escapes
like ``\\x1b`` instead. Lone surrogates, the undecodable bytes of a file name,
are shown as the ``\\xNN`` escapes the index uses for them.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0, DEL and C1 controls; the bidi embeddings and overrides (U+202A-U+202E)
# and isolates (U+2066-U+2069); the line and paragraph separators, which
# Python and some terminals treat as line breaks; and lone surrogates, which
# cannot be written as UTF-8 at all.
UNSAFE = "\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff"
_UNSAFE_RE = re.compile(f"[{UNSAFE}]")
# What ``json.dumps(ensure_ascii=False)`` leaves as it is: it escapes only C0.
_UNSAFE_IN_JSON_RE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# surrogateescape maps the undecodable byte 0xNN to U+DCNN.
_ESCAPED_BYTES = range(0xDC80, 0xDD00)


def _escape(char: str) -> str:
    code = ord(char)
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    if code in _ESCAPED_BYTES:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """One line of text with every control character shown as an escape such as ``\\x1b``.

    Applied twice it changes nothing more: escapes are printable.
    """
    return _UNSAFE_RE.sub(lambda m: _escape(m.group()), text)


def is_safe(text: str) -> bool:
    """Whether the text holds no control character at all."""
    return _UNSAFE_RE.search(text) is None


def unsafe_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of each control character in ``text``."""
    return [m.span() for m in _UNSAFE_RE.finditer(text)]


def json_text(data: Any, *, indent: int | None = None, allow_nan: bool = True) -> str:
    """JSON whose strings hold no control character raw, not even DEL, C1 or bidi ones.

    ``json.dumps(ensure_ascii=False)`` escapes only C0. The characters it
    leaves can only occur inside strings, so escaping them as ``\\uXXXX`` in
    its output keeps it valid JSON that reads back to the same strings.
    """
    separators = None if indent is not None else (",", ":")
    dumped = json.dumps(
        data, ensure_ascii=False, indent=indent, separators=separators, allow_nan=allow_nan
    )
    return _UNSAFE_IN_JSON_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)
