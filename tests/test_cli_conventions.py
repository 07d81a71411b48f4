"""The command line's conventions: version, help, completion, usage errors, output
formats for programs, closed pipes and the pager. Articles here are synthetic
test fixtures, not taz content."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import pty
import re
import select
import shlex
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tazsearch import Article, Block, Index
from tazsearch.formats import cell

from conftest import ROOT, fixture_article, run_cli

TRICKY_TITLE = "Fixture: Tab\tZeile\nEscape\x1b[31m Rot \\t Backslash"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six fixture articles about "Fahrrad" in a folder, and one from memory with a
    title full of characters that tables must escape."""
    folder = tmp_path_factory.mktemp("articles")
    for n in range(6):
        text = fixture_article(
            f"Fixture: Fahrrad Nummer{n}",
            f"Ein Bericht über das Fahrrad, Folge {n}. " * (n + 1),
            authors=(f"Autorin {n}", "Zweiter Autor"),
            tags=("Verkehr", f"Tag{n}"),
            date=f"{n + 1} Jan 2024",
        )
        (folder / f"rad{n}.txt").write_text(text, encoding="utf-8")
    directory = tmp_path_factory.mktemp("ix")
    with Index.open(directory, create=True) as ix:
        ix.update([folder])
        tricky = Article(
            id="tri\\cky",  # an id with a backslash, as a name that is not UTF-8 makes
            title=TRICKY_TITLE,
            blocks=(Block("Ein Fahrrad mit\tTab."),),
            date=dt.date(2023, 5, 1),
            tags=("Verkehr",),
        )
        ix.add([tricky])
    return directory


def _cli(index_dir: Path, *args: str) -> str:
    result = run_cli(*args, "--index", str(index_dir))
    assert result.returncode == 0, result.stderr
    return result.stdout


# Version, help and completion


def test_version_comes_from_the_package_metadata() -> None:
    result = run_cli("--version")
    assert (result.returncode, result.stdout) == (0, f"tazsearch {version('tazsearch')}\n")


def test_h_is_help_for_the_group_and_every_command() -> None:
    import typer.main

    from tazsearch.cli import app

    for name in ["", *typer.main.get_command(app).commands]:
        result = run_cli(*filter(None, [name, "-h"]))
        assert result.returncode == 0, (name, result.stderr)
        assert result.stdout.startswith(f"Usage: tazsearch {name}".rstrip()), name


def test_help_at_80_columns_keeps_every_word_and_fits() -> None:
    """No line is wider than the terminal, and no word of a command's docstring or
    an option's help is lost to markup (rich's ate `[serve]` in `tazsearch[serve]`)."""
    import typer.main
    from typer.testing import CliRunner

    from tazsearch.cli import app

    group = typer.main.get_command(app)
    for name, command in [("", group), *group.commands.items()]:
        args = [name, "--help"] if name else ["--help"]
        shown = CliRunner().invoke(app, args, terminal_width=80, env={"COLUMNS": "80"}).stdout
        assert max(len(line) for line in shown.splitlines()) <= 80, name
        texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
        # A word the wrapper broke at its hyphen is still all there.
        words = set(re.sub(r"-\s*\n\s*", "-", shown).split())
        for word in set(" ".join(texts).split()):
            assert word in words, (name, word)
        assert "<bool>" not in shown


def test_shell_completion_completes_commands_and_options() -> None:
    env = {**os.environ, "_TAZSEARCH_COMPLETE": "complete_bash"}
    tazsearch = [sys.executable, "-m", "tazsearch"]
    for words, cword, expected in [
        ("tazsearch que", "1", "query"),
        ("tazsearch query --fi", "2", "--fields"),
        ("tazsearch query --format t", "3", "tsv"),
    ]:
        env.update(COMP_WORDS=words, COMP_CWORD=cword)
        done = subprocess.run(tazsearch, env=env, capture_output=True, text=True, timeout=60)
        assert expected in done.stdout.split(), (words, done.stdout, done.stderr)
    script = subprocess.run(
        [*tazsearch, "--show-completion", "bash"], capture_output=True, text=True, timeout=60
    )
    assert "_TAZSEARCH_COMPLETE=complete_bash" in script.stdout


# Errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "--lmit", "3"], "no such option '--lmit'. Did you mean '--limit'?"),
        (["show"], "missing argument 'ARTICLE'"),
        (["query", "-n", "0", "Fahrrad"], "invalid value for '--limit' / '-n'"),
        (["query", "--format", "xml"], "invalid value for '--format' / '-F'"),
        (["suche", "Fahrrad"], "no such command 'suche'"),
    ],
)
def test_a_usage_error_is_one_line_with_exit_code_2(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"error: {message}"), result.stderr


def test_no_command_prints_the_help() -> None:
    result = run_cli()
    assert result.returncode == 0 and result.stdout.startswith("Usage: tazsearch")


def test_a_missing_index_names_the_ways_to_name_one(tmp_path: Path) -> None:
    result = run_cli("query", "Fahrrad", "--index", str(tmp_path / "nirgends"))
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1
    assert "--index" in result.stderr and "TAZSEARCH_INDEX" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "Fahrrad", "--fields", "id,farbe", "-F", "json"], "hits have no field 'farbe'"),
        (["query", "Fahrrad", "--fields", "id,,title", "-F", "tsv"], "a name is empty in"),
        (["query", "Fahrrad", "--fields", "id"], "--fields goes with --format json, jsonl"),
        (["query", "Fahrrad", "-F", "gophermap", "--fields", "id"], "--fields goes with"),
        (["query", "Fahrrad", "--json", "-F", "tsv"], "--json is --format json"),
        (["query", "Fahrrad", "-F", "csv", "--facets"], "--facets goes with --format text"),
        (["export", "--fields", "title", "-F", "opensearch"], "--fields goes with"),
        (["export", "-F", "tsv", "--fields", "snippets"], "articles have no field 'snippets'"),
    ],
)
def test_fields_and_formats_that_do_not_go_together_are_one_line_errors(
    index_dir: Path, args: list[str], message: str
) -> None:
    result = run_cli(*args, "--index", str(index_dir))
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr


# Output formats


def test_text_output_shows_each_hits_id(index_dir: Path) -> None:
    shown = _cli(index_dir, "query", "Fahrrad", "-n", "20")
    ids = json.loads(_cli(index_dir, "query", "Fahrrad", "-n", "20", "--json"))["hits"]
    assert len(ids) == 7
    for hit in ids:
        assert re.search(rf"^    {re.escape(hit['id'])}( · |$)", shown, re.M), hit["id"]


@pytest.mark.parametrize("command", ["query", "similar"])
def test_every_format_lists_the_same_hits(index_dir: Path, command: str) -> None:
    args = [command, "Fahrrad" if command == "query" else "rad0", "-n", "20"]
    page = json.loads(_cli(index_dir, *args, "--format", "json"))
    hits = page["hits"]
    assert hits
    lines = _cli(index_dir, *args, "--format", "jsonl").splitlines()
    assert [json.loads(line) for line in lines] == hits
    tsv = _cli(index_dir, *args, "--format", "tsv").splitlines()
    assert [line.split("\t") for line in tsv] == [
        [h["id"], h["date"] or "", cell(h["title"]), ", ".join(h["authors"])] for h in hits
    ]
    rows = list(csv.reader(io.StringIO(_cli(index_dir, *args, "--format", "csv"))))
    assert rows[0] == ["id", "date", "title", "authors"]
    assert rows[1:] == [line.split("\t") for line in tsv]


