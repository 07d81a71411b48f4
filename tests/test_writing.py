"""Segments written by tazsearch's own writer: read back by Whoosh, in one process or two."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from whoosh.formats import Positions

import tazsearch.index
from tazsearch import Index, TazsearchError
from tazsearch.schema import encode_positions

from conftest import write_fixtures


@pytest.mark.parametrize("positions", [[5], [1, 2, 9], [4194304, 4194310, 8388608]])
def test_positions_are_encoded_as_whoosh_encodes_them(positions: list[int]) -> None:
    assert encode_positions(positions) == Positions().encode(positions)
    assert Positions().decode_positions(encode_positions(positions)) == positions


def test_parallel_and_single_process_indexes_answer_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_fixtures(tmp_path / "articles", 60)
    answers = []
    for parallel_min in (10**9, 10):
        monkeypatch.setattr(tazsearch.index, "PARALLEL_MIN", parallel_min)
        with Index.open(tmp_path / f"ix-{parallel_min}", create=True) as ix:
            assert ix.update([tmp_path / "articles"]).indexed == 60
            results = [ix.search(q, limit=100) for q in ("Rot", "Nummer7", "tag:Blau", "Sätze")]
            answers.append([(r.total, sorted(h.id for h in r)) for r in results])
            assert len(ix) == 60
    assert answers[0] == answers[1]
    assert answers[0][0][0] == 20 and answers[0][1][0] == 1


def test_small_segments_are_merged_by_later_updates(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    with Index.open(tmp_path / "ix", create=True) as ix:
        for n in range(8):
            write_fixtures(folder, 3 * (n + 1))
            ix.update([folder])
        assert len(ix) == 24
        assert len(ix._ix._segments()) < 8
        assert ix.search("Nummer23").total == 1 and ix.search("Gelb").total == 8


@pytest.mark.parametrize("failing", [1, 2], ids=["opening the writer", "writing a segment"])
def test_a_full_disk_keeps_the_index_and_frees_its_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    """The writer opens the first postings file of an update, the new segment the second."""
    from whoosh.filedb.filestore import FileStorage

    folder = tmp_path / "articles"
    write_fixtures(folder, 5)
    with Index.open(tmp_path / "ix", create=True) as ix:
        ix.update([folder])
        write_fixtures(folder, 10)
        real_create = FileStorage.create_file
        opened = []

        def full(self: FileStorage, name: str, **kwargs: object) -> object:
            if name.endswith(".pst"):
                opened.append(name)
                if len(opened) == failing:
                    raise OSError(errno.ENOSPC, "No space left on device")
            return real_create(self, name, **kwargs)

        monkeypatch.setattr(FileStorage, "create_file", full)
        with pytest.raises(TazsearchError, match="No space left on device"):
            ix.update([folder])
        monkeypatch.undo()
        assert len(ix) == 5 and ix.search("Nummer7").total == 0
        assert ix.update([folder]).indexed == 5
        assert ix.search("Nummer7").total == 1
