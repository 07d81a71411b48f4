"""Interruption trials: `kill -9`, Ctrl-C and a full disk at random moments of `tazsearch index`.

Renders the shared corpus with ../shared/tools/render_taz.py (once, cached in
--workdir) and indexes a first batch of it. Each trial then adds a batch of
new files, starts `tazsearch index` on the folder, and
- kills the process with SIGKILL (as `kill -9 PID` does; its indexing
  workers are not killed) at a random moment of the run ("kill -9");
- kills it the same way at a random moment of a segment merge, which
  starts once the workers have written their segments and ends with the
  commit ("kill -9 merge"; the index is kept at more than ten segments, so
  every run merges);
- sends SIGINT to its process group (as Ctrl-C in a terminal does);
- or runs it with the index on a tmpfs that has less room than the run
  needs ("full disk"; needs root to mount it).

It then checks that:

- the index opens and holds every article of the last commit before the
  trial, and either nothing of the batch or all of it (never half a run);
- after Ctrl-C, the command exited with code 130, said what happened, and
  printed no traceback; on a full disk, it exited with code 1 and a one-line
  "No space left on device", and left no file behind in the index folder;
- no indexing worker outlives the killed command by more than a few seconds;
- the next `tazsearch index` run completes (with room again), and the index
  then holds every file.

It prints a line per trial and the counts: trials, failures, articles lost.

    python bench/interrupt_trials.py       # 20 kill -9, 10 in merges, 10 Ctrl-C, 10 full disk
    python bench/interrupt_trials.py --kills 40 --interrupts 20 --batch 800
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from index_speed import SHARED, render  # noqa: E402

from tazsearch import Index  # noqa: E402

TAZSEARCH = Path(sys.executable).with_name("tazsearch")


def article_ids(index_dir: Path) -> set[str]:
    with Index.open(index_dir) as ix, ix._reading() as snapshot:
        return {fields["id"] for fields in snapshot.stored_documents()}


def _default_ctrl_c() -> None:
    # A command started in the background by a shell ignores SIGINT, and so
    # would its children: give the indexer the SIGINT of a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_index(folder: Path, index_dir: Path) -> subprocess.Popen[str]:
    command = [str(TAZSEARCH), "index", str(folder), "--index", str(index_dir)]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_default_ctrl_c,
    )


def workers_of(pid: int) -> list[int]:
    """Indexing workers still running that the command started (their parent is gone)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        session = int(stat[stat.rindex(")") + 2 :].split()[3])
        if b"multiprocessing" in command and session == pid:
            found.append(int(entry.name))
    return found


def uncommitted_segments(index_dir: Path) -> set[str]:
    """Segments with a terms file that the last commit does not hold: written by this run."""
    sums = sorted(index_dir.glob("_MAIN_*.sums"), key=lambda p: int(p.stem.split("_")[-1]))
    committed = set(json.loads(sums[-1].read_text())["files"]) if sums else set()
    return {p.name for p in index_dir.glob("MAIN_*.trm")} - committed


def wait_for_merge(index_dir: Path, process: subprocess.Popen[str], workers: int) -> None:
    """Wait until the workers' segments are written: the merge comes next."""
    while process.poll() is None and len(uncommitted_segments(index_dir)) < workers:
        time.sleep(0.005)


