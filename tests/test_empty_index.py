"""An empty index is an index with 0 articles, everywhere: never an error page, a
500 or an internal error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tazsearch import ArticleNotFoundError, Index
from tazsearch.serve import create_app

from conftest import run_cli


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index that was built from a folder without articles: committed, and empty."""
    folder = tmp_path_factory.mktemp("no-articles")
    index_dir = tmp_path_factory.mktemp("empty") / "ix"
    result = run_cli("index", str(folder), "--index", str(index_dir))
    assert result.returncode == 0, result.stderr
    assert any(index_dir.glob("_MAIN_*.sums"))
    return index_dir


def test_the_library_sees_no_articles(empty: Path) -> None:
    with Index.open(empty) as ix:
        assert len(ix) == 0 and ix.generation == 1
        for query in ("Nordkorea", "", "*", "date:2024", "Merkel~1", "Nord*"):
            results = ix.search(query, facets=True)
            assert (results.total, results.hits) == (0, [])
            assert results.facets is not None and results.facets.tags == []
        assert ix.suggest("Nordkorae") is None
        assert list(ix.iter_articles()) == []
        stats = ix.stats()
        assert (stats.articles, stats.first_date, stats.last_date) == (0, None, None)
        with pytest.raises(ArticleNotFoundError):
            ix.get("x")
        with pytest.raises(ArticleNotFoundError):
            ix.similar("x")
        assert ix.check().ok


@pytest.mark.parametrize(
    "args",
    [
        ["query", "Nordkorea"],
        ["query", "Nordkorea", "--json"],
        ["query", "--facets"],
        ["query", "x", "--format", "gophermap"],
        ["stats"],
        ["stats", "--json"],
        ["check"],
    ],
)
def test_commands_answer_with_no_articles(empty: Path, args: list[str]) -> None:
    result = run_cli(*args, "--index", str(empty))
    assert result.returncode == 0, result.stderr
    assert "internal error" not in result.stderr
    if "--json" in args:
        data = json.loads(result.stdout)
        assert data.get("total", data.get("articles")) == 0


def test_query_says_the_index_is_empty(empty: Path) -> None:
    result = run_cli("query", "Nordkorea", "--index", str(empty))
    assert result.stdout.startswith("0 articles match 'Nordkorea'")
    assert "the index holds no articles yet" in result.stderr


@pytest.mark.parametrize("command", ["show", "similar"])
def test_an_article_not_there_is_a_one_line_error(empty: Path, command: str) -> None:
    result = run_cli(command, "no-such-id", "--index", str(empty))
    assert result.returncode == 1
    assert result.stderr.startswith("error: no article with id")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def client(empty: Path) -> Iterator[TestClient]:
    with TestClient(create_app(empty)) as client:
        yield client


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/search?q=Nordkorea", 200),
        ("/api/search?q=&facets=true", 200),
        ("/api/stats", 200),
        ("/api/suggest?q=Nordkorae", 200),
        ("/api/articles/x", 404),
        ("/api/articles/x/similar", 404),
        ("/health", 200),
        ("/", 200),
        ("/?q=x", 200),
        ("/?q=&tag=Politik", 200),
        ("/articles/x", 404),
        ("/openapi.json", 200),
    ],
)
def test_every_endpoint_answers_with_no_articles(client: TestClient, url: str, status: int) -> None:
    answer = client.get(url)
    assert answer.status_code == status, answer.text
    if url.startswith("/api/search"):
        assert answer.json()["total"] == 0
    if url == "/health":
        assert answer.json()["articles"] == 0
    if url == "/?q=x":
        assert "0 Artikel" in answer.text or "Keine" in answer.text
