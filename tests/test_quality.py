"""Search quality features on small synthetic fixtures (not taz content)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tazsearch import Index
from tazsearch.spelling import edit_distance

from conftest import fixture_article, index_of

LONG_BODY = " ".join(["Der Ausschuss tagte lange und beriet viele Fragen der Stadtplanung."] * 30)

FIXTURES = {
    "compound": fixture_article(
        "Fixture: Debatte im Parlament", "Die Truppenentsendung wurde zur Bundestagswahl beraten."
    ),
    "exact": fixture_article(
        "Fixture: Ein Beschluss", "Die Entsendung von Beobachtern zur Wahl wurde beschlossen."
    ),
    "phrase": fixture_article(
        "Fixture: Lage im Osten", "Der Krieg in der Ukraine dauert an, sagen Beobachter."
    ),
    "headline": fixture_article(
        "Fixture: Hochwasser in Sachsen", "Die Pegel stiegen über Nacht, viele Keller liefen voll."
    ),
    "long-body": fixture_article(
        "Fixture: Sitzungsbericht", LONG_BODY + " Am Rande ging es auch um Hochwasser in Sachsen."
    ),
    "questions": fixture_article(
        "Fixture: Wie viele Fragen?",
        "Wie viele? Wie viele genau? Wann und warum, wie viele, wer und wo?",
    ),
    "vaccine-1": fixture_article(
        "Fixture: Impfstoff vor der Zulassung",
        "Die Arzneimittelbehörde prüft den Impfstoff. Die Zulassung des Impfstoffs gilt als "
        "sicher, die Impfkampagne soll im Januar beginnen.",
        tags=("Gesundheit",),
    ),
    "vaccine-2": fixture_article(
        "Fixture: Zulassung für neuen Impfstoff beantragt",
        "Ein Hersteller beantragt die Zulassung seines Impfstoffs bei der Arzneimittelbehörde. "
        "Die Impfkampagne könnte bald beginnen.",
        tags=("Gesundheit",),
    ),
    "football": fixture_article(
        "Fixture: Derby endet unentschieden",
        "Im Stadion fielen zwei Tore, die Fans feierten beide Mannschaften.",
        tags=("Sport",),
    ),
}


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Index:
    return index_of(tmp_path_factory, FIXTURES)


def ids(ix: Index, query: str) -> list[str]:
    return [hit.id for hit in ix.search(query)]


def test_a_compound_part_finds_the_compound_below_the_exact_word(ix: Index) -> None:
    assert ids(ix, "Entsendung") == ["exact", "compound"]
    assert ids(ix, "Wahl") == ["exact", "compound"]


def test_a_query_compound_finds_its_parts_apart(ix: Index) -> None:
    assert ids(ix, "Ukrainekrieg") == ["phrase"]
    assert ids(ix, "Ukraine-Krieg") == ["phrase"]


def test_the_whole_compound_is_highlighted(ix: Index) -> None:
    hit = ix.search("Entsendung").hits[1]
    snippet = hit.snippets[0]
    assert [snippet.text[a:b] for a, b in snippet.highlights] == ["Truppenentsendung"]


def test_headline_words_outrank_one_mention_in_a_long_body(ix: Index) -> None:
    assert ids(ix, "Hochwasser Sachsen") == ["headline", "long-body"]


def test_question_words_do_not_dominate_a_question(ix: Index) -> None:
    got = ids(ix, "Wie viele Keller liefen voll?")
    assert got[0] == "headline"
    assert "questions" not in got


def test_punctuation_is_harmless(ix: Index) -> None:
    assert ids(ix, "Hochwasser?") == ids(ix, "Hochwasser") == ["headline", "long-body"]
    assert ids(ix, "Hochwasser, Sachsen!") == ["headline", "long-body"]


def test_keyword_queries_keep_all_words_first(ix: Index) -> None:
    # "Impfstoff Stadion" has no article with both words: either kind may follow.
    assert set(ids(ix, "Impfstoff Stadion")) == {"vaccine-1", "vaccine-2", "football"}
    assert ids(ix, "Impfstoff Kampagne Januar")[0] == "vaccine-1"


def test_misspelt_words_get_a_suggestion_and_are_searched(ix: Index) -> None:
    assert ix.suggest("Hochwaser Sachen") == "Hochwasser Sachsen"
    assert ix.suggest("Hochwasser Sachsen") is None
    results = ix.search("Hochwaser Sachsn")
    assert results.corrected and results.searched == "Hochwasser Sachsen"
    assert [h.id for h in results] == ["headline", "long-body"]
    assert ix.search("Hochwaser", autocorrect=False).total == 0


def test_seed_misspelling_is_corrected(seed_index: Path) -> None:
    with Index.open(seed_index) as index:
        assert index.suggest("Nordkorae Soldten") == "Nordkorea Soldaten"
        assert index.suggest("title:Nordkorae") == "title:Nordkorea"


def test_similar_ranks_the_obviously_related_article_first(ix: Index) -> None:
    results = ix.similar("vaccine-1")
    assert results.hits[0].id == "vaccine-2"
    assert "vaccine-1" not in [h.id for h in results]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("nordkorae", "nordkorea", 1), ("soldten", "soldaten", 1), ("", "abc", 3), ("ab", "ab", 0)],
)
def test_edit_distance_counts_swaps_as_one(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance
