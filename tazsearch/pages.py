"""The search page and the article pages, in German, from Jinja2 templates.

What a page shows is worked out here, as plain values (the search's state and
the links that change it, the chips of active filters, the pager, the facets,
texts cut into marked and unmarked pieces); the templates in
``tazsearch/templates`` lay it out, and Jinja2 escapes every value, so nothing
is escaped by hand. Every state of a search is in its URL, so the back button
and shared links work. The pages link one stylesheet and one script of our
own, served by the app, so that the Content-Security-Policy forbids everything
inline; the script only adds results while typing, and the pages work
without it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files
from typing import Any
from urllib.parse import quote, urlencode

from . import messages
from .article import Article
from .facets import Facets
from .fields import exact_key
from .results import Hit, SearchResults, Sort, Span
from .safetext import visible

PER_PAGE = 10
# A query's characters and a search's pages at most, for the pages and the API alike.
MAX_QUERY = 500
MAX_PAGE = 1000
STYLESHEET_URL = "/static/style.css"
SCRIPT_URL = "/static/search.js"
ICON_URL = "/static/favicon.svg"
BAR_STEPS = 24  # widths of a facet bar, each a class of its own: no inline style
SIMILAR = 5
# The orders' names as labels: those of the messages, capitalised.
SORT_NAMES = {value: name[0].upper() + name[1:] for value, name in messages.SORT_NAMES.items()}
SHORT_MONTHS = [
    "Jan.",
    "Feb.",
    "März",
    "Apr.",
    "Mai",
    "Juni",
    "Juli",
    "Aug.",
    "Sept.",
    "Okt.",
    "Nov.",
    "Dez.",
]
Pieces = list[tuple[str, bool]]  # a text as pieces, each marked or not


def static_file(name: str) -> bytes:
    """A file of ``tazsearch/static``, as the app serves it."""
    return files("tazsearch").joinpath("static", name).read_bytes()


@dataclass(frozen=True)
class SearchState:
    """What a search page was asked for: the query, the filters, the order, the page.
    Its URL holds all of it; empty values are left out."""

    q: str = ""
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    since: str = ""
    until: str = ""
    sort: str = Sort.relevance.value
    page: int = 1

    def is_empty(self) -> bool:
        return not (self.q.strip() or self.tags or self.authors or self.since or self.until)

    def params(self) -> list[tuple[str, str]]:
        pairs = [("q", self.q.strip())]
        pairs += [("tag", t) for t in self.tags] + [("author", a) for a in self.authors]
        pairs += [("since", self.since), ("until", self.until)]
        if self.sort != Sort.relevance.value:
            pairs.append(("sort", self.sort))
        if self.page > 1:
            pairs.append(("page", str(self.page)))
        return [(k, v) for k, v in pairs if v]

    def url(self, **changes: Any) -> str:
        """The search page's address for this state with ``changes``; paging starts
        over unless the change is the page."""
        changed = replace(self, **{"page": 1, **changes})
        query = urlencode(changed.params())
        return "/?" + query if query else "/"

    def has(self, kind: str, value: str) -> bool:
        """Whether a tag or author filter holds ``value`` (as the search matches it:
        case and umlaut spelling aside)."""
        return exact_key(value) in {exact_key(v) for v in getattr(self, kind)}

    def adding(self, kind: str, value: str) -> str:
        """The address with one more tag or author filter."""
        values: tuple[str, ...] = getattr(self, kind)
        return self.url(**{kind: values if self.has(kind, value) else (*values, value)})

    def article_url(self, article_id: str, marks: str = "") -> str:
        """An article's address, carrying this search so that its page links back to
        it, and ``marks``: the query its words are marked for, when not ``q``."""
        params = self.params() + ([("hl", marks)] if marks and marks != self.q else [])
        path = "/articles/" + quote(article_id, safe="")
        return path + ("?" + urlencode(params) if params else "")


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False


@dataclass(frozen=True)
class Chip:
    """An active filter, and the address without it."""

    kind: str
    label: str
    remove: str


@dataclass(frozen=True)
class Pager:
    """The pages of a result: where this one sits, and links to the others."""

    first: int
    last: int
    total: int
    pages: list[Link | None]  # None: a gap in the numbers
    previous: str = ""
    next: str = ""
    first_page: str = ""
    last_page: str = ""


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    step: int
    url: str


@dataclass(frozen=True)
class FacetView:
    per: str
    dates: list[Bar]
    tags: list[Link]
    authors: list[Link]


@dataclass(frozen=True)
class HitView:
    """One hit as the page lists it: the title cut into kicker and headline."""

    url: str
    kicker: Pieces
    headline: Pieces
    date: dt.date | None
    authors: list[Link]
    tags: list[Link]
    snippet: Pieces


def pieces(text: str, spans: list[Span]) -> Pieces:
    """``text`` as pieces, the spans marked."""
    found, last = [], 0
    for start, end in spans:
        if start > last:
            found.append((text[last:start], False))
        found.append((text[start:end], True))
        last = end
    if last < len(text):
        found.append((text[last:], False))
    return found


def german_date(date: dt.date | None) -> str:
    return f"{date.day}. {messages.MONTHS[date.month - 1]} {date.year}" if date else ""


def german_number(n: int) -> str:
    return messages.number(n).de


def _period(value: str) -> str:
    """A year (2020), month (2020-11) or day (2020-11-03) as a reader says it;
    anything else (what a reader typed) as it is."""
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        return f"{SHORT_MONTHS[int(value[5:]) - 1]} {value[:4]}"
    try:
        return german_date(dt.date.fromisoformat(value)) if len(value) == 10 else value
    except ValueError:
        return value


def _hit(hit: Hit, state: SearchState, marks: str) -> HitView:
    cut = len(hit.kicker) + 2 if hit.kicker and hit.title.startswith(hit.kicker + ": ") else 0
    spans = hit.title_highlights
    kicker = pieces(hit.kicker, [(s, min(e, len(hit.kicker))) for s, e in spans if s < cut - 2])
    headline = pieces(hit.title[cut:], [(s - cut, e - cut) for s, e in spans if s >= cut])
    snippet = hit.snippets[0] if hit.snippets else None
    return HitView(
        url=state.article_url(hit.id, marks),
        kicker=kicker if cut else [],
        headline=headline,
        date=hit.date,
        authors=[Link(a, state.adding("authors", a)) for a in hit.authors if a.strip()],
        tags=[Link(t, state.adding("tags", t)) for t in hit.tags if t.strip()],
        snippet=pieces(snippet.text, snippet.highlights) if snippet else [],
    )


def _chips(state: SearchState) -> list[Chip]:
    chips = [
        Chip("Tag", t, state.url(tags=tuple(x for x in state.tags if x != t))) for t in state.tags
    ]
    chips += [
        Chip("Autor", a, state.url(authors=tuple(x for x in state.authors if x != a)))
        for a in state.authors
    ]
    if state.since or state.until:
        span = f"{_period(state.since) or '…'} bis {_period(state.until) or '…'}"
        if state.since == state.until:
            span = _period(state.since)
        chips.append(Chip("Zeitraum", span, state.url(since="", until="")))
    if state.sort != Sort.relevance.value:
        name = SORT_NAMES.get(state.sort, state.sort)
        chips.append(Chip("Sortierung", name, state.url(sort=Sort.relevance.value)))
    return chips


def _last_page(results: SearchResults) -> int:
    return max(1, min(math.ceil(results.total / results.limit), MAX_PAGE))


def _pager(results: SearchResults, state: SearchState) -> Pager | None:
    if not results.hits:
        return None
    first = (results.page - 1) * results.limit + 1
    last = first + len(results.hits) - 1
    pages = _last_page(results)
    here = results.page
    shown = sorted({1, pages, *range(max(1, here - 2), min(pages, here + 2) + 1)})
    numbers: list[Link | None] = []
    previous = 0
    for n in shown:
        if previous and n > previous + 1:
            numbers.append(None)
        numbers.append(Link(str(n), state.url(page=n), n == here))
        previous = n
    return Pager(
        first=first,
        last=last,
        total=results.total,
        pages=numbers if pages > 1 else [],
        previous=state.url(page=here - 1) if here > 1 else "",
        next=state.url(page=here + 1) if here < pages else "",
        first_page=state.url(page=1) if here > 2 else "",
        last_page=state.url(page=pages) if here < pages - 1 else "",
    )


def _facets(facets: Facets | None, state: SearchState) -> FacetView | None:
    if facets is None or not (facets.dates or facets.tags or facets.authors):
        return None
    top = max((n for _, n in facets.dates), default=1) or 1
    return FacetView(
        per="Monat" if facets.date_unit == "month" else "Jahr",
        dates=[
            Bar(_period(v), n, max(1, round(BAR_STEPS * n / top)), state.url(since=v, until=v))
            for v, n in facets.dates
        ],
        tags=[
            Link(f"{v} ({n})", state.adding("tags", v), state.has("tags", v))
            for v, n in facets.tags
            if v.strip()
        ],
        authors=[
            Link(f"{v} ({n})", state.adding("authors", v), state.has("authors", v))
            for v, n in facets.authors
            if v.strip()
        ],
    )


def _shown(value: Any) -> Any:
    """A value as a template prints it: text with its controls as escapes; markup a
    template made itself (a macro's output) as it is."""
    from markupsafe import Markup

    return visible(value) if isinstance(value, str) and not isinstance(value, Markup) else value


@lru_cache(maxsize=1)
def _environment() -> Any:
    """Jinja2's environment: the package's templates, every value escaped, and an
    error for any name a template uses that the page does not give."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=PackageLoader("tazsearch", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Every value shown goes through visible(): a control or bidi character in
        # an article is shown as an escape, as the CLI shows it, never obeyed.
        finalize=_shown,
    )
    environment.filters["german_date"] = german_date
    environment.filters["german_number"] = german_number
    environment.globals.update(
        STYLESHEET_URL=STYLESHEET_URL,
        SCRIPT_URL=SCRIPT_URL,
        ICON_URL=ICON_URL,
        SORT_NAMES=SORT_NAMES,
    )
    return environment


def _render(template: str, **values: Any) -> str:
    return str(_environment().get_template(template).render(**values))


def search_page(state: SearchState, results: SearchResults | None = None, error: str = "") -> str:
    """The search page: the form and the chips; then an error, or the count, the
    hits, the pager and the facets."""
    marks = results.searched if results is not None and results.corrected else ""
    return _render(
        "search.html",
        state=state,
        error=error,
        results=results,
        chips=_chips(state),
        hits=[_hit(h, state, marks) for h in results.hits] if results is not None else [],
        pager=_pager(results, state) if results is not None else None,
        facets=_facets(results.facets, state) if results is not None else None,
        suggestion_url=state.url(q=results.suggestion) if results and results.suggestion else "",
        last_page=state.url(page=_last_page(results)) if results is not None else "",
        pager_limit=MAX_PAGE * PER_PAGE,
        # What a limit left out of the search, in German (notes carry both languages).
        notes=[getattr(n, "german", n) for n in results.notes] if results is not None else [],
    )


def article_page(
    article: Article,
    state: SearchState,
    spans: Callable[[str], list[Span]] | None = None,
    similar: list[Hit] | None = None,
) -> str:
    """One article, whole, with the words of the search it was found by marked,
    a link back to that search, and the articles most like it."""

    def marked(text: str) -> Pieces:
        return pieces(text, spans(text)) if spans else [(text, False)] if text else []

    return _render(
        "article.html",
        state=state,
        back=state.url(page=state.page) if not state.is_empty() else "",
        article=article,
        kicker=marked(article.kicker),
        headline=marked(article.headline or article.title),
        teaser=marked(article.teaser),
        captions=[marked(c) for c in article.captions if c],
        blocks=[(b.heading, marked(b.text)) for b in article.blocks if b.text],
        authors=[Link(a, SearchState(authors=(a,)).url()) for a in article.authors if a.strip()],
        tags=[Link(t, SearchState(tags=(t,)).url()) for t in article.tags if t.strip()],
        related=[r for r in article.related if r.title.strip() or r.teaser.strip()],
        links=[
            (link.number, link.target, link.target.startswith(("https://", "http://")))
            for link in article.links
        ],
        similar=[Link(h.title, state.article_url(h.id)) for h in similar or []],
    )


def error_page(status: int, title: str, message: str) -> str:
    """A page for what went wrong, in German; it names nothing of the server."""
    return _render("error.html", state=SearchState(), status=status, title=title, message=message)


def not_found_page() -> str:
    """The page for an unknown article: it names nothing of the server, nor the id asked for."""
    return error_page(404, "Nicht gefunden", "Diesen Artikel gibt es im Index nicht.")