def disk_usage(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def trial(
    kind: str, folder: Path, index_dir: Path, batch: list[Path], wait: float
) -> tuple[bool, int, str]:
    """One interrupted run; (passed, articles lost, what happened)."""
    before = article_ids(index_dir)
    for source in batch:
        shutil.copy(source, folder / source.name)
    files_before = {f.name for f in index_dir.iterdir()}
    if kind == "full disk":  # Room for a part of what the run writes.
        room = disk_usage(index_dir) + int(wait * 1024 * 1024)
        subprocess.run(["mount", "-o", f"remount,size={room}", str(index_dir)], check=True)
    process = run_index(folder, index_dir)
    if kind == "kill -9 merge":
        wait_for_merge(index_dir, process, os.cpu_count() or 1)
    if kind != "full disk":
        time.sleep(wait)
    merging = ""
    if kind == "kill -9 merge":  # What the run had written when it was killed.
        segments = len(uncommitted_segments(index_dir))
        scratch = list((index_dir / "MAIN.tmp").glob("*.ctmp"))
        merging = f" ({segments} new segments{', a merge under way' if scratch else ''})"
    if kind.startswith("kill -9"):
        process.send_signal(signal.SIGKILL)
    elif kind == "Ctrl-C":
        os.killpg(process.pid, signal.SIGINT)
    problems = []
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # Output pipes held open by a stray worker.
        os.killpg(process.pid, signal.SIGKILL)
        _, stderr = process.communicate()
        problems.append("hung")
    if kind == "Ctrl-C" and process.returncode not in (130, 0):
        problems.append(f"exit code {process.returncode}")
    if kind == "full disk":
        said = stderr.strip().splitlines()
        if process.returncode == 1:
            if len(said) != 1 or "No space left on device" not in said[0]:
                problems.append(f"said {said!r}")
            left = {f.name for f in index_dir.iterdir()} - files_before
            if left:
                problems.append(f"left {len(left)} files behind: {sorted(left)[:3]}")
        elif process.returncode != 0:
            problems.append(f"exit code {process.returncode}")
        subprocess.run(["mount", "-o", "remount,size=4g", str(index_dir)], check=True)
    if "Traceback" in stderr:
        problems.append("a traceback")
    deadline = time.monotonic() + 10
    while workers_of(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if workers_of(process.pid):
        problems.append("workers left running")
    try:
        after = article_ids(index_dir)
    except Exception as exc:  # A trial's finding, not the script's failure.
        return False, len(before), f"the index does not open: {exc}"
    lost = len(before - after)
    added = len(after - before)
    if lost:
        problems.append(f"{lost} committed articles lost")
    if added not in (0, len(batch)):
        problems.append(f"half a run committed ({added} of {len(batch)})")
    finished = subprocess.run(
        [str(TAZSEARCH), "index", str(folder), "--index", str(index_dir)],
        capture_output=True,
        text=True,
    )
    files = len(list(folder.iterdir()))
    final = article_ids(index_dir)
    if finished.returncode != 0 or len(final) != files:
        said_next = (finished.stderr.strip().splitlines() or [""])[-1]
        counts = f"{len(final)} of {files} articles"
        problems.append(f"next run: exit {finished.returncode}, {counts}, {said_next}")
    state = "committed" if added else "as before"
    said = stderr.strip().splitlines()[-1] if stderr.strip() else "(nothing on stderr)"
    moment = f"with {wait:.1f} MB of room" if kind == "full disk" else f"after {wait:.2f} s"
    outcome = f"{moment}{merging}: {state}; exit {process.returncode}; {said}"
    if problems:
        outcome += " -- FAILED: " + ", ".join(problems)
    return not problems, lost + max(0, files - len(final)), outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="kill -9 trials")
    parser.add_argument("--merges", type=int, default=10, help="kill -9 trials during a merge")
    parser.add_argument("--interrupts", type=int, default=10, help="Ctrl-C trials")
    parser.add_argument(
        "--full-disks", type=int, default=10, help="full-disk trials (need root to mount a tmpfs)"
    )
    parser.add_argument(
        "--batch", type=int, help="new files per trial (default: 600, or what the corpus allows)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tazsearch-bench"))
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"needs the shared data folder {SHARED}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    corpus = render(args.workdir, 0, 1)
    sources = sorted(corpus.rglob("*.txt"))
    random.Random(args.seed).shuffle(sources)
    trials = ["kill -9"] * args.kills + ["Ctrl-C"] * args.interrupts
    trials += ["kill -9 merge"] * args.merges + ["full disk"] * args.full_disks
    random.Random(args.seed).shuffle(trials)
    if args.batch is None:  # the trials and the first batch must fit in the corpus
        args.batch = min(600, len(sources) // (len(trials) + 1))
    needed = args.batch * (len(trials) + 1)
    if needed > len(sources):
        sys.exit(f"needs {needed} articles; the corpus has {len(sources)}")

    folder = args.workdir / "trials-articles"
    index_dir = args.workdir / "trials-index"
    subprocess.run(["umount", "-l", str(index_dir)], capture_output=True, check=False)
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(index_dir, ignore_errors=True)
    folder.mkdir()
    if args.full_disks:  # The index lives on a tmpfs whose size the trials set.
        index_dir.mkdir()
        mount = ["mount", "-t", "tmpfs", "-o", "size=4g", "tmpfs", str(index_dir)]
        if subprocess.run(mount, capture_output=True).returncode:
            sys.exit("full-disk trials need root to mount a tmpfs; or pass --full-disks 0")
    for source in sources[: args.batch]:
        shutil.copy(source, folder / source.name)
    started = time.perf_counter()
    subprocess.run([str(TAZSEARCH), "index", str(folder), "--index", str(index_dir)], check=True)
    # A whole run of one batch: interruptions come at random moments within as long.
    full_run = time.perf_counter() - started
    rng = random.Random(args.seed)
    failures = lost = 0
    for n, kind in enumerate(trials, 1):
        batch = sources[args.batch * n : args.batch * (n + 1)]
        # A moment of the run, of the merge, or the megabytes of room on the disk.
        wait = {"kill -9 merge": 0.5, "full disk": args.batch / 50}.get(kind, full_run)
        passed, trial_lost, outcome = trial(
            kind, folder, index_dir, batch, rng.uniform(0.05 if kind != "full disk" else 0, wait)
        )
        failures += not passed
        lost += trial_lost
        print(f"{n:3d} {kind:8s} {outcome}", flush=True)
    counts = Counter(trials)
    print(
        f"{len(trials)} trials ({', '.join(f'{n} {kind}' for kind, n in counts.items())}), "
        f"{failures} failures, {lost} articles lost"
    )
    if args.full_disks:
        subprocess.run(["umount", "-l", str(index_dir)], check=False)


if __name__ == "__main__":
    main()
