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

import re

from . import messages as m
from .messages import Text
from .querydates import date_clause
from .querytokens import WORD_END_RE, Token, TokenStream, tokens
from .querytree import Clause, Everything, Group, Pattern, Phrase, Word

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
FIELDS_SHOWN = Text(
    "title, teaser, body, captions, tag, author and date",
    "title:, teaser:, body:, captions:, tag:, author: und date:",
)
MAX_FUZZY = 2
# After these words, "-" and a small letter is a suspended compound's hyphen.
_CONJUNCTIONS = frozenset({"und", "oder", "sowie", "bzw"})


class _Parser(TokenStream):
    """The grammar, read from the token stream."""

    last_and: Token | None = None  # the last AND taken, for errors about it

    # Grammar

    def query(self) -> Group:
        group = self.and_group(field_name=None, closing=None)
        if self.peek() is not None:  # Only a ")" with no "(" stops a group early.
            raise self.fail(m.NO_OPENING(), self.peek())
        return group

    def and_group(self, field_name: str | None, closing: Token | None) -> Group:
        """Clauses side by side or joined by AND, up to ")" or the end."""
        clauses: list[Clause] = []
        joined = False  # the last clause was followed by AND
        while True:
            token = self.peek()
            if token is None or token.text == ")":
                if joined:
                    raise self.fail(m.NOTHING_AFTER(op="AND"), self.last_and)
                if token is not None and closing is None:
                    raise self.fail(m.NO_OPENING(), token)
                break
            if token.text in ("AND", "&&"):
                if not clauses or joined:
                    raise self.fail(m.NOTHING_BEFORE(op=token.text), token)
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
                raise self.fail(m.NOTHING_BEFORE(op=token.text), token)
            following = self.peek()
            if following is None or following.text in (")", "OR", "||", "AND", "&&"):
                raise self.fail(m.NOTHING_AFTER(op=token.text), token)
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
                    raise self.fail(m.NOTHING_AFTER(op="NOT"), token)
                return None  # A dash standing alone.
            if following.is_keyword or following.text in ("AND", "OR", "&&", "||"):
                raise self.fail(m.NOTHING_AFTER(op=token.text), token)
            inner = self.unary(field_name)
            if inner is None:
                return None
            if inner.excluded or inner.required:
                raise self.fail(m.TWICE(op=token.text), token)
            if token.text == "+":
                return Clause(inner.node, required=True)
            return Clause(inner.node, excluded=True)
        return self.primary(token, field_name)

    def primary(self, token: Token, field_name: str | None) -> Clause | None:
        if token.text == "(":
            group = self.and_group(field_name, closing=token)
            closing = self.peek()
            if closing is None:
                raise self.fail(m.NOT_CLOSED(), token)
            self.take()
            return Clause(_with_boost(group, self.boost()))
        if token.kind == "phrase":
            return _phrase(self, token, field_name)
        if token.kind == "word" and not token.is_keyword:
            if self.touching(":"):
                return self.fielded(token, field_name)
            return _word(self, token, field_name)
        raise self.fail(_misplaced(token), token)

    def fielded(self, name: Token, outer: str | None) -> Clause | None:
        colon = self.take(skip_space=False)
        following = self.peek(skip_space=False)
        field_name = FIELDS.get(name.text.lower())
        if following is None or following.kind == "space":
            if field_name is not None:
                raise self.fail(m.FIELD_EMPTY(name=name.text), colon)
            return _word(self, name, outer)  # "Krieg: Nordkorea": a colon, not a field.
        if field_name is None:
            if not name.text.isalpha() or following.text.startswith("/"):
                return _word(self, Token("word", name.text + ":", name.at), outer)
            raise self.fail(m.NO_FIELD(name=name.text, fields=FIELDS_SHOWN), name)
        if outer is not None:
            raise self.fail(m.FIELD_IN_FIELD(name=name.text), name)
        if field_name == "date":
            return Clause(date_clause(self, name, group=self.and_group))
        token = self.take(skip_space=False)
        if token.text == "(":
            return self.primary(token, field_name)
        if token.kind in ("phrase", "word") and not token.is_keyword:
            return (
                _phrase(self, token, field_name)
                if token.kind == "phrase"
                else _word(self, token, field_name)
            )
        raise self.fail(m.FIELD_EMPTY(name=name.text), colon)


def _word(stream: TokenStream, token: Token, field_name: str | None) -> Clause | None:
    text = _unescaped(WORD_END_RE.sub("", token.text))
    fuzzy = None
    if stream.touching("~"):
        tilde = stream.take(skip_space=False)
        fuzzy = stream.number(tilde, whole=True, default=MAX_FUZZY)
        if fuzzy > MAX_FUZZY:
            raise stream.fail(m.FUZZY_TOO_FAR(fuzzy=fuzzy, most=MAX_FUZZY), tilde)
    boost = stream.boost()
    wild = any(c in text for c in "*?") and not _escaped_wildcards(token.text)
    if not text.strip("?"):  # A question mark standing alone.
        return None
    if wild:
        if fuzzy is not None:
            raise stream.fail(m.PATTERN_FUZZY(), token)
        if not text.strip("*"):
            if field_name is not None:
                raise stream.fail(m.STAR_IN_FIELD(field=field_name, word=token.text), token)
            return Clause(Everything())
        return Clause(Pattern(text, field_name, boost))
    return Clause(Word(text, field_name, fuzzy, boost))


def _phrase(stream: TokenStream, token: Token, field_name: str | None) -> Clause:
    if len(token.text) < 2 or not token.text.endswith('"') or token.text.endswith('\\"'):
        raise stream.fail(m.QUOTE_NOT_CLOSED(), token)
    slop = None
    if stream.touching("~"):
        tilde = stream.take(skip_space=False)
        slop = stream.number(tilde, whole=True, default=None)
    boost = stream.boost()
    return Clause(Phrase(_unescaped(token.text[1:-1]), field_name, slop, boost))


def _misplaced(token: Token) -> Text:
    """What is wrong with a token that cannot start a clause."""
    text = token.text
    if text in ("AND", "OR", "&&", "||"):
        return m.NOTHING_BEFORE(op=text)
    if text in ("[", "{", "]", "}"):
        return m.RANGE_SIGN(sign=text)
    if text in ("^", "~"):
        return m.AFTER_A_WORD(sign=text)
    if text == ":":
        return m.COLON_ALONE(fields=FIELDS_SHOWN)
    if text in ("<", ">", "<=", ">="):
        return m.COMPARES_DATES(sign=text)
    return m.CANNOT_STAND_HERE(text=text)


def _suspended(before: Token | None, after: Token | None) -> bool:
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


def parse(text: str) -> Group:
    """The query's tree; :class:`QuerySyntaxError` for what cannot be read."""
    parser = _Parser(text, tokens(text))
    return parser.query()
