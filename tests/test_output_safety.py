"""Input never controls output: control characters in articles and file names stay data.

Every article here is a synthetic fixture (``fixture_article``), not taz content.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text
from typer.testing import CliRunner

from tazsearch import Index
from tazsearch.cli import app, main
from tazsearch.index import Skipped, UpdateReport
from tazsearch.parse import Article, Block, Link, Related
from tazsearch.render import (
    print_article,
    print_json,
    print_results,
    print_skipped,
    print_stats,
    safe_line,
)
from tazsearch.results import Hit, SearchResults, Snippet
from tazsearch.safetext import json_text, visible
from tazsearch.stats import IndexStats

from conftest import fixture_article, fixture_hit

# Each kind of control character that a terminal acts on.
CLEAR_SCREEN = "\x1b[2J"
WINDOW_TITLE = "\x1b]0;owned\x07"
CLIPBOARD = "\x1b]52;c;aGk=\x07"  # OSC 52: sets the clipboard
CSI_C1 = "\x9b31m"
BIDI = "\u202e\u2066"
DEL = "\x7f"
FORGED_LINE = "\r\nskipped forged.txt: forged"
EVIL = CLEAR_SCREEN + WINDOW_TITLE + CLIPBOARD + CSI_C1 + BIDI + DEL + FORGED_LINE
# What must never be written raw: C0 but newline, DEL, C1, bidi overrides and isolates.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SGR = re.compile("\x1b\\[[0-9;]*m")  # the colours rich itself writes on a terminal


def _raw_controls(output: str, *, terminal: bool = False) -> list[str]:
    """The control characters in ``output``, besides newlines and, on a terminal, rich's SGR."""
    return RAW_CONTROL.findall(SGR.sub("", output) if terminal else output)


def _console(*, terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, width=200, highlight=False)
    return console, out


def _hit(path: str = f"/arts/fixture{EVIL}.txt") -> Hit:
    title = f"Fixture {EVIL} Nordkorea"
    start = title.index("Nordkorea")
    before = len(f"Vor {EVIL} ")
    return fixture_hit(
        path,
        title,
        authors=[f"Autorin{EVIL}"],
        tags=[f"Tag{EVIL}"],
        snippets=[Snippet(f"Vor {EVIL} Nordkorea", [(before, before + 9)])],
        title_highlights=[(start, start + 9)],
    )


def _results() -> SearchResults:
    return SearchResults(query=f"Nordkorea {EVIL}", total=1, page=1, limit=10, hits=[_hit()])


def test_visible_escapes_every_control_character_and_only_those() -> None:
    escaped = "a\\x1b[2J\\x9b\\u202e\\u2069\\x7f\\t\\r\\nb"
    assert visible("a\x1b[2J\x9b\u202e\u2069\x7f\t\r\nb") == escaped
    assert visible("Grüße – „taz“ 😀") == "Grüße – „taz“ 😀"
    assert visible("caf\udce9") == "caf\\xe9"  # an undecodable byte of a file name
    assert visible(visible(EVIL)) == visible(EVIL)


def test_every_printed_line_leaves_with_its_controls_escaped_and_its_styles_kept() -> None:
    line = Text("ab") + Text(f"c{CLEAR_SCREEN}d", style="bold") + Text(f"{BIDI}e")
    safe = safe_line(line)
    assert safe.plain == "abc\\x1b[2Jd\\u202e\\u2066e"
    assert "".join(safe.plain[span.start : span.end] for span in safe.spans) == "c\\x1b[2Jd"
    assert {span.style for span in safe.spans} == {"bold"}
    console, out = _console(terminal=False)
    stats = IndexStats(0, None, None, 0, None, [], [], [])
    print_stats(console, stats, f"index{EVIL}")
    assert _raw_controls(out.getvalue()) == [] and "index\\x1b[2J" in out.getvalue()


@pytest.mark.parametrize("terminal", [False, True], ids=["plain", "terminal"])
def test_results_show_control_characters_as_escapes(terminal: bool) -> None:
    console, out = _console(terminal=terminal)
    print_results(console, _results())
    output = out.getvalue()
    assert _raw_controls(output, terminal=terminal) == []
    plain = SGR.sub("", output)
    assert "Fixture \\x1b[2J\\x1b]0;owned\\x07" in plain and "\\x9b31m\\u202e\\u2066\\x7f" in plain
    assert "/arts/fixture\\x1b[2J" in plain and "Autorin\\x1b" in plain and "Tag\\x1b" in plain
    assert not any(line.startswith("skipped") for line in plain.splitlines())
    # The heading, a blank line, then title, facts, tags, path and snippet: one line each.
    assert len(plain.splitlines()) == 7


def test_highlights_stay_on_their_words_around_escapes() -> None:
    console, out = _console(terminal=True)
    print_results(console, _results())
    words = re.findall("\x1b\\[[0-9;]*m([^\x1b]+)\x1b\\[0m", out.getvalue())
    assert words.count("Nordkorea") == 2  # in the title and in the snippet
    console, out = _console(terminal=False)
    print_results(console, _results())
    assert "Vor \\x1b[2J" in out.getvalue() and "**Nordkorea**" in out.getvalue()


