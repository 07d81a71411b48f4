"""The command line's frame: the app and its command group, the options commands
share, one-line messages, and the entry point. The commands live in the
modules beside this one."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from ..errors import IndexNotFoundError, TazsearchError
from ..formats import Format
from ..results import Sort
from ..safetext import visible

if TYPE_CHECKING:
    from rich.progress import Progress, ProgressColumn


class _Commands(TyperGroup):
    """The commands, with what every one of them shares: a query argument that
    begins with "-" is a query; errors, usage errors included, become one line on
    stderr with an exit code (those below, as the README lists them), never a
    traceback or a box; and a reader that closes the pipe early ends the
    command quietly. Tests run it in-process with typer's CliRunner."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        given = list(sys.argv[1:] if args is None else args)
        if not given:  # No command: the help, as gh and docker give it.
            given = ["--help"]
        command = self.commands.get(given[0])
        if command is not None and given[0] in QUERY_COMMANDS:
            given = _mark_dash_queries(given, command)
        standalone = options.pop("standalone_mode", True)
        # One name in usage lines and for shell completion, however it was started.
        options["prog_name"] = options.get("prog_name") or "tazsearch"
        try:
            result = super().main(given, *rest, standalone_mode=False, **options)
        except click.UsageError as exc:
            hint = f" (see {exc.ctx.command_path} -h)" if exc.ctx else ""
            say("error:", _one_line(exc.format_message()) + hint)
            result = USAGE
        except click.ClickException as exc:
            say("error:", _one_line(exc.format_message()))
            result = ERROR
        except click.Abort:
            say("interrupted", "", "yellow")
            result = INTERRUPTED
        code = result if isinstance(result, int) else OK
        if standalone:
            sys.exit(code)
        return code

    def make_context(self, *args: Any, **options: Any) -> click.Context:
        """Reading the arguments prints the group's help and the version: a closed
        pipe there ends the command as anywhere else (click's answer is exit 1)."""
        try:
            return super().make_context(*args, **options)
        except BrokenPipeError:
            raise typer.Exit(pipe_closed()) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except IndexNotFoundError as exc:
            raise fail(f"{exc} (or name another with --index or TAZSEARCH_INDEX)") from None
        except TazsearchError as exc:
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            stderr.print("[yellow]interrupted[/]")
            raise typer.Exit(INTERRUPTED) from None
        except BrokenPipeError:  # The reader of a pipe left: what it read was enough.
            raise typer.Exit(pipe_closed()) from None
        except Exception as exc:  # A bug: say so in one line, unless asked for the traceback.
            if os.environ.get("TAZSEARCH_DEBUG"):
                raise
            message = f"{type(exc).__name__}: {exc} (set TAZSEARCH_DEBUG=1 for details)"
            say("internal error:", message)
            raise typer.Exit(INTERNAL) from None


# The exit codes, as the README's table gives them.
OK, ERROR, USAGE, INTERNAL, INTERRUPTED = 0, 1, 2, 70, 130


def _one_line(message: str) -> str:
    """Click's message as one line in the style of ours: lower case first, no full stop."""
    text = " ".join(message.split()).rstrip(".")
    return text[:1].lower() + text[1:]


def pipe_closed() -> int:
    """Standard output's reader has gone (``| head``): what it read was enough, so
    the command ends with success and says nothing. Output still buffered goes
    to /dev/null, so that Python's last flush cannot fail at exit either."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return OK


class _Console(Console):
    """Rich's console, whose closed pipe ends the command as any other does: rich's
    own answer is exit code 1."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        print(f"tazsearch {__version__}", flush=True)
        raise typer.Exit()


