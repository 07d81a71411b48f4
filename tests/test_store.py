"""The index on disk: commits, rebuilds, locking, damage, full and read-only disks.

Each test names the case of the reliability issue it guards. Every article
written here is a synthetic test fixture, not taz content.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import tazsearch.sources
import tazsearch.store.commit
import tazsearch.store.generations
import tazsearch.store.records
import tazsearch.store.segments
import tazsearch.store.verified
import tazsearch.updating
from tazsearch import Index, IndexBusyError, TazsearchError
from tazsearch.errors import IndexDamagedError
from tazsearch.store import build_schema, open_generation

from conftest import first_line, fixture_article, refuse_folder, run_cli, write_fixtures


def _files(folder: Path) -> dict[str, int]:
    """Every file in the index folder with its size."""
    return {f.name: f.stat().st_size for f in folder.iterdir()}


@pytest.fixture
def indexed(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A folder of 30 fixture articles and its index."""
    folder = tmp_path / "articles"
    write_fixtures(folder, 30)
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder])
    yield folder, tmp_path / "ix"


class _Held:
    """An update in a thread, held at its first file until released."""

    def __init__(self, ix: Index, folder: Path, **options: object) -> None:
        self.holding = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None

        def progress(done: int, total: int) -> None:
            self.holding.set()
            self.release.wait(timeout=60)

        def run() -> None:
            try:
                ix.update([folder], progress, **options)  # type: ignore[arg-type]
            except BaseException as exc:  # Reported to the test.
                self.error = exc

        self.thread = threading.Thread(target=run)
        self.thread.start()
        assert self.holding.wait(timeout=60)

    def finish(self) -> None:
        self.release.set()
        self.thread.join(timeout=60)
        assert not self.thread.is_alive()


# Data loss


def test_a_rebuild_while_another_run_writes_is_refused_and_deletes_nothing(
    indexed: tuple[Path, Path],
) -> None:
    folder, index_dir = indexed
    write_fixtures(folder, 40)
    with Index.open(index_dir) as ix:
        held = _Held(ix, folder)
        before = _files(index_dir)
        result = run_cli("index", str(folder), "--index", str(index_dir), "--rebuild")
        assert result.returncode == 1
        assert result.stderr.startswith("error: another process is writing the index at")
        assert len(result.stderr.strip().splitlines()) == 1
        with Index.open(index_dir, rebuild=True) as other, pytest.raises(IndexBusyError):
            other.update([folder])
        assert set(before) <= set(_files(index_dir))  # Nothing of the index was deleted.
        held.finish()
        assert held.error is None
        assert len(ix) == 40


def test_readers_see_the_old_index_until_a_rebuild_commits(indexed: tuple[Path, Path]) -> None:
    folder, index_dir = indexed
    other = folder.parent / "other"
    write_fixtures(other, 5)
    with Index.open(index_dir) as reader, Index.open(index_dir, rebuild=True) as writer:
        generation = reader.generation
        held = _Held(writer, other)
        assert len(reader) == 30 and reader.search("Bericht").total == 30
        assert reader.generation == generation
        held.finish()
        assert held.error is None
        assert reader.generation == generation + 1
        assert len(reader) == 5 and reader.search("Bericht").total == 5


def test_the_service_answers_every_request_during_a_rebuild(indexed: tuple[Path, Path]) -> None:
    from fastapi.testclient import TestClient

    from tazsearch.serve import create_app

    folder, index_dir = indexed
    client = TestClient(create_app(index_dir))
    before = client.get("/health").json()["generation"]
    with Index.open(index_dir, rebuild=True) as writer:
        held = _Held(writer, folder)
        for _ in range(5):
            assert client.get("/api/search", params={"q": "Bericht"}).json()["total"] == 30
            assert client.get("/health").json()["generation"] == before
        held.finish()
    for _ in range(3):
        assert client.get("/api/search", params={"q": "Bericht"}).json()["total"] == 30
        assert client.get("/api/articles/a007").status_code == 200
        assert client.get("/health").json()["generation"] == before + 1


def test_tazsearch_deletes_only_files_it_wrote(indexed: tuple[Path, Path]) -> None:
    folder, index_dir = indexed
    mine = ["MAIN_notes.txt", "_MAIN_notes", "MAIN_x.trm", "_MAIN_1.toc.bak", "notes.txt"]
    for name in mine:
        (index_dir / name).write_text("the user's own file")
    with Index.open(index_dir, rebuild=True) as ix:
        ix.update([folder])
    write_fixtures(folder, 35)
    with Index.open(index_dir) as ix:
        ix.update([folder])
        assert len(ix) == 35
    for name in mine:
        assert (index_dir / name).read_text() == "the user's own file"


