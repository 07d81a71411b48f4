"""The HTTP service: every API endpoint, bad parameters, the search page, a real browser."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed")
from fastapi.testclient import TestClient

from tazsearch import Index
from tazsearch.serve import create_app

from conftest import SEED, fixture_article, run_cli

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
    assert answer.json() == json.loads(cli.stdout)
    assert answer.json()["hits"][0]["id"] == SEED_ID


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
        ({"q": "x", "sort": "random"}, 400, "cannot sort by"),
        ({"q": "date:[foo to bar]"}, 400, "cannot read the query"),
    ],
)
def test_bad_parameters_are_4xx_with_a_message(
    served: tuple[TestClient, Path, Path], params: dict, status: int, message: str
) -> None:
    client, _, _ = served
    answer = client.get("/api/search", params=params)
    assert answer.status_code == status
    assert message in json.dumps(answer.json())


def test_article_similar_suggest_stats_health_and_schema(
    served: tuple[TestClient, Path, Path],
) -> None:
    client, _, _ = served
    article = client.get(f"/api/articles/{SEED_ID}").json()
    assert article["date"] == "2024-10-21" and len(article["related"]) == 9
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
    assert page.status_code == 200 and "<script" not in page.text
    assert "<mark>Soldaten</mark>" in page.text and "2024-10-21" in page.text
    assert 'class="bar"' in page.text and "Japan" in page.text
    assert client.get("/", params={"q": "x", "since": "gestern"}).status_code == 400
    article = client.get(f"/articles/{SEED_ID}", params={"q": "Soldaten"})
    assert "<mark>Soldaten</mark>" in article.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(served: tuple[TestClient, Path, Path]) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(served[2]), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_a_real_browser_searches_and_sees_the_seed(live_server: str, tmp_path: Path) -> None:
    chromium, driver = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
    if not (chromium.exists() and driver.exists()):
        pytest.skip("needs Debian's chromium and chromium-driver (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(options=options, service=webdriver.ChromeService(str(driver)))
    try:
        browser.get(live_server + "/")
        box = browser.find_element(By.NAME, "q")
        box.send_keys("Nordkorea Soldaten")
        box.submit()
        first = browser.find_element(By.CSS_SELECTOR, "article.hit h2 a")
        assert first.text.startswith("Soldaten für Russlands Krieg")
        marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "article.hit p mark")]
        assert "Soldaten" in marks
        shots = Path(__file__).parent / "screenshots"
        shots.mkdir(exist_ok=True)
        assert browser.save_screenshot(str(shots / "search-page.png"))
    finally:
        browser.quit()


def test_the_serve_command_answers_on_loopback_and_stops(seed_index: Path) -> None:
    import subprocess
    import sys
    import urllib.request

    port = _free_port()
    command = [sys.executable, "-m", "tazsearch", "serve", "--index", str(seed_index)]
    server = subprocess.Popen([*command, "--port", str(port)], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health") as answer:
                    assert json.load(answer)["articles"] == 1
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.1)
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert f"serving {seed_index} at http://127.0.0.1:{port}/" in stderr
    assert "Traceback" not in stderr


def test_the_serve_command_without_an_index_is_one_line(tmp_path: Path) -> None:
    result = run_cli("serve", "--index", str(tmp_path / "missing"))
    assert result.returncode == 1
    assert result.stderr.startswith("error: no index at")
