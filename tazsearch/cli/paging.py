"""Long output on a terminal goes through a pager, as git's does."""

from __future__ import annotations

import io
import os
import shlex
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console


def pager_command() -> str | None:
    """$TAZSEARCH_PAGER, else $PAGER, else less; None when it is empty, ``cat``, or
    a program this machine does not have (the output is printed as it is then)."""
    command = os.environ.get("TAZSEARCH_PAGER", os.environ.get("PAGER", "less")).strip()
    try:
        program = shlex.split(command)[0] if command else ""
    except ValueError:  # Unbalanced quotes: the shell would fail on them too.
        return None
    if program in ("", "cat") or shutil.which(program) is None:
        return None
    return command


@contextmanager
def paged(console: Console, *, enabled: bool = True) -> Iterator[Console]:
    """A console whose output, on a terminal, goes through the pager when the block
    ends: in colour, as wide as the terminal. Elsewhere, or with ``enabled``
    false, ``console`` itself. Like git, less gets LESS=FRX unless LESS is set,
    so that output shorter than a screen is printed and less quits at once."""
    command = pager_command() if enabled and console.is_terminal else None
    if command is None:
        yield console
        return
    buffer = io.StringIO()
    yield Console(
        file=buffer,
        force_terminal=True,
        color_system=console.color_system,
        width=console.width,
        highlight=False,
    )
    _page(command, buffer.getvalue())


def _page(command: str, text: str) -> None:
    """Show ``text`` in the pager and wait for it. Ctrl-C belongs to the pager
    meanwhile (less uses it to stop a search); quitting early is no error."""
    environment = {**os.environ, "LESS": os.environ.get("LESS", "FRX")}
    pager = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=environment)
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert pager.stdin is not None
        try:
            pager.stdin.write(text.encode("utf-8", "replace"))
            pager.stdin.close()
        except BrokenPipeError:
            pass
        pager.wait()
    finally:
        signal.signal(signal.SIGINT, interrupt)
