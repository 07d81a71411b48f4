"""Bad input, failed writes and concurrent use, at the level of the index and the CLI.

Every article written here is a synthetic test fixture, not taz content.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import tazsearch.index
import tazsearch.sources
from tazsearch import Index, TazsearchError

from conftest import (
    ROOT,
    SEED,
    first_line,
    fixture_article,
    refuse_folder,
    run_cli,
    write_fixtures,
)

GOOD = fixture_article("Fixture: Grüße aus Köln", "Herzliche Grüße aus Köln am Rhein.")
HEADER_ONLY = "URI: \n       # taz.de -- Fixture: Nur ein Kopf\n       \n"
MENU = "URI: \n       # taz.de -- Gesellschaft\n       \n" + "".join(
    f"   DIR Ueberschrift {n}: Ein Teaser\n       \n" for n in range(5)
)

# name -> (file bytes, what must happen: "indexed" or a word of the skip reason)
CASES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "empty"),
    "binary": (bytes(range(256)) * 8, "binary"),
    "latin-1": (GOOD.encode("latin-1"), "indexed"),
    "cp1252": (GOOD.replace("Grüße", "Grüße „Zitat“").encode("cp1252"), "indexed"),
    "utf-16": (GOOD.encode("utf-16"), "indexed"),
    "utf-16-le-no-bom": (GOOD.encode("utf-16-le"), "indexed"),
    "utf-8-bom": (b"\xef\xbb\xbf" + GOOD.encode("utf-8"), "indexed"),
    "crlf": (GOOD.replace("\n", "\r\n").encode("utf-8"), "indexed"),
    "no-header": (b"Herzliche Gruesse aus Koeln am Rhein.\n" * 5, "header"),
    "header-only": (HEADER_ONLY.encode(), "no article text"),
    "truncated": (SEED.read_bytes()[:2500], "indexed"),
    "menu": (MENU.encode(), "menu"),
    "bad-date": (GOOD.replace("1 Jan 2024", "32 Foo 20x4").encode(), "indexed"),
    "unbalanced-links": (
        fixture_article("Fixture: Klammern aus Köln", "Text [1][ohne Ende und [2] mehr.").encode(),
        "indexed",
    ),
}


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """name -> "indexed" or the skip reason, from one update over every case."""
    folder = tmp_path_factory.mktemp("bad-files")
    for name, (data, _) in CASES.items():
        (folder / f"{name}.txt").write_bytes(data)
    with Index.open(tmp_path_factory.mktemp("ix"), create=True) as ix:
        report = ix.update([folder])
        results = {Path(s.path).stem: s.reason for s in report.skipped}
        for name in CASES:
            if name not in results:
                results[name] = "indexed" if ix.get(name) else "missing"
    return results


@pytest.mark.parametrize("name", list(CASES))
def test_each_bad_file_is_indexed_or_skipped_with_a_reason(
    outcome: dict[str, str], name: str
) -> None:
    expected = CASES[name][1]
    if expected == "indexed":
        assert outcome[name] == "indexed"
    else:
        assert expected in outcome[name]
        assert "\n" not in outcome[name]


def test_decoded_files_are_searchable_with_their_umlauts(tmp_path: Path) -> None:
    for name in ("latin-1", "cp1252", "utf-16", "utf-16-le-no-bom", "crlf"):
        (tmp_path / f"{name}.txt").write_bytes(CASES[name][0])
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([tmp_path])
        found = ix.search("Köln Grüße", limit=10)
        assert found.total == 5
        assert all(h.title.startswith("Fixture: Grüße") for h in found)
        assert all(h.title.endswith("aus Köln") for h in found)


def test_a_ten_megabyte_article_is_indexed_with_a_raised_size_limit(tmp_path: Path) -> None:
    paragraph = "Zeitung " * 60 + "\n\n"
    body = paragraph * (10_000_000 // len(paragraph) + 1) + "Schlusswort"
    (tmp_path / "huge.txt").write_text(fixture_article("Fixture: Riesig", body))
    size = (tmp_path / "huge.txt").stat().st_size
    assert size > 10 * 2**20
    with Index.open(tmp_path / "ix", create=True) as ix:
        skipped = ix.update([tmp_path]).skipped
        assert [s.reason for s in skipped] == [
            "larger than 10.0 MB (10.6 MB); --max-size raises the limit"
        ]
        assert ix.update([tmp_path], max_size=size).indexed == 1
        assert ix.search("Schlusswort").total == 1
        assert ix.search("title:Riesig").total == 1


def test_an_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "good.txt").write_text(GOOD)
    locked = tmp_path / "locked.txt"
    locked.write_text(GOOD.replace("Köln", "Bonn"))
    locked.chmod(0)
    real_open = os.open

    def no_permission(path: object, *args: object, **kwargs: object) -> object:
        # Root reads any file whatever its mode, so the refusal is simulated.
        if str(path) == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tazsearch.sources.os, "open", no_permission)
    with Index.open(tmp_path / "ix", create=True) as ix:
        report = ix.update([tmp_path])
    assert report.indexed == 1
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [
        ("locked.txt", "cannot read: Permission denied")
    ]


@pytest.mark.parametrize(
    ("code", "message"),
    [(errno.EROFS, "Read-only file system"), (errno.EACCES, "Permission denied")],
)
def test_a_read_only_index_folder_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, message: str
) -> None:
    from whoosh.filedb.filestore import FileStorage

    (tmp_path / "a.txt").write_text(GOOD)
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([tmp_path / "a.txt"])
        (tmp_path / "b.txt").write_text(GOOD.replace("Köln", "Bonn"))

        def refuse(self: FileStorage, name: str, **kwargs: object) -> object:
            raise OSError(code, message)

        monkeypatch.setattr(FileStorage, "create_file", refuse)
        with pytest.raises(TazsearchError, match=f"cannot write the index at .*: {message}"):
            ix.update([tmp_path])
        monkeypatch.undo()
        assert len(ix) == 1
        assert ix.update([tmp_path]).indexed == 1


def test_a_folder_that_is_not_an_index_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an index")
    result = run_cli("query", "Köln", "--index", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: no index at {tmp_path}")
    assert "Traceback" not in result.stderr


def _index_command(folder: Path, index_dir: Path, held: bool = False) -> subprocess.Popen[str]:
    """`tazsearch index` in a process group of its own, with the Ctrl-C of a terminal
    even if the tests run in a background job; ``held`` holds it at its first file."""
    program = [str(ROOT / "tests" / "holding_cli.py")] if held else ["-m", "tazsearch"]
    return subprocess.Popen(
        [sys.executable, *program, "index", str(folder), "--index", str(index_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _indexed_folder(tmp_path: Path, count: int = 20) -> Path:
    """A folder of ``count`` fixture articles, indexed at tmp_path / "ix"."""
    folder = tmp_path / "articles"
    write_fixtures(folder, count)
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder])
    return folder


def test_queries_work_during_an_index_run_and_see_the_last_commit(tmp_path: Path) -> None:
    folder = _indexed_folder(tmp_path)
    write_fixtures(folder, 700)
    running = _index_command(folder, tmp_path / "ix")
    seen = set()
    with Index.open(tmp_path / "ix") as ix:
        while running.poll() is None:
            results = ix.search("Bericht", limit=1)
            seen.add(results.total)
            assert results.total in (20, 700)
            time.sleep(0.05)
        assert running.returncode == 0, running.stderr.read()  # type: ignore[union-attr]
        assert ix.search("Bericht").total == 700
    assert 20 in seen


def test_a_second_index_run_is_refused_and_the_first_completes(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_fixtures(folder, 40)
    holding = threading.Event()
    release = threading.Event()

    def slow_progress(done: int, total: int) -> None:
        holding.set()
        release.wait(timeout=60)

    with Index.open(tmp_path / "ix", create=True) as ix:
        first = threading.Thread(target=ix.update, args=([folder], slow_progress))
        first.start()
        assert holding.wait(timeout=60)
        second = run_cli("index", str(folder), "--index", str(tmp_path / "ix"))
        with (
            Index.open(tmp_path / "ix", create=True) as other,
            pytest.raises(TazsearchError, match="another process is writing the index"),
        ):
            other.update([folder])
        release.set()
        first.join(timeout=60)
        assert not first.is_alive()
        assert len(ix) == 40
    assert second.returncode == 1
    assert second.stderr.startswith("error: another process is writing the index at")
    assert len(second.stderr.strip().splitlines()) == 1


def test_one_index_shared_by_threads_while_another_thread_updates(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_fixtures(folder, 30)
    errors: list[BaseException] = []
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder])

        def search() -> None:
            try:
                for _ in range(30):
                    total = ix.search("Bericht", facets=True).total
                    assert total in (30, 60)
                    assert ix.get("a007") is not None
            except BaseException as exc:  # Collected for the assertion below.
                errors.append(exc)

        threads = [threading.Thread(target=search) for _ in range(4)]
        for thread in threads:
            thread.start()
        write_fixtures(folder, 60)
        ix.update([folder])
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)
        assert errors == []
        assert ix.search("Bericht").total == 60


def test_ctrl_c_during_index_exits_130_and_leaves_a_whole_index(tmp_path: Path) -> None:
    folder = _indexed_folder(tmp_path)
    write_fixtures(folder, 200)
    before = set((tmp_path / "ix").iterdir())
    # The run is held at its first file (tests/holding_cli.py) until the signal
    # lands, so that it is certainly in progress, whatever the machine's speed.
    running = _index_command(folder, tmp_path / "ix", held=True)
    assert first_line(running) == "holding\n"
    os.killpg(running.pid, signal.SIGINT)  # What Ctrl-C in a terminal does.
    _, stderr = running.communicate(timeout=60)
    assert running.returncode == 130
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("error: interrupted")
    assert set((tmp_path / "ix").iterdir()) == before
    with Index.open(tmp_path / "ix") as ix:
        assert len(ix) == 20
        ix.update([folder])
        assert len(ix) == 200


def test_a_slow_search_never_holds_up_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _indexed_folder(tmp_path)
    inside = threading.Event()
    release = threading.Event()
    real_run_search = tazsearch.index.run_search

    def slow_for_rot(searcher: object, text: str = "", **options: object) -> object:
        if text == "Rot":  # This search sits in its searcher until released.
            inside.set()
            release.wait(timeout=60)
        return real_run_search(searcher, text, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(tazsearch.index, "run_search", slow_for_rot)
    with Index.open(tmp_path / "ix") as ix:
        slow = threading.Thread(target=ix.search, args=("Rot",))
        slow.start()
        assert inside.wait(timeout=60)
        fast = threading.Thread(target=lambda: ix.search("Blau") and ix.get("a001"))
        fast.start()
        fast.join(timeout=10)
        held_up = fast.is_alive()
        release.set()
        slow.join(timeout=60)
        fast.join(timeout=60)
        assert not held_up
    assert folder.is_dir()


@pytest.mark.parametrize(
    "names",
    [
        ["x/a.txt", "y/a.txt", "z/a.txt"],
        ["a.txt", "a.md", "a", "sub/a.txt"],
        ["sub/a-1b2c3d4e.txt", "a.txt", "b/a.txt"],
        ["sub/q?x#y (1).txt", "q?x#y (1).md", "leer .txt", "x/%41.txt"],
    ],
)
def test_every_file_gets_an_id_of_its_own_that_lasts(tmp_path: Path, names: list[str]) -> None:
    folder = tmp_path / "articles"
    for n, name in enumerate(names):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(GOOD.replace("Köln", f"Stadt{n}"))
    with Index.open(tmp_path / "ix", create=True) as ix:
        assert ix.update([folder]).indexed == len(names)
        ids = {n: ix.search(f"Stadt{n}").hits[0].id for n in range(len(names))}
        assert len(set(ids.values())) == len(names)
        assert all(i not in ("", ".", "..") and "/" not in i for i in ids.values())
        for n, article_id in ids.items():
            assert ix.get(article_id, path_lookup=False).title == f"Fixture: Grüße aus Stadt{n}"
        (folder / names[0]).unlink()
        assert ix.update([folder]).removed == 1
        for n in range(1, len(names)):
            assert ix.search(f"Stadt{n}").hits[0].id == ids[n]


def test_every_error_a_public_call_raises_is_a_tazsearch_error(tmp_path: Path) -> None:
    from tazsearch import FilterError, NotAnArticle, parse_file
    from tazsearch.parse import parse_text

    with pytest.raises(NotAnArticle) as raised:
        parse_text("")
    assert isinstance(raised.value, TazsearchError)
    (tmp_path / "x.txt").write_text("kein Artikel")
    with pytest.raises(TazsearchError, match="no taz header"):
        parse_file(tmp_path / "x.txt")
    folder = _indexed_folder(tmp_path)
    with Index.open(tmp_path / "ix") as ix:
        for options in ({"limit": 0}, {"page": 0}, {"limit": -3}, {"limit": True}):
            with pytest.raises(FilterError, match="must be a whole number of at least 1"):
                ix.search("Bericht", **options)  # type: ignore[arg-type]
        # One string is one tag or author, not a sequence of letters.
        assert ix.search("", tags="Rot").total == ix.search("", tags=["Rot"]).total == 7
        assert ix.search("", authors="Niemand").total == 0
    assert folder.is_dir()


def test_the_last_year_a_date_can_have_is_a_date(tmp_path: Path) -> None:
    _indexed_folder(tmp_path)
    with Index.open(tmp_path / "ix") as ix:
        for until in ("9999", "9999-12", "9999-12-31"):
            assert ix.search("", until=until).total == 20
    result = run_cli("query", "--until", "9999", "--index", str(tmp_path / "ix"))
    assert result.returncode == 0 and result.stdout.startswith("20 articles")


def test_an_empty_index_name_and_a_missing_path_create_nothing(tmp_path: Path) -> None:
    empty = run_cli("index", str(tmp_path), "--index", "", cwd=tmp_path)
    assert empty.returncode == 1
    assert empty.stderr == "error: --index (or TAZSEARCH_INDEX) must name a folder, not be empty\n"
    assert list(tmp_path.iterdir()) == []
    missing = run_cli("index", str(tmp_path / "nonexistent"), "--index", str(tmp_path / "X"))
    assert missing.returncode == 1 and "no such file or directory" in missing.stderr
    assert not (tmp_path / "X").exists()
    with pytest.raises(TazsearchError, match="empty"):
        Index.open("", create=True)


def test_articles_whose_file_names_are_not_utf8_can_be_shown(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    odd = os.fsdecode(bytes(folder) + b"/caf\xe9.txt")
    Path(odd).write_text(GOOD)
    (folder / "b.txt").write_text(GOOD.replace("Köln", "Bonn"))
    index_dir = str(tmp_path / "ix")
    assert run_cli("index", str(folder), "--index", index_dir).returncode == 0
    for command in (["show", odd], ["show", "caf\\xe9"], ["similar", odd], ["show", odd, "--json"]):
        result = run_cli(*command, "--index", index_dir)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    with Index.open(index_dir) as ix:
        assert ix.get(odd).id == "caf\\xe9" == ix.get("caf\\xe9").id


def test_ids_survive_a_rebuild(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    for year in ("2020", "2021", "2022"):
        (folder / year).mkdir(parents=True)
        (folder / year / "a.txt").write_text(GOOD.replace("Köln", f"Stadt{year}"))
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder])
        before = {y: ix.search(f"Stadt{y}").hits[0].id for y in ("2021", "2022")}
        (folder / "2020" / "a.txt").unlink()
        ix.update([folder], rebuild=True)
        assert {y: ix.search(f"Stadt{y}").hits[0].id for y in ("2021", "2022")} == before
        assert "a" not in before.values() or ix.get("a").title


def test_a_word_of_a_megabyte_is_analysed_for_its_first_letters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tazsearch.analysis

    split: list[int] = []
    real = tazsearch.analysis.split_compound
    monkeypatch.setattr(
        tazsearch.analysis, "split_compound", lambda w: split.append(len(w)) or real(w)
    )
    word = "Bundestagswahl" * 75_000
    found = list(tazsearch.analysis.analyze(f"Vorher {word} nachher"))
    assert [t.pos for t in found if not t.part][-1] == 2  # three words, the long one cut
    assert max(split) <= tazsearch.analysis.MAX_WORD_CHARS
    words = tazsearch.analysis.Vocabulary().analyse([word])
    assert all(len(t) <= tazsearch.analysis.MAX_WORD_CHARS for t in words.vocabulary)


def test_bad_arguments_of_every_public_call_are_tazsearch_errors(tmp_path: Path) -> None:
    from tazsearch import FilterError

    _indexed_folder(tmp_path)
    with Index.open(tmp_path / "ix") as ix:
        with pytest.raises(FilterError, match="limit must be"):
            ix.similar("a001", limit=0)
        with pytest.raises(FilterError, match="take strings"):
            ix.search("", tags=5)  # type: ignore[arg-type]
        with pytest.raises(FilterError, match="take strings"):
            ix.search("", authors=[None])  # type: ignore[list-item]


@pytest.mark.parametrize("size", ["²M", "-1", "1.5M", "", "10 M x"])
def test_a_size_that_cannot_be_read_is_one_plain_error(size: str) -> None:
    from tazsearch.sources import parse_size

    with pytest.raises(ValueError, match="cannot read the size") as raised:
        parse_size(size)
    assert "int()" not in str(raised.value)


def test_an_empty_index_variable_is_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tazsearch", "stats"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "TAZSEARCH_INDEX": ""},
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr == "error: --index (or TAZSEARCH_INDEX) must name a folder, not be empty\n"


def test_an_unreadable_folder_named_on_the_command_line_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from tazsearch.cli import app

    folder = _indexed_folder(tmp_path)
    refuse_folder(monkeypatch, folder)
    result = CliRunner().invoke(app, ["index", str(folder), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0
    assert "cannot read the folder: Permission denied (its indexed articles stay)" in result.output
    with Index.open(tmp_path / "ix") as ix:
        assert len(ix) == 20