def test_an_unreadable_folder_keeps_its_articles(
    indexed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, index_dir = indexed
    sub = folder / "sub"
    sub.mkdir()
    write_fixtures(sub, 3)
    with Index.open(index_dir) as ix:
        assert ix.update([folder]).indexed == 3
        refuse_folder(monkeypatch, sub)
        report = ix.update([folder])
        assert (report.removed, len(ix)) == (0, 33)
        assert [(s.path, s.reason) for s in report.skipped] == [
            (str(sub), "cannot read the folder: Permission denied (its indexed articles stay)")
        ]


@pytest.mark.parametrize("how", ["halved", "emptied", "deleted"])
def test_opening_names_a_cut_or_missing_file_before_any_search(
    indexed: tuple[Path, Path], how: str
) -> None:
    _, index_dir = indexed
    target = next(index_dir.glob("MAIN_*.pst"))
    _damage(target, how)
    problem = "is missing" if how == "deleted" else r"is [\d,]+ bytes, [\d,]+ were written"
    with pytest.raises(IndexDamagedError, match=rf"{target.name} {problem}"):
        Index.open(index_dir)


def test_a_deleted_column_is_damage_not_a_reason_to_index_again(
    indexed: tuple[Path, Path],
) -> None:
    folder, index_dir = indexed
    column = next(index_dir.glob("MAIN_*.path.col"))
    column.unlink()
    with pytest.raises(IndexDamagedError, match=rf"{column.name} is missing.*--rebuild"):
        Index.open(index_dir)
    with pytest.raises(IndexDamagedError):
        Index.open(index_dir, create=True)
    result = run_cli("index", str(folder), "--index", str(index_dir))
    assert result.returncode == 1 and "is damaged" in result.stderr
    with Index.open(index_dir, rebuild=True) as ix:
        assert ix.update([folder]).indexed == 30
        assert len(ix) == 30 and ix.search("Bericht").total == 30


# Damage


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "deleted":
        path.unlink()
    elif how == "emptied":
        path.write_bytes(b"")
    elif how == "halved":
        path.write_bytes(data[: len(data) // 2])
    else:  # garbage of the same size
        path.write_bytes(bytes((b + 101) % 256 for b in data))


@pytest.mark.parametrize("how", ["deleted", "emptied", "halved", "garbage"])
@pytest.mark.parametrize(
    "pattern", ["_MAIN_*.toc", "_MAIN_*.sums", "MAIN_*.trm", "MAIN_*.pst", "MAIN_*._stored.col"]
)
def test_a_damaged_file_is_named_and_never_gives_a_partial_answer(
    indexed: tuple[Path, Path], pattern: str, how: str
) -> None:
    _, index_dir = indexed
    target = next(index_dir.glob(pattern))
    _damage(target, how)
    try:
        with Index.open(index_dir) as ix:
            answers = [ix.search(q, limit=50).total for q in ("Bericht", "Rot", "Nummer7")]
            answers.append(len(ix.get("a007").title))
    except TazsearchError as exc:
        message = str(exc)
        assert "\n" not in message and "--rebuild" in message
        assert target.name in message or "no record of its files" in message
    else:  # The damage did not touch what these reads need: then they are right.
        assert answers == [30, 10, 1, len("Fixture: Artikel Blau Nummer7")]
    if pattern != "_MAIN_*.sums":  # Without its record, nothing is left to check against.
        report = Index(index_dir).check()
        assert not report.ok and any(target.name in p for p in report.problems)


def test_check_passes_a_sound_index_and_names_the_articles_of_a_damaged_file(
    indexed: tuple[Path, Path],
) -> None:
    _, index_dir = indexed
    report = Index(index_dir).check()
    assert report.ok and report.articles == 30 and report.files > 10
    _damage(next(index_dir.glob("MAIN_*.trm")), "garbage")
    report = Index(index_dir).check()
    assert not report.ok and report.affected_count == 30
    assert sorted(report.affected)[:2] == ["a000", "a001"]
    result = run_cli("check", "--index", str(index_dir))
    assert result.returncode == 1 and ".trm" in result.stdout + result.stderr


# Only regular files are read


def _index_in_thread(ix: Index, roots: list[Path], **options: object) -> object:
    """The update's report, failing the test if it does not finish in time."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(ix.update(roots, **options))  # type: ignore[arg-type]
        except BaseException as exc:  # Raised again in the test's thread.
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the update hangs"
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def test_fifos_devices_and_links_are_skipped_with_reasons_and_never_opened(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "articles"
    write_fixtures(folder, 2)
    outside = tmp_path / "outside"
    write_fixtures(outside, 1)
    os.mkfifo(folder / "fifo.txt")
    (folder / "to-fifo.txt").symlink_to(folder / "fifo.txt")
    (folder / "elsewhere.txt").symlink_to(outside / "a000.txt")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "folder-link").symlink_to(outside)
    expected = {
        "fifo.txt": "not an article file: a FIFO",
        "to-fifo.txt": "not an article file: a symbolic link (not followed)",
        "elsewhere.txt": "not an article file: a symbolic link (not followed)",
        "passwd.txt": "not an article file: a symbolic link (not followed)",
        "folder-link": "a symbolic link to a folder, not followed (its indexed articles stay)",
    }
    try:
        os.mknod(folder / "zero.txt", 0o644 | 0o020000, os.makedev(1, 5))  # /dev/zero
        expected["zero.txt"] = "not an article file: a character device"
    except PermissionError:
        pass
    with Index.open(tmp_path / "ix", create=True) as ix:
        report = _index_in_thread(ix, [folder])
        assert report.indexed == 2  # type: ignore[attr-defined]
        reasons = {Path(s.path).name: s.reason for s in report.skipped}  # type: ignore[attr-defined]
        assert reasons == expected
        assert len(ix) == 2


def test_a_device_named_on_the_command_line_is_skipped(tmp_path: Path) -> None:
    result = run_cli("index", "/dev/zero", "--index", str(tmp_path / "ix"))
    assert result.returncode == 0
    assert "skipped /dev/zero: not an article file: a character device" in result.stderr


def test_a_huge_sparse_file_is_skipped_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_fixtures(folder, 1)
    with open(folder / "huge.txt", "wb") as f:
        f.truncate(64 * 2**30)  # 64 GB of nothing, taking no room
    with Index.open(tmp_path / "ix", create=True) as ix:
        report = _index_in_thread(ix, [folder])
        assert report.indexed == 1  # type: ignore[attr-defined]
        [skipped] = report.skipped  # type: ignore[attr-defined]
        assert skipped.reason == "larger than 10.0 MB (64.0 GB); --max-size raises the limit"


def test_a_file_over_the_size_limit_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "articles"
    write_fixtures(folder, 3)
    big = max(folder.iterdir(), key=lambda f: f.stat().st_size)
    with Index.open(tmp_path / "ix", create=True) as ix:
        report = ix.update([folder], max_size=big.stat().st_size - 1)
        assert report.indexed == 2 and [s.path for s in report.skipped] == [str(big)]
        reason = report.skipped[0].reason
        assert reason.startswith("larger than ") and "--max-size" in reason
    result = run_cli("index", str(folder), "--index", str(tmp_path / "ix2"), "--max-size", "100")
    assert result.returncode == 0 and "0 indexed" in result.stdout
    bad = run_cli("index", str(folder), "--index", str(tmp_path / "ix2"), "--max-size", "lots")
    assert bad.returncode == 1 and "cannot read the size 'lots'" in bad.stderr


# Disk errors


@pytest.mark.parametrize(
    "failing",
    [".trm", ".pst", "_stored.col", ".toc", ".sums"],
)
def test_a_full_disk_is_one_line_keeps_the_commit_and_leaves_nothing(
    indexed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    from whoosh.filedb.filestore import FileStorage

    folder, index_dir = indexed
    write_fixtures(folder, 40)
    before = _files(index_dir)
    real_create, real_replace = FileStorage.create_file, os.replace

    def full(self: FileStorage, name: str, **kwargs: object) -> object:
        if failing in name:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_create(self, name, **kwargs)

    def full_replace(source: object, target: object) -> None:
        if str(target).endswith(failing):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(FileStorage, "create_file", full)
    monkeypatch.setattr(tazsearch.store.records.os, "replace", full_replace)
    with Index.open(index_dir) as ix:
        with pytest.raises(TazsearchError) as raised:
            ix.update([folder])
        message = f"cannot write the index at {index_dir}: No space left on device"
        assert str(raised.value) == message
        assert _files(index_dir) == before
        monkeypatch.undo()
        assert len(ix) == 30
        assert ix.update([folder]).indexed == 10  # The lock was given back.
        assert len(ix) == 40


def _mount_tmpfs(folder: Path, size: str) -> bool:
    """A small tmpfs at ``folder``, where the tests may mount one (as root)."""
    folder.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
    )
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "400k"):
        pytest.skip("needs root and mount for a real full disk")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_real_full_disk_with_worker_processes_fails_at_once_and_cleans_up(
    tmp_path: Path, small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "articles"
    write_fixtures(folder, 3)
    with Index.open(small_disk / "ix", create=True) as ix:
        ix.update([folder])
        before = _files(small_disk / "ix")
        write_fixtures(folder, 700)
        monkeypatch.setattr(tazsearch.store.segments, "PARALLEL_MIN", 10)
        with pytest.raises(TazsearchError, match="No space left on device"):
            _index_in_thread(ix, [folder])
        assert _files(small_disk / "ix") == before
        assert len(ix) == 3
        assert ix.update([folder / "a001.txt"]).unchanged == 1  # The lock was given back.


def test_a_read_only_index_folder_runs_what_changes_nothing(
    indexed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from whoosh.filedb.filestore import FileStorage

    folder, index_dir = indexed
    before = _files(index_dir)

    def read_only(*args: object, **kwargs: object) -> bool:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tazsearch.store.commit.WriteLock, "acquire", read_only)
    monkeypatch.setattr(FileStorage, "create_file", read_only)
    with Index.open(index_dir) as ix:
        report = ix.update([folder])
        assert (report.unchanged, report.indexed) == (30, 0)
        (folder / "new.txt").write_text((folder / "a001.txt").read_text().replace("Nummer1", "X"))
        with pytest.raises(TazsearchError) as raised:
            ix.update([folder])
        assert str(raised.value).startswith(f"cannot write the index at {index_dir}:")
        assert len(ix) == 30
    assert _files(index_dir) == before


def test_a_real_read_only_disk(tmp_path: Path, small_disk: Path) -> None:
    folder = tmp_path / "articles"
    write_fixtures(folder, 3)
    with Index.open(small_disk / "ix", create=True) as ix:
        ix.update([folder])
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    unchanged = run_cli("index", str(folder), "--index", str(small_disk / "ix"))
    assert unchanged.returncode == 0 and "3 unchanged" in unchanged.stdout
    assert run_cli("query", "Bericht", "--index", str(small_disk / "ix")).returncode == 0
    write_fixtures(folder, 4)
    changed = run_cli("index", str(folder), "--index", str(small_disk / "ix"))
    assert changed.returncode == 1
    assert changed.stderr == (
        f"error: cannot write the index at {small_disk / 'ix'}: Read-only file system\n"
    )


def test_a_vanished_index_folder_is_one_line(
    indexed: tuple[Path, Path],
) -> None:
    folder, index_dir = indexed
    write_fixtures(folder, 35)

    def vanish(done: int, total: int) -> None:
        if index_dir.exists():
            shutil.rmtree(index_dir)

    with Index.open(index_dir) as ix, pytest.raises(TazsearchError, match="cannot write the index"):
        ix.update([folder], vanish)


def test_a_run_that_changes_nothing_writes_nothing(indexed: tuple[Path, Path]) -> None:
    folder, index_dir = indexed
    before = {f.name: f.stat().st_mtime_ns for f in index_dir.iterdir()}
    with Index.open(index_dir) as ix:
        for _ in range(5):
            assert ix.update([folder]).unchanged == 30
    assert {f.name: f.stat().st_mtime_ns for f in index_dir.iterdir()} == before


def test_files_of_a_killed_run_are_removed_by_the_next(indexed: tuple[Path, Path]) -> None:
    folder, index_dir = indexed
    committed = set(_files(index_dir))
    leftovers = ["MAIN_abcdefghij012345.trm", "MAIN_abcdefghij012345.path.col", "_MAIN_9.toc"]
    for name in leftovers:
        (index_dir / name).write_bytes(b"half written")
    (folder / "a001.txt").unlink()
    with Index.open(index_dir) as ix:
        assert ix.update([folder]).removed == 1
    names = set(_files(index_dir))
    assert not names & set(leftovers)
    assert len(names) == len(committed)


def test_a_disk_filled_by_a_killed_run_is_freed_by_the_next(
    tmp_path: Path, small_disk: Path
) -> None:
    folder = tmp_path / "articles"
    write_fixtures(folder, 3)
    with Index.open(small_disk / "ix", create=True) as ix:
        ix.update([folder])
        free = shutil.disk_usage(small_disk).free
        (small_disk / "ix" / "MAIN_killedrun0123456.pst").write_bytes(b"\0" * (free - 4096))
        write_fixtures(folder, 10)
        assert ix.update([folder]).indexed == 7
        assert not (small_disk / "ix" / "MAIN_killedrun0123456.pst").exists()


def _child_processes() -> list[int]:
    """The process ids of this process's Python children (Linux): the builder's
    workers, not a browser another test keeps running."""
    found = []
    for task in Path("/proc/self/task").iterdir():
        found += [int(pid) for pid in (task / "children").read_text().split()]
    python = os.path.basename(sys.executable).encode()
    return [
        pid
        for pid in found
        if os.path.basename(Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]) == python
    ]


def test_a_dead_worker_fails_the_run_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    folder = tmp_path / "articles"
    write_fixtures(folder, 300)
    monkeypatch.setattr(tazsearch.store.segments, "PARALLEL_MIN", 10)

    def kill_a_worker(done: int, total: int) -> None:
        if done == 100:
            os.kill(_child_processes()[0], signal.SIGKILL)

    with Index.open(tmp_path / "ix", create=True) as ix:
        with pytest.raises(TazsearchError, match="stopped unexpectedly"):
            ix.update([folder], kill_a_worker)
        assert len(ix) == 0
    assert not (tmp_path / "ix").exists()  # The run made it, and took it away again.
    assert open_generation(tmp_path / "ix", build_schema()) is None


# What the hostile probe of the fixes found


def test_names_kept_alike_are_both_told_of(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_fixtures(folder, 1)
    text = (folder / "a000.txt").read_bytes()
    (folder / "caf\\xe9.txt").write_bytes(text)  # a name spelling out the escape
    Path(os.fsdecode(bytes(folder) + b"/caf\xe9.txt")).write_bytes(text)
    with Index.open(tmp_path / "ix", create=True) as ix:
        report = ix.update([folder])
        assert report.indexed == 2
        [skipped] = report.skipped
        assert skipped.path.endswith("caf\\xe9.txt") and "rename one of them" in skipped.reason


def test_a_folder_1200_deep_is_walked(tmp_path: Path) -> None:
    deep = tmp_path / "articles"
    deep.mkdir()
    article = fixture_article("Fixture: Tief unten", "Ein Bericht aus der Tiefe.").encode()
    # Made and removed a folder at a time: pathlib and shutil recurse per level.
    fds = [os.open(deep, os.O_RDONLY)]
    for _ in range(1200):
        os.mkdir("d", dir_fd=fds[-1])
        fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
    with open(os.open("a.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fds[-1]), "wb") as f:
        f.write(article)
    try:
        with Index.open(tmp_path / "ix", create=True) as ix:
            assert ix.update([deep]).indexed == 1
            assert ix.search("Tiefe").total == 1
    finally:
        os.unlink("a.txt", dir_fd=fds[-1])
        for parent, child in zip(reversed(fds[:-1]), reversed(fds[1:]), strict=True):
            os.close(child)
            os.rmdir("d", dir_fd=parent)
        os.close(fds[0])


def test_a_folder_replaced_by_a_link_keeps_its_articles(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    write_fixtures(folder / "2020", 3)
    write_fixtures(folder / "2021", 2)
    with Index.open(tmp_path / "ix", create=True) as ix:
        assert ix.update([folder]).indexed == 5
        shutil.move(folder / "2020", tmp_path / "elsewhere")
        (folder / "2020").symlink_to(tmp_path / "elsewhere")
        report = ix.update([folder])
        assert (report.removed, len(ix)) == (0, 5)
        assert "its indexed articles stay" in report.skipped[0].reason


def test_a_damaged_column_is_named_when_an_update_reads_it(
    indexed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, index_dir = indexed
    write_fixtures(folder, 31)
    with Index.open(index_dir) as ix:
        target = next(index_dir.glob("MAIN_*.path.col"))
        _damage(target, "garbage")
        with pytest.raises(IndexDamagedError, match=target.name):
            ix.update([folder])
        # Even where the check at open passes it over (its stamp was kept as checked),
        # the update's reading of the column names the damage.
        monkeypatch.setattr(tazsearch.store.generations, "changed_files", lambda *a: [])
        with pytest.raises(IndexDamagedError, match=target.name):
            ix.update([folder])
        monkeypatch.undo()
    result = run_cli("index", str(folder), "--index", str(index_dir))
    assert result.returncode == 1 and target.name in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("pattern", ["MAIN_*._content_len.col", "MAIN_*.lex", "MAIN_*.id.col"])
def test_a_file_changed_in_place_is_named_at_open(indexed: tuple[Path, Path], pattern: str) -> None:
    _, index_dir = indexed
    target = next(index_dir.glob(pattern))
    _damage(target, "garbage")
    with pytest.raises(IndexDamagedError, match=rf"{target.name} changed since it was written"):
        Index.open(index_dir)


def test_files_are_read_whole_once_after_they_change(
    indexed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, index_dir = indexed
    read: list[str] = []
    real = tazsearch.store.verified.file_sum
    monkeypatch.setattr(
        tazsearch.store.verified, "file_sum", lambda p: read.append(p.name) or real(p)
    )
    Index.open(index_dir).close()
    assert read == []  # The commit noted the files it wrote as checked.
    target = next(index_dir.glob("MAIN_*.trm"))
    os.utime(target, ns=(1, 1))
    Index.open(index_dir).close()
    assert read == [target.name]
    Index.open(index_dir).close()
    assert read == [target.name]


def test_an_index_that_vanishes_is_an_error_not_an_empty_index(
    indexed: tuple[Path, Path],
) -> None:
    from fastapi.testclient import TestClient

    from tazsearch.errors import IndexNotFoundError
    from tazsearch.serve import create_app

    _, index_dir = indexed
    client = TestClient(create_app(index_dir))
    with Index.open(index_dir) as ix:
        assert len(ix) == 30
        shutil.move(index_dir, index_dir.with_name("moved"))
        with pytest.raises(IndexNotFoundError, match="is gone"):
            ix.search("Bericht")
    assert client.get("/api/search", params={"q": "Bericht"}).status_code == 503
    assert client.get("/health").status_code == 503


@pytest.mark.parametrize(("signal_name", "code"), [("SIGTERM", 143), ("SIGINT", 130)])
def test_a_signal_stops_a_run_with_workers_and_leaves_nothing(
    indexed: tuple[Path, Path], signal_name: str, code: int
) -> None:
    import signal
    import sys

    from conftest import ROOT

    folder, index_dir = indexed
    write_fixtures(folder, 700)
    before = _files(index_dir)
    command = ["index", str(folder), "--index", str(index_dir)]
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "holding_cli.py"), *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert first_line(process) == "holding\n"
    process.send_signal(getattr(signal, signal_name))
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code
    assert "Traceback" not in stderr and "leaked" not in stderr
    assert _files(index_dir) == before
    with Index.open(index_dir) as ix:
        assert len(ix) == 30 and ix.update([folder]).indexed == 670


def test_check_says_so_when_the_ids_of_damaged_articles_cannot_be_read(
    indexed: tuple[Path, Path],
) -> None:
    _, index_dir = indexed
    _damage(next(index_dir.glob("MAIN_*._stored.col")), "garbage")
    result = run_cli("check", "--index", str(index_dir))
    assert result.returncode == 1
    assert "Articles affected: 30 (their ids cannot be read)" in result.stdout


def test_field_lengths_read_whole_are_whoosh_s_own(tmp_path: Path) -> None:
    """The lengths column is read as one array; Whoosh reads it a document at a
    time. Articles with no text at the end of a segment have no byte in its
    file at all, and length 0."""
    from tazsearch import Article, Block

    articles = [
        Article(id=f"a{n}", title="Fixture " * n, blocks=(Block("Wort " * (7 * n)),))
        for n in range(1, 40)
    ] + [Article(id="leer1", title=""), Article(id="leer2", title="")]
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.add(articles[:20])
        ix.add(articles[20:])
        with ix._reading() as snapshot:
            lengths = snapshot.lengths("content")
            expected = [
                reader.doc_field_length(docnum, "content") or 0
                for reader, _ in snapshot._leaves
                for docnum in range(reader.doc_count_all())
            ]
    assert len(expected) == len(articles)
    assert lengths.tolist() == expected
    assert expected[-2:] == [0, 0] and min(expected[:-2]) > 0
