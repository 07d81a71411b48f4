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


def test_small_segments_are_merged_by_later_updates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tazsearch.index, "MAX_SEGMENTS", 4)
    folder = tmp_path / "articles"
    with Index.open(tmp_path / "ix", create=True) as ix:
        expected = []
        for n in range(8):
            write_fixtures(folder, 3 * (n + 1))
            (folder / "a001.txt").unlink(missing_ok=n % 2 == 1)  # deleted, then back
            ix.update([folder])
            assert 1 <= len(ix._ix._segments()) <= 4
            with ix._reading() as searcher:
                scores = {f["id"]: round(s, 6) for f, s in _scored(searcher, "Bericht Gelb")}
            expected.append(scores)
        assert len(ix) == 23
        assert ix.search("Nummer23").total == 1 and ix.search("Nummer1").total == 0
        assert ix.search("Gelb").total == 8
        assert ix.search('"Lange Sätze"').total > 0
        assert ix.search("title:Artikel", limit=100).total == 23
    # The same articles indexed afresh score alike. Not exactly: until a
    # segment is merged, its deleted articles still count in the statistics.
    with Index.open(tmp_path / "fresh", create=True) as fresh:
        fresh.update([folder])
        with fresh._reading() as searcher:
            again = {f["id"]: s for f, s in _scored(searcher, "Bericht Gelb")}
    assert again.keys() == expected[-1].keys()
    assert again == pytest.approx(expected[-1], rel=0.01)


def _scored(searcher: object, text: str) -> list[tuple[dict, float]]:
    from tazsearch.query import parse_query

    tier = parse_query(searcher.schema, text)[-1]  # type: ignore[attr-defined]
    hits = searcher.search(tier, limit=None)  # type: ignore[attr-defined]
    return [(hit.fields(), hit.score) for hit in hits]


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
