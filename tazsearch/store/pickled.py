"""Classes that index files name: pickled into them, loaded back by module and name.

A pickle names the classes of its objects by module and name. A commit's
table of contents pickles the schema, with its analyzer; a posting block
pickles its values. Every tazsearch class an index file names lives here,
and keeps its module and name for as long as the index format
(records.FORMAT_VERSION) does: moving or renaming one would make every index
unreadable. A test holds the index files to this module, and one opens the
committed fixture index, written by an earlier commit, and checks its hits.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Token, Tokenizer

from ..analysis import analyze


class PackedValues:
    """A posting block's values in one bytes object, sliced when one is asked for.

    Whoosh's own blocks hold a tuple of bytes objects, and unpickling those
    was most of the cost of reading a block. Whoosh's reader only indexes the
    values, which this does as a tuple would. Index files name this class, so
    it keeps its name and module (see the module's docstring).
    """

    __slots__ = ("data", "ends")

    def __init__(self, data: bytes, ends: array) -> None:
        self.data = data
        self.ends = ends

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i: int) -> bytes:
        if i < 0:
            i += len(self.ends)
        return self.data[self.ends[i - 1] if i else 0 : self.ends[i]]

    def __iter__(self) -> Iterator[bytes]:
        start = 0
        for end in self.ends:
            yield self.data[start:end]
            start = end

    def __reduce__(self) -> tuple[Any, ...]:
        return PackedValues, (self.data, self.ends)


class GermanAnalyzer(Tokenizer):
    """Whoosh's face of :func:`~tazsearch.analysis.analyze`, for the text fields.

    Whoosh calls it when it analyses text itself, as for the key terms of an
    article (similar articles). It is a single tokenizer rather than a chain
    of filters, so each word passes through Python once.
    """

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.stopped = False
        token.boost = 1.0
        if not tokenize:
            # Whoosh asks for this with terms that are already analysed.
            token.text = token.original = value
            token.pos = start_pos
            token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for term in analyze(value, query=mode == "query", start_pos=start_pos):
            token.text = term.text
            if keeporiginal:
                token.original = value[term.start : term.end]
            if positions:
                token.pos = term.pos
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token
