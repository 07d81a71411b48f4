"""The library as other programs embed it: articles from memory, removals, lazy
iteration over every match, and the public names. Articles here are synthetic
fixtures, not taz content."""

from __future__ import annotations

import datetime as dt
import inspect
import threading
from pathlib import Path

import pytest

import tazsearch
import tazsearch.decoding
import tazsearch.errors
import tazsearch.matches
from tazsearch import (
    Article,
    ArticleNotFoundError,
    Block,
    Index,
    IndexBusyError,
    TazsearchError,
    parse_text,
)

from conftest import fixture_article, write_fixtures


def _article(n: int, **fields: object) -> Article:
    values: dict[str, object] = {
        "id": f"mem{n}",
        "title": f"Fixture: Gedächtnis Nummer{n}",
        "blocks": (Block(f"Ein Bericht aus dem Speicher über Nummer{n}."),),
        "date": dt.date(2024, 1, 1) + dt.timedelta(days=n),
        "tags": ("Speicher",),
    }
    return Article(**{**values, **fields})  # type: ignore[arg-type]


@pytest.fixture
def ix(tmp_path: Path) -> Index:
    return Index.open(tmp_path / "ix", create=True)


def test_articles_from_memory_are_searched_like_files(ix: Index, tmp_path: Path) -> None:
    write_fixtures(tmp_path / "files", 5)
    ix.update([tmp_path / "files"])
    report = ix.add(_article(n) for n in range(3))
    assert (report.indexed, report.updated, report.removed) == (3, 0, 0)
    assert len(ix) == 8
    found = ix.search("Speicher AND Nummer1")
    assert [hit.id for hit in found] == ["mem1"]
    assert ix.get("mem2").blocks[0].text == "Ein Bericht aus dem Speicher über Nummer2."
    assert ix.search("tag:Speicher").total == 3
    # A later update of the files leaves the articles from memory alone, even one
    # whose path lies under the folder updated.
    ix.add([_article(9, path=str(tmp_path / "files" / "not-a-file.txt"))])
    assert ix.update([tmp_path / "files"]).removed == 0
    assert len(ix) == 9


def test_hits_and_articles_name_their_file_under_the_folder_indexed(
    ix: Index, tmp_path: Path
) -> None:
    """``source`` is what may be shown to others: never the absolute path."""
    archive = tmp_path / "archive"
    for year in ("2020", "2021"):
        (archive / year).mkdir(parents=True)
        text = fixture_article(f"Fixture: Quelle {year}", f"Ein Bericht über Quellen{year}.")
        (archive / year / "artikel.txt").write_text(text, encoding="utf-8")
    single = tmp_path / "einzeln.txt"
    single.write_text(fixture_article("Fixture: Einzeln", "Ein Bericht über Quellen."))
    ix.update([archive, single])
    ix.add([_article(1, path=str(tmp_path / "memory.txt"))])
    found = {hit.source: hit for hit in ix.search("", limit=10)}
    assert set(found) == {"2020/artikel.txt", "2021/artikel.txt", "einzeln.txt", ""}
    hit = found["2021/artikel.txt"]
    assert hit.path == str(archive / "2021" / "artikel.txt")
    assert ix.get(hit.id).source == hit.source == hit.to_dict()["source"]
    assert ix.get("mem1").source == "" and ix.get("mem1").path == str(tmp_path / "memory.txt")
    # A rebuild finds the same names, and carries the article from memory over.
    ix.update([archive, single], rebuild=True)
    assert {hit.source for hit in ix.search("", limit=10)} == set(found)


def test_an_article_replaces_the_one_with_its_id_in_one_commit(ix: Index) -> None:
    ix.add([_article(1), _article(2)])
    before = ix.generation
    report = ix.add([_article(1, title="Fixture: Neu geschrieben")])
    assert (report.indexed, report.updated) == (0, 1)
    assert ix.generation == before + 1
    assert ix.get("mem1").title == "Fixture: Neu geschrieben"
    assert len(ix) == 2


