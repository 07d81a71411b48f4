"""Load on `tazsearch serve` with 1, 2 and N workers: 20 concurrent clients, loopback only.

For each worker count (1, 2 and the number of cores, each once) it starts
`tazsearch serve --workers W` on a free loopback port over an index (by
default the 29,053-article index that query_speed.py builds in --workdir),
waits for /health, then lets --clients clients send search requests, each
one after another over a kept-alive connection: --warmup seconds unmeasured
(each worker fills its own caches), then --seconds measured. The searches
are the 240 queries of query_speed.py, with their filters, sorts and facets,
in turn. It reports requests per second, p50/p95/p99 latency in
milliseconds and the errors (any answer but 200, or a failed connection) as
a table, with each throughput's ratio to that of 1 worker. First it checks
that a dozen of the searches answer exactly as `tazsearch query --json`
does (less the file's absolute path, which the API never shows).

The clients run in a process of their own, as asyncio coroutines on raw
sockets (no HTTP library, no threads), so that they take little of the
machine the server runs on; the table shows the CPU they took, and how busy
the whole machine was meanwhile (server, clients and anything else), in
percent of all its cores: a figure far from the server's share means other
work ran alongside, and the run should be repeated on a quiet machine.

    python bench/serve_load.py --index /tmp/tazsearch-bench/query-index-corpus-all-x1
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from query_speed import make_queries  # noqa: E402

from tazsearch import Index  # noqa: E402

MAX_HEAD = 64 * 1024  # bytes of an answer's status line and headers


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
    """How many of these searches the API answers exactly as `tazsearch query --json`,
    less each hit's absolute path."""
    tazsearch = Path(sys.executable).with_name("tazsearch")
    same = 0
    for path, arguments in searches:
        command = [str(tazsearch), "query", *arguments, "--index", str(index_dir), "--json"]
        cli = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
        for hit in cli["hits"]:
            del hit["path"]
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


# The load client, run as its own process (`--load`).


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """Send one request and read its whole answer; its status."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > MAX_HEAD:
        raise ValueError("answer head too long")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _client(
    port: int, requests: list[bytes], start: int, phases: tuple[float, float], out: dict
) -> None:
    """One client: request after request on one connection, until the end of the run."""
    warm_until, stop_at = phases
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    n = start
    while (now := time.monotonic()) < stop_at:
        request = requests[n % len(requests)]
        n += 1
        started = time.perf_counter()
        try:
            ok = await _exchange(reader, writer, request) == 200
        except (OSError, ValueError, asyncio.IncompleteReadError):
            ok = False
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        if now >= warm_until:
            elapsed = 1000 * (time.perf_counter() - started)
            out["latencies" if ok else "errors"].append(elapsed)
    writer.close()


async def _load(port: int, paths: list[str], clients: int, warmup: float, seconds: float) -> dict:
    host = f"127.0.0.1:{port}"
    requests = [f"GET {p} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode() for p in paths]
    out: dict = {"latencies": [], "errors": []}
    warm_until = time.monotonic() + warmup
    phases = (warm_until, warm_until + seconds)
    step = max(1, len(requests) // clients)
    await asyncio.gather(*(_client(port, requests, n * step, phases, out) for n in range(clients)))
    return out


def load(port: int, paths: list[str], clients: int, warmup: float, seconds: float) -> dict:
    """The clients' latencies and errors, and the CPU seconds this process took."""
    cpu = time.process_time()
    out = asyncio.run(_load(port, paths, clients, warmup, seconds))
    out["client_cpu"] = time.process_time() - cpu
    return out


def busy_and_total() -> tuple[int, int]:
    """The machine's busy and total CPU time so far, in clock ticks (/proc/stat)."""
    with open("/proc/stat") as stat:
        ticks = [int(n) for n in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return sum(ticks) - idle, sum(ticks)


def run_clients(port: int, paths: list[str], args: argparse.Namespace) -> dict:
    """The load, from a separate Python process, so that its work is not the server's."""
    command = [sys.executable, __file__, "--load", str(port), "--clients", str(args.clients)]
    command += ["--warmup", str(args.warmup), "--seconds", str(args.seconds)]
    busy, total = busy_and_total()
    answer = subprocess.run(
        command, input=json.dumps(paths), capture_output=True, text=True, check=True
    )
    result = json.loads(answer.stdout)
    busy_after, total_after = busy_and_total()
    result["machine_busy"] = (busy_after - busy) / max(1, total_after - total)
    return result


def measure(workers: int, args: argparse.Namespace, searches: list) -> dict:
    paths = [path for path, _ in searches]
    port = free_port()
    tazsearch = Path(sys.executable).with_name("tazsearch")
    command = [str(tazsearch), "serve", "--index", str(args.index), "--port", str(port)]
    command += ["--workers", str(workers)]
    # The access log stays on, as by default; it goes to /dev/null.
    server = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        wait_for(port, server)
        if workers == 1:
            checked = searches[:: len(searches) // 12]
            agreeing = same_as_cli(port, args.index, checked)
            same = f"{agreeing} of {len(checked)} searches"
            print(f"{same} answer exactly as `tazsearch query --json`")
        result = run_clients(port, paths, args)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result["workers"] = workers
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--index", type=Path, default=Path("/tmp/tazsearch-bench/query-index-corpus-all-x1")
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--load", type=int, help=argparse.SUPPRESS)  # the client process
    args = parser.parse_args()
    if args.load:
        paths = json.loads(sys.stdin.read())
        print(json.dumps(load(args.load, paths, args.clients, args.warmup, args.seconds)))
        return
    searches = requests(args.index)
    cores = os.cpu_count() or 1
    results = [measure(w, args, searches) for w in dict.fromkeys([1, 2, cores])]
    base = len(results[0]["latencies"])
    print(
        f"{args.clients} clients, {args.warmup:g} s warm-up, {args.seconds:g} s measured, "
        f"{cores} cores, index {args.index}"
    )
    print(
        "| workers | requests | requests/s | p50 ms | p95 ms | p99 ms | errors "
        "| × 1 worker | client CPU | machine busy |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    elapsed = args.seconds + args.warmup
    for r in results:
        done, errors = r["latencies"], r["errors"]
        cuts = statistics.quantiles(done, n=100, method="inclusive")
        p50, p95, p99 = cuts[49], cuts[94], cuts[98]
        print(
            f"| {r['workers']} | {len(done) + len(errors)} | {len(done) / args.seconds:.1f} "
            f"| {p50:.1f} | {p95:.1f} | {p99:.1f} | {len(errors)} "
            f"| {len(done) / base:.2f} | {100 * r['client_cpu'] / elapsed:.0f} % "
            f"| {100 * r['machine_busy']:.0f} % |"
        )


if __name__ == "__main__":
    main()
