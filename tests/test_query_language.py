"""The query language as its users meet it: the README's syntax table, the cases that
were answered wrong, errors in the user's terms, highlights and did-you-mean.

Every article here is a synthetic test fixture, not taz content.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tazsearch.cli
from tazsearch import Index, QuerySyntaxError

from conftest import ROOT, fixture_article, index_of

FIXTURES = {
    "merkel": fixture_article(
        "Fixture: Merkel in Berlin",
        "Angela Merkel sprach in Berlin über den Klimawandel und die Landwirtschaft.",
        date="15 Jan 2020",
        tags=("Politik",),
        authors=("Jörg Müller",),
    ),
    "beide": fixture_article(
        "Fixture: Merkel und Söder",
        "Merkel traf Söder. Die Kanzlerin Angela Dorothea Merkel lobte Bayern.",
        date="3 Mar 2020",
        tags=("Politik", "Bayern"),
    ),
    "soeder": fixture_article(
        "Fixture: Söder allein",
        "Markus Söder sprach in München über Bayern.",
        date="30 Nov 2020",
        tags=("Sport",),
    ),
    "klima": fixture_article(
        "Fixture: Klimakrise in den Niederlanden",
        "Die Klimakrise trifft die Bauern des Landes. Der Wandel kommt.",
        date="2 Dec 2020",
        tags=("Klima",),
    ),
    "kurz": fixture_article(
        "Fixture: Sebastian Kurz",
        "Sebastian Kurz regiert. Sebastian Kurz spricht. Kurz und knapp.",
        date="5 May 2021",
    ),
    "kurz2": fixture_article(
        "Fixture: Kurz gesagt",
        "Kurz gesagt: ein kurzer Text über das Wetter.",
        date="6 Jun 2021",
    ),
    "wandel": fixture_article(
        "Fixture: Klimawandel",
        "Der Klimawandel und nochmals der Klimawandel prägen das Jahr. Ein Klimapaket kommt.",
        date="7 Jul 2021",
    ),
    "paket": fixture_article(
        "Fixture: Klimapaket", "Das Klimapaket der Regierung.", date="8 Aug 2021"
    ),
}


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    index = index_of(tmp_path_factory, FIXTURES)
    yield index
    index.close()


def _ids(ix: Index, text: str, **options: object) -> set[str]:
    return {hit.id for hit in ix.search(text, limit=100, **options)}  # type: ignore[arg-type]


# The README's table


def _syntax_rows() -> list[tuple[str, str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("#### Query syntax", 1)[1].split("\n\n", 3)[2]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) >= 20
    cells = [re.split(r"(?<!\\)\|", row)[1:-1] for row in rows]
    return [(cell[0], cell[2]) for cell in cells]


def _code(cell: str) -> list[str]:
    return [c.replace("\\|", "|") for c in re.findall(r"`([^`]+)`", cell)]


@pytest.mark.parametrize("examples", [row[0] for row in _syntax_rows()])
def test_every_example_of_the_readmes_table_runs(ix: Index, examples: str) -> None:
    for example in _code(examples):
        results = ix.search(example, limit=5)
        assert results.total >= 0


@pytest.mark.parametrize("misused", [row[1] for row in _syntax_rows() if row[1].strip() != "—"])
def test_every_misuse_of_the_readmes_table_is_the_error_shown(ix: Index, misused: str) -> None:
    pairs = re.findall(r"`([^`]+)` → `([^`]+)`", misused)
    assert pairs
    for query, message in pairs:
        with pytest.raises(QuerySyntaxError) as raised:
            ix.search(query.replace("\\|", "|"))
        assert message in str(raised.value)
        assert "\n" not in str(raised.value)


# The cases that were answered wrong


def test_dates_in_the_query_read_as_the_flags_do(ix: Index) -> None:
    assert _ids(ix, "date:[2020-01 to 2020-03]") == _ids(ix, "", since="2020-01", until="2020-03")
    assert _ids(ix, "date:[2020-01 TO 2020-03]") == {"merkel", "beide"}
    assert _ids(ix, "date:>2020-11") == {"klima", "kurz", "kurz2", "wandel", "paket"}
    assert _ids(ix, "date:>=2020-11") == _ids(ix, "date:>2020-11") | {"soeder"}
    assert _ids(ix, "date:<2020-03") == {"merkel"}
    assert _ids(ix, "date:<=2020-03") == {"merkel", "beide"}
    assert _ids(ix, "date:{2020 TO 2022}") == _ids(ix, "date:2021")
    assert _ids(ix, "date:[2021-06 TO *]") == _ids(ix, "", since="2021-06")
    assert _ids(ix, "date:[* TO 2020-03-03]") == {"merkel", "beide"}
    with pytest.raises(QuerySyntaxError, match="starts after it ends"):
        ix.search("date:[2021 to 2020]")


def test_lucene_operators_mean_what_they_mean_there(ix: Index) -> None:
    assert _ids(ix, "Merkel -Söder") == _ids(ix, "Merkel NOT Söder") == {"merkel"}
    assert _ids(ix, "Merkel -Söder") != _ids(ix, "Merkel OR Söder")
    assert _ids(ix, "+Merkel Söder") == {"merkel", "beide"}
    assert _ids(ix, "Bayern -tag:Sport") == {"beide"}
    assert _ids(ix, 'Merkel -"Markus Söder"') == {"merkel", "beide"}
    assert _ids(ix, "Merkl~1") == {"merkel", "beide"}
    assert _ids(ix, "Merkl~") == _ids(ix, "Merkel~2")
    assert "1" not in "".join(h.title for h in ix.search("Merkl~1"))
    assert _ids(ix, '"Angela Merkel"~3') == {"merkel", "beide"}
    assert _ids(ix, '"Angela Merkel"') == {"merkel"}
    assert _ids(ix, '"Merkel Angela"~0') == {"merkel"}  # any order


def test_a_boost_multiplies_a_words_weight(ix: Index) -> None:
    plain = {h.id: h.score for h in ix.search("Merkel Söder")}
    boosted = {h.id: h.score for h in ix.search("Merkel^3 Söder")}
    merkel = {h.id: h.score for h in ix.search("Merkel")}
    soeder = {h.id: h.score for h in ix.search("Söder")}
    assert boosted["beide"] == pytest.approx(3 * merkel["beide"] + soeder["beide"])
    assert plain["beide"] == pytest.approx(merkel["beide"] + soeder["beide"])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("foo:bar Merkel", "there is no field 'foo': use title, teaser, body"),
        ("mtime:1", "there is no field 'mtime'"),
        ("Merkel AND", "AND needs something to search for after it"),
        ("AND Merkel", "AND needs something to search for before it"),
        ("date:[gestern to morgen]", "cannot read the date 'gestern': use YYYY, YYYY-MM or"),
        ("date:2021-13", "cannot read the date '2021-13'"),
        ("title:", "title: needs a word, a phrase or a ( group ) after it"),
        ("tag:", "tag: needs a word"),
        ('"Merkel', "the quote is not closed"),
        ("(Merkel", '"(" is not closed'),
        ("Merkel)", '")" has no "(" before it'),
        ("Merkel~x", "~ takes a number"),
        ("Merkel~0.5", "~ takes a whole number"),
        ("Merkel^x", "^ needs a number right after it"),
        ("[2020 TO 2021]", "belongs to a date range"),
        ("title:(body:Merkel)", "cannot stand inside another field"),
        ("Nordko*~", "cannot also be fuzzy"),
    ],
)
def test_what_cannot_be_read_is_one_line_in_the_users_terms(
    ix: Index, query: str, message: str
) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        ix.search(query)
    text = str(raised.value)
    assert message in text and "\n" not in text
    assert not re.search(r"int\(\)|Error|Traceback|whoosh|tazsearch\.", text)


alphabet = st.sampled_from(
    [*'()[]{}":^~*?+-!\\<>=&|/', "AND", "OR", "NOT", "TO", "date:", "title:", "tag:", "Merkel",
     "2020", "2020-13", "x", " ", " ", " "]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(alphabet, max_size=12).map("".join))
def test_any_text_is_an_answer_or_a_one_line_syntax_error(ix: Index, text: str) -> None:
    try:
        ix.search(text, limit=3)
    except QuerySyntaxError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(("cannot read", "nothing to search"))


def test_a_query_that_begins_with_a_dash_works_on_the_command_line(
    ix: Index, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (["-Söder Merkel"], ["-n", "5", "-Söder Merkel"], ["-tag:Sport Bayern", "-n", "5"]):
        monkeypatch.setattr(sys, "argv", ["tazsearch", "query", *args, "--index", str(ix.path)])
        with pytest.raises(SystemExit) as exited:
            tazsearch.cli.main()
        assert exited.value.code in (0, None)
        query = next(a for a in args if a.startswith("-") and " " in a)
        assert capsys.readouterr().out.splitlines()[0] == f"1 article matches {query!r}"


# Highlights and did-you-mean


def _marked(ix: Index, query: str, article: str) -> set[str]:
    hit = next(h for h in ix.search(query, limit=100) if h.id == article)
    words = {hit.title[s:e] for s, e in hit.title_highlights}
    for snippet in hit.snippets:
        words |= {snippet.text[s:e] for s, e in snippet.highlights}
    return words


def test_a_compounds_parts_mark_nothing_by_themselves(ix: Index) -> None:
    assert _marked(ix, "Klimawandel Landwirtschaft", "merkel") == {"Klimawandel", "Landwirtschaft"}
    marked = _marked(ix, "Klimawandel Landwirtschaft", "klima")  # found by the parts alone
    assert not marked & {"Klimakrise", "Niederlanden", "Landes"}


def test_a_phrase_marks_its_occurrences_and_a_field_its_field(ix: Index) -> None:
    marked = _marked(ix, '"Angela Merkel"', "merkel")
    assert marked == {"Angela", "Merkel"}
    assert _marked(ix, "body:Berlin Merkel", "merkel") == {"Berlin", "Merkel"}
    hit = next(h for h in ix.search("title:Berlin", limit=10) if h.id == "merkel")
    assert [hit.title[s:e] for s, e in hit.title_highlights] == ["Berlin"]
    assert all(not s.highlights for s in hit.snippets)
    assert "Söder" not in _marked(ix, "Merkel -Söder", "merkel")


def test_a_word_that_begins_indexed_words_is_not_corrected_to_another(ix: Index) -> None:
    assert ix.suggest("Klimawan") == "Klimawandel"
    results = ix.search("Klimawan")
    assert results.searched == "Klimawandel" and results.corrected
    assert ix.suggest("Klimawandl") == "Klimawandel"


def test_a_correction_is_searched_when_no_article_holds_every_word(ix: Index) -> None:
    results = ix.search("Sebastain Kurz")
    assert (results.suggestion, results.searched) == ("Sebastian Kurz", "Sebastian Kurz")
    assert [h.id for h in results] == ["kurz", "kurz2"]  # both words first
    kept = ix.search("Sebastain Kurz", autocorrect=False)
    assert {h.id for h in kept} == {"kurz", "kurz2"} and not kept.corrected


def test_the_output_says_when_the_correction_was_searched(ix: Index) -> None:
    import io

    from rich.console import Console

    from tazsearch.render import print_results

    out = io.StringIO()
    print_results(Console(file=out, width=200), ix.search("Sebastain Kurz"))
    assert out.getvalue().splitlines()[:2] == [
        "2 articles match 'Sebastian Kurz'",
        "Searched instead of 'Sebastain Kurz', which no article matches with all its words.",
    ]


def test_a_file_path_does_not_leak_into_errors(tmp_path: Path) -> None:
    with pytest.raises(QuerySyntaxError) as raised, Index.open(tmp_path / "ix", create=True) as ix:
        ix.search("foo:bar")
    assert str(tmp_path) not in str(raised.value)
