"""The API's contract: real answers against /openapi.json, one error shape, no server path,
readable operation ids, CORS, gzip, the access log and the HTML 404 page."""

from __future__ import annotations

import re
import shutil
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed")
pytest.importorskip("jsonschema", reason="the test extra is not installed")
import jsonschema
from fastapi.testclient import TestClient

import tazsearch
from tazsearch import Index
from tazsearch.errors import IndexDamagedError
from tazsearch.http_guard import access_line
from tazsearch.serve import create_app

from conftest import SEED, fixture_article, run_cli

SEED_ID = SEED.stem
OPERATIONS = {"search", "get_article", "similar_articles", "suggest", "stats", "health"}


class Served:
    """An app over a fixture index that answers loopback host names only, its
    folders, and the lines of its access log."""

    def __init__(self, folder: Path, index_dir: Path) -> None:
        self.folder = folder
        self.index_dir = index_dir
        self.log: list[str] = []
        self.app = create_app(index_dir, allowed_hosts=(), log=self.log.append)
        self.client = TestClient(self.app, base_url="http://localhost")
        self.unsafe = TestClient(
            self.app, base_url="http://localhost", raise_server_exceptions=False
        )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Served:
    folder = tmp_path_factory.mktemp("api-articles")
    shutil.copy(SEED, folder / SEED.name)
    (folder / "sub").mkdir()
    (folder / "sub" / "fixture.txt").write_text(
        fixture_article("Fixture: Nordkorea und Japan", "Ein Bericht über Nordkorea.")
    )
    index_dir = tmp_path_factory.mktemp("api-ix")
    with Index.open(index_dir, create=True) as ix:
        ix.update([folder])
    return Served(folder, index_dir)


def _failing(error: Exception) -> Callable[..., Any]:
    def fail(*args: object, **kwargs: object) -> Any:
        raise error

    return fail


def _answers(served: Served, monkeypatch: pytest.MonkeyPatch) -> dict[tuple[str, str], list[Any]]:
    """Real answers for every route and every status it documents, by (path, status)."""
    get = served.client.get
    long_id = "x" * 1025
    found: dict[tuple[str, str], list[Any]] = {
        ("/api/search", "200"): [
            get("/api/search", params={"q": "Nordkorea", "facets": "true"}),
            get("/api/search", params={"q": "Nordkorae"}),  # a suggestion, no facets
            get("/api/search", params={"q": "zzzqqq"}),  # no hits
        ],
        ("/api/search", "400"): [get("/api/search", params={"q": "x", "since": "2024-13"})],
        ("/api/search", "422"): [
            get("/api/search", params={"q": "x", "limit": 1000}),
            get("/api/search", params={"sort": "random"}),
        ],
        ("/api/articles/{article_id}", "200"): [get(f"/api/articles/{SEED_ID}")],
        ("/api/articles/{article_id}", "404"): [get("/api/articles/nope")],
        ("/api/articles/{article_id}", "422"): [get(f"/api/articles/{long_id}")],
        ("/api/articles/{article_id}/similar", "200"): [get(f"/api/articles/{SEED_ID}/similar")],
        ("/api/articles/{article_id}/similar", "404"): [get("/api/articles/nope/similar")],
        ("/api/articles/{article_id}/similar", "422"): [
            get(f"/api/articles/{SEED_ID}/similar", params={"limit": 0})
        ],
        ("/api/suggest", "200"): [get("/api/suggest", params={"q": "Nordkorae"})],
        ("/api/suggest", "422"): [get("/api/suggest")],
        ("/api/stats", "200"): [get("/api/stats")],
        ("/health", "200"): [get("/health")],
    }
    urls = {
        "/api/search": "/api/search?q=x",
        "/api/articles/{article_id}": f"/api/articles/{SEED_ID}",
        "/api/articles/{article_id}/similar": f"/api/articles/{SEED_ID}/similar",
        "/api/suggest": "/api/suggest?q=x",
        "/api/stats": "/api/stats",
        "/health": "/health",
    }
    for path, url in urls.items():
        found[(path, "421")] = [get(url, headers={"host": "rebound.example"})]
    ix = served.app.state.index
    for status, error in (("500", RuntimeError("boom")), ("503", IndexDamagedError("damaged"))):
        monkeypatch.setattr(ix, "_read", _failing(error))  # every read of the index fails
        for path, url in urls.items():
            found[(path, status)] = [served.unsafe.get(url)]
        monkeypatch.undo()
    return found


