"""The contract with Whoosh: every private name of it that tazsearch touches exists.

tazsearch reads and writes Whoosh's file format itself (tazsearch/store), and
so depends on names Whoosh keeps private; pyproject.toml pins the one Whoosh
version they were read from. CONTRACT lists each such name and checks it on
the real objects; a test reads the store's code and fails when it touches a
private name CONTRACT does not list, so that a new dependency cannot slip in
unchecked.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import whoosh
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.filedb.filetables import HashWriter
from whoosh.reading import SegmentReader

from tazsearch import Index

from conftest import ROOT, write_fixtures

STORE = ROOT / "tazsearch" / "store"
PINNED = "2.7.4"


def _leaf_matcher(reader: SegmentReader) -> W3LeafMatcher:
    matcher = reader.postings("content", b"bericht")
    return matcher.child if not isinstance(matcher, W3LeafMatcher) else matcher


# What tazsearch uses, and what each use needs of the real object: a leaf
# matcher of the W3 codec, a segment reader, or the hash file writer.
CONTRACT: dict[str, tuple[str, Callable[[dict[str, Any]], bool]]] = {
    "_data": ("W3LeafMatcher: the current block's (deltas, weights, values)",
              lambda o: hasattr(o["matcher"], "_data")),
    "_read_data": ("W3LeafMatcher: decodes the current block",
                   lambda o: callable(o["matcher"]._read_data)),
    "_fixedsize": ("W3LeafMatcher: the field format's fixed value size",
                   lambda o: hasattr(o["matcher"], "_fixedsize")),
    "_next_block": ("W3LeafMatcher: moves to the next block",
                    lambda o: callable(o["matcher"]._next_block)),
    "_maxweight": ("W3LeafMatcher: the block's greatest weight",
                   lambda o: hasattr(o["matcher"], "_maxweight")),
    "_minlength": ("W3LeafMatcher: the block's shortest field length",
                   lambda o: hasattr(o["matcher"], "_minlength")),
    "_perdoc": ("SegmentReader: its per-document reader (deletions, length columns)",
                lambda o: hasattr(o["reader"]._perdoc, "deleted_docs")),
    "_write_hashes": ("HashWriter: close() writes the hash tables with it",
                      lambda o: callable(HashWriter._write_hashes)
                      and "self._write_hashes()" in inspect.getsource(HashWriter.close)),
}  # fmt: skip


@pytest.fixture(scope="module")
def objects(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("contract-articles")
    write_fixtures(folder, 3)
    index_dir = tmp_path_factory.mktemp("contract") / "ix"
    with Index.open(index_dir, create=True) as ix:
        ix.update([folder])
        with ix._reading() as snapshot:
            [(reader, _)] = snapshot._leaves
            yield {"reader": reader, "matcher": _leaf_matcher(reader)}


def test_whoosh_is_the_pinned_version() -> None:
    assert version("whoosh") == PINNED == ".".join(map(str, whoosh.__version__))
    requirement = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"whoosh=={PINNED}"' in requirement


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_each_private_name_exists_on_the_real_object(objects: dict[str, Any], name: str) -> None:
    what, check = CONTRACT[name]
    assert check(objects), f"Whoosh no longer has {name} ({what})"


def _private_names_used(path: Path) -> set[str]:
    """Private names the module touches on objects not its own, and those it
    overrides in subclasses of Whoosh's classes."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined: set[str] = set()  # private names tazsearch gives its own objects
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            defined.add(node.attr)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
    whoosh_names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh")
        for alias in node.names
    }
    module = importlib.import_module(f"tazsearch.store.{path.stem}")
    overridden = {
        item.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(isinstance(b, ast.Name) and b.id in whoosh_names for b in node.bases)
        for item in node.body
        if isinstance(item, ast.FunctionDef)
        # A method of Whoosh's that this class replaces, not one of its own.
        and any(hasattr(base, item.name) for base in getattr(module, node.name).__mro__[1:])
    }
    private = {n for n in used - defined | overridden if n.startswith("_") and n[1:2] != "_"}
    return private - {"_exit"}  # os._exit is the standard library's


def test_the_contract_lists_every_private_name_the_store_touches() -> None:
    used = set().union(*(_private_names_used(p) for p in STORE.glob("*.py")))
    assert used == set(CONTRACT), "list each private Whoosh name the store uses in CONTRACT"


LEAN_IMPORT = """
import sys, threading, tempfile, pathlib
if sys.argv[1] == "threads":
    done = threading.Event()
    threading.Thread(target=done.wait, daemon=True).start()
import tazsearch.store
import whoosh.compat
print("web client loaded:", "urllib.request" in sys.modules, "http.client" in sys.modules)
source = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
source.write_text("Fixture")
target = source.with_name("b.txt")
whoosh.compat.urlretrieve(source.as_uri(), str(target))
import urllib.request
print("real:", hasattr(urllib.request, "urlopen"), target.read_text())
"""


@pytest.mark.parametrize(("threads", "loaded"), [("one", "False False"), ("threads", "True True")])
def test_whoosh_is_imported_without_its_web_client_where_that_is_safe(
    threads: str, loaded: str
) -> None:
    """In a process of one thread, importing the store loads no web client (a
    cold query's milliseconds); Whoosh's download helper and a later import of
    urllib.request still work. With other threads running, nothing is changed."""
    done = subprocess.run(
        [sys.executable, "-c", LEAN_IMPORT, threads], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.splitlines() == [f"web client loaded: {loaded}", "real: True Fixture"], (
        done.stderr
    )
