"""Segments written by tazsearch's own writer: read back by Whoosh, in one process or two."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Positions
from whoosh.reading import SegmentReader

import tazsearch.store.segments
from tazsearch import Index
from tazsearch.analysis import Vocabulary
from tazsearch.parse import parse_bytes
from tazsearch.store import open_generation
from tazsearch.store.positions import encode_position_lists
from tazsearch.store.schema import build_schema, document_for
from tazsearch.store.writing import SegmentBuilder

from conftest import fixture_article, write_fixtures


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
        monkeypatch.setattr(tazsearch.store.segments, "PARALLEL_MIN", parallel_min)
        with Index.open(tmp_path / f"ix-{parallel_min}", create=True) as ix:
            assert ix.update([tmp_path / "articles"]).indexed == 60
            results = [ix.search(q, limit=100) for q in ("Rot", "Nummer7", "tag:Blau", "Sätze")]
            answers.append([(r.total, sorted(h.id for h in r)) for r in results])
            assert len(ix) == 60
    assert answers[0] == answers[1]
    assert answers[0][0][0] == 20 and answers[0][1][0] == 1


def _segments(ix: Index) -> list[Any]:
    found = open_generation(ix.path, build_schema())
    return list(found.segments) if found else []


def _article(n: int, version: int) -> str:
    return fixture_article(
        f"Fixture: Artikel Nummer{n}",
        f"Ein Bericht über Nummer{n}, Fassung{version}. " + "Lange Sätze füllen ihn. " * (n % 3),
        tags=(("Rot", "Gelb")[n % 2],),
    )


def test_segments_with_deleted_articles_are_merged_without_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every round adds articles, changes some (their old entries are deleted) and
    deletes others, so that the segments merged hold deleted articles."""
    monkeypatch.setattr(tazsearch.store.segments, "MAX_SEGMENTS", 3)
    folder = tmp_path / "articles"
    folder.mkdir()
    versions: dict[int, int] = {}
    merged_with_deletions = 0
    with Index.open(tmp_path / "ix", create=True) as ix:
        for round_ in range(8):
            for n in sorted(versions)[-1:]:  # deleted: the newest article
                del versions[n]
                (folder / f"a{n:03d}.txt").unlink()
            for n in sorted(versions)[round_ % 3 :][:2]:  # changed
                versions[n] += 1
            for n in range(round_ * 4, round_ * 4 + 4):  # new
                versions[n] = 0
            for n, version in versions.items():
                path = folder / f"a{n:03d}.txt"
                text = _article(n, version)
                if not path.exists() or path.read_text() != text:
                    path.write_text(text)
            before = _segments(ix)
            report = ix.update([folder])
            after = {s.segment_id() for s in _segments(ix)}
            gone = [s for s in before if s.segment_id() not in after]
            merged_with_deletions += any(s.has_deletions() for s in gone)
            assert len(ix) == len(versions)
            if round_:
                assert report.updated and report.removed
        assert merged_with_deletions >= 2
        for n, version in versions.items():
            assert [h.id for h in ix.search(f"Nummer{n} Fassung{version}", limit=50).hits[:1]] == [
                f"a{n:03d}"
            ]
            assert ix.search(f"Nummer{n}").total == 1
        assert ix.search("Fassung0").total == sum(1 for v in versions.values() if v == 0)
        with ix._reading() as snapshot:
            merged = {f["id"]: s for f, s in _scored(snapshot, "Bericht Gelb Sätze")}
    # The same articles indexed afresh score alike. Not exactly: until a
    # segment is merged, its deleted articles still count in the statistics.
    with Index.open(tmp_path / "fresh", create=True) as fresh:
        fresh.update([folder])
        with fresh._reading() as snapshot:
            again = {f["id"]: s for f, s in _scored(snapshot, "Bericht Gelb Sätze")}
    assert again.keys() == merged.keys()
    assert again == pytest.approx(merged, rel=0.05)


def _scored(snapshot: Any, text: str) -> list[tuple[dict, float]]:
    from whoosh_reference import scored_matches

    from tazsearch.query import parse_query

    found = scored_matches(snapshot, parse_query(text).matches)
    return [(snapshot.stored(docnum), score) for docnum, score in found.items()]


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
        document_for(
            parse_bytes(path.read_bytes(), path.name), path=path.name, mtime=0, size=0, digest=b""
        )
        for path in sorted((tmp_path / "articles").iterdir())
    ]
    content = ((2.0, "Truppenentsendung"), (1.0, "Nato-Staaten " * 3))
    documents[3] = dataclasses.replace(documents[3], content=content)
    documents[5] = dataclasses.replace(documents[5], content=())  # a document without text
    written = []
    for name, batch, limit in (("single", 1, 10**6), ("batched", 16, 10**6), ("reset", 16, 3)):
        storage = FileStorage(str(tmp_path / name)).create()
        builder = SegmentBuilder(storage, build_schema())
        # A vocabulary this small starts again within every batch.
        builder.vocabulary = Vocabulary(limit=limit)
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
