"""The errors of a query and its filters in German, for the web page: each message
of :mod:`tazsearch.messages` in both languages, said well, on one line."""

from __future__ import annotations

import pickle
import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import queries

from tazsearch import FilterError, Index, QuerySyntaxError
from tazsearch import messages as m
from tazsearch.safetext import is_safe

from conftest import fixture_article, index_of

CATALOGUE = {name: value for name, value in vars(m).items() if isinstance(value, m.Message)}
REASONS = {name: value for name, value in vars(m).items() if isinstance(value, m.Reason)}
# Quoted input in German, „…“ with "\“" and "\\" escaped: what the user typed, not our words.
QUOTED_RE = re.compile(r"„(?:[^“\\]|\\.)*“")
ENGLISH_RE = re.compile(r"\b(cannot|needs|use|after it|there is no)\b", re.IGNORECASE)
# Fragments that break a query wherever they stand, or nearly.
BREAKS = [
    "AND", "OR", "&&", "NOT", "(", ")", '"', "[", "}", "^", "~", ":", ">", "--x", "+-x",
    "foo:bar", "title:", "title:(tag:x)", "x~3", "x~1.5", "x~y", "x^", "x*~", "tag:*",
    "date:", "date:>", "date:gestern", "date:2024-13", "date:0000", "date:[2020",
    "date:[2020 2021]", "date:[2021 TO 2020]", "date:2023-02-29", "der", "x„y“ AND",
]  # fmt: skip
WORDS = st.lists(st.sampled_from(["Merkel", "Nordkorea", "title:Krieg", "(a OR b)", "-x"]))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _conversions(template: str) -> set[str | None]:
    return {conv for _, name, _, conv in string.Formatter().parse(template) if name is not None}


def test_every_message_has_both_texts_with_the_same_parameters() -> None:
    assert len(CATALOGUE) > 30
    for name, message in CATALOGUE.items():
        assert _fields(message.en) == _fields(message.de), name
        assert _conversions(message.en) <= {None, "r", "v"}, name
        assert _conversions(message.de) <= {None, "q", "v"}, name
        assert message.de != message.en and message.de.endswith((".", "{reason}")), name
        assert is_safe(message.en + message.de), name
    for name, reason in REASONS.items():
        assert is_safe(reason.de) and reason.de.endswith("."), name


# As a list: st.text would draw the few risky characters as rarely as any other.
RISKY = st.sampled_from("“„\\\n\x1b\u2028\u202e\ud800a ")


@given(st.lists(RISKY | st.characters(), max_size=30).map("".join))
@settings(max_examples=200, deadline=None)
def test_quoted_input_can_end_neither_the_quote_nor_the_line(text: str) -> None:
    quoted = m.german_quoted(text)
    assert QUOTED_RE.fullmatch(quoted)
    assert is_safe(quoted)


def test_an_error_is_built_only_with_its_german_and_keeps_it_when_pickled() -> None:
    with pytest.raises(TypeError):
        FilterError("an English message only")  # type: ignore[arg-type]
    error = QuerySyntaxError(m.QUERY(query="x", reason=m.NOT_CLOSED()))
    again = pickle.loads(pickle.dumps(error))
    assert (str(again), again.german) == (str(error), error.german)


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    texts = {
        "merkel": fixture_article("Fixture: Merkel in Nordkorea", "Merkel reist nach Nordkorea."),
        "krieg": fixture_article("Fixture: Krieg", "Ein Bericht über Krieg.", date="3 Mar 2021"),
    }
    with index_of(tmp_path_factory, texts) as index:
        yield index


