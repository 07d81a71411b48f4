"""`tazsearch export`: JSON lines, and OpenSearch's _bulk NDJSON checked line by line
against the bulk format and the mapping `--mapping` writes. The articles are
synthetic fixtures, not taz content."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tazsearch import Index

from conftest import fixture_article, run_cli

ACTIONS = {"index", "create", "update", "delete"}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export-articles")
    for n in range(30):
        text = fixture_article(
            f"Fixture: Export Nummer{n}",
            f"Ein Bericht über Nummer{n}, mit Umlauten: Grüße aus Köln.\n\nZweiter Absatz.",
            teaser=f"Vorspann {n}",
            date=(dt.date(2020, 1, 1) + dt.timedelta(days=40 * n)).strftime("%-d %b %Y"),
            authors=("Anna Schmidt",) if n % 2 else ("Jörg Müller", "Bernd Koch"),
            tags=("Politik",) if n % 3 else ("Sport", "Köln"),
        )
        (folder / f"e{n:02d}.txt").write_text(text, encoding="utf-8")
    (folder / "undated.txt").write_text(
        fixture_article(
            "Fixture: Ohne Datum \u202e", "Text mit Steuerzeichen \x85 darin.", date=""
        ),
        encoding="utf-8",
    )
    index_dir = tmp_path_factory.mktemp("export") / "ix"
    with Index.open(index_dir, create=True) as ix:
        ix.update([folder])
    return index_dir


def _export(index_dir: Path, *args: str) -> str:
    result = run_cli("export", *args, "--index", str(index_dir))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # No progress bar where stderr is no terminal.
    return result.stdout


def test_jsonl_writes_every_article_whole(index_dir: Path) -> None:
    output = _export(index_dir)
    assert output.endswith("\n")
    records = [json.loads(line) for line in output.splitlines()]
    with Index.open(index_dir) as ix:
        assert len(records) == len(ix) == 31
        expected = {a.id: json.loads(json.dumps(a.to_dict())) for a in ix.iter_articles()}
    assert {r["id"]: r for r in records} == expected
    first = next(r for r in records if r["id"] == "e04")
    assert first["blocks"][1] == {"text": "Zweiter Absatz.", "heading": False}
    assert first["tags"] == ["Politik"] and first["date"] == "2020-06-09"


def test_jsonl_follows_the_query_filters_and_order(index_dir: Path) -> None:
    output = _export(index_dir, "Umlauten", "--tag", "Sport", "--sort", "oldest")
    ids = [json.loads(line)["id"] for line in output.splitlines()]
    with Index.open(index_dir) as ix:
        hits = ix.search("Umlauten", tags=["Sport"], sort="oldest", limit=100)
    assert ids == [hit.id for hit in hits] and len(ids) == hits.total == 10


def test_control_characters_are_escaped_in_the_export(index_dir: Path) -> None:
    output = _export(index_dir, "Steuerzeichen")
    assert "\u202e" not in output and "\x85" not in output
    [record] = [json.loads(line) for line in output.splitlines()]
    assert record["title"] == "Fixture: Ohne Datum \u202e"


def _check_bulk(ndjson: str, mapping: dict[str, Any]) -> list[dict[str, Any]]:
    """The documents of a _bulk body, checked line by line as OpenSearch reads it:
    UTF-8 JSON objects, one a line, every line ended by a newline; an action line
    naming an index and an id, then the document, which the mapping accepts."""
    assert ndjson.endswith("\n") and "\r" not in ndjson
    lines = ndjson.split("\n")[:-1]
    assert len(lines) % 2 == 0
    properties = mapping["mappings"]["properties"]
    documents, ids = [], set()
    for action_line, document_line in zip(lines[::2], lines[1::2], strict=True):
        action = json.loads(action_line)
        assert isinstance(action, dict) and len(action) == 1
        [(verb, meta)] = action.items()
        assert verb in ACTIONS and verb != "delete"
        assert set(meta) == {"_index", "_id"}
        assert isinstance(meta["_index"], str) and re.fullmatch(
            r"[a-z0-9][a-z0-9_.-]*", meta["_index"]
        )
        assert isinstance(meta["_id"], str) and 0 < len(meta["_id"].encode()) <= 512
        assert meta["_id"] not in ids
        ids.add(meta["_id"])
        document = json.loads(document_line)
        assert isinstance(document, dict) and document["id"] == meta["_id"]
        for name, value in document.items():
            _check_value(properties[name], value)  # "dynamic": "strict": no other field
        documents.append(document)
    return documents


def _check_value(field: dict[str, Any], value: Any) -> None:
    kind = field["type"]
    values = value if isinstance(value, list) else [value]
    if kind in ("text", "keyword"):
        assert all(isinstance(v, str) for v in values)
    elif kind == "date":
        assert value is None or re.fullmatch(r"\d{4}-\d\d-\d\d", value)
    elif kind == "object":
        assert all(isinstance(v, dict) for v in values)
    else:
        raise AssertionError(f"unexpected field type {kind}")


def test_opensearch_bulk_is_valid_ndjson_for_the_mapping(index_dir: Path) -> None:
    mapping = json.loads(_export(index_dir, "--format", "opensearch", "--mapping"))
    output = _export(index_dir, "--format", "opensearch", "--opensearch-index", "archiv")
    documents = _check_bulk(output, mapping)
    assert len(documents) == 31
    assert json.loads(output.splitlines()[0])["index"]["_index"] == "archiv"
    e04 = next(d for d in documents if d["id"] == "e04")
    assert e04["body"] == (
        "Ein Bericht über Nummer4, mit Umlauten: Grüße aus Köln.\n\nZweiter Absatz."
    )
    assert (e04["date"], e04["tags"], e04["authors"]) == (
        "2020-06-09",
        ["Politik"],
        ["Jörg Müller", "Bernd Koch"],
    )
    assert next(d for d in documents if d["id"] == "undated")["date"] is None


def test_the_mapping_defines_the_german_analyzer(index_dir: Path) -> None:
    body = json.loads(_export(index_dir, "--format", "opensearch", "--mapping"))
    analysis = body["settings"]["analysis"]
    [(name, analyzer)] = analysis["analyzer"].items()
    builtin = {"lowercase", "asciifolding"}
    assert all(f in analysis["filter"] or f in builtin for f in analyzer["filter"])
    filters = analysis["filter"]
    assert filters["tazsearch_stemmer"] == {"type": "snowball", "language": "German"}
    assert "und" in filters["tazsearch_stop"]["stopwords"]
    words = filters["tazsearch_compounds"]["word_list"]
    assert {"truppen", "entsendung"} <= set(words) and words == sorted(words)
    text_fields = [
        f for f, spec in body["mappings"]["properties"].items() if spec.get("analyzer") == name
    ]
    assert set(text_fields) == {"title", "kicker", "headline", "teaser", "body", "captions"}


def test_export_options_that_do_not_go_together_are_one_line(index_dir: Path) -> None:
    result = run_cli("export", "--mapping", "--index", str(index_dir))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("error: --mapping goes with --format opensearch")


def test_export_to_a_file_is_whole_or_not_there(index_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    assert run_cli("export", "--index", str(index_dir), "-o", str(target)).returncode == 0
    assert len(target.read_text(encoding="utf-8").splitlines()) == 31
    missing = tmp_path / "no-such-folder" / "out.jsonl"
    result = run_cli("export", "--index", str(index_dir), "-o", str(missing))
    assert result.returncode == 1 and result.stderr.startswith(f"error: cannot write {missing}")
    assert list(tmp_path.iterdir()) == [target]


def test_a_query_that_begins_with_a_dash_is_the_query(index_dir: Path) -> None:
    output = _export(index_dir, "-Politik Umlauten")
    ids = {json.loads(line)["id"] for line in output.splitlines()}
    assert ids == {f"e{n:02d}" for n in range(0, 30, 3)}
