"""Every query has a bounded cost: time the queries that used to take seconds or minutes.

Each probe runs once in-process with `Index.search` (after one ordinary
query, so that the index's files have been read) and once as a cold
`tazsearch query --json` process, and prints both times, the number of
matches and the notes of the results.

On the big index (by default /tmp/ix29, the 29,053 corpus articles; built
from --corpus if it does not exist):

- `*`, `?*`, `*x`, `Nordko*`, `Kl?ma*`, `title:Nord*`: every article, and
  wildcards and prefixes, which expand to a bounded number of terms
- a 10,000-character word and 1,400 random words (did-you-mean tries words)
- `Mu\\u0308nchen`, "München" in NFD, and `München`: the same matches

On a small index of synthetic fixture articles built in --fixture-dir (a
temporary folder unless given): three articles of about 5 MB each, one
paragraph without a sentence end, one paragraph of half a million sentences,
and 160,000 short paragraphs, with the word "Quellenfund" in the middle and
at the end, beside twenty ordinary ones. Probes: that word, common words,
a title word (snippets from the first sentence) and a misspelling whose
correction is spelt from a 5 MB article.

    python bench/query_limits.py                            # /tmp/ix29 and /tmp/corpus
    python bench/query_limits.py --index DIR --corpus DIR   # DIR is built from --corpus if absent
    python bench/query_limits.py --skip-corpus              # the fixture index only
    python bench/query_limits.py --timeout 300              # give up on a probe after 300 s

A probe that runs past --timeout seconds is reported as such and the others
go on (in-process, an alarm signal interrupts it).
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tazsearch import Index  # noqa: E402

FIXTURE_BYTES = 5_000_000
FIXTURE_WORD = "Quellenfund"
FIXTURE_NORMAL = 20
SHORT_PARAGRAPH = "Ein kurzer Absatz mit Zeitung."
PAD = " " * 7
Probe = tuple[str, str]


def random_word(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(length))


def corpus_probes() -> list[Probe]:
    """(name, query text) of the probes on the big index; the random words are fixed."""
    rng = random.Random(13)
    words = " ".join(random_word(rng, rng.randint(4, 10)) for _ in range(1400))
    return [
        ("*", "*"),
        ("?*", "?*"),
        ("*x", "*x"),
        ("Nordko*", "Nordko*"),
        ("Kl?ma*", "Kl?ma*"),
        ("title:Nord*", "title:Nord*"),
        ("10,000-character word", random_word(rng, 10_000)),
        ("1,400 random words", words),
        ("München in NFD", "Mu\u0308nchen"),
        ("München in NFC", "München"),
    ]


def fixture_probes() -> list[Probe]:
    return [
        (f"{FIXTURE_WORD} (in every 5 MB article)", FIXTURE_WORD),
        ("Zeitung (500,000 times in one)", "Zeitung"),
        ("Satz (500,000 sentences)", "Satz"),
        ("Absatz (100,000 paragraphs)", "Absatz"),
        ("Zeitung Satz Absatz", "Zeitung Satz Absatz"),
        ("Riesig (title only)", "Riesig"),
        ("Quellenfnd (did-you-mean)", "Quellenfnd"),
    ]


def article(title: str, paragraphs: list[str]) -> str:
    """A synthetic fixture article in taz's gopher layout, each paragraph one line."""
    lines = ["URI: ", f"{PAD}# taz.de -- {title}", PAD]
    for paragraph in paragraphs:
        lines += [PAD + paragraph, PAD]
    lines += [f"{PAD}1 Jan 2024", PAD]
    return "\n".join(lines) + "\n"


