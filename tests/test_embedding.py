"""The library embedded as programs embed it, each in a real child Python on 600 files.

Indexing 600 files or more runs worker processes. None of them may import or
run the caller's ``__main__``: each program below counts the runs of its own
top-level code in a file, and must find one. The articles are synthetic
fixtures, not taz content.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, write_fixtures

ARTICLES = 600
TIMEOUT = 120

# The program's own code: it notes each run of it, indexes, and reports.
BODY = """\
import json, pathlib
with open({runs!r}, "a") as runs:
    runs.write("ran\\n")
import tazsearch.updating
from tazsearch import Index

builders = []
real_new_builder = tazsearch.updating.new_builder

def new_builder(*args):
    builder = real_new_builder(*args)
    builders.append(type(builder).__name__)
    return builder

tazsearch.updating.new_builder = new_builder

def index_and_report():
    with Index.open({index!r}, create=True) as ix:
        report = ix.update([{articles!r}])
        found = ix.search("Bericht").total
    return json.dumps({{"indexed": report.indexed, "found": found, "builders": builders}})
"""


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("embedded-articles")
    write_fixtures(folder, ARTICLES)
    return folder


def _program(tmp_path: Path, articles: Path, tail: str, name: str = "program.py") -> Path:
    """A program made of BODY and ``tail``, in a folder of its own."""
    body = BODY.format(
        runs=str(tmp_path / "runs"), index=str(tmp_path / "ix"), articles=str(articles)
    )
    path = tmp_path / name
    path.write_text(body + textwrap.dedent(tail), encoding="utf-8")
    return path


def _python(*args: str, cwd: Path, stdin: str | None = None) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _check(tmp_path: Path, report_line: str) -> None:
    """One run of the program's code, every article indexed, on worker processes."""
    report = json.loads(report_line)
    assert (report["indexed"], report["found"]) == (ARTICLES, ARTICLES)
    if (os.cpu_count() or 1) > 1:
        assert report["builders"] == ["ParallelBuilder"]
    assert (tmp_path / "runs").read_text() == "ran\n"


def _report_of(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith('{"indexed"'))


def test_a_script_without_a_main_guard(tmp_path: Path, articles: Path) -> None:
    program = _program(tmp_path, articles, "print(index_and_report())\n")
    _check(tmp_path, _report_of(_python(str(program), cwd=tmp_path)))


def test_a_module_run_with_python_m(tmp_path: Path, articles: Path) -> None:
    _program(tmp_path, articles, "print(index_and_report())\n", name="embedder.py")
    _check(tmp_path, _report_of(_python("-m", "embedder", cwd=tmp_path)))


def test_the_interactive_interpreter(tmp_path: Path, articles: Path) -> None:
    code = _program(tmp_path, articles, "", name="cell.py").read_text(encoding="utf-8")
    (tmp_path / "cell.py").unlink()
    typed = f"exec({code!r})\nprint(index_and_report())\n"
    output = _python("-i", "-q", cwd=tmp_path, stdin=typed)
    _check(tmp_path, _report_of(output))


def test_a_thread_of_a_script(tmp_path: Path, articles: Path) -> None:
    tail = """
    import threading
    reports = []
    thread = threading.Thread(target=lambda: reports.append(index_and_report()))
    thread.start()
    thread.join(timeout=100)
    print(reports[0])
    """
    program = _program(tmp_path, articles, tail)
    _check(tmp_path, _report_of(_python(str(program), cwd=tmp_path)))


def test_a_daemon_process_of_a_multiprocessing_program(tmp_path: Path, articles: Path) -> None:
    """Where a server runs its workers as daemonic processes, which multiprocessing
    forbids to start processes of their own."""
    _program(tmp_path, articles, "", name="job.py")
    main = tmp_path / "main.py"
    main.write_text(
        textwrap.dedent("""
        import multiprocessing

        def work(results):
            import job
            results.put(job.index_and_report())

        if __name__ == "__main__":
            context = multiprocessing.get_context("spawn")
            results = context.Queue()
            worker = context.Process(target=work, args=(results,), daemon=True)
            worker.start()
            print(results.get(timeout=100))
            worker.join(timeout=10)
        """),
        encoding="utf-8",
    )
    _check(tmp_path, _report_of(_python(str(main), cwd=tmp_path)))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_web_app_served_by_uvicorn(tmp_path: Path, articles: Path) -> None:
    """`python -m uvicorn app:app`: the caller's __main__ is uvicorn's, which
    multiprocessing would start again, as a second server, in every worker."""
    tail = """
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse

    app = FastAPI()

    @app.post("/reindex")
    def reindex():
        return PlainTextResponse(index_and_report())
    """
    _program(tmp_path, articles, tail, name="webapp.py")
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "webapp:app", "--port", str(port)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/reindex", method="POST")
                with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                    report_line = answer.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None
                time.sleep(0.1)
    finally:
        server.terminate()
        server.communicate(timeout=30)
    _check(tmp_path, report_line)


def test_a_jupyter_kernel(tmp_path: Path, articles: Path) -> None:
    """A real IPython kernel, as Jupyter runs one: its __main__ is the kernel's."""
    manager = pytest.importorskip("jupyter_client.manager")
    code = _program(tmp_path, articles, "print(index_and_report())\n", name="cell.py")
    cell = code.read_text(encoding="utf-8")
    code.unlink()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    kernel, client = manager.start_new_kernel(kernel_name="python3", cwd=str(tmp_path), env=env)
    output: list[str] = []
    try:
        reply = client.execute_interactive(
            cell,
            timeout=TIMEOUT,
            output_hook=lambda message: output.append(message["content"].get("text", "")),
        )
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        client.stop_channels()
        kernel.shutdown_kernel(now=True)
    _check(tmp_path, _report_of("".join(output)))
