"""The command line: in-process with typer's CliRunner, and the README's main job
in real processes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SEED, cli_output, fixture_article, run_cli, run_process

SEED_ID = "000_3fd7acc3efa38401"


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED, folder)
    return folder


def test_index_then_query_prints_the_seed_with_highlights(tmp_path: Path, seed_copy: Path) -> None:
    ix = str(tmp_path / "ix")
    # The README's main job, in real processes.
    indexed = run_process("index", str(seed_copy), "--index", ix)
    assert indexed.returncode == 0, indexed.stderr
    assert re.search(r"1 indexed, 0 updated, 0 unchanged, 0 removed, 0 skipped", indexed.stdout)

    found = run_process("query", "Nordkorea Soldaten", "--index", ix)
    assert found.returncode == 0, found.stderr
    lines = found.stdout.splitlines()
    assert lines[0] == "1 article matches 'Nordkorea Soldaten'"
    assert lines[2].startswith(" 1. **Soldaten** für Russlands Krieg: **Nordkorea** bringt")
    assert "2024-10-21 · Fabian Kretschmer, Bernhard Clasen" in found.stdout
    assert "Tags: Nordkorea, China, Schwerpunkt Krieg in der Ukraine" in found.stdout
    assert f"{SEED_ID}.txt" in found.stdout
    assert "rund 1.500 **Soldaten** nach Russland entsandt habe." in found.stdout
    assert "\x1b[" not in found.stdout  # no colour codes in a pipe


def test_second_index_run_reports_everything_unchanged(tmp_path: Path, seed_copy: Path) -> None:
    ix = str(tmp_path / "ix")
    run_cli("index", str(seed_copy), "--index", ix)
    again = run_cli("index", str(seed_copy), "--index", ix, "--json")
    assert again.returncode == 0
    report = json.loads(again.stdout)
    assert (report["indexed"], report["unchanged"], report["total"]) == (0, 1, 1)


def test_query_json_carries_every_hit_field(seed_index: Path) -> None:
    data = json.loads(
        cli_output("query", "Ukrainekrieg Nordkorea", "--index", str(seed_index), "--json")
    )
    assert (data["total"], data["page"], data["limit"]) == (1, 1, 10)
    hit = data["hits"][0]
    assert hit["rank"] == 1
    assert hit["id"] == SEED_ID
    assert hit["date"] == "2024-10-21"
    assert hit["authors"] == ["Fabian Kretschmer", "Bernhard Clasen"]
    assert hit["tags"][-1] == "Japan"
    assert hit["path"].endswith(f"{SEED_ID}.txt")
    assert hit["score"] > 0
    assert hit["kicker"] == "Soldaten für Russlands Krieg"
    spans = [s["text"][a:b] for s in hit["snippets"] for a, b in s["highlights"]]
    assert "Ukraine-Krieg" in [hit["title"][a:b] for a, b in hit["title_highlights"]]
    assert spans, "the snippets highlight the matched words"


def test_bad_files_are_warnings_and_the_run_exits_zero(tmp_path: Path, seed_copy: Path) -> None:
    (seed_copy / "empty.txt").write_bytes(b"")
    (seed_copy / "binary.dat").write_bytes(b"\x00\xff" * 500)
    (seed_copy / "menu.txt").write_text(
        "       # taz.de -- Gesellschaft\n"
        + "".join(f"   DIR Schlagzeile {n}: Ueber etwas\n" for n in range(4))
    )
    text = fixture_article("Fixture: Umlaute", "Schöne Grüße aus München.")
    (seed_copy / "cp1252.txt").write_bytes(text.encode("cp1252"))
    (seed_copy / "truncated.txt").write_text(SEED.read_text(encoding="utf-8")[:1800])
    result = run_cli("index", str(seed_copy), "--index", str(tmp_path / "ix"))
    assert result.returncode == 0
    assert "3 indexed" in result.stdout and "3 skipped" in result.stdout
    warnings = result.stderr.splitlines()
    assert len(warnings) == 3
    assert any(w.startswith("skipped ") and "empty.txt: empty file" in w for w in warnings)
    assert any("binary.dat: binary" in w for w in warnings)
    assert any("menu.txt: section menu" in w for w in warnings)
    assert "Traceback" not in result.stderr + result.stdout
    umlaut = run_cli("query", "Munchen", "--index", str(tmp_path / "ix"))
    assert "Schöne Grüße aus **München**." in umlaut.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "Nordkorea", "--index", "{tmp}/missing"], "error: no index at"),
        (["query", "date:[foo to bar]", "--index", "{seed}"], "error: cannot read the query"),
        (["query", "der die das", "--index", "{seed}"], "error: nothing to search for"),
        (["index", "{tmp}/missing-folder", "--index", "{tmp}/ix"], "error: no such file"),
    ],
)
def test_errors_are_one_line_on_stderr_with_nonzero_exit(
    tmp_path: Path, seed_index: Path, args: list[str], message: str
) -> None:
    result = run_cli(*(a.format(tmp=tmp_path, seed=seed_index) for a in args))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1


def test_help_on_every_command() -> None:
    top = run_cli("--help")
    assert top.returncode == 0
    for command in _commands():
        result = run_cli(command, "--help")
        assert result.returncode == 0
        assert "--index" in result.stdout


def _commands() -> list[str]:
    from tazsearch.cli import app

    return sorted(c.name or c.callback.__name__ for c in app.registered_commands)


def _readme_section(readme: str, heading: str) -> str:
    """The README's text from ``heading`` to the next heading."""
    start = readme.index(heading)
    ends = [readme.find(mark, start + 1) for mark in ("\n## ", "\n### ")]
    return readme[start : min([e for e in ends if e > 0] or [len(readme)])]


