"""Every query has a bounded cost: prefixes and wildcards, long words, long queries,
did-you-mean and snippets of huge articles are held to documented limits, each cut
with a note; NFD queries search as NFC. Timings are in bench/query_limits.py.

Every article here is a synthetic test fixture, not taz content.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from whoosh_reference import matching_docs, whoosh_searcher

from tazsearch import Index, QuerySyntaxError, expansion, snippets, spelling
from tazsearch.analysis import terms
from tazsearch.expansion import MAX_EXPANSION, Expander
from tazsearch.marks import Marks
from tazsearch.matching import Evaluation
from tazsearch.queries import Every, Expansion
from tazsearch.query import MAX_QUERY_WORDS, MAX_WORD_CHARS, limit_query
from tazsearch.results import SearchResults

from conftest import fixture_article, index_of

# One fixture article holds MAX_EXPANSION terms starting "zahlwort", another one
# more that sorts after them all.
NUMBERED = " ".join(f"Zahlwort{n:03d}" for n in range(MAX_EXPANSION))
CAPPED_NOTE = "Zahlwort* matches more than 256 terms; only the first 256 were searched"
FIXTURES = {
    "numbered": fixture_article("Fixture: Zahlwörter", NUMBERED, date="2 Feb 2022"),
    "last": fixture_article("Fixture: Zebra", "Ein Zahlwortzebra steht hier.", date="3 Mar 2023"),
    "city": fixture_article("Fixture: Stadt", "Ein Bericht aus München über Nordkorea."),
    "north": fixture_article("Fixture: Nordkorea", "Soldaten aus Nordkorea.", date="4 Apr 2021"),
    "old": fixture_article("Fixture: Alt", "Ein alter Bericht.", date="1 Jan 2020"),
}
WORD = "Quellenfund"


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    index = index_of(tmp_path_factory, FIXTURES)
    yield index
    index.close()


@pytest.fixture
def searcher(ix: Index) -> Iterator[Any]:
    """A snapshot of the fixture index's last commit."""
    with ix._reading() as snapshot:
        yield snapshot


@pytest.fixture
def reader(ix: Index) -> Iterator[Any]:
    """Whoosh's own reader of the fixture index, the reference for its terms."""
    with whoosh_searcher(ix.path) as searcher:
        yield searcher.reader()


