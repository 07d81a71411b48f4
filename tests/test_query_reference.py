"""The query language against a brute-force reference, on generated queries.

The reference reads the fixture articles, analyses each field with the same
analyzer as the index, and decides each query by plain set and position
logic. It shares nothing with the engine's query code: queries are generated
here as trees of this module's own, rendered to text for the engine and
evaluated directly for the reference. Every article here is a synthetic
test fixture, not taz content.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tazsearch import Index, QuerySyntaxError
from tazsearch.analysis import analyze, query_words, strip_accents
from tazsearch.parse import parse_file

from conftest import fixture_article

WORDS = [
    "Klimawandel", "Klimakrise", "Landwirtschaft", "Landes", "Wandel", "Merkel", "Söder",
    "Regierung", "Berlin", "Ukraine", "Krieg", "Ukraine-Krieg", "Soldaten", "Nordkorea",
    "Wahl", "Bauern", "Energie", "Gipfel", "Merkels", "Münchens",
]  # fmt: skip
FILLERS = ["der", "in", "und", "mit"]
TAGS = ["Politik", "Sport", "Klima", "Europa"]
AUTHORS = ["Anna Schmidt", "Jörg Müller", "Bernd Koch"]
FIELDS = {
    "title": "title",
    "teaser": "teaser",
    "body": "body",
    "tag": "tags",
    "author": "authors",
    "captions": "captions",
}
ARTICLES = 60


def _sentence(rng: random.Random, words: int) -> str:
    picked = [
        rng.choice(WORDS) if rng.random() < 0.8 else rng.choice(FILLERS) for _ in range(words)
    ]
    return " ".join(picked) + "."


def _fixture_texts(seed: int = 7) -> dict[str, str]:
    rng = random.Random(seed)
    texts = {}
    for n in range(ARTICLES):
        day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(4 * 365))
        date = day.strftime("%-d %b %Y") if n % 9 else "kein Datum"
        body = "\n\n".join(_sentence(rng, rng.randint(3, 12)) for _ in range(rng.randint(1, 3)))
        texts[f"r{n:02d}"] = fixture_article(
            f"Fixture: {_sentence(rng, 3)[:-1]}",
            body,
            teaser=_sentence(rng, 5),
            date=date,
            tags=tuple(rng.sample(TAGS, rng.randint(0, 2))),
            authors=tuple(rng.sample(AUTHORS, rng.randint(0, 1))),
        )
    return texts


# The reference


@dataclass
class Doc:
    id: str
    date: dt.date | None
    fields: dict[str, list[tuple[int, str]]]  # field -> (position, term), every term


def _reference_docs(folder: Path) -> list[Doc]:
    docs = []
    for path in sorted(folder.iterdir()):
        article = parse_file(path)
        texts = {
            "title": article.title,
            "teaser": article.teaser,
            "body": "\n\n".join(b.text for b in article.blocks),
            "captions": "\n".join(article.captions),
            "tags": "\n".join(article.tags),
            "authors": "\n".join(article.authors),
        }
        fields = {name: [(t.pos, t.text) for t in analyze(text)] for name, text in texts.items()}
        docs.append(Doc(path.stem, article.date, fields))
    return docs


def _osa(a: str, b: str) -> int:
    """Edit distance, a swap of neighbours counting one (optimal string alignment)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(
                d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


class Reference:
    def __init__(self, docs: list[Doc]) -> None:
        self.docs = docs
        self.lexicon = {t for doc in docs for f in doc.fields.values() for _, t in f}
        # The terms a fuzzy word or a pattern stands for, worked out once for all documents.
        self._near: dict[tuple[str, int], set[str]] = {}
        self._matching: dict[str, set[str]] = {}

    def near(self, term: str, edits: int) -> set[str]:
        if (term, edits) not in self._near:
            self._near[term, edits] = {t for t in self.lexicon if _osa(t, term) <= edits}
        return self._near[term, edits]

    def matching(self, pattern: str) -> set[str]:
        if pattern not in self._matching:
            found = {t for t in self.lexicon if fnmatch.fnmatchcase(t, pattern)}
            self._matching[pattern] = found
        return self._matching[pattern]

    def terms_in(self, doc: Doc, field: str | None) -> list[tuple[int, str]]:
        if field is None:
            return [pt for f in doc.fields.values() for pt in f]
        return doc.fields[field]

    def has(self, doc: Doc, field: str | None, terms: set[str]) -> bool:
        return any(t in terms for _, t in self.terms_in(doc, field))

    def word(self, doc: Doc, node: QWord) -> bool:
        words = query_words(node.text)
        if not words:
            return False
        for w in words:
            if node.fuzzy:
                if not self.has(doc, node.field, self.near(w.term, node.fuzzy)):
                    return False
            elif not (
                self.has(doc, node.field, {w.term})
                or (w.parts and all(self.has(doc, node.field, {p}) for p in w.parts))
            ):
                return False
        return True

    def pattern(self, doc: Doc, node: QPattern) -> bool:
        return self.has(doc, node.field, self.matching(strip_accents(node.text.lower())))

    def phrase(self, doc: Doc, node: QPhrase) -> bool:
        terms = [w.term for w in query_words(node.text)]
        fields = [node.field] if node.field else list(doc.fields)
        for field in fields:
            at: dict[int, set[str]] = {}
            for pos, t in doc.fields[field]:
                at.setdefault(pos, set()).add(t)
            if len(terms) == 1 and any(terms[0] in found for found in at.values()):
                return True
            if len(terms) > 1 and node.slop is None:
                if any(all(terms[i] in at.get(p + i, ()) for i in range(len(terms))) for p in at):
                    return True
            elif len(terms) > 1:
                positions = sorted(at)
                needed = Counter(terms)
                for start in positions:
                    window = [p for p in positions if start <= p < start + len(terms) + node.slop]
                    have = Counter(t for p in window for t in at[p] if t in needed)
                    if all(have[t] >= n for t, n in needed.items()):
                        return True
        return False

    def dates(self, doc: Doc, node: QDate) -> bool:
        return doc.date is not None and node.first <= doc.date <= node.last

    def node(self, doc: Doc, node: QNode) -> bool:
        if isinstance(node, QWord):
            return self.word(doc, node)
        if isinstance(node, QPattern):
            return self.pattern(doc, node)
        if isinstance(node, QPhrase):
            return self.phrase(doc, node)
        if isinstance(node, QDate):
            return self.dates(doc, node)
        return self.group(doc, node)

    def group(self, doc: Doc, group: QGroup) -> bool:
        items = [(sign, n) for sign, n in group.items if _present(n)]
        excluded = any(self.node(doc, n) for sign, n in items if sign in ("-", "NOT "))
        musts = [self.node(doc, n) for sign, n in items if sign == "+"]
        plain = [self.node(doc, n) for sign, n in items if sign == ""]
        if group.op == "OR" and musts:
            matched = all(musts)
        elif group.op == "OR":
            matched = any(plain) if plain else True
        else:
            matched = all(musts + plain)
        return matched and not excluded

    def query(self, items: list[tuple[str, QNode]]) -> set[str] | None:
        """The documented meaning of a query's top clauses: the required and the
        field-bound must hold, at least one free clause must (none if a clause is
        marked +), none excluded. A clause of stop words alone is left out; None if
        nothing is left."""
        items = [(sign, n) for sign, n in items if _present(n)]
        if not items:
            return None
        found = set()
        plus = any(sign == "+" for sign, _ in items)  # then the free clauses are optional
        for doc in self.docs:
            excluded = any(self.node(doc, n) for sign, n in items if sign in ("-", "NOT "))
            required = [
                self.node(doc, n)
                for sign, n in items
                if sign == "+" or (sign == "" and not _free(n))
            ]
            optional = [self.node(doc, n) for sign, n in items if sign == "" and _free(n)]
            if all(required) and (plus or any(optional) or not optional) and not excluded:
                found.add(doc.id)
        return found


def _present(node: QNode) -> bool:
    """Whether a clause searches anything: one of stop words alone does not."""
    if isinstance(node, (QWord, QPhrase)):
        return bool(query_words(node.text))
    if isinstance(node, QGroup):
        return any(_present(n) for _, n in node.items)
    return True


def _free(node: QNode) -> bool:
    if isinstance(node, (QWord, QPattern, QPhrase)):
        return node.field is None
    if isinstance(node, QGroup):
        present = [(s, n) for s, n in node.items if _present(n)]
        written_and = node.op == "AND" and len(node.items) > 1  # one item shows no AND
        return not written_and and all(s == "" and _free(n) for s, n in present)
    return False


# Queries, as trees of this module's own, and their text


@dataclass(frozen=True)
class QWord:
    text: str
    field: str | None = None
    fuzzy: int = 0

    def render(self) -> str:
        return _fielded(self.field, self.text + (f"~{self.fuzzy}" if self.fuzzy else ""))


@dataclass(frozen=True)
class QPattern:
    text: str
    field: str | None = None

    def render(self) -> str:
        return _fielded(self.field, self.text)


@dataclass(frozen=True)
class QPhrase:
    text: str
    field: str | None = None
    slop: int | None = None

    def render(self) -> str:
        return _fielded(
            self.field, f'"{self.text}"' + (f"~{self.slop}" if self.slop is not None else "")
        )


@dataclass(frozen=True)
class QDate:
    text: str  # as written after date:
    first: dt.date
    last: dt.date

    def render(self) -> str:
        return f"date:{self.text}"


@dataclass(frozen=True)
class QGroup:
    op: str  # "AND", "OR" or "" (side by side)
    items: tuple[tuple[str, QNode], ...]

    def render(self) -> str:
        joiner = f" {self.op} " if self.op else " "
        return "(" + joiner.join(sign + node.render() for sign, node in self.items) + ")"


QNode = QWord | QPattern | QPhrase | QDate | QGroup


def _fielded(field: str | None, text: str) -> str:
    shown = next((k for k, v in FIELDS.items() if v == field), None)
    return f"{shown}:{text}" if shown else text


def _bounds(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day of YYYY, YYYY-MM or YYYY-MM-DD, computed plainly."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        day = dt.date(*parts)
        return day, day
    if len(parts) == 2:
        first = dt.date(parts[0], parts[1], 1)
        following = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)


MIN, MAX = dt.date(1, 1, 1), dt.date(9999, 12, 31)
periods = st.builds(
    lambda y, m, d, precision: (
        f"{y}" if precision == 0 else f"{y}-{m:02d}" if precision == 1 else f"{y}-{m:02d}-{d:02d}"
    ),
    st.integers(2019, 2022),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 2),
)