def test_every_command_and_option_is_documented_in_the_readme() -> None:
    """Each command has its section, which names each of its options; the
    group's own options are in the command line's introduction."""
    import typer.main

    from tazsearch.cli import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    sections = {"": _readme_section(readme, "## Command line")}
    for name in group.commands:
        assert f"### `tazsearch {name}" in readme, f"README has no section on `tazsearch {name}`"
        sections[name] = _readme_section(readme, f"### `tazsearch {name}")
    commands = [("", group), *group.commands.items()]
    for name, command in commands:
        for param in command.params:
            for option in param.opts:
                if option.startswith("--"):
                    where = f"the section on {name}" if name else "the command line's intro"
                    assert option in sections[name], f"{where} does not document {option}"


def test_ci_runs_the_readmes_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert command.startswith("python3 -m venv .venv") and "pytest" in command
    assert command in readme


def test_query_shows_the_suggestion_when_nothing_matches(seed_index: Path) -> None:
    output = cli_output("query", "Nordkorae Soldten", "--index", str(seed_index))
    assert output.splitlines()[:2] == [
        "1 article matches 'Nordkorea Soldaten'",
        "Searched instead of 'Nordkorae Soldten', which no article matches with all its words.",
    ]
    assert "**Nordkorea**" in output
    data = json.loads(run_cli("query", "Nordkorae", "--json", "--index", str(seed_index)).stdout)
    assert (data["suggestion"], data["searched"], data["total"]) == ("Nordkorea", "Nordkorea", 1)


def test_similar_command(seed_index: Path) -> None:
    output = cli_output("similar", SEED_ID, "--index", str(seed_index))
    assert output.startswith(f"Articles most like {SEED_ID}: Soldaten für Russlands Krieg")
    missing = run_cli("similar", "no-such-id", "--index", str(seed_index))
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: no article with id or path 'no-such-id'")


def test_old_index_gets_a_one_line_rebuild_hint(tmp_path: Path, seed_copy: Path) -> None:
    from whoosh import fields
    from whoosh import index as whoosh_index

    whoosh_index.create_in(tmp_path, fields.Schema(id=fields.ID(stored=True)))
    result = run_cli("query", "Nordkorea", "--index", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith("error: the index at") and "--rebuild" in result.stderr
    rebuilt = run_cli("index", str(seed_copy), "--index", str(tmp_path), "--rebuild")
    assert rebuilt.returncode == 0 and "1 indexed" in rebuilt.stdout


def test_the_package_exports_its_public_api_lazily() -> None:
    import tazsearch

    assert sorted(tazsearch.__all__) == sorted(tazsearch._MODULE_OF)
    for name in tazsearch.__all__:
        assert getattr(tazsearch, name).__name__ == name
    with pytest.raises(AttributeError):
        tazsearch.no_such_name  # noqa: B018
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, tazsearch; print('whoosh' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "False"
