"""The HTTP service: every API endpoint, bad parameters, the search page, a real browser."""

from __future__ import annotations

import base64
import errno
import hashlib
import json
import os
import re
import shutil
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from markupsafe import escape

pytest.importorskip("fastapi", reason="the serve extra is not installed")
from fastapi.testclient import TestClient

from tazsearch import Index, ServeError
from tazsearch.cli import main
from tazsearch.errors import (
    ArticleNotFoundError,
    IndexDamagedError,
    IndexNotFoundError,
    IndexVersionError,
)
from tazsearch.http_guard import allowed_hosts_for
from tazsearch.safetext import visible
from tazsearch.serve import create_app
from tazsearch.workers import listen

from conftest import SEED, fixture_article, free_port, run_cli, serving

SEED_ID = SEED.stem


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Path, Path]]:
    """A client of the service over the seed and a fixture article, the articles and index."""
    folder = tmp_path_factory.mktemp("articles")
    shutil.copy(SEED, folder / SEED.name)
    (folder / "fixture.txt").write_text(
        fixture_article(
            "Fixture: Nordkorea und Japan", "Ein Bericht über Nordkorea.", tags=("Japan",)
        )
    )
    index_dir = tmp_path_factory.mktemp("ix")
    with Index.open(index_dir, create=True) as ix:
        ix.update([folder])
    with TestClient(create_app(index_dir)) as client:
        yield client, folder, index_dir


def test_search_answers_as_the_cli_does(served: tuple[TestClient, Path, Path]) -> None:
    client, _, index_dir = served
    options = {"q": "Nordkorea Soldaten", "limit": 5, "facets": "true"}
    answer = client.get("/api/search", params=options)
    assert answer.status_code == 200
    cli = run_cli(
        "query", "Nordkorea Soldaten", "--index", str(index_dir), "-n", "5", "--facets", "--json"
    )
    expected = json.loads(cli.stdout)
    for hit in expected["hits"]:
        assert hit.pop("path").startswith("/")  # the CLI's absolute path, never the API's
    assert answer.json() == expected
    assert answer.json()["hits"][0]["id"] == SEED_ID
    assert answer.json()["hits"][0]["source"] == SEED.name


def test_search_filters_sort_and_paging(served: tuple[TestClient, Path, Path]) -> None:
    client, _, _ = served
    both = client.get("/api/search", params={"q": "Nordkorea", "sort": "oldest"}).json()
    assert [h["id"] for h in both["hits"]] == ["fixture", SEED_ID]
    tagged = client.get("/api/search", params={"q": "Nordkorea", "tag": "Japan"}).json()
    assert tagged["total"] == 2
    authored = client.get("/api/search", params={"author": "Fabian Kretschmer"}).json()
    assert [h["id"] for h in authored["hits"]] == [SEED_ID]
    dated = client.get("/api/search", params={"q": "Nordkorea", "since": "2024-10"}).json()
    assert [h["id"] for h in dated["hits"]] == [SEED_ID]
    second = client.get("/api/search", params={"q": "Nordkorea", "limit": 1, "page": 2}).json()
    assert second["total"] == 2 and len(second["hits"]) == 1


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"q": "x", "limit": 1000}, 422, "less than or equal to 100"),
        ({"q": "x", "page": 0}, 422, "greater than or equal to 1"),
        ({"q": "Nordkorea" * 100}, 422, "at most 500 characters"),
        ({"q": "x", "since": "2024-13"}, 400, "cannot read the date"),
        ({"q": "x", "sort": "random"}, 422, "Input should be 'relevance', 'newest' or 'oldest'"),
        ({"q": "date:[foo to bar]"}, 400, "cannot read the query"),
    ],
)
def test_bad_parameters_are_4xx_with_a_message(
    served: tuple[TestClient, Path, Path], params: dict, status: int, message: str
) -> None:
    client, _, _ = served
    answer = client.get("/api/search", params=params)
    assert answer.status_code == status
    assert message in answer.json()["detail"]
    assert set(answer.json()) == {"detail", "errors"}
    assert bool(answer.json()["errors"]) == (status == 422)


