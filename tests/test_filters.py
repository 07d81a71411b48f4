"""Filters, facets, date sorting, the article view and statistics, on synthetic fixtures."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tazsearch import Index, TazsearchError, parse_file
from tazsearch.facets import period

from conftest import cli_output, fixture_article, run_cli

# (name, date, tags, authors) of synthetic fixture articles, all about "Hafen".
ROWS = [
    ("a", "3 Jan 2020", ("Politik", "Hamburg"), ("Jörg Müller",)),
    ("b", "9 Feb 2020", ("Politik",), ("Joerg Mueller", "Ana Lenz")),
    ("c", "1 Mar 2021", ("Wirtschaft", "Hamburg"), ("Ana Lenz",)),
    ("d", "15 Jun 2021", ("Politik",), ("Ana Lenz",)),
    ("e", "30 Dec 2021", ("Kultur",), ()),
    ("f", "2 Feb 2022", ("Politik", "Schwerpunkt Krieg in der Ukraine"), ("Jörg Müller",)),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    for name, date, tags, authors in ROWS:
        text = fixture_article(
            f"Fixture: Bericht {name}", f"Ein Bericht über den Hafen, Nummer {name}.",
            date=date, tags=tags, authors=authors,
        )  # fmt: skip
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def ix(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Index:
    index = Index.open(tmp_path_factory.mktemp("ix"), create=True)
    index.update([corpus])
    return index


def ids(ix: Index, query: str = "", **options: object) -> list[str]:
    return [hit.id for hit in ix.search(query, **{"limit": 50, **options})]  # type: ignore[arg-type]


def test_tag_and_author_filters_match_whole_values_in_any_spelling(ix: Index) -> None:
    assert sorted(ids(ix, "Hafen", tags=["politik"])) == ["a", "b", "d", "f"]
    assert sorted(ids(ix, "Hafen", authors=["Jörg Müller"])) == ["a", "b", "f"]
    assert sorted(ids(ix, "Hafen", authors=["joerg mueller"])) == ["a", "b", "f"]
    assert ids(ix, "Hafen", tags=["Schwerpunkt Krieg in der Ukraine"]) == ["f"]
    assert ids(ix, "Hafen", tags=["Krieg"]) == []


def test_filters_combine_with_each_other_and_the_text(ix: Index) -> None:
    assert sorted(ids(ix, "Hafen", tags=["Politik", "Hamburg"])) == ["a"]
    assert sorted(ids(ix, "Hafen", tags=["Politik"], authors=["Ana Lenz"])) == ["b", "d"]
    assert ids(ix, '"Nummer c"', tags=["Politik"]) == []
    assert ids(ix, '"Nummer c"') == ["c"]


def test_date_filters_take_years_months_and_days(ix: Index) -> None:
    assert sorted(ids(ix, "Hafen", since="2021")) == ["c", "d", "e", "f"]
    assert sorted(ids(ix, "Hafen", until="2020")) == ["a", "b"]
    assert sorted(ids(ix, "Hafen", since="2020-02", until="2021-03")) == ["b", "c"]
    assert ids(ix, "Hafen", since="2021-12-30", until="2021-12-30") == ["e"]


@pytest.mark.parametrize("bad", ["2021-13", "20x1", "2021-02-30", ""])
def test_bad_dates_are_clear_errors(ix: Index, bad: str) -> None:
    with pytest.raises(TazsearchError, match="cannot read the date"):
        ix.search("Hafen", since=bad or " ")


def test_period_bounds() -> None:
    assert str(period("2021")) == "2021-01-01 00:00:00"
    assert str(period("2021-12", end=True)) == "2021-12-31 23:59:59.999999"
    assert str(period("2020-02-29", end=True)) == "2020-02-29 23:59:59.999999"


def test_sorting_by_date(ix: Index) -> None:
    assert ids(ix, "Hafen", sort="newest") == ["f", "e", "d", "c", "b", "a"]
    assert ids(ix, "Hafen", sort="oldest") == ["a", "b", "c", "d", "e", "f"]
    with pytest.raises(TazsearchError, match="cannot sort"):
        ix.search("Hafen", sort="random")


def test_a_query_of_filters_alone_lists_matches_newest_first(ix: Index) -> None:
    assert ids(ix, tags=["Politik"]) == ["f", "d", "b", "a"]
    assert ids(ix) == ["f", "e", "d", "c", "b", "a"]


def test_paging_with_filters(ix: Index) -> None:
    pages = [ids(ix, tags=["Politik"], limit=3, page=n) for n in (1, 2)]
    assert pages == [["f", "d", "b"], ["a"]]


def test_facets_equal_counts_computed_from_the_files(ix: Index, corpus: Path) -> None:
    articles = [parse_file(path) for path in sorted(corpus.iterdir())]
    results = ix.search("Hafen", facets=True)
    facets = results.facets
    assert facets is not None and facets.date_unit == "year"
    assert dict(facets.dates) == Counter(str(a.date.year) for a in articles if a.date)
    tags = Counter(t for a in articles for t in a.tags)
    assert facets.tags[0] == ("Politik", 4)
    assert dict(facets.tags) == tags
    # "Jörg Müller" and "Joerg Mueller" are one author; the first spelling seen names it.
    assert sorted(n for _, n in facets.authors) == [3, 3]


def test_facets_count_per_month_within_one_year(ix: Index) -> None:
    facets = ix.search("Hafen", since="2021", until="2021", facets=True).facets
    assert facets is not None
    assert facets.date_unit == "month"
    assert facets.dates == [("2021-03", 1), ("2021-06", 1), ("2021-12", 1)]
    assert dict(facets.tags) == {"Politik": 1, "Wirtschaft": 1, "Hamburg": 1, "Kultur": 1}


def test_stats(ix: Index) -> None:
    stats = ix.stats()
    assert stats.articles == 6
    assert (str(stats.first_date), str(stats.last_date)) == ("2020-01-03", "2022-02-02")
    assert stats.per_year == [("2020", 2), ("2021", 3), ("2022", 1)]
    assert stats.top_tags[0] == ("Politik", 4)
    assert stats.size_bytes > 0 and stats.updated is not None


def test_highlighter_marks_query_words(ix: Index) -> None:
    spans = ix.highlighter("Hafen Bericht")("Der Bericht über den Hafen.")
    assert spans == [(4, 11), (21, 26)]


def test_cli_filters_facets_show_and_stats(ix: Index, corpus: Path) -> None:
    where = ["--index", str(ix.path)]
    listed = run_cli("query", "--tag", "Politik", "--since", "2021", *where)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0] == "2 articles"
    faceted = run_cli("query", "Hafen", "--facets", "--sort", "oldest", *where)
    assert "Matches per year:" in faceted.stdout
    assert "  2021 " + "█" * 40 + " 3" in faceted.stdout
    assert "Top tags: Politik (4)" in faceted.stdout
    data = json.loads(run_cli("query", "Hafen", "--facets", "--json", *where).stdout)
    assert data["facets"]["dates"][0] == {"value": "2020", "count": 2}
    shown = run_cli("show", str(corpus / "c.txt"), "--highlight", "Hafen", *where)
    assert shown.returncode == 0
    assert "Ein Bericht über den **Hafen**, Nummer c." in shown.stdout
    assert "Tags: Wirtschaft, Hamburg" in shown.stdout
    stats = json.loads(run_cli("stats", "--json", *where).stdout)
    assert stats["articles"] == 6 and stats["first_date"] == "2020-01-03"
    missing = run_cli("show", "nope", *where)
    assert missing.returncode == 1 and missing.stderr.startswith("error: no article")
    bad = run_cli("query", "Hafen", "--until", "2021-99", *where)
    assert bad.returncode == 1 and bad.stderr.startswith("error: cannot read the date")


def test_show_on_the_seed(seed_index: Path) -> None:
    output = cli_output("show", "000_3fd7acc3efa38401", "--index", str(seed_index))
    assert output.splitlines()[:3] == [
        "Soldaten für Russlands Krieg",
        "Nordkorea bringt den Ukraine-Krieg nach Asien",
        "2024-10-21 · Fabian Kretschmer, Bernhard Clasen",
    ]
    for part in ["Ukraine: Erste Nordkoreaner", "[3] /Schwerpunkt-Krieg-in-der-Ukraine/!t5008150"]:
        assert part in output
    assert "Artikel zum Thema:" in output and "Scherbakowa" in output
