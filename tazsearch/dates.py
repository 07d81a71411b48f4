"""Dates as users write them: a year, a month or a day, each standing for all of it.

``--since``, ``--until`` and ``date:`` in a query read dates with this one
grammar, at the precision written: ``2024`` is all of 2024, ``2024-10`` all
of October 2024.
"""

from __future__ import annotations

import datetime as dt
import re

from .errors import FilterError

DATE_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"
_PERIOD_RE = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def period(text: str, *, end: bool = False) -> dt.datetime:
    """The first (or, with ``end``, the last) moment of YYYY, YYYY-MM or YYYY-MM-DD."""
    match = _PERIOD_RE.fullmatch(text.strip())
    if not match:
        raise FilterError(f"cannot read the date {text!r}: use {DATE_FORMS}")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        first = dt.datetime(year, month or 1, day or 1)  # type: ignore[arg-type]
    except ValueError as exc:
        raise FilterError(f"cannot read the date {text!r}: {exc}") from exc
    if not end:
        return first
    try:
        if day is not None:
            following = first + dt.timedelta(days=1)
        elif month is not None:
            following = dt.datetime(year + month // 12, month % 12 + 1, 1)  # type: ignore[operator]
        else:
            following = dt.datetime(year + 1, 1, 1)  # type: ignore[operator]
    except (ValueError, OverflowError):  # The end of 9999, the last year a date can have.
        return dt.datetime.max
    return following - dt.timedelta(microseconds=1)
