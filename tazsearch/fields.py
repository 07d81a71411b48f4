"""An article's fields as the index holds them: their names, weights and ranges.

Ranking uses one BM25 over all text of an article (the ``content`` field)
rather than a sum of per-field scores. Each word adds its field's weight to
the term frequency, so a title word counts twice a body word, and the sum
then saturates once, as in BM25F proper and SQLite FTS5's column weights.
Summing separately boosted per-field scores instead lets a title match
outweigh any amount of evidence in the body, which measurably hurts ranking.

The single fields (title, body, ...) are not indexed on their own, which
would double the postings to write. Each field's words sit in ``content`` at
positions of their own range (the title's from 0, the teaser's from
SECTION_SPAN, ...), so ``title:Nordkorea`` is ``Nordkorea`` in ``content`` at a
position in the title's range.
"""

from __future__ import annotations

from collections.abc import Iterable

from .analysis import fold_spelt_umlauts, strip_accents
from .article import Block

# The field every word of an article is indexed in.
CONTENT = "content"
# How much one occurrence of a word counts towards the combined term frequency.
FIELD_WEIGHTS: dict[str, float] = {
    "title": 2.0,
    "teaser": 2.0,
    "tags": 2.0,
    "captions": 1.0,
    "body": 1.0,
    "authors": 1.0,
}
TEXT_FIELDS = tuple(FIELD_WEIGHTS)
# How much a part of a closed compound counts against the whole word: an
# article about the "Truppenentsendung" is found by "Entsendung", below one
# that says "Entsendung" itself.
PART_WEIGHT = 0.3
# The positions of each field's words in ``content`` start at a multiple of
# this, so that a phrase never spans two fields and the position of a word
# tells its field. Words past it in a field all take its last position.
SECTION_SPAN = 1 << 22
HEADING_MARK = "## "


def section_range(name: str) -> tuple[int, int]:
    """The range of positions in ``content`` of the words of field ``name``."""
    number = TEXT_FIELDS.index(name)
    return number * SECTION_SPAN, (number + 1) * SECTION_SPAN


def exact_key(value: str) -> str:
    """The exact-match form of a tag or author: case and umlaut spelling folded."""
    folded = strip_accents(fold_spelt_umlauts(value.lower()))
    return " ".join(folded.replace(",", " ").split())


def body_text(blocks: Iterable[Block]) -> str:
    """The body as stored: paragraphs apart by blank lines, headings marked."""
    return "\n\n".join(HEADING_MARK + b.text if b.heading else b.text for b in blocks)


def body_blocks(text: str) -> tuple[Block, ...]:
    """The body's blocks, from its stored text."""
    blocks = []
    for paragraph in text.split("\n\n"):
        if paragraph.startswith(HEADING_MARK):
            blocks.append(Block(paragraph[len(HEADING_MARK) :], heading=True))
        elif paragraph:
            blocks.append(Block(paragraph))
    return tuple(blocks)
