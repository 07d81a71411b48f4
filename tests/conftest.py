"""Shared fixtures. Articles written here are synthetic test fixtures, not taz content."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import select
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tazsearch import Index
from tazsearch.results import Hit

ROOT = Path(__file__).resolve().parents[1]
# The record of checked index files (tazsearch.store.verified) goes to a cache
# of the tests' own, not the user's.
os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="tazsearch-test-cache-"))
# The CLI's consoles read the width when it is imported: lines as wide as a wide terminal.
os.environ["COLUMNS"] = "200"
SEED = ROOT / "seeds" / "000_3fd7acc3efa38401.txt"
SHARED = ROOT.parent / "shared"


def fixture_article(
    title: str,
    body: str,
    *,
    teaser: str = "",
    date: str = "1 Jan 2024",
    authors: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
) -> str:
    """A synthetic article in taz's gopher layout."""
    pad = " " * 7
    lines = ["URI: ", f"{pad}# taz.de -- {title}", pad]
    if teaser:
        lines += [f"{pad}> {line}" for line in textwrap.wrap(teaser, 70)] + [pad]
    for paragraph in body.split("\n\n"):
        lines += [pad + line for line in textwrap.wrap(paragraph, 76)] + [pad]
    lines += [pad + date, pad]
    for heading, items in (("AUTOREN", authors), ("TAGS", tags)):
        if items:
            lines += [f"{pad}## {heading}", pad, *[f"   DIR {x}" for x in items], pad]
    return "\n".join(lines) + "\n"


def write_fixtures(folder: Path, count: int) -> None:
    """``count`` synthetic fixture articles, not taz content, each with its number as a word."""
    folder.mkdir(exist_ok=True)
    for n in range(count):
        colour = ("Rot", "Blau", "Gelb")[n % 3]
        text = fixture_article(
            f"Fixture: Artikel {colour} Nummer{n}",
            f"Ein Bericht in {colour} über Nummer{n}. " + "Lange Sätze füllen ihn. " * (n % 7),
            tags=(colour,),
        )
        (folder / f"a{n:03d}.txt").write_text(text, encoding="utf-8")


def first_line(process: subprocess.Popen[str], timeout: float = 60) -> str:
    """The first line a process writes to its stderr; fails after ``timeout`` seconds."""
    assert process.stderr is not None
    ready, _, _ = select.select([process.stderr], [], [], timeout)
    assert ready, f"no output within {timeout} s"
    return process.stderr.readline()


@dataclass
class CliRun:
    """What a command printed and its exit code, as subprocess.run reports them."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path | None = None) -> CliRun:
    """Run the ``tazsearch`` command in-process with typer's CliRunner: the same
    command group, argument handling and error mapping as the real entry point,
    without the cost of starting Python. (Exit codes on signals, pipes and the
    README's commands are tested with :func:`run_process`.)"""
    from typer.testing import CliRunner

    from tazsearch.cli import app

    previous = Path.cwd()
    os.chdir(cwd or ROOT)
    try:
        result = CliRunner().invoke(app, list(args), env={"TAZSEARCH_INDEX": None})
    finally:
        os.chdir(previous)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return CliRun(result.exit_code, result.stdout, result.stderr)


def run_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real ``tazsearch`` entry point in a child process, as a user would."""
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("TAZSEARCH_INDEX", None)
    return subprocess.run(
        [sys.executable, "-m", "tazsearch", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=120,
    )


def cli_output(*args: str) -> str:
    """The standard output of a CLI run that must succeed."""
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def index_of(tmp_path_factory: pytest.TempPathFactory, texts: dict[str, str]) -> Index:
    """A fresh index of fixture articles, each written to ``NAME.txt``."""
    folder = tmp_path_factory.mktemp("articles")
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    index = Index.open(tmp_path_factory.mktemp("ix"), create=True)
    index.update([folder])
    return index


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of seeds/ built once for the session."""
    directory = tmp_path_factory.mktemp("seed-index")
    with Index.open(directory, create=True) as ix:
        ix.update([ROOT / "seeds"])
    return directory


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"needs the shared data folder {SHARED}, which is absent")
    return SHARED


def chromium_options(profile: Path) -> Any:
    """Options for Debian's headless Chromium that keep it off the network: no
    background traffic, and no host but this machine (a page that asks for
    another fails at once)."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # CSP violations show here
    return options


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Debian's headless Chromium under selenium, one for the session; skips where absent."""
    binary, driver = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
    if not (binary.exists() and driver.exists()):
        pytest.skip("needs Debian's chromium and chromium-driver (.ci/run installs them)")
    from selenium import webdriver

    options = chromium_options(tmp_path_factory.mktemp("chromium-profile"))
    browser = webdriver.Chrome(options=options, service=webdriver.ChromeService(str(driver)))
    try:
        yield browser
    finally:
        browser.quit()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """The app served by uvicorn in a thread on a loopback port; its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped before it started"
        assert time.monotonic() < deadline, "uvicorn did not start within 30 s"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def fixture_hit(path: str, title: str, **fields: Any) -> Hit:
    """A hit of a fixture article (not taz content), as a search would give it."""
    values: dict[str, Any] = {
        "rank": 1,
        "id": "fixture",
        "path": path,
        "source": path.rpartition("/")[2],
        "title": title,
        "kicker": "",
        "headline": title,
        "date": dt.date(2024, 1, 1),
        "authors": ["Fixture Autorin"],
        "tags": [],
        "score": 1.0,
        "snippets": [],
    }
    return Hit(**{**values, **fields})


def refuse_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make ``folder`` unreadable to the walker, as a folder of another user is. (Root
    reads any folder whatever its mode, so the refusal is simulated.)"""
    import tazsearch.sources

    real_scandir = os.scandir

    def refuse(path: Any) -> Any:
        if str(path) == str(folder):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(tazsearch.sources.os, "scandir", refuse)