def test_fields_pick_and_order_the_fields_of_each_hit(index_dir: Path) -> None:
    args = ["query", "Fahrrad", "-n", "20", "--fields", "score,id,tags,snippets"]
    hits = json.loads(_cli(index_dir, *args, "-F", "json"))["hits"]
    assert all(list(hit) == ["score", "id", "tags", "snippets"] for hit in hits)
    full = {
        h["id"]: h
        for h in json.loads(_cli(index_dir, "query", "Fahrrad", "-n", "20", "--json"))["hits"]
    }
    assert all(hit["snippets"] == full[hit["id"]]["snippets"] for hit in hits)
    for line, hit in zip(_cli(index_dir, *args, "-F", "tsv").splitlines(), hits, strict=True):
        score, hit_id, tags, snippets = line.split("\t")
        assert (float(score), hit_id, tags) == (hit["score"], hit["id"], ", ".join(hit["tags"]))
        assert snippets == cell(" … ".join(s["text"] for s in hit["snippets"]))


def test_a_table_record_is_one_line_whatever_its_text_holds(index_dir: Path) -> None:
    for output in ("tsv", "csv"):
        args = ["query", "Rot", "--fields", "id,title", "-F", output]
        lines = _cli(index_dir, *args).splitlines()
        record = lines[-1]
        assert record.startswith("tri\\cky")
        assert "\x1b" not in record and "\t" not in record.removeprefix("tri\\cky\t")
        assert "Tab\\tZeile\\nEscape\\x1b[31m Rot \\t Backslash" in record


def test_cell_escapes_what_would_break_a_line_and_nothing_else() -> None:
    assert cell("a\tb\nc\\d\x1be\u202ef") == "a\\tb\\nc\\d\\x1be\\u202ef"
    assert cell(["Anna", "Bernd"]) == "Anna, Bernd"
    assert cell(None) == "" and cell(3) == "3" and cell(1.5) == "1.5"
    assert cell([{"text": "eins", "highlights": []}, {"text": "zwei"}]) == "eins … zwei"
    assert cell([[1, 2]]) == "[[1,2]]"


def test_remarks_go_to_stderr_when_stdout_holds_records(index_dir: Path) -> None:
    result = run_cli("query", "Fahrad", "-F", "tsv", "--index", str(index_dir))
    assert result.returncode == 0
    assert "these hits are for 'fahrrad'" in result.stderr.lower() or "did you mean" in (
        result.stderr
    )
    assert all(line.count("\t") == 3 for line in result.stdout.splitlines())


@pytest.mark.parametrize("output", ["jsonl", "json", "tsv", "csv", "text"])
def test_export_writes_every_matching_article_in_each_format(index_dir: Path, output: str) -> None:
    expected = [json.loads(line) for line in _cli(index_dir, "export", "Fahrrad").splitlines()]
    assert len(expected) == 7
    shown = _cli(index_dir, "export", "Fahrrad", "-F", output)
    if output == "json":
        assert json.loads(shown) == expected
    elif output == "tsv":
        rows = [line.split("\t") for line in shown.splitlines()]
        assert [r[:3] for r in rows] == [[a["id"], a["date"], a["source"]] for a in expected]
    elif output == "csv":
        rows = list(csv.DictReader(io.StringIO(shown)))
        assert [r["id"] for r in rows] == [a["id"] for a in expected]
        assert rows[0]["tags"] == ", ".join(expected[0]["tags"])
    elif output == "text":
        assert shown.count("─" * 40) == 7
        assert all(a["headline"] in shown for a in expected if a["id"] != "tri\\cky")
    body = _cli(index_dir, "export", "Fahrrad", "-F", "jsonl", "--fields", "id,body")
    first = json.loads(body.splitlines()[0])
    assert list(first) == ["id", "body"]
    assert first["body"] == "\n\n".join(b["text"] for b in expected[0]["blocks"])


