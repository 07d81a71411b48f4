"""The plain Whoosh baseline every benchmark measures tazsearch against.

LanguageAnalyzer("de") on title, teaser and body, one default writer and one
commit at the end: Whoosh as its documentation sets it up. The articles are
read with tazsearch's parser, so both engines index the same text.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from whoosh import fields, index
from whoosh.analysis import LanguageAnalyzer

from tazsearch.parse import NotAnArticle, parse_file
from tazsearch.sources import scan

SEARCHED_FIELDS = ["title", "teaser", "body"]


def build_plain_whoosh(folders: list[Path], index_dir: Path) -> tuple[index.Index, int]:
    """A plain Whoosh index of the articles under ``folders``, and how many it holds."""
    schema = fields.Schema(
        path=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=LanguageAnalyzer("de"), stored=True),
        teaser=fields.TEXT(analyzer=LanguageAnalyzer("de")),
        body=fields.TEXT(analyzer=LanguageAnalyzer("de")),
    )
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(index_dir, schema)
    writer = ix.writer()
    count = 0
    for folder in folders:
        for found in scan([folder]).files:
            path = Path(found.path)
            try:
                article = parse_file(path)
            except NotAnArticle:
                continue
            writer.add_document(
                path=str(path.resolve()),
                title=article.title,
                teaser=article.teaser,
                body=article.body,
            )
            count += 1
    writer.commit()
    return ix, count
