"""Load on `tazsearch serve`: 20 concurrent clients for 20 seconds, on loopback only.

Starts `tazsearch serve` on a free loopback port over an index (by default
the 29,053-article index that query_speed.py builds in --workdir), waits for
/health, then runs --clients threads that each send search requests, one
after another over a kept-alive connection, for --seconds. The searches are
the 240 queries of query_speed.py, with their filters, sorts and facets, in
turn. It reports requests per second, p50/p95/p99 latency in milliseconds and
the number of errors (any answer but 200, or a failed connection), then stops
the server. First it checks that a dozen of the searches answer exactly as
`tazsearch query --json` does.

    python bench/serve_load.py --index /tmp/tazsearch-bench/query-index-corpus-all-x1
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from query_speed import make_queries  # noqa: E402

from tazsearch import Index  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def requests(index_dir: Path) -> list[tuple[str, list[str]]]:
    """(API path, the same search's `tazsearch query` arguments) for each benchmark query."""
    with Index.open(index_dir) as ix:
        queries = make_queries(ix)
    found = []
    for _, text, options in queries:
        params: list[tuple[str, str]] = [("q", text)]
        arguments = [text]
        for tag in options.get("tags", []):
            params.append(("tag", tag))
            arguments += ["--tag", tag]
        if options.get("facets"):
            params.append(("facets", "true"))
            arguments.append("--facets")
        if "sort" in options:
            params.append(("sort", options["sort"]))
            arguments += ["--sort", options["sort"]]
        found.append(("/api/search?" + urlencode(params), arguments))
    return found


def same_as_cli(port: int, index_dir: Path, searches: list[tuple[str, list[str]]]) -> int:
    """How many of these searches the API answers exactly as `tazsearch query --json`."""
    tazsearch = Path(sys.executable).with_name("tazsearch")
    same = 0
    for path, arguments in searches:
        command = [str(tazsearch), "query", *arguments, "--index", str(index_dir), "--json"]
        cli = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path)
        same += json.loads(connection.getresponse().read()) == cli
        connection.close()
    return same


def wait_for(port: int, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped with exit code {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("the server did not answer /health in time")


def client(
    port: int, paths: list[str], start: int, stop_at: float, out: list, errors: list
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for path in itertools.islice(itertools.cycle(paths), start, None):
        if time.monotonic() >= stop_at:
            break
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        (out if ok else errors).append(1000 * (time.perf_counter() - started))
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--index", type=Path, default=Path("/tmp/tazsearch-bench/query-index-corpus-all-x1")
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    searches = requests(args.index)
    paths = [path for path, _ in searches]
    port = free_port()
    tazsearch = Path(sys.executable).with_name("tazsearch")
    command = [str(tazsearch), "serve", "--index", str(args.index), "--port", str(port)]
    server = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        wait_for(port, server)
        checked = searches[:: len(searches) // 12]
        agreeing = same_as_cli(port, args.index, checked)
        print(f"{agreeing} of {len(checked)} searches answer exactly as `tazsearch query --json`")
        latencies: list[float] = []
        errors: list[float] = []
        stop_at = time.monotonic() + args.seconds
        step = len(paths) // args.clients
        threads = [
            threading.Thread(
                target=client, args=(port, paths, n * step, stop_at, latencies, errors)
            )
            for n in range(args.clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    print(f"{args.clients} clients, {elapsed:.1f} s, index {args.index}")
    print("| requests | requests/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {len(latencies) + len(errors)} | {len(latencies) / elapsed:.1f} "
        f"| {cuts[49]:.1f} | {cuts[94]:.1f} | {cuts[98]:.1f} | {len(errors)} |"
    )


if __name__ == "__main__":
    main()
