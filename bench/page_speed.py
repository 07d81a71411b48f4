"""What the search page adds to the API's time for the same search.

Serves an index (by default the 29,053-article index query_speed.py builds in
--workdir) with uvicorn in this process, on a loopback port, and sends the 240
searches of query_speed.py twice each, taking turns: to /api/search with
facets (the page always counts them) and 10 hits, and to the search page
with the same query, filters and sort. Each is timed from the request to the
last byte, one at a time over a kept-alive connection; every search runs
once untimed first. It reports p50 and p95 of each and of the page's extra
time per search, against the target of 20 ms.

    python bench/page_speed.py --index /tmp/tazsearch-bench/query-index-corpus-all-x1
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from serve_load import requests  # noqa: E402

from tazsearch.serve import create_app  # noqa: E402

from conftest import serving  # noqa: E402

TARGET_MS = 20.0


def timed_get(connection: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    connection.request("GET", path, headers={"accept-encoding": "identity"})
    answer = connection.getresponse()
    answer.read()
    assert answer.status == 200, (path, answer.status)
    return 1000 * (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--index", type=Path, default=Path("/tmp/tazsearch-bench/query-index-corpus-all-x1")
    )
    args = parser.parse_args()
    searches = [path for path, _ in requests(args.index)]
    pairs = []  # (the API's address, the page's) for the same search
    for path in searches:
        kept = [(k, v) for k, v in parse_qsl(path.split("?", 1)[1]) if k in ("q", "tag", "sort")]
        pairs.append(
            ("/api/search?" + urlencode([*kept, ("facets", "true")]), "/?" + urlencode(kept))
        )
    with serving(create_app(args.index)) as url:
        host, port = url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        for api_path, page in pairs:  # every search once, untimed
            timed_get(connection, api_path)
            timed_get(connection, page)
        api_ms, page_ms = [], []
        for api_path, page in pairs:
            api_ms.append(timed_get(connection, api_path))
            page_ms.append(timed_get(connection, page))
        connection.close()
    extra = [p - a for p, a in zip(page_ms, api_ms, strict=True)]

    def cuts(samples: list[float]) -> tuple[float, float]:
        points = statistics.quantiles(samples, n=100, method="inclusive")
        return points[49], points[94]

    print(f"{len(pairs)} searches on {args.index}, each to the API and to the page, in turns")
    print("| | p50 ms | p95 ms |\n|---|---|---|")
    for label, samples in (
        ("API /api/search", api_ms),
        ("search page /", page_ms),
        ("page − API, per search", extra),
    ):
        p50, p95 = cuts(samples)
        print(f"| {label} | {p50:.1f} | {p95:.1f} |")
    p50, p95 = cuts(extra)
    verdict = "meets" if p95 <= TARGET_MS else "misses"
    print(f"the page adds {p50:.1f} ms (p50), {p95:.1f} ms (p95): {verdict} the target")


if __name__ == "__main__":
    main()
