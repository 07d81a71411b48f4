"""The committed fixture index: written by an earlier tazsearch, read by this one.

tests/fixtures/index-v<N>/ was written by tests/fixtures/make_index.py (its
articles are synthetic fixtures, not taz content). A change that breaks the
reading of existing indexes (a class its files name moved, a field renamed)
fails here, in CI, rather than on a user's archive. An index of another
format is refused with one line that names both formats and says how to
rebuild.
"""

from __future__ import annotations

import json
import pickletools
import shutil
import warnings
from pathlib import Path

import pytest

from tazsearch import Index, IndexVersionError
from tazsearch.store import FORMAT_VERSION

from conftest import ROOT, run_cli, write_fixtures

FIXTURES = ROOT / "tests" / "fixtures"
CURRENT = FIXTURES / f"index-v{FORMAT_VERSION}"


@pytest.fixture
def fixture_index(tmp_path: Path) -> Path:
    """A copy of the fixture index, so that no test can change the committed one."""
    if not CURRENT.is_dir():
        pytest.fail(
            f"no fixture index of format {FORMAT_VERSION}: write one with "
            "`python tests/fixtures/make_index.py`, and keep those of older formats"
        )
    return Path(shutil.copytree(CURRENT, tmp_path / "ix"))


def _record(index_dir: Path) -> tuple[Path, dict]:
    [sums] = sorted(index_dir.glob("_MAIN_*.sums"))[-1:]
    return sums, json.loads(sums.read_text(encoding="utf-8"))


def test_the_fixture_records_its_format_and_writer(fixture_index: Path) -> None:
    _, record = _record(fixture_index)
    assert record["format"] == FORMAT_VERSION
    assert record["written_by"].startswith("tazsearch ")


def test_the_fixture_index_answers_as_when_it_was_written(fixture_index: Path) -> None:
    with Index.open(fixture_index) as ix:
        assert len(ix) == 12  # 12 files, one removed, one article from memory
        assert ix.check().ok
        wolken = ix.search("Wolken")
        assert wolken.total == 3
        assert sorted(h.id for h in wolken) == ["f00", "f06", "speicher1"]
        expected = {
            "Bahnstreik": ["f02", "f08"],
            "Fahrradwege": ["f09"],  # f03 was removed
            "tag:Politik": ["f04", "f05", "f10", "f11"],
            'author:"Bernd Koch"': ["f05", "f09", "f11"],
            "date:2023-01": ["f00"],
            '"Bericht über Regen"': ["f01", "f07"],
        }
        for query, ids in expected.items():
            found = ix.search(query, limit=20)
            assert (found.total, sorted(hit.id for hit in found)) == (len(ids), ids), query
        article = ix.get("f04")
        assert article.title == "Fixture: Haushaltsdebatte Nummer4"
        assert article.teaser == "Kurz gesagt: Haushaltsdebatte."
        assert (article.tags, article.authors) == (("Politik",), ("Jörg Müller",))
        assert ix.suggest("Haushaltsdebate") == "Haushaltsdebatte"
        with ix.iter_articles(sort="newest") as articles:
            assert next(iter(articles)).id == "speicher1"


def test_the_fixture_index_takes_new_articles(fixture_index: Path, tmp_path: Path) -> None:
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "neu.txt").write_text((FIXTURES / "neu.txt").read_text(encoding="utf-8"))
    with Index.open(fixture_index) as ix:
        assert ix.update([folder]).indexed == 1
        assert len(ix) == 13 and ix.search("Nachzügler").total == 1


def _pickled_modules(data: bytes) -> set[str]:
    """The modules of the globals in the pickles found in ``data``."""
    modules = set()
    start = data.find(b"\x80")  # PROTO, the first opcode of every pickle written
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # bytes that are no pickle
        while start != -1:
            modules |= _globals_of(data[start:])
            start = data.find(b"\x80", start + 1)
    return modules


def _globals_of(pickled: bytes) -> set[str]:
    """The modules the pickle at the start of ``pickled`` names; none if it is none."""
    found, strings = set(), []
    try:
        for opcode, arg, _ in pickletools.genops(pickled):
            if opcode.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
                strings.append(arg)
            elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
                found.add(strings[-2])
            elif opcode.name in ("GLOBAL", "INST"):
                found.add(arg.split(" ")[0])
            elif opcode.name == "STOP":
                return found
    except Exception:  # Not a pickle here: bytes that look like one's start.
        return set()
    return set()


def test_index_files_name_only_classes_kept_for_them(fixture_index: Path, tmp_path: Path) -> None:
    """Every tazsearch class an index file names lives in tazsearch.store.pickled,
    which keeps names as long as the format does: in the fixture, and in an index
    written now."""
    write_fixtures(tmp_path / "articles", 3)
    with Index.open(tmp_path / "new", create=True) as ix:
        ix.update([tmp_path / "articles"])
    for index_dir in (fixture_index, tmp_path / "new"):
        modules: set[str] = set()
        for path in index_dir.iterdir():
            modules |= _pickled_modules(path.read_bytes())
        ours = {m for m in modules if m.split(".")[0] == "tazsearch"}
        assert ours == {"tazsearch.store.pickled"}, index_dir


def test_an_index_of_another_format_is_refused_in_one_line(fixture_index: Path) -> None:
    sums, record = _record(fixture_index)
    sums.write_text(json.dumps({**record, "format": FORMAT_VERSION - 1, "written_by": "x 0.0"}))
    with pytest.raises(IndexVersionError) as caught:
        Index.open(fixture_index)
    message = str(caught.value)
    assert f"format {FORMAT_VERSION - 1} (written by x 0.0)" in message
    assert f"reads format {FORMAT_VERSION}" in message and "--rebuild" in message
    result = run_cli("query", "Wolken", "--index", str(fixture_index))
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "--rebuild" in result.stderr and "Traceback" not in result.stderr
    folder = fixture_index.parent / "articles"
    folder.mkdir()
    shutil.copy(FIXTURES / "neu.txt", folder)
    rebuilt = run_cli("index", str(folder), "--index", str(fixture_index), "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    with Index.open(fixture_index) as ix:
        assert ix.search("Nachzügler").total == 1


def test_fixtures_of_older_formats_are_refused(tmp_path: Path) -> None:
    """Each older format's fixture (kept when the format changes) is refused."""
    for older in sorted(FIXTURES.glob("index-v*")):
        if older != CURRENT:
            copy = shutil.copytree(older, tmp_path / older.name)
            with pytest.raises(IndexVersionError, match="--rebuild"):
                Index.open(copy)