@pytest.mark.parametrize("terminal", [False, True], ids=["plain", "terminal"])
def test_a_whole_article_shows_control_characters_as_escapes(terminal: bool) -> None:
    article = Article(
        id="fixture",
        path=f"/arts/fixture{EVIL}.txt",
        uri="",
        title=f"Fixture {EVIL}",
        kicker=f"Dach{EVIL}",
        headline=f"Zeile{EVIL}",
        teaser=f"Teaser{EVIL}",
        captions=(f"Bild{EVIL}",),
        blocks=(Block(f"Absatz{EVIL}"), Block(f"Zwischentitel{EVIL}", heading=True)),
        date=None,
        links=(Link(1, f"https://example.org/{EVIL}"),),
        authors=(f"Autor{EVIL}",),
        tags=(f"Tag{EVIL}",),
        related=(Related(f"Verwandt{EVIL}", f"Anriss{EVIL}"),),
    )
    console, out = _console(terminal=terminal)
    print_article(console, article)
    assert _raw_controls(out.getvalue(), terminal=terminal) == []
    assert "Absatz\\x1b[2J" in SGR.sub("", out.getvalue())


@pytest.mark.parametrize("terminal", [False, True], ids=["plain", "terminal"])
def test_a_skipped_file_is_always_one_line(terminal: bool) -> None:
    report = UpdateReport(skipped=[Skipped(f"/arts/bad{EVIL}.txt", f"empty file{EVIL}")])
    console, out = _console(terminal=terminal)
    print_skipped(console, report, verbose=True)
    lines = SGR.sub("", out.getvalue()).splitlines()
    assert len(lines) == 1 and lines[0].startswith("skipped /arts/bad\\x1b[2J")
    assert _raw_controls(out.getvalue(), terminal=terminal) == []


def test_json_escapes_del_c1_and_bidi_and_reads_back_the_same() -> None:
    data = {"title": f"Fixture {EVIL}", "path": "caf\udce9", "plain": "Grüße"}
    console, out = _console(terminal=False)
    print_json(console, data)
    output = out.getvalue()
    assert _raw_controls(output) == [] and "\udce9" not in output
    assert "\\u009b31m\\u202e\\u2066\\u007f" in output and "Grüße" in output
    assert json.loads(output) == data
    assert json.loads(json_text(data)) == data


@pytest.fixture
def evil_folder(tmp_path: Path) -> Path:
    """Fixture articles, not taz content, whose names and text hold control characters."""
    folder = tmp_path / "arts"
    folder.mkdir()
    article = fixture_article(f"Fixture: Titel {EVIL}", f"Ein Fixture-Text {EVIL} über Zebras.")
    (folder / f"zebra{EVIL}.txt").write_text(article, encoding="utf-8")
    (folder / "bad\nskipped forged.txt: forged\x1b[2J.txt").write_text("")
    return folder


def test_the_cli_prints_no_control_character_of_an_article(
    evil_folder: Path, tmp_path: Path
) -> None:
    ix = str(tmp_path / "ix")
    runner = CliRunner()
    indexed = runner.invoke(app, ["index", str(evil_folder), "--index", ix])
    assert indexed.exit_code == 0, indexed.output
    skipped = [line for line in indexed.stderr.splitlines() if line.startswith("skipped")]
    assert len(skipped) == 1 and "bad\\nskipped forged.txt: forged\\x1b[2J.txt" in skipped[0]
    assert _raw_controls(indexed.stdout + indexed.stderr) == []
    found = runner.invoke(app, ["query", "Zebras", "--index", ix])
    assert found.exit_code == 0 and "Fixture: Titel \\x1b[2J" in found.stdout
    assert _raw_controls(found.stdout) == []
    as_json = runner.invoke(app, ["query", "Zebras", "--json", "--index", ix])
    assert as_json.exit_code == 0 and _raw_controls(as_json.stdout) == []
    article_id = json.loads(as_json.stdout)["hits"][0]["id"]
    assert article_id == f"zebra{EVIL}"
    shown = runner.invoke(app, ["show", article_id, "--index", ix])
    assert shown.exit_code == 0 and "Ein Fixture-Text \\x1b[2J" in shown.stdout
    assert _raw_controls(shown.stdout) == []


def _main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """Run the console entry point in this process; its exit code."""
    monkeypatch.setattr(sys, "argv", ["tazsearch", *args])
    with pytest.raises(SystemExit) as stopped:
        main()
    return int(stopped.value.code)


def test_error_messages_show_control_characters_as_escapes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / f"nowhere{EVIL}")
    assert _main(monkeypatch, "index", missing, "--index", str(tmp_path / "ix")) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: no such file or directory: ") and error.count("\n") == 1
    assert "nowhere\\x1b[2J" in error and _raw_controls(error) == []


def test_internal_errors_show_control_characters_as_escapes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"kaputt {EVIL}")

    monkeypatch.setattr(Index, "open", broken)
    monkeypatch.delenv("TAZSEARCH_DEBUG", raising=False)
    assert _main(monkeypatch, "stats", "--index", str(tmp_path)) == 70
    error = capsys.readouterr().err
    assert error.startswith("internal error: RuntimeError: kaputt \\x1b[2J")
    assert error.count("\n") == 1 and _raw_controls(error) == []


def test_the_notes_of_a_capped_query_are_shown_in_text_and_gopher_output() -> None:
    from tazsearch.gopher import gophermap

    note = f"Nordko* matches more than 256 terms{EVIL}; only the first 256 were searched"
    results = SearchResults("Nordko*", 1, 1, 10, [_hit()], searched="Nordko*", notes=[note])
    console, out = _console(terminal=False)
    print_results(console, results)
    lines = out.getvalue().splitlines()
    assert lines[1] == f"Note: {visible(note)}"
    menu = gophermap(results, host="localhost", port=70)
    assert f"iNote: {visible(note)}"[:40] in menu
    assert not _raw_controls(menu.replace("\r\n", "").replace("\t", ""))