def test_article_similar_suggest_stats_health_and_schema(
    served: tuple[TestClient, Path, Path],
) -> None:
    client, _, _ = served
    article = client.get(f"/api/articles/{SEED_ID}").json()
    assert article["date"] == "2024-10-21" and len(article["related"]) == 9
    assert article["source"] == SEED.name and "path" not in article
    similar = client.get(f"/api/articles/{SEED_ID}/similar").json()
    assert [h["id"] for h in similar["hits"]] == ["fixture"]
    assert client.get("/api/suggest", params={"q": "Nordkorae"}).json()["suggestion"] == "Nordkorea"
    assert client.get("/api/stats").json()["articles"] == 2
    assert client.get("/health").json() == {"status": "ok", "articles": 2, "generation": 1}
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/search", "/api/articles/{article_id}", "/api/suggest", "/health"} <= set(paths)


@pytest.mark.parametrize("key", ["..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "nope"])
def test_no_request_names_a_file(served: tuple[TestClient, Path, Path], key: str) -> None:
    client, _, _ = served
    assert client.get(f"/api/articles/{key}").status_code == 404
    assert client.get(f"/articles/{key}").status_code == 404


def test_a_new_commit_is_served_without_a_restart(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(fixture_article("Fixture: Alpha", "Erster Text."))
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder])
    with TestClient(create_app(tmp_path / "ix")) as client:
        assert client.get("/api/search", params={"q": "Beta"}).json()["total"] == 0
        (folder / "b.txt").write_text(fixture_article("Fixture: Beta", "Zweiter Text."))
        assert run_cli("index", str(folder), "--index", str(tmp_path / "ix")).returncode == 0
        assert client.get("/api/search", params={"q": "Beta"}).json()["total"] == 1


def test_search_page_without_javascript(served: tuple[TestClient, Path, Path]) -> None:
    client, _, _ = served
    page = client.get("/", params={"q": "Nordkorea Soldaten"})
    # The hits are in the page itself; its one script, of our own, only adds live results.
    assert page.status_code == 200
    assert re.findall(r"<script[^>]*>", page.text) == [f'<script src="{SCRIPT}" defer>']
    assert "<mark>Soldaten</mark>" in page.text and "21. Oktober 2024" in page.text
    assert 'class="bar w' in page.text and "Japan" in page.text
    assert client.get("/", params={"q": "x", "since": "gestern"}).status_code == 400
    article = client.get(f"/articles/{SEED_ID}", params={"q": "Soldaten"})
    assert "<mark>Soldaten</mark>" in article.text


@pytest.fixture
def live_server(served: tuple[TestClient, Path, Path]) -> Iterator[str]:
    with serving(create_app(served[2])) as url:
        yield url


def test_a_real_browser_searches_and_sees_the_seed(live_server: str, chromium: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser = chromium
    browser.get(live_server + "/")
    box = browser.find_element(By.NAME, "q")
    box.send_keys("Nordkorea Soldaten")
    box.submit()
    # The page the form asked for, not the results the script shows while typing.
    WebDriverWait(browser, 30).until(
        lambda b: (
            "q=Nordkorea" in b.current_url
            and b.execute_script("return document.readyState") == "complete"
            and not b.execute_script("return document.body.classList.contains('live')")
            and b.find_elements(By.CSS_SELECTOR, "li.hit h2 a")
        )
    )
    first = browser.find_element(By.CSS_SELECTOR, "li.hit h2 a")
    assert first.text.startswith("Soldaten für Russlands Krieg")
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "li.hit p mark")]
    assert "Soldaten" in marks
    # The stylesheet applies under the page's CSP: the fonts, and the date bars' widths.
    assert "Georgia" in first.value_of_css_property("font-family")
    assert browser.find_element(By.CSS_SELECTOR, "span.bar").size["width"] >= 5
    shots = Path(__file__).parent / "screenshots"
    shots.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(shots / "search-page.png"))
    first.click()
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Nordkorea bringt")
    browser.get(live_server + "/docs")  # Swagger UI's own files need the network
    violations = [e["message"] for e in browser.get_log("browser") if e["source"] == "security"]
    assert violations == []


def _status_for_host(port: int, host: str) -> int:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}/health", headers={"Host": host})
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_serve_command_answers_on_loopback_and_stops(seed_index: Path) -> None:
    import subprocess
    import urllib.error
    import urllib.request

    port = free_port()
    command = [sys.executable, "-m", "tazsearch", "serve", "--index", str(seed_index)]
    command += ["--port", str(port), "--allow-host", "search.example"]
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                url = f"http://127.0.0.1:{port}/health"
                with urllib.request.urlopen(url, timeout=10) as answer:
                    assert json.load(answer)["articles"] == 1
                break
            except urllib.error.HTTPError:
                raise  # It listens, and answered wrong.
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.1)
        assert _status_for_host(port, f"search.example:{port}") == 200
        assert _status_for_host(port, f"localhost:{port}") == 200
        assert _status_for_host(port, "rebound.example") == 421
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert f"serving {seed_index} at http://127.0.0.1:{port}/" in stderr
    assert "Traceback" not in stderr


