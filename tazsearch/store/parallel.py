"""Building segments in worker processes, one per core, from batches of documents.

The parent reads and parses files; the workers analyse and write. Every
wait on the workers has a timeout and a check on them, so that a worker that
fails (a full disk) or dies (killed, out of memory) fails the run at once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import queue
import signal
import sys
import threading
from typing import Any

from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage

from .schema import IndexDocument
from .writing import BATCH_SIZE, SegmentBuilder

PR_SET_PDEATHSIG = 1


class ParallelBuilder:
    """Builds segments in worker processes, one per core, from batches of documents.

    Every wait on the workers has a timeout and checks on them: a worker that
    fails (a full disk) or dies (killed, out of memory) fails the run at once,
    and never leaves the parent waiting on a queue nobody reads.
    """

    _POLL_SECONDS = 0.5
    _JOIN_SECONDS = 10

    def __init__(self, directory: str, schema: Schema, processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._tasks = context.Queue(maxsize=processes * 4)
        self._results = context.Queue()
        self._batch: list[IndexDocument] = []
        self._segments: list[Any] = []
        self._finished = 0  # workers whose segments came back
        self._workers = [
            context.Process(
                target=_work,
                args=(directory, schema, self._tasks, self._results, os.getpid()),
                daemon=True,
            )
            for _ in range(processes)
        ]
        # Ctrl-C reaches the whole process group, workers starting up included:
        # they start with it ignored, and the parent decides what stops.
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
        try:
            for worker in self._workers:
                worker.start()
        finally:
            if main_thread:
                signal.signal(signal.SIGINT, previous)

    def add(self, document: IndexDocument) -> None:
        self._batch.append(document)
        if len(self._batch) >= BATCH_SIZE:
            self._put(self._batch)
            self._batch = []

    def _put(self, item: list[IndexDocument] | None) -> None:
        """Hand work to the workers, checking on them while the queue is full."""
        self._take_results()
        while True:
            try:
                self._tasks.put(item, timeout=self._POLL_SECONDS)
                return
            except queue.Full:
                self._check_workers()

    def _take_results(self, timeout: float | None = None) -> bool:
        """Take one worker's outcome if there is one; raise a worker's failure."""
        try:
            outcome = self._results.get(timeout=timeout) if timeout else self._results.get_nowait()
        except queue.Empty:
            return False
        if isinstance(outcome, _Failure):
            raise outcome.error()
        self._segments.extend(outcome)
        self._finished += 1
        return True

    def _check_workers(self) -> None:
        """Raise if a worker stopped before giving its outcome: killed, out of memory."""
        self._take_results()
        stopped = [w.exitcode for w in self._workers if w.exitcode is not None]
        if len(stopped) > self._finished and not self._take_results(self._POLL_SECONDS):
            code = next((c for c in stopped if c), stopped[0])
            raise OSError(f"an indexing process stopped unexpectedly (exit code {code})")

    def finish(self) -> list[Any]:
        """Wait for the workers to write their last segments; all segments written."""
        try:
            if self._batch:
                self._put(self._batch)
                self._batch = []
            for _ in self._workers:
                self._put(None)
            while self._finished < len(self._workers):
                if not self._take_results(self._POLL_SECONDS):
                    self._check_workers()
        except BaseException:
            self.cancel()
            raise
        for worker in self._workers:
            worker.join(self._JOIN_SECONDS)
        return self._segments

    def cancel(self) -> None:
        """Stop the workers and wait until they are gone; what they wrote is never committed."""
        for worker in self._workers:
            if worker.is_alive():
                worker.terminate()
        for worker in self._workers:
            worker.join(self._JOIN_SECONDS)
            if worker.is_alive():
                worker.kill()
                worker.join()
        # Batches still in the pipes will never be read: without this, the
        # queues' feeder threads would keep the process from exiting.
        for pipe in (self._tasks, self._results):
            pipe.cancel_join_thread()
            pipe.close()


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

    Without it a worker could wait for ever on a half-written batch, holding
    the parent's output pipes open. Elsewhere than Linux, the worker checks
    its parent while it waits for work.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # It died before that took effect.
        os._exit(1)


def _work(directory: str, schema: Schema, tasks: Any, results: Any, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    try:
        builder = SegmentBuilder(FileStorage(directory), schema)
        while True:
            try:
                batch = tasks.get(timeout=1)
            except queue.Empty:
                if os.getppid() != parent:  # The indexer was killed: nothing will commit this.
                    return
                continue
            if batch is None:
                break
            builder.add_batch(batch)
            # The vocabulary grows by thousands of objects a batch, and the
            # collector's full passes over them took a tenth of the time: what
            # lives now is left out of its passes from here on.
            gc.freeze()
        results.put(builder.finish())
    except BaseException as exc:  # Handed to the parent, which reports it.
        results.put(_Failure(exc))