@st.composite
def searches(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A query, arbitrary or broken on purpose, with search options of which at most
    one is broken (a bad one is checked before the query is read)."""
    query = draw(queries | st.tuples(WORDS, st.sampled_from(BREAKS), WORDS).map(_joined))
    options: dict[str, Any] = {"sort": draw(st.sampled_from(["relevance", "newest"]))}
    broken = draw(st.sampled_from([None, None, None, "sort", "dates", "limit", "page"]))
    if broken == "sort":
        options["sort"] = draw(st.text(max_size=8))
    elif broken == "dates":
        dates = st.none() | st.sampled_from(["2021", "2020-03", "2024-02-30", "0000"]) | st.text()
        options.update(since=draw(dates), until=draw(dates))
    elif broken:
        options[broken] = draw(st.integers(-3, 0) | st.sampled_from(["1", 1.5, True]))
    return query, options


def _joined(parts: tuple[list[str], str, list[str]]) -> str:
    before, fragment, after = parts
    return " ".join([*before, fragment, *after])


@given(searches())
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_every_error_of_a_search_is_told_in_german_on_one_line(
    ix: Index, search: tuple[str, dict[str, Any]]
) -> None:
    query, options = search
    try:
        ix.search(query, **options)
    except (QuerySyntaxError, FilterError) as error:
        german = error.german
        assert german and german != str(error)
        assert is_safe(german) and german.endswith(".")
        assert not ENGLISH_RE.search(QUOTED_RE.sub("", german)), german


@pytest.mark.parametrize(
    ("query", "options", "german"),
    [
        (
            "Merkel AND",
            {},
            "Die Suche „Merkel AND“ ist an Stelle 8 nicht lesbar: "
            "Nach „AND“ fehlt, wonach gesucht werden soll.",
        ),
        (
            "(Merkel OR Söder",
            {},
            "Die Suche „(Merkel OR Söder“ ist an Stelle 1 nicht lesbar: "
            "Die Klammer „(“ wird nicht geschlossen.",
        ),
        (
            '"Krieg in',
            {},
            'Die Suche „"Krieg in“ ist an Stelle 1 nicht lesbar: '
            "Das Anführungszeichen wird nicht geschlossen.",
        ),
        (
            "Merkel ) Söder",
            {},
            "Die Suche „Merkel ) Söder“ ist an Stelle 8 nicht lesbar: "
            "Zur schließenden Klammer „)“ fehlt die öffnende „(“ davor.",
        ),
        (
            "Krieg date:gestern",
            {},
            "Die Suche „Krieg date:gestern“ ist an Stelle 12 nicht lesbar: "
            "„gestern“ ist kein Datum; ein Datum hat die Form JJJJ, JJJJ-MM oder JJJJ-MM-TT.",
        ),
        (
            "date:[2021 TO 2020]",
            {},
            "Die Suche „date:[2021 TO 2020]“ ist an Stelle 7 nicht lesbar: "
            "Der Zeitraum beginnt nach seinem Ende (2021 bis 2020).",
        ),
        (
            "foo:bar",
            {},
            "Die Suche „foo:bar“ ist an Stelle 1 nicht lesbar: Ein Feld „foo“ gibt es nicht; "
            "möglich sind title:, teaser:, body:, captions:, tag:, author: und date:.",
        ),
        (
            "Merkel~3",
            {},
            "Die Suche „Merkel~3“ ist an Stelle 7 nicht lesbar: "
            "~3 ist zu unscharf; ein Wort darf um höchstens 2 Zeichen abweichen.",
        ),
        (
            "Krieg",
            {"sort": "x"},
            "Eine Sortierung „x“ gibt es nicht; "
            "möglich sind Relevanz, neueste zuerst und älteste zuerst.",
        ),
        (
            "Krieg",
            {"since": "2021", "until": "2020"},
            "Der Zeitraum beginnt (2021) nach seinem Ende (2020).",
        ),
        (
            "Krieg",
            {"since": "2024-02-30"},
            "„2024-02-30“ ist kein Datum: Der Februar 2024 hat die Tage 1 bis 29.",
        ),
        (
            "Krieg",
            {"until": "2024-00"},
            "„2024-00“ ist kein Datum: Ein Jahr hat die Monate 1 bis 12.",
        ),
        (
            "Krieg",
            {"limit": 0},
            "Die Zahl der Treffer pro Seite muss eine ganze Zahl ab 1 sein, nicht 0.",
        ),
        ("Krieg", {"page": -1}, "Die Seitennummer muss eine ganze Zahl ab 1 sein, nicht -1."),
        (
            "Merkel\nAND",
            {},
            "Die Suche „Merkel\\nAND“ ist an Stelle 8 nicht lesbar: "
            "Nach „AND“ fehlt, wonach gesucht werden soll.",
        ),
    ],
)
def test_representative_errors_in_german(
    ix: Index, query: str, options: dict[str, Any], german: str
) -> None:
    with pytest.raises((QuerySyntaxError, FilterError)) as caught:
        ix.search(query, **options)
    assert caught.value.german == german


def test_every_note_of_a_search_has_its_german() -> None:
    """A note is made only as a Note, from a message of the catalogue: the page
    shows its German. (Each ``notes.append(...)`` and ``.note(...)`` in the engine.)"""
    import ast

    package = Path(__file__).resolve().parents[1] / "tazsearch"
    sites = []
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):  # the method that keeps the notes it is given
            if isinstance(function, ast.FunctionDef) and function.name == "note":
                function.body = []
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            target = node.func
            appends_note = target.attr == "append" and ast.unparse(target.value).endswith("notes")
            if appends_note or target.attr == "note":
                sites.append((path.name, ast.unparse(node)))
    assert len(sites) >= 8
    made_plain = [s for s in sites if not s[1].split("(", 1)[1].startswith(("Note(", "m.Note("))]
    assert made_plain == []
