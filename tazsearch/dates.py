"""Dates as users write them: a year, a month or a day, each standing for all of it.

``--since``, ``--until`` and ``date:`` in a query read dates with this one
grammar, at the precision written: ``2024`` is all of 2024, ``2024-10`` all
of October 2024.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from . import messages as m
from .errors import FilterError
from .messages import Text

_PERIOD_RE = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def period(text: str, *, end: bool = False) -> dt.datetime:
    """The first (or, with ``end``, the last) moment of YYYY, YYYY-MM or YYYY-MM-DD."""
    match = _PERIOD_RE.fullmatch(text.strip())
    if not match:
        raise FilterError(m.NO_DATE(text=text, forms=m.DATE_FORMS))
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        # Month or day 0 is no date: read as January or the 1st, it found a wrong span.
        first = dt.datetime(
            year,  # type: ignore[arg-type]
            1 if month is None else month,
            1 if day is None else day,
        )
    except ValueError as exc:
        reason = _why_not(year, month, day, exc)  # type: ignore[arg-type]
        raise FilterError(m.NO_SUCH_DATE(text=text, reason=reason)) from exc
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


def _why_not(year: int, month: int | None, day: int | None, error: ValueError) -> Text:
    """Why there is no such date: in English Python's words, as ever; in German ours,
    found by the checks datetime makes, in its order."""
    if year < dt.MINYEAR:
        return m.YEAR_ZERO(error)
    if month is not None and not 1 <= month <= 12:
        return m.NO_SUCH_MONTH(error)
    days = calendar.monthrange(year, month or 1)[1]
    return m.NO_SUCH_DAY(error, month=m.MONTHS[(month or 1) - 1], year=year, days=days)
