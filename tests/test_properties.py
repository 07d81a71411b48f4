"""Property-based tests: arbitrary input never escapes as an unexpected exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tazsearch import Index, NotAnArticle, QuerySyntaxError, TazsearchError
from tazsearch.analysis import analyze, query_words
from tazsearch.parse import parse_text

OPERATORS = ["AND", "OR", "NOT", "TO", "date", "tag", "title"]
QUERY_ALPHABET = st.sampled_from([*"abcdeäöüßAZ:\"()[]*?!.,;-_ ~^+/\\'", *OPERATORS])
queries = st.lists(QUERY_ALPHABET, max_size=12).map(" ".join) | st.text(max_size=40)


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_parser_returns_an_article_or_its_own_error(text: str) -> None:
    try:
        article = parse_text(text)
    except NotAnArticle as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert "taz.de" in text
        assert article.headline and article.headline in article.title
        assert article.kicker in article.title


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_analyzer_never_raises(text: str) -> None:
    list(analyze(text))
    list(analyze(text, query=True))
    query_words(text)


@given(queries)
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_query_gives_results_or_a_one_line_error(seed_index: Path, query: str) -> None:
    with Index.open(seed_index) as ix:
        try:
            results = ix.search(query)
        except TazsearchError as error:
            assert "\n" not in str(error)
        else:
            assert results.total >= len(results.hits)


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ('"unbalanced', "the quote is not closed"),
        ("title:", "title: needs a word, a phrase or a ( group ) after it"),
        (":", ": must follow a field name"),
        ("NOT", "NOT needs something to search for after it"),
        ("AND OR", "AND needs something to search for before it"),
        ("date:[2020 to", "[ is not closed"),
        ("(((", '"(" is not closed'),
        ('tag:""', "nothing to search for"),
    ],
)
def test_odd_queries_get_a_one_line_error_that_names_the_fault(
    seed_index: Path, query: str, error: str
) -> None:
    with Index.open(seed_index) as ix, pytest.raises(QuerySyntaxError) as caught:
        ix.search(query)
    assert error in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_star_alone_lists_every_article(seed_index: Path) -> None:
    with Index.open(seed_index) as ix:
        assert ix.search("*").total == len(ix) == 1
