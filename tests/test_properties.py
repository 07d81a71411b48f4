"""Property-based tests: arbitrary input never escapes as an unexpected exception."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tazsearch import Index, NotAnArticle, TazsearchError
from tazsearch.analysis import analyze, query_words
from tazsearch.parse import parse_bytes, parse_text

OPERATORS = ["AND", "OR", "NOT", "TO", "date", "tag", "title"]
QUERY_ALPHABET = st.sampled_from([*"abcdeäöüßAZ:\"()[]*?!.,;-_ ~^+/\\'", *OPERATORS])
queries = st.lists(QUERY_ALPHABET, max_size=12).map(" ".join) | st.text(max_size=40)


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_parser_returns_an_article_or_its_own_error(text: str) -> None:
    try:
        parse_text(text)
    except NotAnArticle as error:
        assert "\n" not in str(error)


@given(st.binary(max_size=300))
@settings(max_examples=200, deadline=None)
def test_parser_takes_any_bytes(data: bytes) -> None:
    with contextlib.suppress(NotAnArticle):
        parse_bytes(data)


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
    "query", ['"unbalanced', "title:", ":", "NOT", "AND OR", "date:[2020 to", "(((", 'tag:""', "*"]
)
def test_odd_queries(seed_index: Path, query: str) -> None:
    with Index.open(seed_index) as ix:
        try:
            ix.search(query)
        except TazsearchError as error:
            assert "\n" not in str(error)