def _validator(openapi: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A validator for one response schema whose $refs resolve in the whole document."""
    return jsonschema.Draft202012Validator({**schema, "components": openapi["components"]})


def test_every_real_answer_matches_its_documented_schema(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    openapi = served.client.get("/openapi.json").json()
    answers = _answers(served, monkeypatch)
    documented = set()
    for path, methods in openapi["paths"].items():
        assert set(methods) == {"get"}, path
        for status, response in methods["get"]["responses"].items():
            documented.add((path, status))
            schema = response["content"]["application/json"]["schema"]
            assert (path, status) in answers, f"no real answer tried for {path} {status}"
            for answer in answers[(path, status)]:
                assert str(answer.status_code) == status, (path, answer.text)
                assert answer.headers["content-type"] == "application/json"
                body = answer.json()
                errors = sorted(_validator(openapi, schema).iter_errors(body), key=str)
                assert not errors, f"{path} {status}: {errors[0].message}"
    assert documented == set(answers), "answers tried for statuses the schema does not name"


def _keys(data: Any) -> set[str]:
    """Every key of every object in a JSON document."""
    if isinstance(data, dict):
        return set(data).union(*(_keys(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(_keys(v) for v in data))
    return set()


def test_no_answer_names_a_server_path(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = [a for found in _answers(served, monkeypatch).values() for a in found]
    for answer in answers:
        text = answer.text
        assert str(served.index_dir) not in text and str(served.folder) not in text, text[:200]
        assert "path" not in _keys(answer.json())
    search = served.client.get("/api/search", params={"q": "Nordkorea"}).json()
    assert sorted(hit["source"] for hit in search["hits"]) == [SEED.name, "sub/fixture.txt"]
    article = served.client.get("/api/articles/fixture").json()
    assert article["source"] == "sub/fixture.txt"


def test_every_error_has_one_shape(served: Served) -> None:
    get = served.client.get
    answers = {
        400: get("/api/search", params={"q": "date:[foo to bar]"}),
        404: get("/api/articles/nope"),
        405: served.client.post("/api/search"),
        421: get("/health", headers={"host": "rebound.example"}),
        422: get("/api/search", params={"limit": "many", "page": 0}),
    }
    answers[4040] = get("/api/no/such/route")
    for status, answer in answers.items():
        body = answer.json()
        assert set(body) == {"detail", "errors"}, status
        assert isinstance(body["detail"], str) and body["detail"], status
    assert answers[404].json()["detail"] == "no article with id 'nope'"
    invalid = answers[422].json()
    assert [e["loc"] for e in invalid["errors"]] == [["query", "limit"], ["query", "page"]]
    assert invalid["detail"].startswith("query parameter limit: ")
    assert "; query parameter page: " in invalid["detail"]
    assert answers[405].headers["allow"] == "GET"


def test_the_schema_has_readable_operations_enums_and_the_package_version(
    served: Served,
) -> None:
    openapi = served.client.get("/openapi.json").json()
    operations = {m["operationId"] for p in openapi["paths"].values() for m in p.values()}
    assert operations == OPERATIONS
    assert openapi["info"]["version"] == tazsearch.__version__
    parameters = {p["name"]: p for p in openapi["paths"]["/api/search"]["get"]["parameters"]}
    sort = parameters["sort"]["schema"]
    sort = (
        openapi["components"]["schemas"][sort["$ref"].rsplit("/", 1)[1]] if "$ref" in sort else sort
    )
    assert sort["enum"] == ["relevance", "newest", "oldest"]
    schemas = openapi["components"]["schemas"]
    hit = schemas["Hit"]["properties"]
    assert "source" in hit and "path" not in hit and "path" not in schemas["ArticleAnswer"]
    assert schemas["Hit"]["additionalProperties"] is False
    for name in ("Hit", "Snippet", "Facets", "ArticleAnswer", "StatsAnswer", "HealthAnswer"):
        assert schemas[name]["properties"], name


def test_an_unknown_article_page_is_html_and_names_nothing_of_the_server(
    served: Served,
) -> None:
    page = served.client.get("/articles/nope")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Nicht gefunden" in page.text and '<a href="/">' in page.text
    assert str(served.index_dir) not in page.text and str(served.folder) not in page.text
    assert "nope" not in page.text
    policy = page.headers["content-security-policy"]
    assert policy.startswith("default-src 'none';") and "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"


def test_cors_headers_only_for_the_origins_given(served: Served) -> None:
    origin = {"origin": "https://example.org"}
    answer = served.client.get("/api/stats", headers=origin)
    assert not any(name.startswith("access-control-") for name in answer.headers)
    app = create_app(served.index_dir, allowed_hosts=(), cors_origins=["https://example.org"])
    client = TestClient(app, base_url="http://localhost")
    allowed = client.get("/api/stats", headers=origin)
    assert allowed.headers["access-control-allow-origin"] == "https://example.org"
    other = client.get("/api/stats", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = client.options(
        "/api/search", headers={**origin, "access-control-request-method": "GET"}
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["access-control-allow-methods"]
    refused = client.options(
        "/api/search", headers={**origin, "access-control-request-method": "DELETE"}
    )
    assert refused.status_code == 400


def test_large_answers_are_gzipped_and_small_ones_not(served: Served) -> None:
    asked = {"accept-encoding": "gzip"}
    large = served.client.get("/api/articles/" + SEED_ID, headers=asked)
    assert large.headers["content-encoding"] == "gzip"
    assert large.json()["id"] == SEED_ID  # httpx undoes the gzip
    raw = served.client.get("/api/stats", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in raw.headers
    small = served.client.get("/health", headers=asked)
    assert len(small.content) < 1024 and "content-encoding" not in small.headers


def test_the_access_log_has_one_line_per_request(served: Served) -> None:
    served.log.clear()
    served.client.get("/api/search", params={"q": "Nordkorea Soldaten"})
    served.client.get("/health", headers={"host": "rebound.example"})
    served.client.get("/no/such/route")
    pattern = r"\[\d+\] GET {} {} \d+\.\d ms"
    expected = [
        (re.escape("/api/search?q=Nordkorea+Soldaten"), 200),
        ("/health", 421),
        ("/no/such/route", 404),
    ]
    assert len(served.log) == len(expected)
    for line, (target, status) in zip(served.log, expected, strict=True):
        assert re.fullmatch(pattern.format(target, status), line), line


def test_a_logged_path_shows_control_characters_as_escapes() -> None:
    scope = {
        "method": "GET",
        "path": "/x",
        "raw_path": b"/\x1b[2J\x9b\xc2\x9b\xe2\x80\xae\n",
        "query_string": b"q=\x07\r",
    }
    line = access_line(scope, 404, 1.25)
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e]", line)
    assert line.endswith(r"GET /\x1b[2J\x9b\x9b\u202e\n?q=\x07\r 404 1.2 ms")
    long = access_line({**scope, "raw_path": b"/" + b"a" * 100_000, "query_string": b""}, 200, 1)
    assert len(long) < 2100 and long.endswith("... 200 1.0 ms")


def test_serve_help_reads_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = run_cli("serve", "--help")
    assert result.returncode == 0
    assert 'pip install "tazsearch[serve]"' in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    for option in ("--workers", "--cors-origin", "--quiet"):
        assert option in result.stdout


def test_a_bad_cors_origin_is_one_line(seed_index: Path) -> None:
    with socket.socket() as taken:  # were the origin taken, the command would stop here
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run_cli(
            "serve", "--index", str(seed_index), "--port", port, "--cors-origin", "example.org/x"
        )
    assert result.returncode == 1
    assert result.stderr.startswith("error: --cors-origin takes an origin")
    assert result.stderr.count("\n") == 1