def test_the_readmes_fzf_recipe_previews_each_line(index_dir: Path) -> None:
    """fzf runs the preview command through the shell with {1} replaced by the
    line's first field, quoted; here it is run as fzf would, without fzf."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    recipe = re.search(r"\| fzf (.*?--preview '(.*?)')\n", readme)
    assert recipe, "the README's fzf recipe is gone"
    assert "--delimiter '\\t'" in recipe.group(1)
    preview = recipe.group(2)
    query = re.search(r"tazsearch query (.*?) \\\n  \| fzf", readme)
    assert query
    words = shlex.split(query.group(1))
    lines = _cli(index_dir, "query", "Fahrrad", *words[1:]).splitlines()
    assert len(lines) == 7
    env = {**os.environ, "TAZSEARCH_INDEX": str(index_dir), "PATH": _with_tazsearch()}
    # The first line, and the one whose id holds a backslash: each opens its article.
    chosen = [lines[0], *(line for line in lines if line.startswith("tri\\cky\t"))]
    assert len(chosen) == 2
    for line in chosen:
        first, *rest = line.split("\t")
        command = preview.replace("{1}", shlex.quote(first))
        shown = subprocess.run(
            ["sh", "-c", command], env=env, capture_output=True, text=True, timeout=60
        )
        assert shown.returncode == 0, shown.stderr
        assert rest[1].removeprefix("Fixture: ") in shown.stdout


def _with_tazsearch() -> str:
    """PATH with the tazsearch of this Python first."""
    return f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


# Closed pipes


# Runs each command line given (JSON on stdin) through the real entry point,
# each with a standard output whose reader has gone before it writes, and
# reports each exit code and what went to stderr. One Python for them all: a
# process each would take seconds.
CLOSED_PIPE_DRIVER = """
import json, os, sys, tempfile
from tazsearch.cli import main
found = []
for args in json.load(sys.stdin):
    reader, writer = os.pipe()
    os.close(reader)
    saved_out, saved_err = os.dup(1), os.dup(2)
    err = tempfile.TemporaryFile()
    os.dup2(writer, 1)
    os.dup2(err.fileno(), 2)
    os.close(writer)
    sys.argv = ["tazsearch", *args]
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    sys.stderr.flush()
    os.dup2(saved_out, 1)
    os.dup2(saved_err, 2)
    err.seek(0)
    found.append([args, code, err.read().decode()])
