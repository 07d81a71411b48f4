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
from typer.testing import CliRunner

from tazsearch import Index
from tazsearch.cli import app
from tazsearch.gopher import NO_LINK, gophermap
from tazsearch.results import Hit, SearchResults, Snippet

from conftest import SEED, cli_output, fixture_article, fixture_hit

GOPHERNICUS = shutil.which("gophernicus") or "/usr/sbin/gophernicus"
# A file name that, put into a selector as it is, ends the line and adds a
# menu item pointing to another server.
FORGING_NAME = "x\r\n1Forged\tphish\tevil.example\t70\r\n.txt"
# A file name gophernicus would cut at "?" and "#", and whose "%" it would decode.
QUERY_LIKE_NAME = "q?x#y (1) %41.txt"


@pytest.fixture(scope="module")
def gopher_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gopher root holding the seed under articles/, and an index of it beside.

    Beside the seed: two fixture articles, not taz content, about Zitronenfalter,
    with file names that cannot go into a selector as they are, and a decoy
    file ``q`` that a selector cut at "?" would fetch.
    """
    root = tmp_path_factory.mktemp("gopher")
    (root / "articles").mkdir()
    shutil.copy(SEED, root / "articles" / SEED.name)
    for name in (FORGING_NAME, QUERY_LIKE_NAME):
        text = fixture_article(f"Fixture: Zitronenfalter {name[0]}", "Ein Zitronenfalter fliegt.")
        (root / "articles" / name).write_text(text, encoding="utf-8")
    (root / "articles" / "q").write_text("decoy: not the article\n")
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


def _rows(menu: str) -> list[list[str]]:
    """The menu's lines split into fields; every line must end in CRLF, the last be "."."""
    lines = menu.split("\r\n")
    assert lines[-2:] == [".", ""]
    return [line.split("\t") for line in lines[:-2]]


def _fixture_hit(path: str, title: str = "Fixture: Titel", snippet: str = "Ein Text.") -> Hit:
    return fixture_hit(path, title, snippets=[Snippet(snippet)])


def _menu(*hits: Hit, root: Path | None = None, host: str = "gopher.example") -> str:
    results = SearchResults(query="x", total=len(hits), page=1, limit=10, hits=list(hits))
    return gophermap(results, host=host, port=70, root=root)


def test_a_file_name_never_forges_a_menu_line(gopher_root: Path) -> None:
    runner = CliRunner()
    where = ["--index", str(_index_of(gopher_root)), "--gopher-root", str(gopher_root)]
    found = runner.invoke(app, ["query", "Zitronenfalter", *where, "--format", "gophermap"])
    assert found.exit_code == 0, found.output
    rows = _rows(found.stdout_bytes.decode())  # .stdout turns CRLF into LF
    assert all(len(row) == 4 and row[2:] == ["localhost", "70"] for row in rows)
    assert not any(row[0].startswith("1") or "evil.example" in row for row in rows)
    items = {row[0].split(". ", 1)[1]: row[1] for row in rows if row[0].startswith("0")}
    assert items == {"Fixture: Zitronenfalter q": "/articles/q%3Fx%23y (1) %2541.txt"}
    # The forging name has no link, but its hit is shown, as info lines.
    infos = [row[0] for row in rows]
    title = next(i for i, info in enumerate(infos) if info.endswith("Fixture: Zitronenfalter x"))
    assert infos[title].startswith("i") and infos[title + 1] == f"i{NO_LINK}"


def test_fields_hold_no_tab_line_break_or_control_character() -> None:
    title = "Fixture:\tTitel\r\n1Forged\tsel\tevil.example\t70\x1b[2J"
    hit = _fixture_hit("/arts/a.txt", title=title, snippet="Text\r\n.\r\n\x9b\u202e")
    rows = _rows(_menu(hit, host="gopher.example\t\r\n1x"))
    assert all(len(row) == 4 for row in rows)
    assert rows[2][0] == "01. Fixture: Titel 1Forged sel evil.example 70\\x1b[2J"
    assert rows[-1][0] == "iText . \\x9b\\u202e"
    assert all(row[2] == "gopher.example 1x" for row in rows)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/elsewhere/a.txt", "outside the gopher root"),
        ("/gopher/articles/caf\\xe9.txt", "a name that was not UTF-8, kept as escapes"),
        ("/gopher/articles/a\x1b]52;c;aGk=\x07.txt", "a control character"),
    ],
)
def test_a_file_no_selector_can_name_gets_no_link(path: str, reason: str) -> None:
    rows = _rows(_menu(_fixture_hit(path), root=Path("/gopher")))
    assert not any(row[0].startswith("0") for row in rows), reason
    assert [row[0] for row in rows[2:4]] == ["i1. Fixture: Titel", f"i{NO_LINK}"]


def _fetch(port: int, selector: str) -> bytes:
    """What a gopher server answers to one selector."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
        connection.sendall(selector.encode() + b"\r\n")
        chunks = iter(lambda: connection.recv(65536), b"")
        return b"".join(chunks)


def test_gophernicus_serves_the_file_a_quoted_selector_names(gophernicus: int) -> None:
    menu = _fetch(gophernicus, "/cgi-bin/search?Zitronenfalter").decode()
    items = [row for row in _rows(menu) if row[0].startswith("0")]
    [selector] = [row[1] for row in items if row[0].endswith("Zitronenfalter q")]
    served = _fetch(gophernicus, selector).decode()
    assert "Fixture: Zitronenfalter q" in served and "decoy" not in served
