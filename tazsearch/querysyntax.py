"""The query language: text as a user types it, read into a tree of what it asks for.

The grammar is Lucene's, as Elasticsearch's ``query_string`` and Google users
know it:

- words and ``"phrases"``; words side by side must all match (see
  :mod:`tazsearch.query` for how a query is relaxed into ranking tiers);
- ``OR`` (``||``) binds closer than ``AND`` (``&&``) and side by side, so
  ``a b OR c`` is ``a AND (b OR c)``; ``NOT x`` (``!x``) and ``-x`` exclude,
  ``+x`` requires; ``( … )`` groups;
- ``field:`` before a word, phrase or group: ``title:``, ``teaser:``,
  ``body:``, ``captions:``, ``tag:``, ``author:`` and ``date:``;
- ``word*`` and ``w?rd`` are prefixes and wildcards, ``word~`` and ``word~1``
  are words within 2 or 1 edits, ``"a b"~3`` the words within 3 other words
  of each other in any order, ``word^2`` weighs a word double;
- ``date:2024``, ``date:2024-10``, ``date:2024-10-21``, ``date:[A TO B]``
  (``{ }`` leave an end out), ``date:>X``, ``>=``, ``<``, ``<=``, and ``*``
  for an open end. Dates are read at the precision written, the same way as
  the ``--since`` and ``--until`` filters (:func:`tazsearch.dates.period`).

Anything else is a :class:`QuerySyntaxError` that says what is wrong, where,
and what is accepted: an unknown field, an unreadable date, an unbalanced
bracket or quote, an operator with nothing to work on. Nothing is silently
read some other way. Punctuation at the end of a word (``Krieg?``,
``Berlin:``) and a ``-``, ``+`` or ``!`` standing alone (a dash) are not
operators.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .dates import DATE_FORMS, period
from .errors import FilterError, QuerySyntaxError

# Field names as typed, and the field each stands for.
FIELDS = {
    "title": "title",
    "teaser": "teaser",
    "body": "body",
    "captions": "captions",
    "caption": "captions",
    "tag": "tags",
    "tags": "tags",
    "author": "authors",
    "authors": "authors",
    "date": "date",
}
FIELDS_SHOWN = "title, teaser, body, captions, tag, author and date"
MAX_FUZZY = 2
# After these words, "-" and a small letter is a suspended compound's hyphen.
_CONJUNCTIONS = frozenset({"und", "oder", "sowie", "bzw"})


@dataclass(frozen=True)
class Word:
    """A word as typed; ``fuzzy`` is the number of edits allowed, None for exact."""

    text: str
    field: str | None = None
    fuzzy: int | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class Pattern:
    """A prefix or wildcard: ``*`` for any run of characters, ``?`` for one."""

    text: str
    field: str | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Words in a row; with ``slop``, in any order within ``slop`` other words."""

    text: str
    field: str | None = None
    slop: int | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class Dates:
    """Articles dated from ``start`` to ``end`` (each None for an open end)."""

    start: dt.datetime | None
    end: dt.datetime | None


@dataclass(frozen=True)
class Everything:
    """``*``: every article."""


@dataclass(frozen=True)
class Group:
    """Clauses that must all match (``all_``), or any of them.

    ``explicit`` marks an AND written out; side by side is not.
    """

    clauses: tuple[Clause, ...]
    all_: bool = True
    explicit: bool = False
    boost: float = 1.0


@dataclass(frozen=True)
class Clause:
    """One part of a group, with what ``+``, ``-`` or ``NOT`` said of it."""

    node: Node
    required: bool = False
    excluded: bool = False


Node = Word | Pattern | Phrase | Dates | Everything | Group

# Tokens: a phrase, the two-character operators, single-character syntax, or
# a run of anything else (a word; backslash escapes a character in it).
_TOKEN_RE = re.compile(
    r"""(?P<space>\s+)
      | (?P<phrase>"(?:[^"\\]|\\.)*"?)
      | (?P<op>&&|\|\||>=|<=)
      | (?P<char>[()\[\]{}:^~+\-!<>])
      | (?P<word>(?:[^\s()\[\]{}":^~\\]|\\.)+)
    """,
    re.VERBOSE,
)
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
# Punctuation that ends a sentence or clause, at the end of a word, is not syntax.
_WORD_END_RE = re.compile(r"(?<=[^\W_])[?!.,;]+$")


@dataclass
class _Token:
    kind: str  # space, phrase, op, char, word
    text: str
    at: int  # character offset in the query, from 0

    @property
    def is_keyword(self) -> bool:
        return self.kind == "word" and self.text in ("AND", "OR", "NOT")


