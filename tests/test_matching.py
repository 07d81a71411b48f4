"""Match sets and scores computed from posting blocks agree with Whoosh's own matchers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh import query as wq
from whoosh.formats import Positions
from whoosh_reference import matching_docs, scored_matches, whoosh_searcher

from tazsearch import Index
from tazsearch.matching import Evaluation
from tazsearch.queries import (
    AllOf,
    AnyOf,
    ButNot,
    Every,
    Expansion,
    Phrase,
    Query,
    Scored,
    Term,
)
from tazsearch.query import parse_query
from tazsearch.store.positions import decode_positions, encode_position_lists

from conftest import write_fixtures

QUERIES = [
    "Rot",
    "Bericht Rot",
    "Nummer7 OR Nummer8 Blau",
    "Bericht NOT Gelb",
    "Bericht -Gelb +Rot",
    "Bericht^3 Rot",
    "(Rot OR +Blau) Bericht",
    '"Lange Sätze"',
    '"Lange Unbekanntwort"',
    '"Blau Nummer7"',  # a word in one article: its posting is kept in its term info
    "Sätze",
    "Nummer1*",
    "Numer7~1 Blau",
    "*",
]


def whoosh_query(q: Query, ev: Evaluation) -> wq.Query:
    """The Whoosh query that means what ``q`` means, for the kinds Whoosh has."""
    if isinstance(q, Term):
        assert q.section is None
        return wq.Term(q.field, q.text, boost=q.boost)
    if isinstance(q, AllOf):
        return wq.And([whoosh_query(c, ev) for c in q.children], boost=q.boost)
    if isinstance(q, AnyOf):
        return wq.Or([whoosh_query(c, ev) for c in q.children], boost=q.boost)
    if isinstance(q, ButNot):
        return wq.AndNot(whoosh_query(q.positive, ev), whoosh_query(q.negative, ev))
    if isinstance(q, Scored):
        return wq.AndMaybe(whoosh_query(q.must, ev), whoosh_query(q.should, ev))
    if isinstance(q, Phrase):
        assert q.slop is None and q.section is None
        return wq.Phrase("content", list(q.terms), boost=q.boost)
    if isinstance(q, Expansion):
        # The best of its terms. Whoosh's DisjunctionMax scores a document by a
        # term it does not hold, so the fixture queries are such that no
        # document holds two of the terms, and then the best is the sum.
        terms = [wq.Term("content", t.text) for t in q.terms(ev)]
        held = [ev.docs(t) for t in q.terms(ev)]
        assert not np.any(np.sum(held, axis=0) > 1)
        return wq.Or(terms, boost=q.boost)
    assert isinstance(q, Every)
    return wq.Every()


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """Three segments, one with deletions."""
    folder = tmp_path_factory.mktemp("articles")
    index = Index.open(tmp_path_factory.mktemp("ix"), create=True)
    for count in (10, 20, 30):
        write_fixtures(folder, count)
        index.update([folder])
    for n in range(0, 30, 4):
        (folder / f"a{n:03d}.txt").unlink()
    index.update([folder])
    return index


def test_the_fixture_index_has_segments_and_deletions(ix: Index) -> None:
    with whoosh_searcher(ix.path) as searcher:
        assert len(searcher.leaf_searchers()) > 1
        assert searcher.reader().has_deletions()
    assert len(ix) == 22


@pytest.mark.parametrize("text", QUERIES)
def test_scores_and_matches_are_whooshs(ix: Index, text: str) -> None:
    with ix._reading() as snapshot, whoosh_searcher(ix.path) as searcher:
        ev = Evaluation(snapshot)
        tiers = parse_query(text).tiers
        assert tiers
        for tier in tiers:
            whoosh = whoosh_query(tier, ev)
            expected = {
                hit.docnum: hit.score
                for hit in searcher.search(whoosh, limit=None)
                if not searcher.reader().is_deleted(hit.docnum)
            }
            scores = scored_matches(snapshot, tier)
            assert set(scores) == set(expected) == matching_docs(snapshot, tier)
            for docnum, score in expected.items():
                assert scores[docnum] == pytest.approx(score, rel=1e-6)


def test_a_word_in_one_field_matches_where_whooshs_positions_say(ix: Index) -> None:
    with ix._reading() as snapshot, whoosh_searcher(ix.path) as searcher:
        reader = searcher.reader()
        tier = parse_query("title:Artikel body:Bericht").tiers[0]
        expected = set()
        for docnum in reader.all_doc_ids():
            stored = reader.stored_fields(docnum)
            if "Artikel" in stored["title"] and "Bericht" in stored["body"]:
                expected.add(docnum)
        assert matching_docs(snapshot, tier) == expected and expected


def test_the_exact_value_filters_match_their_values(ix: Index) -> None:
    with ix._reading() as snapshot, whoosh_searcher(ix.path) as searcher:
        reader = searcher.reader()
        expected = {d for d in reader.all_doc_ids() if reader.stored_fields(d)["tags"] == ["Gelb"]}
        assert matching_docs(snapshot, Term("gelb", "tag_key")) == expected and expected


def test_empty_index_matches_nothing(tmp_path: Path) -> None:
    with Index.open(tmp_path / "ix", create=True) as ix, ix._reading() as snapshot:
        assert scored_matches(snapshot, Term("rot")) == {}
        assert matching_docs(snapshot, Every()) == set()


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """Enough articles for several posting blocks per common word, in two segments."""
    folder = tmp_path_factory.mktemp("many")
    index = Index.open(tmp_path_factory.mktemp("ix-many"), create=True)
    for count in (250, 450):
        write_fixtures(folder, count)
        index.update([folder])
    return index


@pytest.mark.parametrize("word", ["bericht", "rot", "satz", "lang", "nummer7"])
@pytest.mark.parametrize("count", [1, 10, 100])
def test_top_of_one_word_is_the_true_top(many: Index, word: str, count: int) -> None:
    with many._reading() as snapshot:
        evaluation = Evaluation(snapshot)
        term = Term(word)
        docs = evaluation.docs(term)
        every = sorted(scored_matches(snapshot, term).items(), key=lambda i: (-i[1], i[0]))
        top = evaluation.top(term, docs, count)
        assert [d for d, _ in top] == [d for d, _ in every[:count]]
        assert [s for _, s in top] == pytest.approx([s for _, s in every[:count]])
        # Only the documents asked about can be hits.
        some = sorted(d for d, _ in every)[::3]
        found = evaluation.top(term, evaluation.mask_of(some), count)
        assert {d for d, _ in found} <= set(some)
        assert len(found) == min(count, len(some))


def test_positions_of_many_postings_decode_as_whoosh_decodes_each() -> None:
    lists = [[0], [3, 4, 200], [70_000], list(range(5, 5000, 2)), [2**22 * 7 + 5, 2**22 * 7 + 9]]
    values = [encode_position_lists(np.array(p), np.array([0]))[0] for p in lists]
    values.append(Positions().encode([1, 2, 3]))  # Whoosh's own encoder
    lists.append([1, 2, 3])
    assert [Positions().decode_positions(v) for v in values] == lists
    ends = np.cumsum([len(v) for v in values])
    starts = ends - [len(v) for v in values]
    every = decode_positions(b"".join(values), starts, ends)
    assert every[0].tolist() == [len(p) for p in lists]
    assert every[1].tolist() == [p for found in lists for p in found]
    # Some of them, in another order.
    counts, positions = decode_positions(b"".join(values), starts[[4, 1]], ends[[4, 1]])
    assert (counts.tolist(), positions.tolist()) == ([2, 3], [*lists[4], *lists[1]])
    # A value stored without its final STOP is read one value at a time.
    cut = values[1][:-1]
    counts, positions = decode_positions(cut, np.array([0]), np.array([len(cut)]))
    assert positions.tolist() == lists[1]
    empty = decode_positions(b"", np.array([], int), np.array([], int))
    assert [a.tolist() for a in empty] == [[], []]
