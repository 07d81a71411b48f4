"""A query's text as tokens, and the stream the parser reads them from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import messages as m
from .errors import QuerySyntaxError
from .messages import Text

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
WORD_END_RE = re.compile(r"(?<=[^\W_])[?!.,;]+$")


@dataclass
class Token:
    kind: str  # space, phrase, op, char, word
    text: str
    at: int  # character offset in the query, from 0

    @property
    def is_keyword(self) -> bool:
        return self.kind == "word" and self.text in ("AND", "OR", "NOT")


@dataclass
class TokenStream:
    """The tokens of one query, read from left to right; errors name where."""

    text: str
    tokens: list[Token] = field(default_factory=list)
    i: int = 0

    def fail(self, reason: Text, token: Token | None = None) -> QuerySyntaxError:
        """The error for the whole query: ``reason`` says what is wrong at ``token``."""
        if token is None:
            return QuerySyntaxError(m.QUERY(query=self.text, reason=reason))
        return QuerySyntaxError(m.QUERY_AT(query=self.text, at=token.at + 1, reason=reason))

    # Tokens

    def peek(self, skip_space: bool = True) -> Token | None:
        i = self.i
        while skip_space and i < len(self.tokens) and self.tokens[i].kind == "space":
            i += 1
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self, skip_space: bool = True) -> Token:
        while skip_space and self.i < len(self.tokens) and self.tokens[self.i].kind == "space":
            self.i += 1
        token = self.tokens[self.i]
        self.i += 1
        return token

    def before(self) -> Token | None:
        """The last token before the one just taken, spaces passed over."""
        i = self.i - 2
        while i >= 0 and self.tokens[i].kind == "space":
            i -= 1
        return self.tokens[i] if i >= 0 else None

    def touching(self, *texts: str) -> Token | None:
        """The next token if it follows without a space and is one of ``texts``."""
        token = self.peek(skip_space=False)
        return token if token is not None and token.text in texts else None

    def boost(self) -> float:
        if not self.touching("^"):
            return 1.0
        caret = self.take(skip_space=False)
        return float(self.number(caret, whole=False, default=None))

    def number(self, sign: Token, *, whole: bool, default: int | None) -> float | int:
        """The number written right after ``~`` or ``^``."""
        token = self.peek(skip_space=False)
        if token is not None and token.kind == "word" and _NUMBER_RE.fullmatch(token.text):
            self.take(skip_space=False)
            if whole and not token.text.isdigit():
                raise self.fail(m.WHOLE_NUMBER(sign=sign.text, number=token.text), sign)
            return int(token.text) if whole else float(token.text)
        if token is not None and token.kind == "word" and default is not None:
            raise self.fail(m.NUMBER_OR_NOTHING(sign=sign.text, word=token.text), sign)
        if default is not None:
            return default
        example = '"Angela Merkel"~3' if sign.text == "~" else "Merkel^2"
        raise self.fail(m.NUMBER_NEEDED(sign=sign.text, example=example), sign)


def tokens(text: str) -> list[Token]:
    found = []
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup or "word"
        found.append(Token(kind, match.group(), match.start()))
    return found
