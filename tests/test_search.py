"""Searching: ranking tiers, query syntax, snippets and highlights."""

from __future__ import annotations

from pathlib import Path

import pytest

from tazsearch import Index, QuerySyntaxError

from conftest import ROOT, fixture_article, index_of

FIXTURES = {
    # Synthetic fixture articles, not taz content.
    "both": fixture_article(
        "Fixture: Bericht aus Asien",
        "Ein langer Absatz über das Wetter in Asien.\n\n"
        "Später kamen Soldaten aus Nordkorea in die Region.",
        date="3 Mar 2023",
        tags=("Asien",),
    ),
    "title-only": fixture_article(
        "Fixture: Nordkorea",
        "Nordkorea Nordkorea Nordkorea. Ein Bericht über das Land und seine Führung.",
        date="4 Apr 2022",
    ),
    "soldiers": fixture_article(
        "Fixture: Armee", "Soldaten marschieren. Soldaten warten.", date="5 May 2021"
    ),
    "weighted-title": fixture_article(
        "Fixture: Wahlkampf in Berlin",
        "Ein Text über Parteien und Plakate in der Stadt.",
        authors=("Erika Musterfrau",),
    ),
    "weighted-body": fixture_article(
        "Fixture: Stadtgeschehen",
        "Ein Text über Parteien, Plakate und den Wahlkampf in der Stadt.",
    ),
}


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return index_of(tmp_path_factory, FIXTURES)


def ids(ix: Index, query: str, **options: int) -> list[str]:
    return [hit.id for hit in ix.search(query, **options)]


def test_all_words_rank_above_some_words(ix: Index) -> None:
    got = ids(ix, "Nordkorea Soldaten")
    assert got[0] == "both"
    assert set(got[1:]) == {"title-only", "soldiers"}
    assert ix.search("Nordkorea Soldaten").total == 3


def test_a_missing_word_does_not_empty_the_results(ix: Index) -> None:
    assert ids(ix, "Soldaten Zeppelin") == ["soldiers", "both"]


def test_title_weighs_more_than_body(ix: Index) -> None:
    assert ids(ix, "Wahlkampf") == ["weighted-title", "weighted-body"]


def test_phrase_and_boolean_syntax(ix: Index) -> None:
    assert ids(ix, '"Soldaten aus Nordkorea"') == ["both"]
    assert ids(ix, '"Nordkorea Soldaten"') == []
    assert set(ids(ix, "Nordkorea AND NOT Soldaten")) == {"title-only"}
    assert set(ids(ix, "Wetter OR Plakate")) == {"both", "weighted-title", "weighted-body"}
    assert ids(ix, "Nordkorea NOT Asien") == ["title-only"]


def test_field_prefixes(ix: Index) -> None:
    assert ids(ix, "title:Nordkorea") == ["title-only"]
    assert set(ids(ix, "body:Nordkorea")) == {"both", "title-only"}
    assert ids(ix, "tag:Asien") == ["both"]
    assert ids(ix, "author:Musterfrau") == ["weighted-title"]


def test_date_ranges(ix: Index) -> None:
    assert ids(ix, "Nordkorea date:2023") == ["both"]
    assert set(ids(ix, "Nordkorea date:[2022-01 to 2023-12]")) == {"both", "title-only"}
    assert ids(ix, "Soldaten date:2021-05-05") == ["soldiers"]


def test_paging_continues_the_ranking(ix: Index) -> None:
    everything = ids(ix, "Nordkorea Soldaten", limit=10)
    pages = [ids(ix, "Nordkorea Soldaten", limit=1, page=n) for n in (1, 2, 3, 4)]
    assert [p[0] for p in pages[:3]] == everything
    assert pages[3] == []


@pytest.mark.parametrize("query", ["date:[foo to bar]", "date:2024-13", "der die das", "!!!"])
def test_unreadable_queries_raise_one_line_errors(ix: Index, query: str) -> None:
    with pytest.raises(QuerySyntaxError) as error:
        ix.search(query)
    assert "\n" not in str(error.value)


