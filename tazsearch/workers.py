"""Worker processes for `tazsearch serve --workers N`: one server per core over one socket.

A search spends most of its time in Python, under the GIL, so one process
answers on one core at most. The parent binds the sockets (see
serve.listen_all), then forks the workers before it has any thread (a fork
copies only the forking thread, so a lock another thread held would stay
locked in the child for ever). Each worker builds its own app and Index and
accepts on the socket of its slot; a worker that replaces a dead one takes
over its slot and socket. Fork, not multiprocessing's spawn or forkserver,
which would import the caller's ``__main__`` again.

The parent only supervises: it blocks SIGINT, SIGTERM and SIGCHLD and waits
for them with ``sigtimedwait``, so that no handler runs in the middle of a
fork. A worker that dies unexpectedly is replaced; when too many die within
a minute (an index that cannot be opened, a crash at start), it gives up
with one line rather than restart for ever. SIGINT or SIGTERM stops every
worker (SIGTERM, then SIGKILL after a grace period) and leaves the parent as
that signal would. Workers die with the parent, even after a ``kill -9``.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable

from .errors import ServeError, TazsearchError
from .safetext import visible
from .store.parallel import _die_with  # prctl(PR_SET_PDEATHSIG), as the indexing workers do

BACKLOG = 2048  # uvicorn's default
WATCHED = {signal.SIGINT, signal.SIGTERM, signal.SIGCHLD}
# A crash loop ends once this many workers (beyond the first of each) died within RESTART_WINDOW.
RESTART_WINDOW = 60.0
STOP_GRACE = 10.0  # seconds a worker has to finish its requests once told to stop
LAST_WORDS_MAX = 300  # characters of a dying worker's one-line reason


def restart_limit(workers: int) -> int:
    """Deaths within a minute that end the service: a couple per worker, at least 5."""
    return max(5, 2 * workers)


def describe(status: int) -> str:
    """How a process ended, from ``waitpid``'s status, in a few words."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return f"killed by {signal.Signals(number).name}"
        except ValueError:
            return f"killed by signal {number}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"


