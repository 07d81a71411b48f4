"""Segments written by tazsearch's own writer: read back by Whoosh, in one process or two."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Positions
from whoosh.reading import SegmentReader

import tazsearch.schema
import tazsearch.updating
from tazsearch import Index
from tazsearch.analysis import Vocabulary
from tazsearch.parse import parse_bytes
from tazsearch.positions import encode_position_lists
from tazsearch.schema import build_schema, document_for
from tazsearch.store import open_generation
from tazsearch.writing import SegmentBuilder

from conftest import write_fixtures


@pytest.mark.parametrize("positions", [[5], [1, 2, 9], [4194304, 4194310, 8388608]])
def test_positions_are_encoded_as_whoosh_encodes_them(positions: list[int]) -> None:
    encoded, _ = encode_position_lists(np.array(positions), np.array([0]))
    assert encoded == Positions().encode(positions)
    assert Positions().decode_positions(encoded) == positions


def test_parallel_and_single_process_indexes_answer_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_fixtures(tmp_path / "articles", 60)
    answers = []
    for parallel_min in (10**9, 10):
        monkeypatch.setattr(tazsearch.updating, "PARALLEL_MIN", parallel_min)
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
    monkeypatch.setattr(tazsearch.updating, "MAX_SEGMENTS", 4)
    folder = tmp_path / "articles"
    with Index.open(tmp_path / "ix", create=True) as ix:
        expected = []
        for n in range(8):
            write_fixtures(folder, 3 * (n + 1))
            (folder / "a001.txt").unlink(missing_ok=n % 2 == 1)  # deleted, then back
            ix.update([folder])
            assert 1 <= len(open_generation(ix.path, build_schema()).segments) <= 4
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


def _scored(searcher: Any, text: str) -> list[tuple[dict, float]]:
    from tazsearch.matching import scored_matches
    from tazsearch.query import parse_query

    found = scored_matches(searcher, parse_query(text).matches)
    return [(searcher.stored_fields(docnum), score) for docnum, score in found.items()]


def test_many_position_lists_are_encoded_as_one_by_one() -> None:
    # Lists of one and of several positions, gaps of every int size pickle
    # uses, a repeated position, and lists longer than pickle's batches.
    lists = [
        [5],
        [1, 2, 9],
        [300, 300, 70_000, 4194304 * 5 + 3],
        list(range(0, 3 * 1001, 3)),
        [65_535, 65_536],
        list(range(2000)),
        [0],
    ]
    flat = np.array([p for positions in lists for p in positions])
    starts = np.cumsum([0] + [len(positions) for positions in lists[:-1]])
    data, sizes = encode_position_lists(flat, starts)
    expected = [Positions().encode(positions) for positions in lists]
    assert sizes.tolist() == [len(value) for value in expected]
    assert data == b"".join(expected)


def test_documents_added_in_batches_or_one_by_one_write_the_same_postings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_fixtures(tmp_path / "articles", 40)
    documents = [
        document_for(parse_bytes(path.read_bytes(), path.name), path=path.name)
        for path in sorted((tmp_path / "articles").iterdir())
    ]
    documents[3]["content"] = [(2.0, "Truppenentsendung"), (1.0, "Nato-Staaten " * 3)]
    documents[5]["content"] = None  # a document without the field
    written = []
    for name, batch, limit in (("single", 1, 10**6), ("batched", 16, 10**6), ("reset", 16, 3)):
        # A vocabulary this small starts again within every batch.
        monkeypatch.setattr(tazsearch.schema, "_vocabulary", Vocabulary(limit=limit))
        storage = FileStorage(str(tmp_path / name)).create()
        builder = SegmentBuilder(storage, build_schema())
        for first in range(0, len(documents), batch):
            builder.add_batch(documents[first : first + batch])
        (segment,) = builder.finish()
        reader = SegmentReader(storage, builder.schema, segment)
        written.append(
            [
                (field, text, list(_postings(reader.postings(field, text))))
                for field, text in reader.all_terms()
            ]
            + [reader.doc_field_length(n, "content") for n in range(40)]
        )
        reader.close()
    assert written[0] == written[1] == written[2]
    assert ("content", b"trupp", [(3, 0.6, Positions().encode([0]))]) in written[0]
    assert (
        "content",
        b"natostaat",
        [(3, 3.0, Positions().encode([4194304, 4194305, 4194306]))],
    ) in written[0]


def _postings(matcher: Any) -> Iterator[tuple[int, float, bytes]]:
    while matcher.is_active():
        yield matcher.id(), round(matcher.weight(), 6), matcher.value()
        matcher.next()