@st.composite
def dates(draw: st.DrawFn) -> QDate:
    kind = draw(st.sampled_from(["single", "range", "open", ">", ">=", "<", "<="]))
    a = draw(periods)
    if kind == "single":
        return QDate(a, *_bounds(a))
    if kind in (">", ">=", "<", "<="):
        first, last = _bounds(a)
        bounds = {
            ">": (last + dt.timedelta(days=1), MAX),
            ">=": (first, MAX),
            "<": (MIN, first - dt.timedelta(days=1)),
            "<=": (MIN, last),
        }[kind]
        return QDate(f"{kind}{a}", *bounds)
    b = draw(periods)
    if _bounds(a)[0] > _bounds(b)[1]:
        a, b = b, a
    if kind == "open":
        if draw(st.booleans()):
            return QDate(f"[{a} TO *]", _bounds(a)[0], MAX)
        return QDate(f"[* to {b}]", MIN, _bounds(b)[1])
    left, right = draw(st.sampled_from(["[]", "{}", "[}", "{]"]))
    first = _bounds(a)[0] if left == "[" else _bounds(a)[1] + dt.timedelta(days=1)
    last = _bounds(b)[1] if right == "]" else _bounds(b)[0] - dt.timedelta(days=1)
    return QDate(f"{left}{a} TO {b}{right}", first, last)


