"""The query language's dates: ``date:2024-10``, ``date:[A TO B]``, ``date:>X``.

Dates are read at the precision written, the same way as the ``--since`` and
``--until`` filters (:func:`tazsearch.dates.period`): ``date:2024`` is the
whole year, and ``date:>2024`` starts after its last day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from . import messages as m
from .dates import period
from .errors import FilterError
from .querytokens import Token, TokenStream
from .querytree import Dates, Group, Node

_INSTANT = dt.timedelta(microseconds=1)


def date_clause(stream: TokenStream, name: Token, group: Callable[[str, Token], Group]) -> Node:
    """What follows ``date:``: a date, a comparison, a range, or a ( group ) that
    ``group`` reads with the field set to date."""
    token = stream.take(skip_space=False)
    if token.text in ("[", "{"):
        return _date_range(stream, token)
    if token.text in ("<", ">", "<=", ">="):
        value = stream.take(skip_space=False) if stream.peek(skip_space=False) else None
        if value is None or value.kind != "word":
            raise stream.fail(m.DATE_AFTER(sign=token.text), token)
        bound = _date_value(stream, value, end=token.text in (">", "<="))
        if token.text in (">", ">="):
            return Dates(bound + _INSTANT if token.text == ">" else bound, None)
        return Dates(None, bound - _INSTANT if token.text == "<" else bound)
    if token.text == "(":
        inner = group("date", token)
        if stream.peek() is None:
            raise stream.fail(m.NOT_CLOSED(), token)
        stream.take()
        return inner
    if token.kind == "word":
        if token.text == "*":
            return Dates(None, None)
        return Dates(_date_value(stream, token), _date_value(stream, token, end=True))
    raise stream.fail(m.DATE_NEEDED(forms=m.DATE_FORMS), name)


def _date_range(stream: TokenStream, opening: Token) -> Dates:
    """``[A TO B]`` takes both ends in, ``{A TO B}`` leaves them out; ``*`` is open."""
    parts: list[Token] = []
    while (token := stream.peek()) is not None and token.text not in ("]", "}"):
        parts.append(stream.take())
    if token is None:
        raise stream.fail(m.RANGE_NOT_CLOSED(bracket=opening.text), opening)
    closing = stream.take()
    words = [p for p in parts if p.kind == "word"]
    if len(parts) != 3 or len(words) != 3 or words[1].text.upper() != "TO":
        raise stream.fail(m.RANGE_FORM(forms=m.DATE_FORMS), opening)
    first, last = words[0], words[2]
    start = None if first.text == "*" else _date_value(stream, first)
    end = None if last.text == "*" else _date_value(stream, last, end=True)
    if start is not None and end is not None and start > end:
        raise stream.fail(m.RANGE_BACKWARDS(first=first.text, last=last.text), first)
    if start is not None and opening.text == "{":  # From after the whole of A.
        start = _date_value(stream, first, end=True) + _INSTANT
    if end is not None and closing.text == "}":  # To before the start of B.
        end = _date_value(stream, last) - _INSTANT
    return Dates(start, end)


def _date_value(stream: TokenStream, token: Token, end: bool = False) -> dt.datetime:
    try:
        return period(token.text, end=end)
    except FilterError:
        reason = m.NO_DATE(text=token.text, forms=m.DATE_FORMS)
        raise stream.fail(reason, token) from None