json.dump(found, sys.stderr)
"""


def _buffered(env: dict[str, str]) -> dict[str, str]:
    """The environment without PYTHONUNBUFFERED: output held in Python's buffer
    meets the closed pipe only when it is flushed at the end."""
    return {name: value for name, value in env.items() if name != "PYTHONUNBUFFERED"}


def test_a_closed_pipe_ends_every_command_and_format_quietly(
    index_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "neu"
    folder.mkdir()
    (folder / "neu.txt").write_text(fixture_article("Fixture: Neu", "Ein neuer Bericht."))
    runs = [
        ["index", str(folder), "--index", str(tmp_path / "ix")],
        ["check"],
        ["stats"],
        ["stats", "--json"],
        ["show", "rad1"],
        ["show", "rad1", "--json"],
        ["query", "Fahrrad", "-F", "gophermap"],
        ["query", "Fahrrad", "--facets"],
        ["export", "-F", "opensearch"],
        ["export", "-F", "opensearch", "--mapping"],
        ["--version"],
        ["query", "-h"],
        [],
    ]
    runs += [["query", "Fahrrad", "-F", f] for f in ("text", "json", "jsonl", "tsv", "csv")]
    runs += [["similar", "rad0", "-F", f] for f in ("text", "json", "jsonl", "tsv", "csv")]
    runs += [["export", "-F", f] for f in ("text", "json", "jsonl", "tsv", "csv")]
    done = subprocess.run(
        [sys.executable, "-c", CLOSED_PIPE_DRIVER],
        input=json.dumps(runs),
        capture_output=True,
        text=True,
        env=_buffered({**os.environ, "TAZSEARCH_INDEX": str(index_dir)}),
        timeout=120,
    )
    assert done.stderr.startswith("[["), done.stderr[-3000:]
    found = json.loads(done.stderr)
    assert [args for args, _, _ in found] == runs
    assert [(args, code, err) for args, code, err in found if code or err] == []


def test_head_reads_two_lines_of_a_long_listing(index_dir: Path, tmp_path: Path) -> None:
    """`tazsearch query '' -n 1000 | head -2` exits 0 and prints nothing on stderr,
    in a pipeline as the shell makes it."""
    script = (
        f"{shlex.quote(sys.executable)} -m tazsearch query '' -n 1000 -F {{}} | head -c 1; "
        'echo " $?" "${PIPESTATUS[0]}"'
    )
    env = _buffered({**os.environ, "TAZSEARCH_INDEX": str(index_dir)})
    for output in ("text", "tsv"):
        done = subprocess.run(
            ["bash", "-c", script.replace("{}", output)], env=env, capture_output=True, text=True
        )
        assert done.stdout.split()[-2:] == ["0", "0"] and done.stderr == "", done


# The pager


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """What a command writes to a terminal (a pseudo-terminal here)."""
    main, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "tazsearch", *args],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env={**os.environ, **env},
    )
    os.close(secondary)
    shown = b""
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        assert ready, "no output within 60 s"
        try:
            data = os.read(main, 65536)
        except OSError:  # The terminal closes with the process.
            break
        if not data:
            break
        shown += data
    assert process.wait(timeout=60) == 0, shown
    os.close(main)
    return shown.decode("utf-8", "replace")


def test_show_pages_on_a_terminal_unless_told_not_to(index_dir: Path, tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    env = {
        "TAZSEARCH_INDEX": str(index_dir),
        "PAGER": f"tee {shlex.quote(str(paged))} > /dev/null",
        "LESS": "",
    }
    env.pop("TAZSEARCH_PAGER", None)
    shown = _on_a_terminal(["show", "rad2"], env)
    assert "Fahrrad Nummer2" in paged.read_text(encoding="utf-8")
    assert "\x1b[" in paged.read_text(encoding="utf-8")  # in colour, as on the terminal
    assert "Fahrrad Nummer2" not in shown
    paged.unlink()
    shown = _on_a_terminal(["show", "rad2", "--no-pager"], env)
    assert "Fahrrad Nummer2" in shown and not paged.exists()
    shown = _on_a_terminal(["show", "rad2"], {**env, "PAGER": "kein-solcher-pager"})
    assert "Fahrrad Nummer2" in shown


def test_show_into_a_pipe_is_never_paged(index_dir: Path, tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    env = {**os.environ, "TAZSEARCH_INDEX": str(index_dir), "PAGER": f"tee {paged}"}
    done = subprocess.run(
        [sys.executable, "-m", "tazsearch", "show", "rad2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Fahrrad Nummer2" in done.stdout and not paged.exists()


# What a command imports: a cold start pays for every module


MODULES_AFTER = """
import json, sys
from tazsearch.cli import main
sys.argv = ["tazsearch", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
json.dump(sorted(sys.modules), sys.stderr)
"""


def _modules_after(args: list[str], index_dir: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", MODULES_AFTER, json.dumps(args)],
        capture_output=True,
        text=True,
        env={**os.environ, "TAZSEARCH_INDEX": str(index_dir)},
        timeout=60,
    )
    return set(json.loads(done.stderr))


def test_a_command_imports_only_what_it_needs(index_dir: Path) -> None:
    """Reading never loads the update pipeline, fuzzy matching, progress bars or
    the web stack; --version and -h do not even load the engine."""
    writing = {"tazsearch.updating", "tazsearch.parse", "tazsearch.store.parallel"}
    elsewhere = {"rapidfuzz", "rich.progress", "fastapi", "uvicorn", "wordfreq"}
    for args in (["query", "Fahrrad"], ["show", "rad1", "--no-pager"], ["query", "", "-F", "tsv"]):
        loaded = _modules_after(args, index_dir)
        assert "tazsearch.index" in loaded
        assert not loaded & (writing | elsewhere), (args, loaded & (writing | elsewhere))
    for args in (["--version"], ["query", "-h"]):
        loaded = _modules_after(args, index_dir)
        assert not loaded & {"numpy", "whoosh", "tazsearch.index"}, args
