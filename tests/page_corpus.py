"""A corpus for the web pages' tests: synthetic fixture articles, not taz content.

Twenty-five articles about bicycles ("Fahrrad"), over two years, with tags and
authors to filter by; one of them with every part an article page shows
(kicker, teaser, captions, subheadings, links, related articles), one with
none of the optional parts, and one whose text holds markup.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tazsearch import Article, Block, Index, Link, Related

TAGS = ("Verkehr", "Stadt", "Umwelt")
AUTHORS = ("Anna Fixture", "Bernd Beispiel")


def fahrrad_articles() -> list[Article]:
    articles = [
        Article(
            id=f"rad{n:02d}",
            title=f"Fixture: Fahrrad Nummer{n}",
            kicker="Fixture",
            headline=f"Fahrrad Nummer{n}",
            teaser=f"Kurz: das Fahrrad Nummer{n}.",
            blocks=(Block(f"Ein Bericht über das Fahrrad Nummer{n} und die Stadt. " * 3),),
            date=dt.date(2023 + n % 2, 1 + n % 12, 1 + n),
            authors=(AUTHORS[n % 2],),
            tags=(TAGS[n % 3], "Fixture"),
        )
        for n in range(25)
    ]
    articles.append(
        Article(
            id="ganz",
            title="Radverkehr: Ein ganzer Fixture-Artikel über Fahrräder",
            kicker="Radverkehr",
            headline="Ein ganzer Fixture-Artikel über Fahrräder",
            teaser="Der Vorspann des Fixture-Artikels über Fahrradwege.",
            captions=("Ein Fixture-Bild von einem Fahrrad",),
            blocks=(
                Block("Der erste Absatz handelt vom Fahrrad."),
                Block("Eine Zwischenzeile", heading=True),
                Block("Der zweite Absatz nennt Fahrradwege."),
            ),
            date=dt.date(2024, 3, 5),
            links=(Link(1, "https://example.org/fahrrad"), Link(2, "javascript:alert(1)")),
            authors=("Anna Fixture",),
            tags=("Verkehr", "Fixture"),
            related=(Related("Ein verwandter Fixture-Artikel", "Sein Vorspann."),),
        )
    )
    articles.append(Article(id="karg", title="Karges Fahrrad", blocks=(Block("Fahrrad."),)))
    articles.append(
        Article(
            id="markup",
            title='Fixture <script>alert("x")</script> & Fahrrad',
            blocks=(Block("<b>Fahrrad</b> & <i>Stadt</i>"),),
            date=dt.date(2024, 1, 1),
            tags=("<em>Tag</em>",),
        )
    )
    return articles


def fahrrad_index(folder: Path) -> Path:
    with Index.open(folder, create=True) as ix:
        ix.add(fahrrad_articles())
    return folder