app = typer.Typer(
    cls=_Commands,
    name="tazsearch",
    help="Search taz.de articles with German stemming and ranked, highlighted results.",
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # Plain help: no markup in a docstring can eat its text.
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Search taz.de articles with German stemming and ranked, highlighted results."""


stdout = _Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


def _index_folder(value: str) -> str:
    """The index folder as given: an empty name would be the working directory.
    (Click takes an empty TAZSEARCH_INDEX for no value: that is refused too.)"""
    if not value or os.environ.get("TAZSEARCH_INDEX") == "":
        raise fail("--index (or TAZSEARCH_INDEX) must name a folder, not be empty")
    return value


IndexOption = Annotated[
    str,
    typer.Option(
        "--index",
        "-i",
        envvar="TAZSEARCH_INDEX",
        help="Index directory.",
        show_default=True,
        callback=_index_folder,
    ),
]


def say(label: str, message: str, style: str = "red") -> None:
    """One line on stderr: messages quote file names and queries, so no control
    character, line break or rich markup in them may act."""
    stderr.print(Text(label, style=style) + Text(" " + visible(message)), soft_wrap=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    say("error:", message)
    return typer.Exit(code)


def progress_bar(label: str, *columns: ProgressColumn) -> Progress:
    """A progress bar on a terminal's stderr, and nothing where stderr is none.
    (rich.progress is imported here: only the commands that write need it.)"""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        *columns,
        console=stderr,
        disable=not stderr.is_terminal,
        transient=True,
    )


AuthorOption = Annotated[
    list[str] | None,
    typer.Option("--author", "-a", help="Only articles by this author (repeatable)."),
]
TagOption = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", help="Only articles with this tag (repeatable)."),
]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="From this date on: YYYY, YYYY-MM or YYYY-MM-DD.")
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="Up to this date: YYYY, YYYY-MM or YYYY-MM-DD.")
]
SortOption = Annotated[Sort, typer.Option("--sort", "-s", help="Order of the hits.")]
JsonOption = Annotated[bool, typer.Option("--json", help="The same as --format json.")]
FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format", "-F", help="text (the default), json, or jsonl, tsv or csv: one line per hit."
    ),
]
FieldsOption = Annotated[
    str | None,
    typer.Option(
        "--fields",
        help="The fields of each record, in order, comma-separated: id,date,title (see the "
        "README for them all).",
    ),
]


def format_of(output: Enum | None, as_json: bool) -> str:
    """The format asked for: ``--format``, or ``--json``, its short form for JSON."""
    if as_json and output is not None and output.value != "json":
        raise fail(f"--json is --format json: give one of them, not --format {output.value} too")
    if as_json:
        return "json"
    return "text" if output is None else str(output.value)


QueryArgument = Annotated[
    str, typer.Argument(help="Query, e.g. 'Nordkorea \"Kim Jong Un\" tag:Japan'; may be empty.")
]


# A query argument that begins with "-" ("-Söder Merkel") is marked with this
# invisible character, so that click takes it for the argument it is, not for
# options; the command takes the mark off again.
QUERY_MARK = "\u2060"
# The commands that take a query as their argument.
QUERY_COMMANDS = ("query", "export")


def _mark_dash_queries(args: list[str], command: click.Command) -> list[str]:
    """The arguments, with any that begins with one "-" but is none of the command's
    options (nor the value of one) marked as its query text. One that begins
    with "--" stays an option: a mistyped one is an error, never a search."""
    takes_value = {"--help": False, "-h": False}
    for param in command.params:
        if param.param_type_name == "option":
            for name in (*param.opts, *param.secondary_opts):
                takes_value[name] = not param.is_flag
    marked = [args[0]]
    expecting = False
    for n, arg in enumerate(args[1:], 1):
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if expecting:
            expecting = False
        elif arg == "--":
            return marked + args[n:]
        elif arg.startswith("-") and arg[1:2] not in ("", "-") and name not in takes_value:
            arg = QUERY_MARK + arg
        elif takes_value.get(name) and "=" not in arg:
            expecting = True
        marked.append(arg)
    return marked


def _stop_on_term(signum: int, frame: object) -> None:
    """SIGTERM (kill, timeout) stops a command as Ctrl-C does: what it wrote is taken
    back and its workers stop, rather than the process vanishing mid-write."""
    raise SystemExit(128 + signum)


def main() -> None:
    """Console entry point: SIGTERM stops a command as Ctrl-C does; see :class:`_Commands`."""
    signal.signal(signal.SIGTERM, _stop_on_term)
    code = app(standalone_mode=False)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = pipe_closed()
    sys.exit(code)
