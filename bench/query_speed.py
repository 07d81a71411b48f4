"""Query latency on an index of the whole corpus: tazsearch, in-process and cold.

Builds (once, cached in --workdir) a tazsearch index of the 29,053 corpus
articles rendered with ../shared/tools/render_taz.py, and a plain Whoosh index
of the same articles as the baseline (LanguageAnalyzer("de") on title, teaser
and body; its hits get Whoosh's own highlighted snippets). It then runs 240
queries of six kinds, made deterministically from article titles: one word,
two or three words, a phrase, filtered by tag, with facets, and sorted by
date. It reports p50, p95 and p99 latency in milliseconds with snippets, warm
and in-process, the ratio to the baseline, and the wall time of cold
`tazsearch query` processes beside that of `python -c pass` in the same run
(--cold-only: that alone). With --repeat K it also runs the same queries on
the corpus rendered once, taking turns query by query, and reports how the
p95 grows with the corpus.

    python bench/query_speed.py                 # the 29,053 articles
    python bench/query_speed.py --repeat 4      # 116,212 articles, against 29,053
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from baseline import SEARCHED_FIELDS  # noqa: E402
from index_speed import SHARED, render, run_whoosh  # noqa: E402

from tazsearch import Index  # noqa: E402
from tazsearch.german import QUESTION_OPENERS, QUESTION_WORDS, STOP_WORDS  # noqa: E402

# Words that make no query alone: stop words, and question words (a query opening
# with one is a question, which leaves them out).
SKIPPED = STOP_WORDS | QUESTION_OPENERS | QUESTION_WORDS
KINDS = ("one word", "two or three words", "phrase", "filtered", "faceted", "sorted")
PER_KIND = 40


def make_queries(ix: Index) -> list[tuple[str, str, dict]]:
    """(kind, text, options) triples from the words of article titles."""
    queries = []
    step = max(1, len(ix) // (PER_KIND * 2))
    with ix._reading() as snapshot:
        stored = [snapshot.stored(n) for n in range(0, snapshot.size, step)]
    titles = [(re.findall(r"[A-Za-zÄÖÜäöüß]{5,}", s.get("title", "")), s) for s in stored]
    samples = [
        (words, s.get("tags") or [])
        for found, s in titles
        if len(words := [w for w in found if w.lower() not in SKIPPED]) >= 3
    ][:PER_KIND]
    for words, tags in samples:
        queries.append(("one word", words[0], {}))
        queries.append(("two or three words", " ".join(words[: 2 + len(words) % 2]), {}))
        queries.append(("phrase", f'"{words[0]} {words[1]}"', {}))
        queries.append(("filtered", words[1], {"tags": tags[:1]}))
        queries.append(("faceted", words[2], {"facets": True}))
        queries.append(("sorted", words[0], {"sort": "newest"}))
    return queries


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def time_tazsearch(
    indexes: list[Index], queries: list[tuple[str, str, dict]]
) -> list[dict[str, list[float]]]:
    """Milliseconds per query and kind on each index, the indexes taking turns per
    query so that they share the machine's noise. Every query runs once untimed
    first, so that no timing includes reading an index file from disk."""
    for ix in indexes:
        for _, text, options in queries:
            ix.search(text, **options)
    timings: list[dict[str, list[float]]] = [{kind: [] for kind in KINDS} for _ in indexes]
    for kind, text, options in queries:
        for ix, times in zip(indexes, timings, strict=True):
            started = time.perf_counter()
            ix.search(text, **options)
            times[kind].append(1000 * (time.perf_counter() - started))
    return timings


def print_table(timings: dict[str, list[float]], label: str = "tazsearch") -> float:
    """The p50/p95/p99 rows of each kind and of all queries; the p95 of all."""
    print("| queries | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|")
    for kind in KINDS:
        p50, p95, p99 = percentiles(timings[kind])
        print(f"| {label}, {kind} | {p50:.1f} | {p95:.1f} | {p99:.1f} |")
    p50, p95, p99 = percentiles([t for kind in KINDS for t in timings[kind]])
    print(f"| {label}, all | {p50:.1f} | {p95:.1f} | {p99:.1f} |")
    return p95


def open_index(corpus: Path, index_dir: Path) -> Index:
    ix = Index.open(index_dir, create=True)
    if not len(ix):
        ix.update([corpus])
    return ix


def time_whoosh(index_dir: Path, queries: list[tuple[str, str, dict]]) -> list[float]:
    from whoosh import index
    from whoosh.qparser import MultifieldParser, OrGroup

    ix = index.open_dir(index_dir)
    parser = MultifieldParser(SEARCHED_FIELDS, ix.schema, group=OrGroup)
    timings = []
    with ix.searcher() as searcher:
        for timed in (False, True):  # Warm, as tazsearch's, before timing.
            for _, text, _ in queries:
                started = time.perf_counter()
                for hit in searcher.search(parser.parse(text), limit=10):
                    hit.highlights("title")
                if timed:
                    timings.append(1000 * (time.perf_counter() - started))
    return timings


COLD_TARGET = 0.35  # seconds for a cold `tazsearch query` process (issue 17)


def cold_runs(index_dir: Path, runs: int = 11) -> dict[str, list[float]]:
    """Wall seconds of fresh processes, the kinds taking turns run by run so that
    they share the machine's noise: Python doing nothing (the floor any command
    stands on), `tazsearch --version`, and a cold `tazsearch query`."""
    tazsearch = str(Path(sys.executable).with_name("tazsearch"))
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "tazsearch --version": [tazsearch, "--version"],
        "tazsearch query": [tazsearch, "query", "Impfstoff Zulassung", "--index", str(index_dir)],
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            walls[name].append(time.perf_counter() - started)
    return walls


def print_cold(walls: dict[str, list[float]]) -> None:
    floor = statistics.median(walls["python -c pass"])
    print("\n| cold process | median s | max s | median - python -c pass |")
    print("|---|---|---|---|")
    for name, times in walls.items():
        median = statistics.median(times)
        print(f"| {name} | {median:.3f} | {max(times):.3f} | {median - floor:.3f} |")
    query = statistics.median(walls["tazsearch query"])
    verdict = "meets" if query <= COLD_TARGET else "misses"
    print(f"cold `tazsearch query`: {query:.3f} s, {verdict} the target of {COLD_TARGET} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="render each article K times")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/tazsearch-bench"))
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--cold-only", action="store_true", help="time cold processes only")
    parser.add_argument("--corpus", type=Path, help="rendered articles to use instead")
    parser.add_argument("--index", type=Path, help="a tazsearch index of --corpus to reuse")
    parser.add_argument(
        "--base-corpus", type=Path, help="with --repeat: the articles rendered once, to compare"
    )
    parser.add_argument("--base-index", type=Path, help="a tazsearch index of --base-corpus")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"needs the shared data folder {SHARED}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    corpus = args.corpus or render(args.workdir, 0, args.repeat)
    index_dir = args.index or args.workdir / f"query-index-{corpus.name}"
    indexes = [open_index(corpus, index_dir)]
    if args.cold_only:
        indexes[0].close()
        print_cold(cold_runs(index_dir))
        return
    if args.repeat > 1 or args.base_index:
        # The same queries on the corpus rendered once, in the same run.
        base_corpus = args.base_corpus or render(args.workdir, 0, 1)
        base_dir = args.base_index or args.workdir / f"query-index-{base_corpus.name}"
        indexes.append(open_index(base_corpus, base_dir))
    queries = make_queries(indexes[-1])
    timings = time_tazsearch(indexes, queries)
    print(f"{len(indexes[0])} articles, {len(queries)} queries")
    p95 = print_table(timings[0])
    if not args.skip_baseline:
        baseline_dir = args.workdir / f"query-whoosh-{corpus.name}"
        if not baseline_dir.exists():
            run_whoosh(corpus, baseline_dir)
        b50, b95, b99 = percentiles(time_whoosh(baseline_dir, queries))
        print(f"| plain Whoosh, all | {b50:.1f} | {b95:.1f} | {b99:.1f} |")
        print(f"p95 ratio tazsearch / plain Whoosh: {p95 / b95:.2f}")
    if len(indexes) > 1:
        print(f"\nThe same queries on {len(indexes[1])} articles, in turn with those above:")
        base_p95 = print_table(timings[1])
        print(f"p95 on {len(indexes[0])} articles / p95 on {len(indexes[1])}: {p95 / base_p95:.2f}")
    for ix in indexes:
        ix.close()
    print_cold(cold_runs(index_dir))


if __name__ == "__main__":
    main()