def halves(filler: str) -> list[str]:
    """Two halves of about FIXTURE_BYTES / 2 of ``filler``, each ending in the fixture word."""
    half = filler * (FIXTURE_BYTES // 2 // len(filler))
    return [half + FIXTURE_WORD + " ", half + FIXTURE_WORD]


def build_fixture(folder: Path) -> Path:
    """A small index of synthetic fixture articles, three of them about 5 MB."""
    articles = folder / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    many = [SHORT_PARAGRAPH] * (FIXTURE_BYTES // 2 // len(SHORT_PARAGRAPH))
    huge = {
        "huge-plain": ("Fixture: Riesig ohne Satzende", ["".join(halves("Zeitung "))]),
        "huge-sentences": ("Fixture: Riesig mit Sätzen", ["".join(halves("Ein Satz. "))]),
        "huge-paragraphs": (
            "Fixture: Riesig mit Absätzen",
            [*many, FIXTURE_WORD, *many, FIXTURE_WORD],
        ),
    }
    for name, (title, paragraphs) in huge.items():
        (articles / f"{name}.txt").write_text(article(title, paragraphs), encoding="utf-8")
    for n in range(FIXTURE_NORMAL):
        body = f"Ein normaler Bericht Nummer{n} über die Zeitung. " * (1 + n % 5)
        if n % 4 == 0:
            body += f"Hier steht auch {FIXTURE_WORD}."
        text = article(f"Fixture: Normal {n}", [body])
        (articles / f"normal{n:02d}.txt").write_text(text, encoding="utf-8")
    ix_dir = folder / "ix"
    with Index.open(ix_dir, create=True) as ix:
        ix.update([articles])
    return ix_dir


def ensure_index(index: Path, corpus: Path) -> None:
    if index.exists():
        return
    print(f"building {index} from {corpus} ...", flush=True)
    with Index.open(index, create=True) as ix:
        ix.update([corpus])


class ProbeTimeout(Exception):
    pass


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def expire(*_: object) -> None:
        raise ProbeTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def time_in_process(ix: Index, text: str, timeout: float) -> tuple[str, dict]:
    start = time.perf_counter()
    try:
        with deadline(timeout):
            data = ix.search(text).to_dict()
    except ProbeTimeout:
        return f"> {timeout:.0f} s", {}
    seconds = time.perf_counter() - start
    return f"{seconds * 1000:.1f} ms", {"total": data["total"], "notes": data.get("notes", [])}


def time_cli(index: Path, text: str, timeout: float) -> str:
    command = [sys.executable, "-m", "tazsearch", "query", text, "--index", str(index), "--json"]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return f"> {timeout:.0f} s"
    seconds = time.perf_counter() - start
    return f"{seconds:.2f} s" + ("" if done.returncode == 0 else f" (exit {done.returncode})")


def run_probes(index: Path, probes: list[Probe], args: argparse.Namespace) -> None:
    print(f"\nindex {index}")
    print(f"{'probe':38} {'in-process':>12} {'CLI':>10}  matches, notes")
    with Index.open(index) as ix:
        ix.search("Zeitung")  # Reads the index's files once.
        for name, text in probes:
            warm, info = time_in_process(ix, text, args.timeout)
            cold = "" if args.skip_cli else time_cli(index, text, args.timeout)
            notes = json.dumps(info.get("notes", []), ensure_ascii=False)
            total = info.get("total", "?")
            print(f"{name:38} {warm:>12} {cold:>10}  {total}, {notes}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, default=Path("/tmp/ix29"))
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/corpus"))
    parser.add_argument("--fixture-dir", type=Path, help="where to build the 5 MB fixture index")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per probe")
    parser.add_argument("--skip-cli", action="store_true", help="in-process timings only")
    parser.add_argument("--skip-corpus", action="store_true", help="the fixture index only")
    args = parser.parse_args()
    if not args.skip_corpus:
        ensure_index(args.index, args.corpus)
        run_probes(args.index, corpus_probes(), args)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.fixture_dir or Path(scratch)
        start = time.perf_counter()
        ix_dir = build_fixture(folder)
        print(f"\nfixture index of 5 MB articles built in {time.perf_counter() - start:.1f} s")
        run_probes(ix_dir, fixture_probes(), args)


if __name__ == "__main__":
    main()