def test_the_serve_command_without_an_index_is_one_line(tmp_path: Path) -> None:
    result = run_cli("serve", "--index", str(tmp_path / "missing"))
    assert result.returncode == 1
    assert result.stderr.startswith("error: no index at")


# Article ids as tazsearch makes them from file names: anything but "/".
ODD_NAMES = [
    "q?x#y (1) %",
    "q",
    "100%25",
    "Grüße (2)",
    "a b+c&d=e",
    "back\\slash",
    "tab\there",
    "ctrl\x1b[2J\x9b\u202e\x7f",
]


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str], Path]]:
    """A live server of fixture articles (not taz content) whose ids hold odd characters.

    One file name is not UTF-8; the index keeps its id as ``caf\\xe9``. A real
    server, because the test client decodes a path twice: it would read the
    ``%25`` of ``100%2525`` as ``%``.
    """
    folder = tmp_path_factory.mktemp("odd")
    for number, name in enumerate(ODD_NAMES):
        text = fixture_article(f"Fixture {number}: {name}", f"Zebrastreifen Nummer{number}.")
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    undecodable = os.fsencode(folder) + b"/caf\xe9.txt"
    with open(undecodable, "w", encoding="utf-8") as file:
        file.write(fixture_article("Fixture: Café", "Zebrastreifen im Café."))
    index_dir = tmp_path_factory.mktemp("odd-ix")
    with Index.open(index_dir, create=True) as ix:
        assert not ix.update([folder]).skipped
    with serving(create_app(index_dir)) as url:
        yield url, [*ODD_NAMES, "caf\\xe9"], index_dir