def _typo(draw: st.DrawFn, word: str) -> str:
    letters = list(word)
    i = draw(st.integers(0, len(letters) - 1))
    kind = draw(st.sampled_from(["drop", "swap", "change"]))
    if kind == "drop" and len(letters) > 3:
        del letters[i]
    elif kind == "swap" and i + 1 < len(letters):
        letters[i], letters[i + 1] = letters[i + 1], letters[i]
    else:
        letters[i] = "x"
    return "".join(letters)


fields = st.sampled_from([None, None, None, "title", "teaser", "body", "tags", "authors"])


@st.composite
def leaves(draw: st.DrawFn) -> QNode:
    kind = draw(st.sampled_from(["word", "word", "phrase", "prefix", "wildcard", "fuzzy", "date"]))
    field = draw(fields)
    vocabulary = (
        WORDS
        + (TAGS if field == "tags" else [])
        + ([a.split()[1] for a in AUTHORS] if field == "authors" else [])
    )
    word = draw(st.sampled_from(vocabulary))
    if kind == "word":
        return QWord(word, field)
    if kind == "fuzzy":
        return QWord(_typo(draw, word.replace("-", "")), field, draw(st.integers(1, 2)))
    if kind == "prefix":
        return QPattern(word.replace("-", "")[: draw(st.integers(3, 6))] + "*", field)
    if kind == "wildcard":
        plain = word.replace("-", "")
        i = draw(st.integers(1, len(plain) - 2))
        return QPattern(plain[:i] + "?" + plain[i + 1 :] + draw(st.sampled_from(["", "*"])), field)
    if kind == "phrase":
        words = draw(st.lists(st.sampled_from(WORDS + FILLERS[:2]), min_size=2, max_size=3))
        slop = draw(st.sampled_from([None, None, 0, 1, 3]))
        return QPhrase(" ".join(words), field, slop)
    return draw(dates())


