"""The compound splitter, tested without an index."""

from __future__ import annotations

import pytest

from tazsearch.analysis import analyze, query_words
from tazsearch.compounds import split_compound


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("truppenentsendung", ("truppen", "entsendung")),
        ("bundestagswahl", ("bundestag", "wahl")),
        ("ukrainekrieg", ("ukraine", "krieg")),
        ("verteidigungsministerium", ("verteidigung", "ministerium")),
        ("arzneimittelbehörde", ("arznei", "mittel", "behörde")),
        ("schweinefleisch", ("schwein", "fleisch")),
    ],
)
def test_compounds_split_into_their_parts(word: str, parts: tuple[str, ...]) -> None:
    assert split_compound(word) == parts


@pytest.mark.parametrize(
    "word", ["soldaten", "mannschaft", "gesellschaft", "entsendung", "regierung", "venezuela"]
)
def test_ordinary_words_stay_whole(word: str) -> None:
    assert split_compound(word) == ()


def test_compound_parts_are_marked_and_span_the_whole_word() -> None:
    terms = [t for t in analyze("die Truppenentsendung") if t.part]
    assert [t.text for t in terms] == ["trupp", "entsend"]
    assert {(t.start, t.end) for t in terms} == {(4, 21)}


def test_query_words_carry_their_parts() -> None:
    words = query_words("Ukrainekrieg Ukraine-Krieg Soldaten")
    assert [(w.term, w.parts) for w in words] == [
        ("ukrainekrieg", ("ukrain", "krieg")),
        ("ukrainekrieg", ("ukrain", "krieg")),
        ("soldat", ()),
    ]


def test_query_words_can_drop_question_words() -> None:
    words = query_words("Wann kamen Soldaten", drop=frozenset({"wann"}))
    assert [w.term for w in words] == ["kam", "soldat"]