def huge(filler: str, size: int) -> str:
    """Synthetic fixture text of about ``size`` characters of ``filler`` in one
    paragraph, WORD in the middle and at the end."""
    half = filler * (size // 2 // len(filler))
    return f"{half}{WORD} {half}{WORD}"


def analysed_chars(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[int]:
    """The length of every text ``module`` analyses from now on."""
    lengths: list[int] = []
    real = module.analyze

    def counting(text: str, **kwargs: Any) -> Any:
        lengths.append(len(text))
        return real(text, **kwargs)

    monkeypatch.setattr(module, "analyze", counting)
    return lengths


# Prefixes and wildcards


def test_a_prefix_searches_its_first_terms_only_and_says_so(ix: Index, searcher: Any) -> None:
    assert len(Expander(searcher).terms(Expansion("prefix", "zahlwort"))) == MAX_EXPANSION
    results = ix.search("Zahlwort*")
    assert results.total == 1  # "Zahlwortzebra", the 257th term, is not searched,
    assert results.notes == [CAPPED_NOTE]  # and the note says so.
    assert results.to_dict()["notes"] == [CAPPED_NOTE]
    narrower = ix.search("Zahlwortz*")
    assert (narrower.total, narrower.notes) == (1, [])


@pytest.mark.parametrize(
    ("text", "label"),
    [("?*", "?*"), ("Zahlw?rt*", "Zahlw?rt*"), ("body:Zahlwort*", "body:Zahlwort*")],
)
def test_wildcards_and_field_prefixes_are_capped_with_a_note(
    ix: Index, text: str, label: str
) -> None:
    note = f"{label} matches more than {MAX_EXPANSION} terms; only the first {MAX_EXPANSION}"
    assert any(n.startswith(note) for n in ix.search(text).notes)


def test_highlights_are_the_terms_searched(ix: Index, searcher: Any) -> None:
    evaluation = Evaluation(searcher)
    q = Expansion("prefix", "zahlwort")
    wanted = Marks.of(q, evaluation).in_fields("body").words
    assert len(wanted) == MAX_EXPANSION
    assert "zahlwortzebra" not in wanted


def test_a_leading_wildcard_finds_every_term_it_matches(ix: Index, reader: Any) -> None:
    with ix._reading() as searcher:
        found = Expander(searcher).terms(Expansion("wildcard", "*5"))
    every = [t.decode() for t in reader.lexicon("content") if t.endswith(b"5")]
    assert list(found) == every and len(every) > 20
    assert ix.search("*5").notes == []


def test_the_prefixes_of_a_query_share_one_limit(
    ix: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(expansion, "MAX_QUERY_EXPANSION", 150)
    notes = ix.search("Zahlwort0* OR Zahlwort1* OR Zahlwort2*").notes
    limit = "for the prefixes, wildcards and fuzzy words of a query search at most 150 terms"
    assert notes == [
        f"Zahlwort1*: only 50 of its terms were searched, {limit} together",
        f"Zahlwort2*: not searched, {limit} together",
    ]


# Every article


def test_every_is_the_live_documents(searcher: Any) -> None:
    assert matching_docs(searcher, Every()) == set(range(len(FIXTURES)))
    assert (Evaluation(searcher).scores(Every()) == 1.0).all()


def test_a_bare_star_lists_what_an_empty_query_lists(ix: Index) -> None:
    star, empty = ix.search("*"), ix.search("")
    assert [h.id for h in star] == [h.id for h in empty]
    assert (star.total, star.notes) == (len(FIXTURES), [])
    assert [h.date.year for h in star][:2] == [2024, 2023]  # newest first
    # Among other words, * still matches every article; those with the words come first.
    among_words = ix.search("Nordkorea *")
    assert among_words.total == len(FIXTURES)
    assert {h.id for h in among_words.hits[:2]} == {"city", "north"}


def test_a_star_on_one_field_is_refused(ix: Index) -> None:
    with pytest.raises(QuerySyntaxError, match=r"title:\* is not searched"):
        ix.search("title:*")


# Long words and long queries


def test_a_long_word_is_cut_with_a_note() -> None:
    limited = limit_query("Nordkorea " + "x" * 10_000)
    assert limited.text == "Nordkorea " + "x" * MAX_WORD_CHARS
    assert limited.notes == [
        f"{'x' * 20}… is 10,000 characters long; only its first {MAX_WORD_CHARS} were searched"
    ]
    assert limit_query("Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz") == (
        "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz",
        [],
    )


def test_a_long_query_is_cut_to_its_first_words_with_a_note() -> None:
    words = [f"wort{n}" for n in range(1400)]
    limited = limit_query("  ".join(words))
    assert limited.text.split() == words[:MAX_QUERY_WORDS]
    assert limited.notes == [
        f"the query has more than {MAX_QUERY_WORDS} words; "
        f"only the first {MAX_QUERY_WORDS} were searched"
    ]
    assert limit_query(" ".join(words[:MAX_QUERY_WORDS])).notes == []


def test_a_search_carries_the_notes_of_its_cuts(ix: Index) -> None:
    results = ix.search(" ".join(["Nordkorea"] * 100 + ["q" * 100]))
    assert results.total == 2
    assert results.notes == [limit_query(" ".join(["x"] * 100)).notes[0]]


# Did you mean


def test_did_you_mean_looks_up_a_bounded_number_of_words(
    searcher: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up: list[str] = []
    real = spelling._candidates

    def counting(snapshot: Any, term: str) -> list[str]:
        looked_up.append(term)
        return real(snapshot, term)

    monkeypatch.setattr(spelling, "_candidates", counting)
    unknown = [f"Xylofon{chr(97 + n % 26)}{chr(97 + n // 26 % 26)}" for n in range(1400)]
    found = spelling.check_spelling(searcher, " ".join(["Nordkorae", *unknown]))
    assert len(looked_up) == spelling.MAX_WORDS
    assert found.suggestion == " ".join(["Nordkorea", *unknown])
    assert found.notes == [
        f"did-you-mean looked up only the first {spelling.MAX_WORDS} unknown words"
    ]


def test_did_you_mean_leaves_long_words_alone(
    searcher: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    lengths: list[int] = []
    real = spelling._one_edit_away
    monkeypatch.setattr(spelling, "_one_edit_away", lambda w: lengths.append(len(w)) or real(w))
    found = spelling.check_spelling(searcher, "Nordkorae " + "q" * 10_000)
    assert found.suggestion == "Nordkorea " + "q" * 10_000
    assert max(lengths) <= spelling.MAX_WORD_LENGTH
    assert found.notes == [
        f"did-you-mean does not correct words longer than {spelling.MAX_WORD_LENGTH} letters"
    ]


@pytest.mark.parametrize("term", ["nordkora", "zahlwortzebr", "zahlwort0", "solda", "munch"])
def test_two_edit_look_up_finds_what_whoosh_finds(searcher: Any, reader: Any, term: str) -> None:
    ours = set(spelling._two_edits_away(searcher, term))
    whooshs = set(reader.terms_within("content", term, 2, prefix=2))
    # Whoosh counts a swap of neighbours as two edits, the look-up as one.
    assert whooshs <= ours
    assert all(spelling.edit_distance(term, t) <= 2 and t[:2] == term[:2] for t in ours)


@pytest.mark.parametrize("filler", ["Zeitung ", "Ein Satz. "])
def test_the_spelling_of_a_correction_is_read_from_windows(
    filler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = huge(filler, 1_000_000)
    lengths = analysed_chars(monkeypatch, spelling)
    assert spelling._written_forms(text, "quellenfund") == {"quellenfund": 2}
    assert sum(lengths) <= 2 * (2 * snippets.WINDOW + len(WORD))
    assert spelling._written_forms("Ein Quellenfund.", "quellenfund") == {"quellenfund": 1}


# Snippets


@pytest.mark.parametrize("filler", ["Zeitung ", "Ein Satz. ", "Ein Absatz.\n\n"])
@pytest.mark.parametrize("size", [100_000, 1_000_000])
def test_a_huge_paragraph_is_snippeted_from_windows(
    filler: str, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = huge(filler, size)
    lengths = analysed_chars(monkeypatch, snippets)
    found = snippets.make_snippets("", body, {"quellenfund"}, {})
    assert len(found) == 2
    for snippet in found:
        assert [snippet.text[s:e] for s, e in snippet.highlights] == [WORD]
        assert len(snippet.text) <= snippets.SNIPPET_CHARS + 2 * len(" …") + len(WORD)
    assert sum(lengths) <= 2 * (2 * snippets.WINDOW + len(WORD))


def test_a_huge_article_of_many_paragraphs_is_read_in_windows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = huge("Ein Absatz.\n\n", 1_000_000)
    checked: list[int] = []
    real = snippets.may_match
    monkeypatch.setattr(snippets, "may_match", lambda t, w: checked.append(len(t)) or real(t, w))
    found = snippets.make_snippets("", body, {"quellenfund"}, {})
    assert [s.text for s in found] == ["Quellenfund Ein Absatz.", "Quellenfund"]
    assert checked == []  # not one step per paragraph


def test_a_snippet_cut_from_a_huge_paragraph_shows_the_cut() -> None:
    found = snippets.make_snippets("", huge("Zeitung ", 100_000), {"quellenfund"}, {})
    assert found[0].text.startswith("… Zeitung") and found[0].text.endswith("Zeitung …")
    assert found[1].text.startswith("… Zeitung") and found[1].text.endswith(WORD)


def test_a_short_passage_cut_from_a_huge_paragraph_shows_the_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(snippets, "WINDOW", 100)  # Windows shorter than a snippet.
    found = snippets.make_snippets("", huge("Zeitung ", 100_000), {"quellenfund"}, {})
    assert found[0].text.startswith("… Zeitung") and found[0].text.endswith("Zeitung …")
    assert found[0].text[slice(*found[0].highlights[0])] == WORD
    assert len(found[0].text) < snippets.SNIPPET_CHARS


def test_a_huge_article_without_the_word_starts_with_its_first_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    split: list[int] = []
    real = snippets._sentences
    monkeypatch.setattr(snippets, "_sentences", lambda p: split.append(len(p)) or real(p))
    found = snippets.make_snippets("", huge("Zeitung ", 1_000_000), {"soldat"}, {})
    assert [s.text for s in found] == ["Zeitung " * 30 + "Zeitung …"]
    assert max(split) <= snippets.FIRST_SENTENCE_CHARS


def test_a_hit_on_a_huge_article_is_fast_to_show(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = {
        "huge": fixture_article("Fixture: Riesig", "Platzhalter"),
        "small": fixture_article("Fixture: Klein", f"Ein kleiner {WORD}."),
    }
    texts["huge"] = texts["huge"].replace("Platzhalter", huge("Zeitung ", 1_000_000))
    with index_of(tmp_path_factory, texts) as index:
        snippet_lengths = analysed_chars(monkeypatch, snippets)
        spelling_lengths = analysed_chars(monkeypatch, spelling)
        results = index.search("Quellenfnd")  # spelt from the huge article, its first
        assert (results.suggestion, results.total) == (WORD, 2)
        assert {h.snippets[0].text[s:e] for h in results for s, e in h.snippets[0].highlights} == {
            WORD
        }
    assert max(snippet_lengths) <= 2 * snippets.WINDOW + len(WORD)
    assert sum(spelling_lengths) <= 4 * (2 * snippets.WINDOW + len(WORD))


def test_a_huge_title_is_highlighted_from_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    title = "Titelwort " * 100_000 + WORD
    lengths = analysed_chars(monkeypatch, snippets)
    spans = snippets.title_spans(title, {"titelwort", "quellenfund"}, {})
    assert spans[0] == (0, 9)
    assert spans[-1] == (len(title) - len(WORD), len(title))
    assert sum(lengths) <= snippets.MAX_WINDOWS * (2 * snippets.WINDOW + len(WORD))
    assert snippets.title_spans("Ein Titelwort", {"titelwort"}, {}) == [(4, 13)]


# NFD queries and results


def test_an_nfd_query_searches_as_its_nfc_form(ix: Index) -> None:
    nfd = "Mu\u0308nchen"
    assert terms(nfd) == terms("München") == ["munch"]
    assert ix.search(nfd).total == ix.search("München").total == 1
    assert ix.search(nfd).notes == []
    assert ix.suggest(nfd) is None


def test_results_have_no_notes_by_default() -> None:
    results = SearchResults("Nordkorea", 0, 1, 10, [])
    assert results.notes == []
    assert results.to_dict()["notes"] == []


def test_a_negated_wildcard_is_held_to_the_same_limits(ix: Index) -> None:
    results = ix.search("NOT Zahlwort*")
    assert results.notes == [CAPPED_NOTE]
    assert results.total == len(FIXTURES) - 1  # "numbered" holds the first 256 terms
