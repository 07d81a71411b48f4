"""`tazsearch serve --workers N`: every worker sees each commit, Ctrl-C stops them all,
a dead worker is replaced, a crash loop ends; no read waits on a lock."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed")
from fastapi.testclient import TestClient

from tazsearch import Index
from tazsearch.serve import create_app
from tazsearch.store.lock import WriteLock

from conftest import fixture_article, run_cli

LOG_LINE = re.compile(r"\[(\d+)\] GET /api/search\?q=Beta&probe=(\d+) 200 ")


class Server:
    """`tazsearch serve` in a process (and session) of its own; its stderr read as it comes."""

    def __init__(self, index_dir: Path, *options: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        command = [sys.executable, "-m", "tazsearch", "serve", "--index", str(index_dir)]
        command += ["--port", str(self.port), *options]
        self.process = subprocess.Popen(
            command, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + 60
        while True:
            try:
                self.get("/health")
                return
            except OSError:
                assert self.process.poll() is None, self.stderr()
                assert time.monotonic() < deadline, "the server did not answer in 60 s"
                time.sleep(0.1)

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def stderr(self) -> str:
        return "\n".join(self.lines)

    def get(self, path: str) -> dict:
        """GET on a new connection, so that any worker may take it."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path)
            answer = connection.getresponse()
            assert answer.status == 200, answer.read()
            return json.loads(answer.read())
        finally:
            connection.close()

    def workers(self) -> set[int]:
        """The worker processes now running: the server's children."""
        pid = self.process.pid
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return {int(n) for n in children.read().split()}

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Signal the whole process group, as Ctrl-C in a terminal does; the exit code."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signum)
        code = self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        return code


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[Server, Path, Path]]:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(fixture_article("Fixture: Alpha", "Erster Text."))
    index_dir = tmp_path / "ix"
    with Index.open(index_dir, create=True) as ix:
        ix.update([folder])
    server = Server(index_dir, "--workers", "2")
    try:
        yield server, folder, index_dir
    finally:
        server.stop(signal.SIGKILL)


def _probe(server: Server, probes: list[int], want: set[int]) -> dict[int, list[int]]:
    """Searches for Beta, each on a new connection, until every worker in ``want`` has
    answered one (at most 200): the totals each worker answered, by pid, from the log."""
    totals: dict[int, list[int]] = {}
    for _ in range(200):
        number = len(probes)
        probes.append(server.get(f"/api/search?q=Beta&probe={number}")["total"])
        deadline = time.monotonic() + 10
        while not any(f"probe={number} " in line for line in server.lines):
            assert time.monotonic() < deadline, "no log line for a request"
            time.sleep(0.01)
        for line in server.lines:
            if (match := LOG_LINE.search(line)) and int(match[2]) == number:
                totals.setdefault(int(match[1]), []).append(probes[number])
        if want <= set(totals):
            return totals
    raise AssertionError(f"only workers {sorted(totals)} of {sorted(want)} answered")


def test_every_worker_sees_a_commit_on_its_next_request(
    two_workers: tuple[Server, Path, Path],
) -> None:
    server, folder, index_dir = two_workers
    workers = server.workers()
    assert len(workers) == 2
    probes: list[int] = []
    before = _probe(server, probes, workers)  # each worker has read the index once
    assert all(total == 0 for totals in before.values() for total in totals)
    (folder / "b.txt").write_text(fixture_article("Fixture: Beta", "Zweiter Text."))
    assert run_cli("index", str(folder), "--index", str(index_dir)).returncode == 0
    seen = len(probes)
    after = _probe(server, probes, workers)
    assert probes[seen:] and all(total == 1 for total in probes[seen:]), probes
    assert set(after) == workers


def test_a_dead_worker_is_replaced(two_workers: tuple[Server, Path, Path]) -> None:
    server, _, _ = two_workers
    first = server.workers()
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while len(server.workers() - {victim}) < 2:
        assert time.monotonic() < deadline, "the dead worker was not replaced"
        time.sleep(0.05)
    (new,) = server.workers() - first
    _probe(server, [], {new})  # the new worker answers
    assert any(f"worker {victim} stopped with killed by SIGKILL" in line for line in server.lines)
    assert server.stop() == 130


def test_ctrl_c_stops_every_worker_and_exits_130(
    two_workers: tuple[Server, Path, Path],
) -> None:
    server, _, _ = two_workers
    workers = server.workers()
    assert server.stop(signal.SIGINT) == 130
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists(), f"worker {pid} outlived the server"
    shown = server.stderr()
    assert "interrupted" in shown and "Traceback" not in shown, shown
    assert server.lines[0].startswith(f"serving {server.process.args[5]} at http://127.0.0.1:")


CRASHING = """
import sys
from tazsearch.errors import IndexDamagedError
from tazsearch.workers import Supervisor
def serve(slot):
    raise IndexDamagedError("the index at /somewhere is damaged")
try:
    Supervisor(2, serve, print).run()
except Exception as exc:
    print(f"{type(exc).__name__}: {exc}")
    sys.exit(3)
"""


def test_workers_that_keep_dying_end_the_service_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CRASHING], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 3, result.stderr
    *restarts, last = result.stdout.splitlines()
    assert len(restarts) == 5 and all("starting another" in line for line in restarts)
    assert last == (
        "ServeError: 6 workers stopped within 60 s, the last with exit code 1: "
        "the index at /somewhere is damaged; not starting more"
    )


def test_a_running_indexer_holding_the_write_lock_delays_no_search(seed_index: Path) -> None:
    client = TestClient(create_app(seed_index))
    lock = WriteLock(seed_index)
    assert lock.acquire()  # as a `tazsearch index` running alongside holds it
    try:
        answered: list[int] = []
        thread = threading.Thread(
            target=lambda: answered.append(client.get("/api/search?q=Nordkorea").status_code)
        )
        thread.start()
        thread.join(timeout=10)  # a search waiting for the lock would wait for ever
        assert answered == [200]
    finally:
        lock.release()


def test_a_slow_search_holds_up_no_quick_one(
    seed_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tazsearch.index

    search = tazsearch.index.run_search
    inside, release = threading.Event(), threading.Event()

    def slow_or_not(snapshot: object, query: str, **options: object) -> object:
        if query == "langsam":  # holds its snapshot, as a long search does
            inside.set()
            assert release.wait(timeout=60)
        return search(snapshot, query, **options)

    monkeypatch.setattr(tazsearch.index, "run_search", slow_or_not)
    client = TestClient(create_app(seed_index))
    slow = threading.Thread(target=lambda: client.get("/api/search?q=langsam"))
    slow.start()
    try:
        assert inside.wait(timeout=30)
        quick: list[int] = []
        thread = threading.Thread(
            target=lambda: quick.append(client.get("/api/search?q=Nordkorea").json()["total"])
        )
        thread.start()
        thread.join(timeout=10)
        assert quick == [1], "the quick search waited for the slow one"
    finally:
        release.set()
        slow.join(timeout=30)