def test_parse_text_gives_articles_to_add(ix: Index) -> None:
    text = fixture_article("Fixture: Aus dem Text", "Ein Absatz über Wolken.", tags=("Wetter",))
    article = parse_text(text)
    ix.add([article])
    [hit] = ix.search("Wolken").hits
    assert hit.title == "Fixture: Aus dem Text" and hit.tags == ["Wetter"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"tags": "Politik"}, "its tags must be a tuple of strings"),
        ({"id": ""}, "its id must be a non-empty string"),
        ({"id": "a/b"}, "its id 'a/b' cannot hold '/' or be '.' or '..'"),
        ({"id": ".."}, "its id '..' cannot hold '/' or be '.' or '..'"),
        ({"date": "2024-01-01"}, "its date must be a datetime.date or None"),
        ({"blocks": ("Text",)}, "its blocks must be a tuple of Block"),
        ({"title": "Fixture: \udcff"}, "its text holds characters that are not Unicode"),
    ],
)
def test_an_unfit_article_commits_nothing(ix: Index, bad: dict[str, object], message: str) -> None:
    ix.add([_article(1)])
    before = ix.generation
    with pytest.raises(TazsearchError, match=f"cannot add article 2: {message}"):
        ix.add([_article(2), _article(3, **bad), _article(4)])
    assert ix.generation == before
    assert [a.id for a in ix.iter_articles()] == ["mem1"]


def test_ids_and_paths_given_twice_are_errors(ix: Index) -> None:
    with pytest.raises(TazsearchError, match="its id 'mem1' came before"):
        ix.add([_article(1), _article(1)])
    with pytest.raises(TazsearchError, match=r"its path '/x/a\.txt' came before"):
        ix.add([_article(1, path="/x/a.txt"), _article(2, path="/x/a.txt")])
    ix.add([_article(1, path="/x/a.txt")])
    with pytest.raises(TazsearchError, match="is indexed already, as article 'mem1'"):
        ix.add([_article(2, path="/x/a.txt")])
    assert len(ix) == 1


def test_a_file_keeps_its_name_as_id_apart_from_an_article_from_memory(
    ix: Index, tmp_path: Path
) -> None:
    ix.add([_article(1, id="a000")])
    write_fixtures(tmp_path / "files", 1)
    ix.update([tmp_path / "files"])
    ids = sorted(a.id for a in ix.iter_articles())
    assert len(ids) == 2 and ids[0] == "a000" and ids[1].startswith("a000-")
    assert ix.get("a000").title.startswith("Fixture: Gedächtnis")


def test_remove_by_id_and_path(ix: Index, tmp_path: Path) -> None:
    write_fixtures(tmp_path / "files", 3)
    ix.update([tmp_path / "files"])
    ix.add([_article(1)])
    report = ix.remove(["mem1"], paths=[str(tmp_path / "files" / "a001.txt")])
    assert report.removed == 2
    assert sorted(a.id for a in ix.iter_articles()) == ["a000", "a002"]


def test_removing_what_is_not_there_removes_nothing_unless_missing_ok(ix: Index) -> None:
    ix.add([_article(1), _article(2)])
    before = ix.generation
    with pytest.raises(ArticleNotFoundError, match="nothing was removed: no article with id 'x'"):
        ix.remove(["mem1", "x"])
    assert ix.generation == before and len(ix) == 2
    assert ix.remove(["mem1", "x"], missing_ok=True).removed == 1
    assert len(ix) == 1
    with pytest.raises(TazsearchError, match="ids must be strings"):
        ix.remove([1])  # type: ignore[list-item]


def test_a_rebuild_keeps_the_articles_from_memory(ix: Index, tmp_path: Path) -> None:
    write_fixtures(tmp_path / "files", 2)
    ix.update([tmp_path / "files"])
    ix.add([_article(1), _article(2, path="/nowhere/given-in-code.txt")])
    report = ix.update([tmp_path / "files"], rebuild=True)
    assert report.indexed == 4
    assert sorted(a.id for a in ix.iter_articles()) == ["a000", "a001", "mem1", "mem2"]
    assert ix.search("Speicher").total == 2
    assert ix.get("mem2").path == "/nowhere/given-in-code.txt"


