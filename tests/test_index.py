"""Index updates: new, unchanged, changed, deleted and bad files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tazsearch import ArticleNotFoundError, Index, IndexNotFoundError

from conftest import SEED, fixture_article


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SEED, folder / "seed.txt")
    (folder / "sub" / "a.txt").write_text(fixture_article("Fixture: Alpha", "Ein Text über Alpha."))
    (folder / "sub" / "b.txt").write_text(fixture_article("Fixture: Beta", "Ein Text über Beta."))
    return folder


def _ids(ix: Index, query: str) -> list[str]:
    return [hit.id for hit in ix.search(query, limit=50)]


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="no index at"):
        Index.open(tmp_path / "nothing")


def test_first_run_indexes_everything_recursively(tmp_path: Path, folder: Path) -> None:
    with Index.open(tmp_path / "ix", create=True) as ix:
        report = ix.update([folder])
        assert (report.indexed, report.updated, report.unchanged, report.removed) == (3, 0, 0, 0)
        assert report.skipped == []
        assert len(ix) == 3


def test_second_run_changes_nothing_and_reads_nothing(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder])
        generation = ix.generation
        files = {f.name: f.stat().st_mtime_ns for f in (tmp_path / "ix").iterdir()}

        def no_parsing(*args: object, **kwargs: object) -> None:
            raise AssertionError("an unchanged file was parsed again")

        monkeypatch.setattr("tazsearch.updating.parse_bytes", no_parsing)
        report = ix.update([folder])
        assert (report.indexed, report.updated, report.unchanged, report.removed) == (0, 0, 3, 0)
        assert len(ix) == 3
        assert ix.generation == generation
        assert {f.name: f.stat().st_mtime_ns for f in (tmp_path / "ix").iterdir()} == files


def test_changed_file_replaces_its_entry(tmp_path: Path, folder: Path) -> None:
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder])
        target = folder / "sub" / "a.txt"
        target.write_text(fixture_article("Fixture: Gamma", "Jetzt geht es um Gamma."))
        os.utime(target, ns=(1, 1))
        report = ix.update([folder])
        assert (report.indexed, report.updated, report.unchanged) == (0, 1, 2)
        assert len(ix) == 3
        assert _ids(ix, "Gamma") == ["a"]
        assert _ids(ix, "Alpha") == []


def test_touched_but_identical_file_is_unchanged(tmp_path: Path, folder: Path) -> None:
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder])
        os.utime(folder / "sub" / "a.txt", ns=(5, 5))
        report = ix.update([folder])
        assert (report.updated, report.unchanged) == (0, 3)


def test_deleted_file_leaves_the_index(tmp_path: Path, folder: Path) -> None:
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder])
        (folder / "sub" / "b.txt").unlink()
        report = ix.update([folder])
        assert report.removed == 1
        assert len(ix) == 2
        assert _ids(ix, "Beta") == []


def test_update_of_one_folder_keeps_other_folders(tmp_path: Path, folder: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "c.txt").write_text(fixture_article("Fixture: Delta", "Ein Text über Delta."))
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder, other])
        report = ix.update([other])
        assert (report.removed, report.unchanged) == (0, 1)
        assert len(ix) == 4


def test_bad_files_are_skipped_with_reasons_and_the_rest_indexed(
    tmp_path: Path, folder: Path
) -> None:
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (folder / "menu.txt").write_text(
        "URI: \n       # taz.de -- Gesellschaft\n       \n"
        + "".join(f"   DIR Ueberschrift {n}: Ein Teaser\n       \n" for n in range(5))
    )
    cp1252 = fixture_article("Fixture: Grüße", "Herzliche Grüße aus Köln.").encode("cp1252")
    (folder / "cp1252.txt").write_bytes(cp1252)
    truncated = SEED.read_text(encoding="utf-8")[:2500]
    (folder / "truncated.txt").write_text(truncated, encoding="utf-8")
    with Index.open(tmp_path / "ix", create=True) as ix:
        report = ix.update([folder])
        reasons = {Path(s.path).name: s.reason for s in report.skipped}
        assert set(reasons) == {"empty.txt", "binary.bin", "menu.txt"}
        assert "empty" in reasons["empty.txt"]
        assert "binary" in reasons["binary.bin"]
        assert "menu" in reasons["menu.txt"]
        assert report.indexed == 5
        assert ix.get("cp1252").title == "Fixture: Grüße"
        assert ix.get("truncated").date is None
        assert _ids(ix, "Köln") == ["cp1252"]


def test_a_file_that_turns_bad_keeps_its_earlier_version(tmp_path: Path, folder: Path) -> None:
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder])
        (folder / "sub" / "a.txt").write_bytes(b"")
        report = ix.update([folder])
        assert [Path(s.path).name for s in report.skipped] == ["a.txt"]
        assert "earlier version stays" in report.skipped[0].reason
        assert _ids(ix, "Alpha") == ["a"]


def test_files_of_one_name_in_two_folders_get_ids_of_their_own_that_last(
    tmp_path: Path, folder: Path
) -> None:
    (folder / "again").mkdir()  # Walked before "sub": its a.txt takes the id "a".
    (folder / "again" / "a.txt").write_text(fixture_article("Fixture: Zweites A", "Ein Omega."))
    with Index.open(tmp_path / "ix", create=True) as ix:
        report = ix.update([folder])
        assert (report.indexed, report.skipped, len(ix)) == (4, [], 4)
        assert _ids(ix, "Omega") == ["a"]
        second = _ids(ix, "Alpha")
        assert len(second) == 1 and second[0].startswith("a-")
        assert ix.get(second[0]).title == "Fixture: Alpha"
        (folder / "again" / "a.txt").unlink()  # The first "a" goes; the second keeps its id.
        report = ix.update([folder])
        assert (report.removed, report.unchanged, len(ix)) == (1, 3, 3)
        assert _ids(ix, "Alpha") == second
        (folder / "sub" / "a.txt").write_text(fixture_article("Fixture: Neu", "Ein Alpha."))
        os.utime(folder / "sub" / "a.txt", ns=(7, 7))
        assert ix.update([folder]).updated == 1
        assert _ids(ix, "Alpha") == second
        with pytest.raises(ArticleNotFoundError):
            ix.get("a")


def test_get_by_id_and_by_path_rebuilds_the_article(tmp_path: Path, folder: Path) -> None:
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder])
        article = ix.get("seed")
        assert article == ix.get(str(folder / "seed.txt"))
        assert article.headline == "Nordkorea bringt den Ukraine-Krieg nach Asien"
        assert article.tags[-1] == "Japan"
        assert len(article.related) == 9
        assert any(b.heading for b in article.blocks)
        with pytest.raises(ArticleNotFoundError, match="no article"):
            ix.get("nope")


def test_missing_path_is_an_error_and_changes_nothing(tmp_path: Path, folder: Path) -> None:
    from tazsearch import TazsearchError

    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder])
        with pytest.raises(TazsearchError, match="no such file"):
            ix.update([folder / "missing"])
        assert len(ix) == 3


def test_parallel_indexing_gives_the_same_index(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tazsearch.store.segments.PARALLEL_MIN", 1)
    with Index.open(tmp_path / "ix", create=True) as ix:
        report = ix.update([folder])
        assert (report.indexed, len(ix)) == (3, 3)
        assert _ids(ix, "Alpha") == ["a"]
        assert _ids(ix, "Nordkorea Soldaten") == ["seed"]
        assert ix.get("b").title == "Fixture: Beta"


def test_an_index_of_another_version_asks_for_a_rebuild(tmp_path: Path, folder: Path) -> None:
    from whoosh import fields
    from whoosh import index as whoosh_index

    from tazsearch import IndexVersionError

    old = tmp_path / "old"
    old.mkdir()
    (old / "README").write_text("not part of the index")
    whoosh_index.create_in(old, fields.Schema(id=fields.ID(stored=True), body=fields.TEXT()))
    with pytest.raises(IndexVersionError, match="--rebuild"):
        Index.open(old)
    with Index.open(old, rebuild=True) as ix:
        assert len(ix) == 0
        ix.update([folder])
        assert len(ix) == 3
    assert (old / "README").read_text() == "not part of the index"


def test_one_open_index_sees_each_new_commit(tmp_path: Path, folder: Path) -> None:
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder])
        assert _ids(ix, "Gamma") == []
        (folder / "c.txt").write_text(fixture_article("Fixture: Gamma", "Ein Text über Gamma."))
        with Index.open(tmp_path / "ix") as writer:
            writer.update([folder])
        assert _ids(ix, "Gamma") == ["c"]
        assert _ids(ix, "Alpha") == ["a"]


def test_odd_file_names_and_symlink_loops(tmp_path: Path, folder: Path) -> None:
    odd = os.fsdecode(bytes(folder / "sub") + b"/caf\xe9.txt")
    Path(odd).write_text(fixture_article("Fixture: Kaffee", "Ein Text über Kaffee."))
    (folder / "loop").symlink_to(folder / "loop")
    with Index.open(tmp_path / "ix", create=True) as ix:
        report = ix.update([folder])
        assert report.indexed == 4
        assert [(Path(s.path).name, s.reason) for s in report.skipped] == [
            ("loop", "not an article file: a symbolic link (not followed)")
        ]
        hit = ix.search("Kaffee").hits[0]
        assert hit.path.endswith("/sub/caf\\xe9.txt") and hit.id == "caf\\xe9"
        assert ix.update([folder]).unchanged == 4


def test_a_failed_commit_is_one_clear_error_and_keeps_the_index(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from whoosh.index import TOC

    from tazsearch import TazsearchError

    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder])
        (folder / "c.txt").write_text(fixture_article("Fixture: Gamma", "Ein Text über Gamma."))

        def disk_full(*args: object, **kwargs: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(TOC, "write", disk_full)
        with pytest.raises(TazsearchError, match="No space left on device"):
            ix.update([folder])
        monkeypatch.undo()
        assert len(ix) == 3 and _ids(ix, "Gamma") == []
        assert ix.update([folder]).indexed == 1