@dataclass
class _Parser:
    text: str
    tokens: list[_Token] = field(default_factory=list)
    i: int = 0

    def fail(self, message: str, token: _Token | None = None) -> QuerySyntaxError:
        where = f" at character {token.at + 1}" if token is not None else ""
        return QuerySyntaxError(f"cannot read the query {self.text!r}{where}: {message}")

    # Tokens

    def peek(self, skip_space: bool = True) -> _Token | None:
        i = self.i
        while skip_space and i < len(self.tokens) and self.tokens[i].kind == "space":
            i += 1
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self, skip_space: bool = True) -> _Token:
        while skip_space and self.i < len(self.tokens) and self.tokens[self.i].kind == "space":
            self.i += 1
        token = self.tokens[self.i]
        self.i += 1
        return token

    def before(self) -> _Token | None:
        """The last token before the one just taken, spaces passed over."""
        i = self.i - 2
        while i >= 0 and self.tokens[i].kind == "space":
            i -= 1
        return self.tokens[i] if i >= 0 else None

    def touching(self, *texts: str) -> _Token | None:
        """The next token if it follows without a space and is one of ``texts``."""
        token = self.peek(skip_space=False)
        return token if token is not None and token.text in texts else None

    # Grammar

    def query(self) -> Group:
        group = self.and_group(field_name=None, closing=None)
        if self.peek() is not None:  # Only a ")" with no "(" stops a group early.
            raise self.fail('")" has no "(" before it', self.peek())
        return group

    def and_group(self, field_name: str | None, closing: _Token | None) -> Group:
        """Clauses side by side or joined by AND, up to ")" or the end."""
        clauses: list[Clause] = []
        joined = False  # the last clause was followed by AND
        while True:
            token = self.peek()
            if token is None or token.text == ")":
                if joined:
                    raise self.fail("AND needs something to search for after it", self.last_and)
                if token is not None and closing is None:
                    raise self.fail('")" has no "(" before it', token)
                break
            if token.text in ("AND", "&&"):
                if not clauses or joined:
                    raise self.fail(f"{token.text} needs something to search for before it", token)
                self.last_and = self.take()
                joined = True
                continue
            clause = self.or_clause(field_name)
            if clause is None:
                continue
            if joined:
                clauses[-1] = _joined(clauses[-1], clause)
                joined = False
            else:
                clauses.append(clause)
        return Group(tuple(clauses))

    def or_clause(self, field_name: str | None) -> Clause | None:
        """A clause, or clauses joined by OR."""
        first = self.unary(field_name)
        alternatives = [first] if first is not None else []
        while (token := self.peek()) is not None and token.text in ("OR", "||"):
            self.take()
            if first is None and not alternatives:
                raise self.fail(f"{token.text} needs something to search for before it", token)
            following = self.peek()
            if following is None or following.text in (")", "OR", "||", "AND", "&&"):
                raise self.fail(f"{token.text} needs something to search for after it", token)
            nxt = self.unary(field_name)
            if nxt is not None:
                alternatives.append(nxt)
        if len(alternatives) <= 1:
            return alternatives[0] if alternatives else None
        return Clause(Group(tuple(alternatives), all_=False))

    def unary(self, field_name: str | None) -> Clause | None:
        token = self.take()
        if token.text == "-" and _suspended(self.before(), self.peek(skip_space=False)):
            # "Privatpersonen und -organisationen": German's hyphen for a word
            # part left out, not an exclusion.
            return self.primary(self.take(skip_space=False), field_name)
        if token.text in ("NOT", "!") or (token.text in ("-", "+") and token.kind == "char"):
            following = self.peek(skip_space=token.text == "NOT")
            if following is None or following.kind == "space" or following.text == ")":
                if token.text == "NOT":
                    raise self.fail("NOT needs something to search for after it", token)
                return None  # A dash standing alone.
            if following.is_keyword or following.text in ("AND", "OR", "&&", "||"):
                raise self.fail(f"{token.text} needs something to search for after it", token)
            inner = self.unary(field_name)
            if inner is None:
                return None
            if inner.excluded or inner.required:
                raise self.fail(f"{token.text} cannot come twice before one clause", token)
            if token.text == "+":
                return Clause(inner.node, required=True)
            return Clause(inner.node, excluded=True)
        return self.primary(token, field_name)

    def primary(self, token: _Token, field_name: str | None) -> Clause | None:
        if token.text == "(":
            group = self.and_group(field_name, closing=token)
            closing = self.peek()
            if closing is None:
                raise self.fail('"(" is not closed', token)
            self.take()
            return Clause(_with_boost(group, self.boost()))
        if token.kind == "phrase":
            return self.phrase(token, field_name)
        if token.kind == "word" and not token.is_keyword:
            if self.touching(":"):
                return self.fielded(token, field_name)
            return self.word(token, field_name)
        if token.text in ("AND", "OR", "&&", "||"):
            raise self.fail(f"{token.text} needs something to search for before it", token)
        if token.text in ("[", "{", "]", "}"):
            raise self.fail(
                f"{token.text} belongs to a date range such as date:[2020 TO 2021]", token
            )
        if token.text in ("^", "~", ":"):
            raise self.fail(f"{token.text} must follow a word, as in Merkel{token.text}2", token)
        if token.text in ("<", ">", "<=", ">="):
            raise self.fail(f"{token.text} compares dates, as in date:{token.text}2020", token)
        raise self.fail(f"{token.text!r} cannot stand here", token)

    def fielded(self, name: _Token, outer: str | None) -> Clause | None:
        colon = self.take(skip_space=False)
        following = self.peek(skip_space=False)
        field_name = FIELDS.get(name.text.lower())
        if following is None or following.kind == "space":
            if field_name is not None:
                raise self.fail(
                    f"{name.text}: needs a word, a phrase or a ( group ) after it", colon
                )
            return self.word(name, outer)  # "Krieg: Nordkorea": a colon, not a field.
        if field_name is None:
            if not name.text.isalpha() or following.text.startswith("/"):
                return self.word(_Token("word", name.text + ":", name.at), outer)
            raise self.fail(f"there is no field {name.text!r}: use {FIELDS_SHOWN}", name)
        if outer is not None:
            raise self.fail(f"{name.text}: cannot stand inside another field's ( )", name)
        if field_name == "date":
            return Clause(self.date(name))
        token = self.take(skip_space=False)
        if token.text == "(":
            return self.primary(token, field_name)
        if token.kind in ("phrase", "word") and not token.is_keyword:
            return (
                self.phrase(token, field_name)
                if token.kind == "phrase"
                else self.word(token, field_name)
            )
        raise self.fail(f"{name.text}: needs a word, a phrase or a ( group ) after it", colon)

    def word(self, token: _Token, field_name: str | None) -> Clause | None:
        text = _unescaped(_WORD_END_RE.sub("", token.text))
        fuzzy = None
        if self.touching("~"):
            tilde = self.take(skip_space=False)
            fuzzy = self.number(tilde, whole=True, default=MAX_FUZZY)
            if fuzzy > MAX_FUZZY:
                raise self.fail(f"~{fuzzy}: a word may be {MAX_FUZZY} edits away at most", tilde)
        boost = self.boost()
        wild = any(c in text for c in "*?") and not _escaped_wildcards(token.text)
        if not text.strip("?"):  # A question mark standing alone.
            return None
        if wild:
            if fuzzy is not None:
                raise self.fail("a prefix or wildcard cannot also be fuzzy (~)", token)
            if not text.strip("*"):
                if field_name is not None:
                    raise self.fail(
                        f"{field_name}:{token.text} is not searched: * alone in a field "
                        "would read every posting of the index; give the field a word or "
                        "the start of one (title:Nord*), or search * for every article",
                        token,
                    )
                return Clause(Everything())
            return Clause(Pattern(text, field_name, boost))
        return Clause(Word(text, field_name, fuzzy, boost))

    def phrase(self, token: _Token, field_name: str | None) -> Clause:
        if len(token.text) < 2 or not token.text.endswith('"') or token.text.endswith('\\"'):
            raise self.fail("the quote is not closed", token)
        slop = None
        if self.touching("~"):
            tilde = self.take(skip_space=False)
            slop = self.number(tilde, whole=True, default=None)
        boost = self.boost()
        return Clause(Phrase(_unescaped(token.text[1:-1]), field_name, slop, boost))

    def boost(self) -> float:
        if not self.touching("^"):
            return 1.0
        caret = self.take(skip_space=False)
        return float(self.number(caret, whole=False, default=None))

    def number(self, sign: _Token, *, whole: bool, default: int | None) -> float | int:
        """The number written right after ``~`` or ``^``."""
        token = self.peek(skip_space=False)
        if token is not None and token.kind == "word" and _NUMBER_RE.fullmatch(token.text):
            self.take(skip_space=False)
            if whole and not token.text.isdigit():
                raise self.fail(f"{sign.text} takes a whole number, not {token.text}", sign)
            return int(token.text) if whole else float(token.text)
        if token is not None and token.kind == "word" and default is not None:
            raise self.fail(f"{sign.text} takes a number or nothing, not {token.text!r}", sign)
        if default is not None:
            return default
        example = '"Angela Merkel"~3' if sign.text == "~" else "Merkel^2"
        raise self.fail(f"{sign.text} needs a number right after it, as in {example}", sign)

    # Dates

    def date(self, name: _Token) -> Node:
        token = self.take(skip_space=False)
        if token.text in ("[", "{"):
            return self.date_range(token)
        if token.text in ("<", ">", "<=", ">="):
            value = self.take(skip_space=False) if self.peek(skip_space=False) else None
            if value is None or value.kind != "word":
                raise self.fail(f"date:{token.text} needs a date after it", token)
            bound = self.date_value(value, end=token.text in (">", "<="))
            if token.text in (">", ">="):
                after = bound + dt.timedelta(microseconds=1) if token.text == ">" else bound
                return Dates(after, None)
            before = bound - dt.timedelta(microseconds=1) if token.text == "<" else bound
            return Dates(None, before)
        if token.text == "(":
            group = self.and_group("date", closing=token)
            if self.peek() is None:
                raise self.fail('"(" is not closed', token)
            self.take()
            return group
        if token.kind == "word":
            if token.text == "*":
                return Dates(None, None)
            return Dates(self.date_value(token), self.date_value(token, end=True))
        raise self.fail(f"date: needs a date ({DATE_FORMS}) or a range after it", name)

    def date_range(self, opening: _Token) -> Dates:
        parts: list[_Token] = []
        while (token := self.peek()) is not None and token.text not in ("]", "}"):
            parts.append(self.take())
        if token is None:
            raise self.fail(f"{opening.text} is not closed", opening)
        closing = self.take()
        words = [p for p in parts if p.kind == "word"]
        if len(parts) != 3 or len(words) != 3 or words[1].text.upper() != "TO":
            raise self.fail(
                f"a date range is date:[A TO B], with dates ({DATE_FORMS}) or * for A and B",
                opening,
            )
        first, last = words[0], words[2]
        start = None if first.text == "*" else self.date_value(first)
        end = None if last.text == "*" else self.date_value(last, end=True)
        if start is not None and end is not None and start > end:
            raise self.fail(f"the range starts after it ends ({first.text} to {last.text})", first)
        if start is not None and opening.text == "{":  # From after the whole of A.
            start = self.date_value(first, end=True) + dt.timedelta(microseconds=1)
        if end is not None and closing.text == "}":  # To before the start of B.
            end = self.date_value(last) - dt.timedelta(microseconds=1)
        return Dates(start, end)

    def date_value(self, token: _Token, end: bool = False) -> dt.datetime:
        try:
            return period(token.text, end=end)
        except FilterError:
            raise self.fail(
                f"cannot read the date {token.text!r}: use {DATE_FORMS}", token
            ) from None

    last_and: _Token | None = None


