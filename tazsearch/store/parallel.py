"""Building segments in worker processes, one per core, from batches of documents.

The parent reads and parses files; the workers analyse and write. A worker
is a fresh Python started with ``-c``: it imports tazsearch and nothing of
the program that called it. (multiprocessing's ``spawn`` and ``forkserver``
import the caller's ``__main__`` again in every worker, which runs a script
without an ``if __name__ == "__main__":`` guard a second time; ``fork``
copies the caller's threads' locks mid-use.) Work goes to a worker as
pickles on its standard input, and its segments come back as one pickle on
its standard output.

A worker that fails (a full disk) or dies (killed, out of memory) fails the
run at once; a worker dies with its parent.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import json
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from typing import IO, Any

from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage

from .schema import IndexDocument
from .writing import BATCH_SIZE, SegmentBuilder

PR_SET_PDEATHSIG = 1
# A worker ignores Ctrl-C from its first instruction (the parent decides what
# stops), takes the parent's module path, and serves.
_BOOT = (
    "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "import sys, json; sys.path[:] = json.loads(sys.argv[1]); "
    "from tazsearch.store.parallel import serve; serve(int(sys.argv[2]))"
)
_PROTOCOL = pickle.HIGHEST_PROTOCOL
# Batches waiting for each worker, beyond the one it works on.
_WAITING = 2
_POLL_SECONDS = 0.5
_STOP_SECONDS = 10


def can_start_workers() -> bool:
    """Whether this Python can start a copy of itself: not where it is embedded
    in another program (sys.executable is then empty or that program)."""
    return bool(sys.executable) and os.access(sys.executable, os.X_OK)


class _Worker:
    """One worker process, and the thread that writes its batches to it, so that
    the parent parses the next files meanwhile."""

    def __init__(self, directory: str, schema: Schema) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _BOOT, json.dumps(sys.path), str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
        )
        self.waiting: queue.Queue[Any] = queue.Queue(maxsize=_WAITING)
        self.waiting.put((directory, schema))
        self.broken = False  # its input pipe broke: it stopped
        self._feeder = threading.Thread(target=self._feed, daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            while True:
                item = self.waiting.get()
                pickle.dump(item, stdin, protocol=_PROTOCOL)
                stdin.flush()
                if item is None:
                    stdin.close()
                    return
        except (OSError, ValueError):  # It stopped, or was stopped.
            self.broken = True

    def stopped(self) -> bool:
        return self.broken or self.process.poll() is not None

    def outcome(self) -> list[Any]:
        """The segments the worker wrote; its failure, or its death, raised as OSError."""
        stdout = self.process.stdout
        assert stdout is not None
        try:
            result = pickle.load(stdout)
        except (EOFError, pickle.UnpicklingError, OSError):
            result = None
        if isinstance(result, _Failure):
            raise result.error()
        if not isinstance(result, list):
            code = self.process.wait(_STOP_SECONDS)
            raise OSError(f"an indexing process stopped unexpectedly (exit code {code})")
        return result

    def stop(self) -> None:
        """End the worker now and wait until it is gone."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if pipe is not None:
                    pipe.close()
        with contextlib.suppress(queue.Full):  # A feeder waiting for work ends too.
            self.waiting.put_nowait(None)


class ParallelBuilder:
    """Builds segments in worker processes, one per core, from batches of documents.

    Every wait on the workers has a timeout and checks on them: a worker that
    fails or dies fails the run at once, and never leaves the parent waiting
    on a pipe nobody reads.
    """

    def __init__(self, directory: str, schema: Schema, processes: int) -> None:
        self._batch: list[IndexDocument] = []
        self._workers: list[_Worker] = []
        try:
            for _ in range(processes):
                self._workers.append(_Worker(directory, schema))
        except BaseException:
            self.cancel()
            raise

    def add(self, document: IndexDocument) -> None:
        self._batch.append(document)
        if len(self._batch) >= BATCH_SIZE:
            self._put(self._batch)
            self._batch = []

    def _put(self, batch: list[IndexDocument]) -> None:
        """Hand a batch to the worker with the fewest waiting, checking on the
        workers while all are busy."""
        while True:
            self._check_workers()
            worker = min(self._workers, key=lambda w: w.waiting.qsize())
            try:
                worker.waiting.put(batch, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue

    def _check_workers(self) -> None:
        """Raise the failure of a worker that stopped before it was told to."""
        for worker in self._workers:
            if worker.stopped():
                worker.outcome()  # Raises its failure, or that it died.
                raise OSError("an indexing process stopped unexpectedly (exit code 0)")

    def finish(self) -> list[Any]:
        """Wait for the workers to write their last segments; all segments written."""
        try:
            if self._batch:
                self._put(self._batch)
                self._batch = []
            for worker in self._workers:
                while True:
                    try:
                        worker.waiting.put(None, timeout=_POLL_SECONDS)
                        break
                    except queue.Full:
                        self._check_workers()
            segments = [segment for worker in self._workers for segment in worker.outcome()]
        except BaseException:
            self.cancel()
            raise
        for worker in self._workers:
            worker.process.wait(_STOP_SECONDS)
        return segments

    def cancel(self) -> None:
        """Stop the workers and wait until they are gone; what they wrote is never committed."""
        for worker in self._workers:
            worker.stop()


class _Failure:
    """A worker's error, sent to the parent: an OSError keeps its number and text."""

    def __init__(self, exc: BaseException) -> None:
        self.errno = getattr(exc, "errno", None)
        self.strerror = getattr(exc, "strerror", None)
        self.message = f"indexing process failed: {type(exc).__name__}: {exc}"

    def error(self) -> OSError:
        if self.errno is not None and self.strerror:
            return OSError(self.errno, self.strerror)
        return OSError(self.message)


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when the parent dies, as after a kill -9.

    Without it a worker could wait for ever on a half-written batch. Elsewhere
    than Linux, the worker sees its input pipe end when the parent dies.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # It died before that took effect.
        os._exit(1)


def serve(parent: int) -> None:
    """A worker's life: the index folder and schema, then batches until None; then
    its segments, or its failure, as one pickle on standard output."""
    _die_with(parent)
    results: IO[bytes] = sys.stdout.buffer
    sys.stdout = sys.stderr  # Nothing else may write to the results pipe.
    work = sys.stdin.buffer
    outcome: Any
    try:
        directory, schema = pickle.load(work)
        builder = SegmentBuilder(FileStorage(directory), schema)
        while (batch := pickle.load(work)) is not None:
            builder.add_batch(batch)
            # The vocabulary grows by thousands of objects a batch, and the
            # collector's full passes over them took a tenth of the time: what
            # lives now is left out of its passes from here on.
            gc.freeze()
        outcome = builder.finish()
    except BaseException as exc:  # Handed to the parent, which reports it.
        outcome = _Failure(exc)
    with contextlib.suppress(OSError):  # The parent is gone: nobody to tell.
        pickle.dump(outcome, results, protocol=_PROTOCOL)
        results.flush()
