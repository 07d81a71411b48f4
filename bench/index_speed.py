"""Indexing speed: tazsearch against plain Whoosh on the same rendered articles.

Renders N articles of the shared corpus with ../shared/tools/render_taz.py
(once, cached in --workdir), then indexes them into fresh indexes with
tazsearch's library and with a plain Whoosh baseline (LanguageAnalyzer("de")
on title, teaser and body, one default ix.writer(), one commit at the end).
Each engine runs in a child process, so that its peak memory is its own.
Reports articles/s, MB/s of text, peak memory (all processes of the run
summed) and index size, and the ratio of
tazsearch's throughput to the baseline's. It also times a second tazsearch run
over the unchanged files.

    python bench/index_speed.py --limit 10000
    python bench/index_speed.py --limit 0 --skip-baseline      # all 29,053
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def render(workdir: Path, limit: int, repeat: int) -> Path:
    target = workdir / f"corpus-{limit or 'all'}-x{repeat}"
    if not (target / ".done").exists():
        command = [sys.executable, str(SHARED / "tools" / "render_taz.py"), str(target)]
        command += ["--limit", str(limit), "--repeat", str(repeat)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        (target / ".done").touch()
    return target


def text_megabytes(folder: Path) -> tuple[int, float]:
    files = [p for p in folder.rglob("*.txt")]
    return len(files), sum(p.stat().st_size for p in files) / 1e6


def directory_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run_tazsearch(corpus: Path, index_dir: Path) -> dict:
    from tazsearch import Index

    started = time.perf_counter()
    with Index.open(index_dir, create=True) as ix:
        report = ix.update([corpus])
    first = time.perf_counter() - started
    started = time.perf_counter()
    with Index.open(index_dir) as ix:
        again = ix.update([corpus])
    second = time.perf_counter() - started
    return {
        "seconds": first,
        "articles": report.indexed,
        "rerun seconds": second,
        "rerun unchanged": again.unchanged,
    }


def run_whoosh(corpus: Path, index_dir: Path) -> dict:
    from baseline import build_plain_whoosh

    started = time.perf_counter()
    _, count = build_plain_whoosh([corpus], index_dir)
    return {"seconds": time.perf_counter() - started, "articles": count}


def _resident_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    total = 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child_pid in (task / "children").read_text().split():
                total += _resident_mb(int(child_pid))
    except OSError:  # The process ended while being looked at.
        pass
    return total


class PeakMemory(threading.Thread):
    """Samples the summed memory of this process and its workers, five times a second."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0.0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, _resident_mb(os.getpid()))
            time.sleep(0.2)


def child(engine: str, corpus: Path, index_dir: Path) -> None:
    """Run one engine and print its figures as JSON, with its peak memory, workers included."""
    sampler = PeakMemory()
    sampler.start()
    figures = (run_tazsearch if engine == "tazsearch" else run_whoosh)(corpus, index_dir)
    sampler.running = False
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["peak MB"] = max(sampler.peak, own)
    print(json.dumps(figures))


def measure(engine: str, corpus: Path, index_dir: Path) -> dict:
    command = [sys.executable, __file__, "--child", engine, str(corpus), str(index_dir)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    figures["index MB"] = directory_bytes(index_dir) / 1e6
    return figures


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=10_000, help="articles (0: all 29,053)")
    parser.add_argument("--repeat", type=int, default=1, help="render each article K times")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tazsearch-bench"))
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"needs the shared data folder {SHARED}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    corpus = render(args.workdir, args.limit, args.repeat)
    files, megabytes = text_megabytes(corpus)
    engines = ["tazsearch"] + ([] if args.skip_baseline else ["plain Whoosh"])
    rows = {}
    for engine in engines:
        index_dir = args.workdir / f"index-{engine.replace(' ', '-')}-{corpus.name}"
        subprocess.run(["rm", "-rf", str(index_dir)], check=True)
        rows[engine] = measure(engine, corpus, index_dir)
    print(f"{files} files, {megabytes:.0f} MB of text")
    print("| engine | articles/s | MB/s | seconds | peak MB | index MB |")
    print("|---|---|---|---|---|---|")
    for engine, r in rows.items():
        rate = r["articles"] / r["seconds"]
        print(
            f"| {engine} | {rate:,.0f} | {megabytes / r['seconds']:.2f} | {r['seconds']:.0f} "
            f"| {r['peak MB']:.0f} | {r['index MB']:.0f} |"
        )
    mine = rows["tazsearch"]
    print(
        f"second run over unchanged files: {mine['rerun seconds']:.1f} s "
        f"({100 * mine['rerun seconds'] / mine['seconds']:.1f}% of the first run), "
        f"{mine['rerun unchanged']} unchanged"
    )
    if "plain Whoosh" in rows:
        base = rows["plain Whoosh"]
        ratio = (mine["articles"] / mine["seconds"]) / (base["articles"] / base["seconds"])
        print(f"throughput ratio tazsearch / plain Whoosh: {ratio:.2f}x")


if __name__ == "__main__":
    main()