signs = st.sampled_from(["", "", "", "+", "-", "NOT "])


def groups(children: st.SearchStrategy[QNode]) -> st.SearchStrategy[QNode]:
    return st.builds(
        QGroup,
        st.sampled_from(["", "AND", "OR"]),
        st.lists(st.tuples(signs, children), min_size=1, max_size=3).map(tuple),
    )


nodes = st.recursive(leaves(), groups, max_leaves=6)
queries = st.lists(st.tuples(signs, nodes), min_size=1, max_size=4)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Index, Reference]:
    folder = tmp_path_factory.mktemp("reference-articles")
    for name, text in _fixture_texts().items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    ix = Index.open(tmp_path_factory.mktemp("reference-ix"), create=True)
    ix.update([folder])
    return ix, Reference(_reference_docs(folder))


def _render(items: list[tuple[str, QNode]]) -> str:
    return " ".join(sign + node.render() for sign, node in items)


def _engine(ix: Index, text: str) -> set[str]:
    results = ix.search(text, limit=ARTICLES, autocorrect=False)
    assert results.total == len(results.hits)
    return {hit.id for hit in results.hits}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=queries)
def test_generated_queries_match_the_reference(
    corpus: tuple[Index, Reference], items: list[tuple[str, QNode]]
) -> None:
    ix, reference = corpus
    text = _render(items)
    expected = reference.query(items)
    if expected is None:
        with pytest.raises(QuerySyntaxError, match="nothing to search for"):
            ix.search(text)
        return
    assert _engine(ix, text) == expected, text


@pytest.mark.parametrize(
    "text",
    [
        "Klimawandel",
        "Merkel -Söder",
        "Merkel NOT Söder",
        "+Merkel Söder",
        '"Ukraine Krieg"~2',
        '"Ukraine Krieg" "Ukraine Krieg"~0',
        "Merkel~1",
        "date:[2020-01 TO 2020-03]",
        "date:>2020-11",
        "-tag:Sport Krieg",
        "Klima* Berlin",
        "(Merkel OR Söder) AND NOT tag:Europa",
    ],
)
def test_examples_match_the_reference(corpus: tuple[Index, Reference], text: str) -> None:
    ix, reference = corpus
    expected = _examples()[text]
    found = _engine(ix, text)
    assert found == reference.query(expected)
    assert found, f"{text} matches nothing in the fixture corpus: a weak example"


def _examples() -> dict[str, list[tuple[str, QNode]]]:
    return {
        "Klimawandel": [("", QWord("Klimawandel"))],
        "Merkel -Söder": [("", QWord("Merkel")), ("-", QWord("Söder"))],
        "Merkel NOT Söder": [("", QWord("Merkel")), ("NOT ", QWord("Söder"))],
        "+Merkel Söder": [("+", QWord("Merkel")), ("", QWord("Söder"))],
        '"Ukraine Krieg"~2': [("", QPhrase("Ukraine Krieg", None, 2))],
        '"Ukraine Krieg" "Ukraine Krieg"~0': [
            ("", QPhrase("Ukraine Krieg")),
            ("", QPhrase("Ukraine Krieg", None, 0)),
        ],
        "Merkel~1": [("", QWord("Merkel", None, 1))],
        "date:[2020-01 TO 2020-03]": [
            ("", QDate("[2020-01 TO 2020-03]", dt.date(2020, 1, 1), dt.date(2020, 3, 31)))
        ],
        "date:>2020-11": [("", QDate(">2020-11", dt.date(2020, 12, 1), MAX))],
        "-tag:Sport Krieg": [("-", QWord("Sport", "tags")), ("", QWord("Krieg"))],
        "Klima* Berlin": [("", QPattern("Klima*")), ("", QWord("Berlin"))],
        "(Merkel OR Söder) AND NOT tag:Europa": [
            (
                "",
                QGroup(
                    "AND",
                    (
                        ("", QGroup("OR", (("", QWord("Merkel")), ("", QWord("Söder"))))),
                        ("NOT ", QWord("Europa", "tags")),
                    ),
                ),
            )
        ],
    }
