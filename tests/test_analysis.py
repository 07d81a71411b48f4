"""The German analyzer, tested without any index."""

from __future__ import annotations

import pytest

from tazsearch.analysis import GermanAnalyzer, analyze, normalize_word, terms


@pytest.mark.parametrize(
    ("spellings", "term"),
    [
        (["Südkorea", "Suedkorea", "Sudkorea", "SÜDKOREA"], "sudkorea"),
        (["Straße", "Strasse", "STRASSE"], "strass"),
        (["Soldaten", "Soldat", "soldaten"], "soldat"),
        (["nordkoreanischer", "nordkoreanische", "Nordkoreanischen"], "nordkorean"),
    ],
)
def test_spellings_and_inflections_meet_in_one_term(spellings: list[str], term: str) -> None:
    assert {normalize_word(s) for s in spellings} == {term}


def test_stop_words_are_removed_in_every_spelling() -> None:
    assert terms("der Krieg und die für fuer über ueber Ukraine") == ["krieg", "ukrain"]


def test_stop_words_take_no_position_so_phrases_meet() -> None:
    positions = [(t.text, t.pos) for t in analyze("Krieg in der Ukraine")]
    assert positions == [("krieg", 0), ("ukrain", 1)]


def test_hyphenated_compound_gives_parts_and_joined_word_at_one_position() -> None:
    got = [(t.text, t.pos, t.start, t.end) for t in analyze("den Ukraine-Krieg nach Asien")]
    assert got == [
        ("ukrain", 0, 4, 11),
        ("krieg", 0, 12, 17),
        ("ukrainekrieg", 0, 4, 17),
        ("asi", 1, 23, 28),
    ]


def test_query_side_compound_is_the_joined_word_alone() -> None:
    assert terms("Ukraine-Krieg", query=True) == ["ukrainekrieg"]
    assert terms("Ukrainekrieg", query=True) == ["ukrainekrieg"]
    assert set(terms("Ukraine-Krieg", query=True)) <= set(terms("Ukraine-Krieg"))


def test_numbers_stay_searchable() -> None:
    assert terms("rund 1.500 Soldaten, bis zu 12.000 Mann, 3,5 Prozent") == [
        "rund",
        "1500",
        "soldat",
        "12000",
        "mann",
        "3,5",
        "prozent",
    ]
    assert normalize_word("1500") == normalize_word("1.500") == "1500"


def test_accents_fold() -> None:
    assert terms("Café Pjöngjang") == ["cafe", "pjongjang"]


def test_soft_hyphen_does_not_split_a_word() -> None:
    assert terms("Bundes\u00adtag") == terms("Bundestag")


def test_whoosh_face_gives_the_same_terms_with_offsets() -> None:
    analyzer = GermanAnalyzer()
    text = "Nato-Chef Mark Rutte"
    tokens = [(t.text, t.startchar, t.endchar) for t in analyzer(text, chars=True)]
    assert tokens == [
        ("nato", 0, 4),
        ("chef", 5, 9),
        ("natochef", 0, 9),
        ("mark", 10, 14),
        ("rutt", 15, 20),
    ]
    assert [t.text for t in analyzer(text, mode="query")] == ["natochef", "mark", "rutt"]


@pytest.mark.parametrize("text", ["", "   ", "---", "[1][", "\x00\x01", "-Krieg-", "ß" * 1000])
def test_odd_text_never_raises(text: str) -> None:
    assert isinstance(terms(text), list)