def _fetch(url: str) -> tuple[int, str]:
    """The status and text of a GET, errors included."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _search(base: str, query: str) -> list[dict[str, Any]]:
    status, text = _fetch(f"{base}/api/search?limit=20&q={quote(query)}")
    assert status == 200
    return json.loads(text)["hits"]


def test_every_id_a_hit_lists_is_reachable(odd: tuple[str, list[str], Path]) -> None:
    base, ids, _ = odd
    hits = _search(base, "Zebrastreifen")
    assert sorted(hit["id"] for hit in hits) == sorted(ids)
    for hit in hits:
        quoted = quote(hit["id"], safe="")
        status, text = _fetch(f"{base}/api/articles/{quoted}")
        assert status == 200 and json.loads(text)["id"] == hit["id"], hit["id"]
        status, text = _fetch(f"{base}/articles/{quoted}")
        # The page shows a title's controls as escapes, as the CLI does.
        assert status == 200 and escape(visible(hit["title"])) in text, hit["id"]
        assert _fetch(f"{base}/api/articles/{quoted}/similar")[0] == 200, hit["id"]


def test_page_links_are_url_encoded_and_lead_to_their_articles(
    odd: tuple[str, list[str], Path],
) -> None:
    base, _, _ = odd
    hits = _search(base, "Zebrastreifen")[:10]
    _, page = _fetch(f"{base}/?q=Zebrastreifen")
    links = re.findall(r'<h2><a href="(/articles/[^"?]*)\?', page)
    assert links == [f"/articles/{quote(hit['id'], safe='')}" for hit in hits]
    for link, hit in zip(links, hits, strict=True):
        status, text = _fetch(base + link)
        title = escape(visible(hit["title"]))
        assert status == 200 and f"<title>{title} – tazsearch</title>" in text


def test_json_escapes_del_c1_and_bidi(odd: tuple[str, list[str], Path]) -> None:
    base, _, _ = odd
    _, text = _fetch(f"{base}/api/articles/{quote(ODD_NAMES[-1], safe='')}")
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e]", text)
    assert "\\u009b\\u202e\\u007f" in text
    assert json.loads(text)["id"] == ODD_NAMES[-1]
    status, text = _fetch(f"{base}/api/search?q={quote(chr(0x9B) * 501)}")
    assert status == 422 and "\x9b" not in text and "009b" not in text  # the input is not echoed
    status, text = _fetch(f"{base}/api/articles/{quote('nope' + ODD_NAMES[-1], safe='')}")
    assert status == 404 and not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e]", text)


def test_ids_are_never_read_as_paths(
    served: tuple[TestClient, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, folder, _ = served
    monkeypatch.chdir(folder)  # "fixture.txt" is now a path to an indexed file
    assert client.get("/api/articles/fixture").status_code == 200
    answer = client.get("/api/articles/fixture.txt")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "no article with id 'fixture.txt'", "errors": []}
    page = client.get("/articles/fixture.txt")
    assert page.status_code == 404 and "Nicht gefunden" in page.text
    assert client.get("/api/articles/fixture.txt/similar").status_code == 404
    absolute = quote(str(folder / "fixture.txt"), safe="")
    assert client.get(f"/api/articles/{absolute}").status_code == 404


def _raising(error: Exception) -> Callable[..., None]:
    def failing(*args: object, **kwargs: object) -> None:
        raise error

    return failing


def test_errors_name_no_server_path(
    served: tuple[TestClient, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, folder, index_dir = served
    answers = [
        client.get("/api/articles/nope"),
        client.get("/articles/nope"),
        client.get("/no/such/route"),
        client.get("/api/search", params={"q": "x", "since": "2024-13"}),
        client.get("/", params={"q": "x", "since": "gestern"}),
        client.get("/api/search", params={"q": "x", "limit": 1000}),
    ]
    assert [a.status_code for a in answers] == [404, 404, 404, 400, 400, 422]
    ix = client.app.state.index
    unsafe = TestClient(client.app, raise_server_exceptions=False)
    from tazsearch.page_routes import INTERNAL_ERROR, UNREADABLE_INDEX
    from tazsearch.serve import INDEX_ERROR

    failures = [
        (RuntimeError(f"boom in {index_dir}"), 500, "internal error", INTERNAL_ERROR),
        (IndexVersionError(f"at {index_dir}"), 503, INDEX_ERROR, UNREADABLE_INDEX),
        (
            IndexDamagedError(f"the index at {index_dir} is damaged"),
            503,
            INDEX_ERROR,
            UNREADABLE_INDEX,
        ),
        (
            IndexNotFoundError(f"the index at {index_dir} is gone"),
            503,
            INDEX_ERROR,
            UNREADABLE_INDEX,
        ),
    ]
    for error, status, message, german in failures:
        monkeypatch.setattr(ix, "search", _raising(error))
        answer = unsafe.get("/api/search?q=x")
        assert answer.status_code == status
        assert answer.json() == {"detail": message, "errors": []}
        page = unsafe.get("/?q=x")
        assert page.status_code == status and escape(german) in page.text
        answers += [answer, page]
    # The library's message for an unknown article may name the index: the API words its own.
    monkeypatch.setattr(ix, "get", _raising(ArticleNotFoundError(f"no 'x' in {index_dir}")))
    monkeypatch.setattr(ix, "similar", _raising(ArticleNotFoundError(f"no 'x' in {index_dir}")))
    for url in ("/api/articles/x", "/articles/x", "/api/articles/x/similar"):
        answer = unsafe.get(url)
        assert answer.status_code == 404, url
        answers.append(answer)
    monkeypatch.undo()
    answer = client.get("/api/search", params={"q": "foo:bar"})
    assert answer.status_code == 400 and answer.json()["detail"].startswith("cannot read the")
    answers.append(answer)
    for answer in answers:
        assert str(index_dir) not in answer.text and str(folder.parent) not in answer.text
        assert answer.headers["x-content-type-options"] == "nosniff"


def _get_routes(client: TestClient) -> list[str]:
    """Every GET route of the app, with the seed's id for a path parameter."""
    paths = [r.path for r in client.app.routes if "GET" in getattr(r, "methods", ())]
    return [p.replace("{article_id}", SEED_ID) for p in paths]


def test_head_answers_as_get_without_a_body(served: tuple[TestClient, Path, Path]) -> None:
    client, _, _ = served
    routes = _get_routes(client)
    assert {"/", "/api/search", f"/articles/{SEED_ID}", "/docs", "/openapi.json"} <= set(routes)
    for url in [*routes, "/no/such/route"]:
        got, head = client.get(url), client.head(url)
        assert head.status_code == got.status_code, url
        assert dict(head.headers) == dict(got.headers), url
        assert head.content == b"", url
    assert client.post("/api/search").status_code == 405


