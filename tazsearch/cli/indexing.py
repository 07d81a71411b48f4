"""The commands that write and check an index: ``index`` and ``check``."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import IndexOption, app, fail, progress_bar, stderr, stdout


@app.command()
def index(
    paths: Annotated[list[str], typer.Argument(help="Article files or folders (recursed).")],
    index_dir: IndexOption = "index",
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List every skipped file.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild", help="Build the index anew beside the old one, e.g. after an upgrade."
        ),
    ] = False,
    max_size: Annotated[
        str,
        typer.Option("--max-size", help="Skip files larger than this: bytes, or 500K, 10M, 1G."),
    ] = "10M",
) -> None:
    """Index article files: add the new and changed ones, drop the deleted.

    Unchanged files are not read again. Files that are not articles, and
    files that are not regular files (FIFOs, devices, links), are skipped
    with a reason, and the run goes on.
    """
    from ..index import Index
    from ..render import print_json, print_report, print_skipped
    from ..sources import parse_size

    try:
        size_limit = parse_size(max_size)
    except ValueError as exc:
        raise fail(str(exc)) from None

    from rich.progress import TextColumn, TimeElapsedColumn

    progress = progress_bar("indexing", TextColumn("{task.fields[rate]}"), TimeElapsedColumn())
    with Index.open(index_dir, create=True, rebuild=rebuild) as ix:
        with progress:
            task = progress.add_task("indexing", total=None, rate="")

            def advance(done: int, total: int) -> None:
                elapsed = progress.tasks[0].elapsed or 0.0
                rate = f"{done / elapsed:,.0f} files/s" if elapsed > 0.5 else ""
                progress.update(task, completed=done, total=total, rate=rate)

            before = ix.generation
            try:
                report = ix.update(paths, progress=advance, max_size=size_limit)
            except KeyboardInterrupt:
                if ix.generation == before:
                    message = "interrupted: nothing was committed, the index is as it was"
                else:  # Ctrl-C came as the run ended: its commit stands.
                    message = "interrupted after the run was committed"
                raise fail(message, 130) from None
        if as_json:
            print_json(stdout, {**report.to_dict(), "total": len(ix)})
        else:
            print_report(stdout, report, len(ix))
        print_skipped(stderr, report, verbose=verbose)


@app.command()
def check(
    index_dir: IndexOption = "index",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Verify the index's files against their recorded checksums.

    Reads every file of the last commit and compares it with the size and
    checksum recorded when it was written. Names each damaged file and the
    articles it holds; exits 1 if any is damaged.
    """
    from ..index import Index
    from ..render import print_check, print_json

    report = Index(index_dir).check()
    if as_json:
        print_json(stdout, report.to_dict())
    else:
        print_check(stdout, report)
    if not report.ok:
        raise fail(f"the index at {index_dir} is damaged: {len(report.problems)} problems found")
