"""Ranking quality on two German question-answering benchmarks, against plain Whoosh.

xquad-dev: 120 German Wikipedia paragraphs hidden among N news articles of the
shared corpus (10,000 by default), 612 questions. germanquad: 474 passages
indexed alone, 2,204 questions. Each question has one relevant article; the
figures are MRR@10, Recall@1 and Recall@10 over all questions.

Both tazsearch (its library search in the default query mode) and a plain
Whoosh baseline (LanguageAnalyzer("de") on title, teaser and body;
MultifieldParser with OrGroup) index the same articles in the same run.

    python bench/quality.py                 # both benchmarks, both engines
    python bench/quality.py --only germanquad --skip-baseline
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tazsearch import Index  # noqa: E402

Search = Callable[[str], list[str]]


def render_haystack(directory: Path, limit: int) -> Path:
    """The first ``limit`` corpus articles in taz layout, rendered once into ``directory``."""
    target = directory / f"haystack-{limit}"
    if not (target / ".done").exists():
        subprocess.run(
            [
                sys.executable,
                str(SHARED / "tools" / "render_taz.py"),
                str(target),
                "--limit",
                str(limit),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (target / ".done").touch()
    return target


def tazsearch_engine(index_dir: Path, folders: list[Path], reuse: bool) -> tuple[Search, float]:
    started = time.perf_counter()
    ix = Index.open(index_dir, create=True)
    if not (reuse and len(ix)):
        ix.update(folders)
    seconds = time.perf_counter() - started

    def search(question: str) -> list[str]:
        return [hit.path for hit in ix.search(question, limit=10)]

    return search, seconds


def whoosh_baseline(index_dir: Path, folders: list[Path]) -> tuple[Search, float]:
    """Plain Whoosh, as a user following its documentation would set it up."""
    from baseline import SEARCHED_FIELDS, build_plain_whoosh
    from whoosh.qparser import MultifieldParser, OrGroup

    started = time.perf_counter()
    ix, _ = build_plain_whoosh(folders, index_dir)
    seconds = time.perf_counter() - started
    parser = MultifieldParser(SEARCHED_FIELDS, ix.schema, group=OrGroup)
    searcher = ix.searcher()

    def search(question: str) -> list[str]:
        return [hit["path"] for hit in searcher.search(parser.parse(question), limit=10)]

    return search, seconds


def evaluate(search: Search, queries: Iterable[tuple[str, str]]) -> dict[str, float]:
    reciprocal, at1, at10, count = 0.0, 0, 0, 0
    started = time.perf_counter()
    for question, relevant in queries:
        ranked = search(question)
        count += 1
        if relevant in ranked:
            rank = ranked.index(relevant) + 1
            reciprocal += 1 / rank
            at1 += rank == 1
            at10 += 1
    return {
        "MRR@10": reciprocal / count,
        "R@1": at1 / count,
        "R@10": at10 / count,
        "queries": count,
        "ms/query": 1000 * (time.perf_counter() - started) / count,
    }


def load_queries(benchmark: Path) -> list[tuple[str, str]]:
    pairs = []
    with open(benchmark / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            item = json.loads(line)
            pairs.append((item["query"], str((benchmark / item["relevant"]).resolve())))
    return pairs


def run(name: str, folders: list[Path], work: Path, args: argparse.Namespace) -> list[dict]:
    queries = load_queries(SHARED / "eval" / name)
    rows = []
    search, seconds = tazsearch_engine(work / f"{name}-tazsearch", folders, args.reuse)
    rows.append(
        {"benchmark": name, "engine": "tazsearch", "index s": seconds, **evaluate(search, queries)}
    )
    if not args.skip_baseline:
        search, seconds = whoosh_baseline(work / f"{name}-whoosh", folders)
        rows.append(
            {
                "benchmark": name,
                "engine": "plain Whoosh",
                "index s": seconds,
                **evaluate(search, queries),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["xquad-dev", "germanquad"], help="run one benchmark")
    parser.add_argument(
        "--haystack", type=int, default=10_000, help="news articles around xquad-dev"
    )
    parser.add_argument("--skip-baseline", action="store_true", help="leave out plain Whoosh")
    parser.add_argument("--workdir", type=Path, help="keep rendered files and indexes here")
    parser.add_argument("--reuse", action="store_true", help="reuse tazsearch indexes in --workdir")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"needs the shared data folder {SHARED}")
    with tempfile.TemporaryDirectory(prefix="tazsearch-quality-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        rows = []
        if args.only in (None, "xquad-dev"):
            haystack = render_haystack(work, args.haystack)
            rows += run(
                "xquad-dev", [SHARED / "eval" / "xquad-dev" / "articles", haystack], work, args
            )
        if args.only in (None, "germanquad"):
            rows += run("germanquad", [SHARED / "eval" / "germanquad" / "articles"], work, args)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print("| benchmark | engine | MRR@10 | R@1 | R@10 | ms/query | index s |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['benchmark']} | {r['engine']} | {r['MRR@10']:.3f} | {r['R@1']:.3f} "
            f"| {r['R@10']:.3f} | {r['ms/query']:.1f} | {r['index s']:.0f} |"
        )


if __name__ == "__main__":
    main()
