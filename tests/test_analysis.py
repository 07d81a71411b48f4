"""The German analyzer, tested without any index."""

from __future__ import annotations

import threading

import pytest

from tazsearch.analysis import MAX_WORD_CHARS, Vocabulary, analyze, normalize_word, terms
from tazsearch.store.pickled import GermanAnalyzer


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("   ", []),
        ("---", []),
        ("[1][", ["1"]),
        ("\x00\x01", []),
        ("-Krieg-", ["krieg"]),
        # A word is analysed for its first MAX_WORD_CHARS characters; ß folds to ss.
        ("ß" * 1000, ["ss" * MAX_WORD_CHARS]),
    ],
)
def test_odd_text_gives_only_its_words(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


INDEXED_TEXTS = [
    "Die Truppenentsendung der Nato-Staaten, sagte der Ukraine-Krieg-Experte.",
    "",
    "und der die",  # stop words only
    "Bundestagswahl 2025: 1.500 Stimmen für die Café-Besitzerin",
]


def test_vocabulary_numbers_the_terms_analyze_gives() -> None:
    vocabulary = Vocabulary()
    words = vocabulary.analyse(INDEXED_TEXTS)
    got = [
        (int(text), vocabulary.terms[term], int(pos), bool(part))
        for term, part, text, pos in zip(
            words.terms, words.parts, words.texts, words.positions, strict=True
        )
    ]
    expected = [
        (i, term.text, term.pos, term.part)
        for i, text in enumerate(INDEXED_TEXTS)
        for term in analyze(text)
    ]
    assert got == expected
    assert got[:4] == [
        (0, "trupp", 0, True),
        (0, "entsend", 0, True),
        (0, "truppenentsend", 0, False),
        (0, "nato", 1, False),
    ]


def test_a_full_vocabulary_starts_again_with_new_numbers() -> None:
    vocabulary = Vocabulary(limit=5)
    first = vocabulary.analyse(INDEXED_TEXTS[:1])
    first_terms = [vocabulary.terms[n] for n in first.terms]
    assert vocabulary.generation == 0
    again = vocabulary.analyse(INDEXED_TEXTS[3:] + INDEXED_TEXTS[:1])
    assert vocabulary.generation == 1
    again_terms = [
        vocabulary.terms[n] for n, text in zip(again.terms, again.texts, strict=True) if text == 1
    ]
    assert again_terms == first_terms


def test_threads_sharing_a_vocabulary_each_get_their_texts_terms() -> None:
    texts = [" ".join(f"{word}{n}" for n in range(300)) for word in ("Wahl", "Krieg", "Soldat")]
    expected = {text: terms(text) for text in texts}
    vocabulary = Vocabulary(limit=250)  # full after every call: starts again at the next
    found: list[tuple[str, list[str]]] = []

    def analyse(text: str) -> None:
        for _ in range(30):
            words = vocabulary.analyse([text])
            found.append((text, [words.vocabulary[n] for n in words.terms]))

    threads = [threading.Thread(target=analyse, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert len(found) == 90
    assert all(got == expected[text] for text, got in found)
    assert vocabulary.generation == 89
