"""The command line's frame: the app and its command group, the options commands
share, one-line messages, and the entry point. The commands live in the
modules beside this one."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn
from rich.text import Text
from typer.core import TyperGroup

from ..errors import TazsearchError
from ..results import Sort
from ..safetext import visible


class _Commands(TyperGroup):
    """The commands, with what every one of them shares: a query argument that
    begins with "-" is a query, and errors become one line on stderr with an exit
    code, never a traceback. Tests run it in-process with typer's CliRunner."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        given = list(sys.argv[1:] if args is None else args)
        command = self.commands.get(given[0]) if given else None
        if command is not None and given[0] in QUERY_COMMANDS:
            given = _mark_dash_queries(given, command)
        return super().main(given, *rest, **options)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except TazsearchError as exc:
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            stderr.print("[yellow]interrupted[/]")
            raise typer.Exit(130) from None
        except BrokenPipeError:  # The reader of a pipe left: what it read was enough.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except Exception as exc:  # A bug: say so in one line, unless asked for the traceback.
            if os.environ.get("TAZSEARCH_DEBUG"):
                raise
            message = f"{type(exc).__name__}: {exc} (set TAZSEARCH_DEBUG=1 for details)"
            say("internal error:", message)
            raise typer.Exit(70) from None


app = typer.Typer(
    cls=_Commands,
    help="Search taz.de articles with German stemming and ranked, highlighted results.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
stdout = Console(highlight=False)
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
    """A progress bar on a terminal's stderr, and nothing where stderr is none."""
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
    """The arguments, with any that begins with "-" but is none of the command's
    options (nor the value of one) marked as its query text."""
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
        elif arg.startswith("-") and len(arg) > 1 and name not in takes_value:
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
    app()