SCRIPT = "/static/search.js"
PAGE_ROUTES = ["/", "/?q=Nordkorea", f"/articles/{SEED_ID}", "/api/search?q=Nordkorea", "/nope"]


def test_every_answer_forbids_sniffing_framing_and_inline_code(
    served: tuple[TestClient, Path, Path],
) -> None:
    client, _, _ = served
    for url in [*_get_routes(client), *PAGE_ROUTES]:
        headers = client.get(url).headers
        assert headers["x-content-type-options"] == "nosniff", url
        assert headers["referrer-policy"] == "no-referrer", url
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy, url
        if url != "/docs":
            assert policy.startswith("default-src 'none';") and "unsafe" not in policy, url


def test_pages_have_no_inline_style_and_their_stylesheet_is_served(
    served: tuple[TestClient, Path, Path],
) -> None:
    client, _, _ = served
    for url in ("/", "/?q=Nordkorea", f"/articles/{SEED_ID}"):
        page = client.get(url).text
        assert "<style" not in page and " style=" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), "an inline script"
        assert '<link rel="stylesheet" href="/static/style.css">' in page
    sheet = client.get("/static/style.css")
    assert sheet.headers["content-type"].startswith("text/css")
    assert ".bar.w24 { width: 100.0%; }" in sheet.text
    script = client.get(SCRIPT)
    assert script.headers["content-type"].startswith("text/javascript")


def test_the_docs_allow_their_one_inline_script_by_hash(
    served: tuple[TestClient, Path, Path],
) -> None:
    client, _, _ = served
    docs = client.get("/docs")
    [script] = re.findall(r"<script>(.*?)</script>", docs.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in docs.headers["content-security-policy"].split(";")
    )
    assert f"'sha256-{digest}'" in policy["script-src"] and "unsafe" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'" and policy["default-src"] == "'none'"


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost", 200),
        ("localhost:8080", 200),
        ("127.0.0.1:8080", 200),
        ("[::1]:8080", 200),
        ("LOCALHOST", 200),
        ("rebound.example", 421),
        ("rebound.example:8080", 421),
        ("localhost.rebound.example", 421),
        ("127.0.0.1.rebound.example", 421),
        ("", 421),
    ],
)
def test_a_loopback_server_answers_loopback_host_names_only(
    served: tuple[TestClient, Path, Path], host: str, status: int
) -> None:
    _, _, index_dir = served
    client = TestClient(create_app(index_dir, allowed_hosts=()))
    answer = client.get("/health", headers={"host": host})
    assert answer.status_code == status
    if status == 421:
        assert set(answer.json()) == {"detail", "errors"}
        assert answer.headers["content-security-policy"].endswith("frame-ancestors 'none'")


def test_allowed_hosts_widen_the_loopback_names(served: tuple[TestClient, Path, Path]) -> None:
    _, _, index_dir = served
    client = TestClient(create_app(index_dir, allowed_hosts=["Search.example"]))
    for host, status in [("search.example:8080", 200), ("localhost", 200), ("other.example", 421)]:
        assert client.get("/health", headers={"host": host}).status_code == status, host


def test_the_host_policy_follows_the_listening_address() -> None:
    for loopback in ("127.0.0.1", "127.3.2.1", "::1", "localhost"):
        assert allowed_hosts_for(loopback, []) == frozenset(), loopback
    assert allowed_hosts_for("0.0.0.0", []) is None
    assert allowed_hosts_for("192.0.2.7", []) is None
    assert allowed_hosts_for("0.0.0.0", ["a.example:80", "::1"]) == {"a.example", "[::1]"}


def _main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """Run the console entry point in this process; its exit code."""
    monkeypatch.setattr(sys, "argv", ["tazsearch", *args])
    with pytest.raises(SystemExit) as stopped:
        main()
    return int(stopped.value.code)


def test_a_busy_port_is_one_line_and_never_claims_to_serve(
    seed_index: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = _main(monkeypatch, "serve", "--index", str(seed_index), "--port", str(port))
    error = capsys.readouterr().err
    assert code == 1 and error.count("\n") == 1 and "serving" not in error
    assert error.startswith(f"error: cannot listen on 127.0.0.1:{port}: the port is in use")


def test_a_port_not_ours_to_take_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(self: socket.socket, address: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(socket.socket, "bind", refused)
    with pytest.raises(ServeError, match=r"^cannot listen on 127.0.0.1:80: permission denied"):
        listen("127.0.0.1", 80)