def test_threads_adding_at_once_to_a_new_index_get_one_writer(ix: Index) -> None:
    """Threads that start writing a new index at the same moment: one writes, the
    others are told the index is busy; none fails otherwise, or loses its folder."""
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def add(first: int) -> None:
        start.wait(timeout=30)
        try:
            ix.add(_article(n) for n in range(first, first + 20))
        except BaseException as exc:  # Collected for the assertions below.
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(n * 100,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert all(isinstance(e, IndexBusyError) for e in errors), errors
    assert len(ix) == 20 * (4 - len(errors)) and len(ix) >= 20


def test_iterating_every_match_reads_a_page_at_a_time(
    ix: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    ix.add(_article(n) for n in range(250))
    stream = ix.iter_articles("Speicher", sort="newest", page_size=100)
    assert len(stream) == 250
    reads: list[int] = []
    real = tazsearch.matches.ArticleStream._page

    def counting(self: object, docnums: list[int]) -> list[Article]:
        reads.append(len(docnums))
        return real(self, docnums)  # type: ignore[arg-type]

    monkeypatch.setattr(tazsearch.matches.ArticleStream, "_page", counting)
    iterator = iter(stream)
    first = next(iterator)
    assert first.id == "mem249" and reads == [100]  # newest first, one page read
    rest = list(iterator)
    assert reads == [100, 100, 50]
    assert [a.id for a in [first, *rest]] == [f"mem{n}" for n in range(249, -1, -1)]


def test_iteration_follows_the_order_of_search(ix: Index, tmp_path: Path) -> None:
    write_fixtures(tmp_path / "files", 40)
    ix.update([tmp_path / "files"])
    for query, sort in [("Bericht Rot", "relevance"), ("Blau OR Gelb", "oldest"), ("", "newest")]:
        hits = ix.search(query, limit=100, sort=sort, autocorrect=False)
        streamed = [a.id for a in ix.iter_articles(query, sort=sort)]
        assert streamed == [hit.id for hit in hits] and len(streamed) == hits.total


def test_an_iteration_sees_one_snapshot_while_the_index_changes(ix: Index, tmp_path: Path) -> None:
    ix.add(_article(n) for n in range(30))
    with ix.iter_articles(page_size=7) as stream:
        iterator = iter(stream)
        first = [next(iterator) for _ in range(10)]
        ix.remove([f"mem{n}" for n in range(30)])
        ix.add(_article(n, title="Fixture: danach") for n in range(100, 130))
        rest = list(iterator)
    assert len(first) + len(rest) == 30
    assert all(a.title.startswith("Fixture: Gedächtnis") for a in [*first, *rest])
    assert len(ix) == 30 and ix.search("danach").total == 30


def test_an_iteration_closed_early_gives_its_snapshot_back(ix: Index) -> None:
    ix.add(_article(n) for n in range(5))
    with ix.iter_articles() as stream:
        next(iter(stream))
    with pytest.raises(ValueError, match="closed"):
        list(stream)


def test_the_package_ships_its_type_information() -> None:
    assert (Path(tazsearch.__file__).parent / "py.typed").is_file()


def test_every_exception_of_the_library_is_importable_from_the_package() -> None:
    modules = [tazsearch.errors, tazsearch.decoding]
    raised = {
        name
        for module in modules
        for name, value in vars(module).items()
        if inspect.isclass(value) and issubclass(value, Exception)
    }
    assert raised <= set(tazsearch.__all__)
    for name in raised:
        assert issubclass(getattr(tazsearch, name), TazsearchError)


def test_a_folder_another_writer_made_meanwhile_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ix"
    real_exists = Path.exists

    def made_meanwhile(self: Path) -> bool:
        if self == folder and not real_exists(self):
            self.mkdir()  # Another writer makes it between the look and the mkdir.
            return False
        return real_exists(self)

    monkeypatch.setattr(Path, "exists", made_meanwhile)
    with Index.open(folder, create=True) as ix:
        assert ix.add([_article(1)]).indexed == 1
    monkeypatch.undo()
    with Index.open(folder) as ix:
        assert len(ix) == 1