def test_hits_are_typed_and_complete(ix: Index) -> None:
    hit = ix.search("Wahlkampf").hits[0]
    assert (hit.rank, hit.id, hit.title) == (1, "weighted-title", "Fixture: Wahlkampf in Berlin")
    assert hit.authors == ["Erika Musterfrau"]
    assert str(hit.date) == "2024-01-01"
    assert hit.score > 0
    assert Path(hit.path).name == "weighted-title.txt"
    assert hit.title[slice(*hit.title_highlights[0])] == "Wahlkampf"


def test_snippets_come_from_the_best_passage_not_the_first_lines(ix: Index) -> None:
    hit = ix.search("Nordkorea Soldaten").hits[0]
    best = hit.snippets[0]
    assert best.text == "Später kamen Soldaten aus Nordkorea in die Region."
    assert [best.text[s:e] for s, e in best.highlights] == ["Soldaten", "Nordkorea"]


def test_seed_is_hit_one_with_soldaten_highlighted_in_the_body(seed_index: Path) -> None:
    with Index.open(seed_index) as ix:
        hit = ix.search("Nordkorea Soldaten").hits[0]
        body = ix.get(hit.id).body
    assert hit.id == "000_3fd7acc3efa38401"
    assert 1 <= len(hit.snippets) <= 3
    body_snippets = [s for s in hit.snippets if s.text in body]
    assert any(s.text[a:b] == "Soldaten" for s in body_snippets for a, b in s.highlights)


@pytest.mark.parametrize(
    "query",
    [
        "Nordkorea Soldaten",
        "nordkoreanischer Soldat",
        "Ukrainekrieg",
        "Ukraine-Krieg",
        "Suedkorea Nato",
        "Sudkorea",
        "author:Kretschmer",
        "tag:Japan",
        "1.500 Soldaten",
        '"Krieg gegen die Ukraine"',
    ],
)
def test_seed_is_found(seed_index: Path, query: str) -> None:
    with Index.open(seed_index) as ix:
        assert [hit.id for hit in ix.search(query)] == ["000_3fd7acc3efa38401"]


@pytest.mark.parametrize("query", ["Rostock", "Scherbakowa", "Kursk"])
def test_related_articles_text_is_not_indexed(seed_index: Path, query: str) -> None:
    with Index.open(seed_index) as ix:
        assert ix.search(query).total == 0


def test_compound_is_highlighted_as_one_word(seed_index: Path) -> None:
    with Index.open(seed_index) as ix:
        hit = ix.search("Ukrainekrieg").hits[0]
    assert "Ukraine-Krieg" in [hit.title[a:b] for a, b in hit.title_highlights]


def test_seed_folder_is_the_projects_copy() -> None:
    assert (ROOT / "seeds" / "000_3fd7acc3efa38401.txt").is_file()


def test_field_phrases_prefixes_and_wildcards_stay_in_their_field(ix: Index) -> None:
    assert ids(ix, 'title:"Bericht aus Asien"') == ["both"]
    assert ids(ix, 'body:"Bericht aus Asien"') == []
    assert ids(ix, "title:Nordk*") == ["title-only"]
    assert set(ids(ix, "body:Nordk*")) == {"both", "title-only"}
    assert ids(ix, "title:Wahlk?mpf") == ["weighted-title"]
    # A phrase never runs from one field into the next.
    assert ids(ix, '"Nordkorea Nordkorea"') == ["title-only"]
    assert ids(ix, '"Fixture Nordkorea Nordkorea"') == []


def test_totals_count_every_match_across_tiers_and_pages(ix: Index) -> None:
    first = ix.search("Nordkorea Soldaten", limit=1)
    second = ix.search("Nordkorea Soldaten", limit=1, page=2)
    third = ix.search("Nordkorea Soldaten", limit=1, page=3)
    assert first.total == second.total == third.total == 3
    assert [first.hits[0].id, second.hits[0].id] == ["both", ids(ix, "Nordkorea Soldaten")[1]]
    assert len({first.hits[0].id, second.hits[0].id, third.hits[0].id}) == 3
    assert ix.search("Nordkorea Soldaten", limit=1, page=4).hits == []
