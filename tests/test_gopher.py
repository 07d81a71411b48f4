"""Gopher search: the gophermap output, and gophernicus running tazsearch behind a search item."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tazsearch import Index

from conftest import SEED, cli_output

GOPHERNICUS = shutil.which("gophernicus") or "/usr/sbin/gophernicus"


@pytest.fixture(scope="module")
def gopher_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gopher root holding the seed under articles/, and an index of it beside."""
    root = tmp_path_factory.mktemp("gopher")
    (root / "articles").mkdir()
    shutil.copy(SEED, root / "articles" / SEED.name)
    with Index.open(root.parent / f"{root.name}-index", create=True) as ix:
        ix.update([root / "articles"])
    return root


def _index_of(root: Path) -> Path:
    return root.parent / f"{root.name}-index"


def test_gophermap_output(gopher_root: Path) -> None:
    where = ["--index", str(_index_of(gopher_root)), "--gopher-root", str(gopher_root)]
    server = ["--gopher-host", "gopher.example", "--gopher-port", "7070"]
    output = cli_output("query", "Nordkorea Soldaten", *where, "--format", "gophermap", *server)
    lines = output.split("\n")  # run_cli reads text: CRLF arrives as LF
    assert lines[-2:] == [".", ""]
    rows = [line.split("\t") for line in lines[:-2]]
    assert all(len(row) == 4 and row[2:] == ["gopher.example", "7070"] for row in rows)
    items = [row for row in rows if row[0].startswith("0")]
    assert items == [
        [
            "01. Soldaten für Russlands Krieg: Nordkorea bringt den Ukraine-Krieg nach Asien",
            f"/articles/{SEED.name}",
            "gopher.example",
            "7070",
        ]
    ]
    assert rows[0][0] == "i1 articles match 'Nordkorea Soldaten'"
    assert any("*Soldaten*" in row[0] for row in rows if row[0].startswith("i"))


@pytest.fixture
def gophernicus(gopher_root: Path) -> Iterator[int]:
    """gophernicus on a loopback port, one process per connection as inetd runs it."""
    if not Path(GOPHERNICUS).exists():
        pytest.skip("needs Debian's gophernicus (.ci/run installs it)")
    script = gopher_root / "cgi-bin" / "search"
    script.parent.mkdir(exist_ok=True)
    tazsearch = Path(sys.executable).with_name("tazsearch")
    script.write_text(
        "#!/bin/sh\n"
        f'exec {tazsearch} query "$QUERY_STRING" --index {_index_of(gopher_root)} '
        f"--format gophermap --gopher-root {gopher_root} "
        '--gopher-host "$SERVER_NAME" --gopher-port "$SERVER_PORT"\n'
    )
    script.chmod(0o755)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    command = [GOPHERNICUS, "-h", "127.0.0.1", "-p", str(port), "-r", str(gopher_root)]
    command += ["-nr", "-nm", "-nu", "-nv", "-ns"]  # as root, no shared memory or syslog

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                subprocess.run(command, stdin=connection, stdout=connection, timeout=60)

    threading.Thread(target=serve, daemon=True).start()
    yield port
    listener.close()


def test_menu_lines_end_in_crlf(gopher_root: Path) -> None:
    command = [sys.executable, "-m", "tazsearch", "query", "Nordkorea"]
    command += ["--index", str(_index_of(gopher_root)), "--format", "gophermap"]
    raw = subprocess.run(command, capture_output=True, check=True).stdout
    assert raw.endswith(b"\r\n.\r\n") and raw.count(b"\n") == raw.count(b"\r\n")


def test_gophernicus_runs_the_search(gophernicus: int) -> None:
    url = f"gopher://127.0.0.1:{gophernicus}/7/cgi-bin/search?Nordkorea"
    fetched = subprocess.run(
        ["curl", "-s", "--max-time", "60", url], capture_output=True, text=True
    )
    assert fetched.returncode == 0, fetched.stderr
    items = [line for line in fetched.stdout.splitlines() if line.startswith("0")]
    assert items and items[0].split("\t")[:2] == [
        "01. Soldaten für Russlands Krieg: Nordkorea bringt den Ukraine-Krieg nach Asien",
        f"/articles/{SEED.name}",
    ]
    assert "*Nordkorea*" in fetched.stdout
