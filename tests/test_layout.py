"""The house rules of the code, read from its syntax trees.

- Only ``tazsearch/store`` knows Whoosh: no other module imports it (bar its
  public German stop word list) or touches another object's private name.
- The parser knows nothing of Whoosh or the index; the CLI knows nothing of
  parsing.
- A class over about 150 lines or a module over about 450 is named in the
  README's layout section with the reason it is that size.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tazsearch"
SEAM = PACKAGE / "store"
# Public Whoosh modules that code outside the seam may use.
PUBLIC_WHOOSH = {"whoosh.lang.stopwords"}
# Private-looking names that are public API: namedtuple's methods.
PUBLIC_UNDERSCORED = {"_replace", "_asdict", "_fields", "_make", "_exit"}
MAX_CLASS_LINES = 150
MAX_MODULE_LINES = 450


def _modules(outside_seam: bool = False) -> list[Path]:
    found = sorted(PACKAGE.rglob("*.py"))
    return [p for p in found if not (outside_seam and SEAM in p.parents)]


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """The absolute modules a tree imports, and the relative ones as ``.name``."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append((node.lineno, "." * node.level + (node.module or "")))
    return names


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("path", _modules(outside_seam=True), ids=lambda p: p.name)
def test_only_the_store_imports_whoosh(path: Path) -> None:
    wrong = [
        f"{path.name}:{line} imports {name}"
        for line, name in _imported(_tree(path))
        if name.split(".")[0] == "whoosh" and name not in PUBLIC_WHOOSH
    ]
    assert not wrong


@pytest.mark.parametrize("path", _modules(outside_seam=True), ids=lambda p: p.name)
def test_no_private_name_of_another_object_is_touched(path: Path) -> None:
    wrong = [
        f"{path.name}:{node.lineno} {ast.unparse(node)}"
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and node.attr not in PUBLIC_UNDERSCORED
        and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
    ]
    assert not wrong


@pytest.mark.parametrize("name", ["parse.py", "decoding.py", "article.py"])
def test_the_parser_knows_nothing_of_whoosh_or_the_index(name: str) -> None:
    imported = [m for _, m in _imported(_tree(PACKAGE / name))]
    assert not [m for m in imported if m.startswith(("whoosh", ".store", ".index", "..store"))]


@pytest.mark.parametrize("path", sorted((PACKAGE / "cli").glob("*.py")), ids=lambda p: p.name)
def test_the_cli_knows_nothing_of_parsing(path: Path) -> None:
    imported = [m for _, m in _imported(_tree(path))]
    assert not [m for m in imported if m in ("..parse", "..decoding", "..article")]


def _oversized() -> list[str]:
    """Classes over MAX_CLASS_LINES and modules over MAX_MODULE_LINES, by name."""
    found = []
    for path in _modules():
        tree = _tree(path)
        relative = path.relative_to(ROOT).as_posix()
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES:
            found.append(relative)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                assert node.end_lineno is not None
                if node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES:
                    found.append(f"{relative}:{node.name}")
    return found


def test_every_oversized_room_is_explained_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("### Rooms over the size rule")
    section = readme[start : readme.find("\n#", start + 1)]
    unexplained = [
        name for name in _oversized() if f"`{name.split(':')[-1].split('/')[-1]}`" not in section
    ]
    assert not unexplained, "explain their size in the README's layout section"