class Supervisor:
    """Forks ``count`` workers that each call ``serve(slot)``, slot 0 to count - 1, and
    keeps them running until SIGINT or SIGTERM. ``notice`` gets a line for each worker
    restarted."""

    def __init__(
        self, count: int, serve: Callable[[int], None], notice: Callable[[str], None]
    ) -> None:
        self.count = count
        self.serve = serve
        self.notice = notice
        self.children: dict[int, int] = {}  # pid: slot
        self.deaths: deque[float] = deque()
        self._parent = os.getpid()
        self._mask: set[signal.Signals] = set()
        self._words_in, self._words_out = -1, -1

    def run(self) -> None:
        """Serve until a signal stops it: KeyboardInterrupt for SIGINT, SystemExit(128 + n)
        for another; ServeError if workers keep dying."""
        if threading.active_count() > 1:
            raise ServeError("cannot fork workers from a process with threads; use --workers 1")
        self._mask = signal.pthread_sigmask(signal.SIG_BLOCK, WATCHED)
        self._words_in, self._words_out = os.pipe()
        os.set_blocking(self._words_in, False)
        gc.freeze()  # what the parent holds now stays shared with the workers, not copied
        try:
            for slot in range(self.count):
                self._start(slot)
            stopped_by = self._watch()
        finally:
            self._stop_all()
            os.close(self._words_in)
            os.close(self._words_out)
            gc.unfreeze()
            signal.pthread_sigmask(signal.SIG_SETMASK, self._mask)
        if stopped_by == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + stopped_by)

    def _start(self, slot: int) -> None:
        pid = os.fork()
        if pid == 0:
            self._worker(slot)  # never returns
        self.children[pid] = slot

    def _worker(self, slot: int) -> None:
        """A worker's life, ended by ``os._exit``: it must never return into the
        parent's stack (its command line, or a test runner)."""
        code = 1
        try:
            _die_with(self._parent)
            os.close(self._words_in)
            signal.pthread_sigmask(signal.SIG_SETMASK, self._mask)
            self.serve(slot)
            code = 0
        except (KeyboardInterrupt, SystemExit):
            code = 0  # told to stop, as every worker is at Ctrl-C
        except TazsearchError as exc:
            self._last_words(str(exc))
        except BaseException as exc:
            self._last_words(f"{type(exc).__name__}: {exc}")
        finally:
            os._exit(code)

    def _last_words(self, message: str) -> None:
        """One line for the parent to report, written at once (shorter than PIPE_BUF)."""
        line = visible(message)[:LAST_WORDS_MAX] + "\n"
        with contextlib.suppress(OSError):
            os.write(self._words_out, line.encode("utf-8", "backslashreplace"))

    def _read_last_words(self) -> str:
        words = b""
        with contextlib.suppress(BlockingIOError, OSError):
            while chunk := os.read(self._words_in, 4096):
                words += chunk
        lines = words.decode("utf-8", "replace").splitlines()
        return lines[-1] if lines else ""

    def _watch(self) -> int:
        """Replace workers that die until SIGINT or SIGTERM comes; that signal's number."""
        last = ""
        while True:
            info = signal.sigtimedwait(WATCHED, 1.0)
            if info is not None and info.si_signo != signal.SIGCHLD:
                return info.si_signo
            for pid, slot, status in self._reap():  # every second too, should a SIGCHLD be missed
                last = self._read_last_words() or last
                now = time.monotonic()
                self.deaths.append(now)
                while self.deaths and self.deaths[0] < now - RESTART_WINDOW:
                    self.deaths.popleft()
                reason = f"{describe(status)}{': ' + last if last else ''}"
                if len(self.deaths) > restart_limit(self.count):
                    raise ServeError(
                        f"{len(self.deaths)} workers stopped within {RESTART_WINDOW:.0f} s, "
                        f"the last with {reason}; not starting more"
                    )
                self.notice(f"worker {pid} stopped with {reason}; starting another")
                self._start(slot)

    def _reap(self) -> list[tuple[int, int, int]]:
        """The workers that ended since the last look: pid, slot and how; only our own
        children."""
        ended = []
        for pid in list(self.children):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                ended.append((pid, self.children.pop(pid), status))
        return ended

    def _stop_all(self) -> None:
        """SIGTERM to every worker, SIGKILL to those still there after the grace period
        (or at once, at a second Ctrl-C), and wait for all of them."""
        self._signal_all(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        while self.children:
            left = deadline - time.monotonic()
            info = signal.sigtimedwait(WATCHED, max(0.0, min(left, 0.5))) if left > 0 else None
            if left <= 0 or (info is not None and info.si_signo != signal.SIGCHLD):
                self._signal_all(signal.SIGKILL)
                for pid in list(self.children):
                    os.waitpid(pid, 0)
                self.children.clear()
                return
            self._reap()

    def _signal_all(self, number: int) -> None:
        for pid in self.children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, number)


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _bind_error(exc: OSError, host: str, port: int) -> str:
    where = _address(host, port)
    if exc.errno == errno.EADDRINUSE:
        return f"cannot listen on {where}: the port is in use; choose another with --port"
    if exc.errno == errno.EACCES:
        return f"cannot listen on {where}: permission denied (ports below 1024 need root)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {where}: this machine has no such address"
    return f"cannot listen on {where}: {exc.strerror or exc}"


def listen(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A socket listening on host and port, or a one-line :class:`ServeError`.

    Bound here rather than by uvicorn, so that a taken port is an error
    before anything claims to be serving.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise ServeError(_bind_error(exc, host, port)) from None
    return sock


def listen_all(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` sockets listening on host and port, one per worker, or a one-line
    :class:`ServeError`.

    Several workers accepting on one socket share its connections badly:
    asyncio accepts every waiting connection at once, so the first worker to
    wake takes them all (20 clients were 20 to 0). With SO_REUSEPORT the
    kernel spreads new connections over the sockets. Any process of the same
    user could join such a group, so the port is first bound without it,
    which fails if anyone holds it; the group is bound right after.
    """
    if count == 1:
        return [listen(host, port)]
    listen(host, port).close()
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sockets.append(listen(host, port, reuse_port=True))
    except ServeError:
        for sock in sockets:
            sock.close()
        raise
    return sockets