def _suspended(before: _Token | None, after: _Token | None) -> bool:
    """Whether a "-" joins a word part to a word left out before it: it follows
    "und", "oder", "sowie" or "bzw." and a space, and a small letter follows it."""
    return (
        before is not None
        and before.kind == "word"
        and before.text.lower().rstrip(".") in _CONJUNCTIONS
        and after is not None
        and after.kind == "word"
        and after.text[:1].islower()
    )


def _joined(left: Clause, right: Clause) -> Clause:
    """Two clauses written with AND between them: one clause that needs both."""
    if isinstance(left.node, Group) and left.node.explicit and not (left.required or left.excluded):
        return Clause(Group((*left.node.clauses, right), explicit=True))
    return Clause(Group((left, right), explicit=True))


def _with_boost(group: Group, boost: float) -> Group:
    return group if boost == 1.0 else Group(group.clauses, group.all_, group.explicit, boost)


def _unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _escaped_wildcards(text: str) -> bool:
    """Whether every * and ? of a word is escaped: then it is no pattern."""
    return not re.search(r"(?<!\\)[*?]", text)


def tokens(text: str) -> list[_Token]:
    found = []
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup or "word"
        found.append(_Token(kind, match.group(), match.start()))
    return found


def parse(text: str) -> Group:
    """The query's tree; :class:`QuerySyntaxError` for what cannot be read."""
    parser = _Parser(text, tokens(text))
    return parser.query()
