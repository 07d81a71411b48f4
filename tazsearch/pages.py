"""The HTML of the search page and the article pages: rendered on the server, no JavaScript.

No inline style either: the pages link one stylesheet, served by the app, so
that its Content-Security-Policy can forbid everything inline. Every text
from the index is HTML-escaped, and every article id in a link is
URL-encoded: ids may hold ``?``, ``#``, ``%`` or spaces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from html import escape
from urllib.parse import quote, urlencode

from .article import Article
from .results import Hit, SearchResults, Sort, Span, byline, marked

PER_PAGE = 10
STYLESHEET_URL = "/static/style.css"
BAR_STEPS = 24  # widths of a date bar, each its own class: no inline style
BAR_STEP_PX = 5
STYLE = """
body { font: 16px/1.5 Georgia, serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem; }
form.search input[name=q] { width: 60%; font-size: 1.1rem; }
fieldset { border: 0; padding: 0; margin: .5rem 0; }
mark { background: #ffe066; }
.hit { margin: 1.5rem 0; }
.hit h2 { font-size: 1.15rem; margin: 0; }
.facts, .tags { color: #555; font-size: .9rem; }
.facets { display: flex; gap: 2rem; flex-wrap: wrap; font-size: .9rem; }
.bar { background: #d33; height: .8rem; display: inline-block; vertical-align: middle; }
.error { color: #b00; }
"""
STYLESHEET = STYLE + "".join(
    f".bar.w{step} {{ width: {step * BAR_STEP_PX}px; }}\n" for step in range(1, BAR_STEPS + 1)
)


@dataclass(frozen=True)
class SearchForm:
    """What the search page was asked for."""

    q: str = ""
    author: str = ""
    tag: str = ""
    since: str = ""
    until: str = ""
    sort: str = Sort.relevance.value
    page: int = 1

    def is_empty(self) -> bool:
        return not (self.q.strip() or self.author or self.tag or self.since or self.until)

    def url(self, **changes: object) -> str:
        """The page's address with some fields changed; empty fields left out."""
        fields = {**self.__dict__, **changes}
        return "/?" + urlencode({k: v for k, v in fields.items() if v and v != Sort.relevance})


def _marked(text: str, spans: list[Span]) -> str:
    return marked(text, spans, "<mark>", "</mark>", escape)


def article_url(article_id: str) -> str:
    """The address of an article's page: the id URL-encoded whole, ``/`` included."""
    return "/articles/" + quote(article_id, safe="")


def _layout(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width"><title>{escape(title)}</title>'
        f'<link rel="stylesheet" href="{STYLESHEET_URL}"></head><body>{body}</body></html>'
    )


def _form(form: SearchForm) -> str:
    def field(name: str, label: str, value: str, hint: str = "") -> str:
        return (
            f'<label>{label} <input name="{name}" value="{escape(value)}"'
            f' placeholder="{escape(hint)}" size="12"></label> '
        )

    sorts = "".join(
        f'<option value="{s.value}"{" selected" if s == form.sort else ""}>{s.value}</option>'
        for s in Sort
    )
    return (
        '<form class="search" action="/" method="get" role="search">'
        f'<input name="q" type="search" value="{escape(form.q)}" autofocus'
        ' aria-label="Suchbegriffe" placeholder="z. B. Nordkorea Soldaten">'
        ' <button type="submit">Suchen</button><fieldset>'
        + field("tag", "Tag", form.tag)
        + field("author", "Autor", form.author)
        + field("since", "von", form.since, "JJJJ-MM-TT")
        + field("until", "bis", form.until, "JJJJ-MM-TT")
        + f'<label>Sortierung <select name="sort">{sorts}</select></label>'
        "</fieldset></form>"
    )


def _hit(hit: Hit, form: SearchForm) -> str:
    link = article_url(hit.id) + "?" + urlencode({"q": form.q})
    facts = byline(hit.date, hit.authors)
    tags = ", ".join(
        f'<a href="{escape(form.url(tag=t, page=1))}">{escape(t)}</a>' for t in hit.tags
    )
    snippets = "".join(f"<p>{_marked(s.text, s.highlights)}</p>" for s in hit.snippets)
    return (
        f'<article class="hit"><h2>{hit.rank}. <a href="{escape(link)}">'
        f"{_marked(hit.title, hit.title_highlights)}</a></h2>"
        f'<div class="facts">{escape(facts)}</div>'
        + (f'<div class="tags">Tags: {tags}</div>' if tags else "")
        + f"{snippets}</article>"
    )


def _facets(results: SearchResults, form: SearchForm) -> str:
    facets = results.facets
    if facets is None or not results.total:
        return ""
    top = max((n for _, n in facets.dates), default=1)
    dates = "".join(
        f'<div><a href="{escape(form.url(since=value, until=value, page=1))}">{value}</a> '
        f'<span class="bar w{max(1, round(BAR_STEPS * n / top))}"></span> {n}</div>'
        for value, n in facets.dates
    )

    def listed(name: str, pairs: list[tuple[str, int]]) -> str:
        return "".join(
            f'<li><a href="{escape(form.url(**{name: value}, page=1))}">{escape(value)}</a>'
            f" ({n})</li>"
            for value, n in pairs
        )

    return (
        '<section class="facets" aria-label="Facetten">'
        f"<div><h3>Zeit</h3>{dates}</div>"
        f"<div><h3>Tags</h3><ul>{listed('tag', facets.tags)}</ul></div>"
        f"<div><h3>Autoren</h3><ul>{listed('author', facets.authors)}</ul></div>"
        "</section>"
    )


def _pager(results: SearchResults, form: SearchForm) -> str:
    links = []
    if form.page > 1:
        links.append(f'<a href="{escape(form.url(page=form.page - 1))}">« zurück</a>')
    if form.page * PER_PAGE < results.total:
        links.append(f'<a href="{escape(form.url(page=form.page + 1))}">weiter »</a>')
    return f"<nav>{' '.join(links)}</nav>" if links else ""


def search_page(
    form: SearchForm, results: SearchResults | None = None, error: str | None = None
) -> str:
    """The search page: the form, then an error, or the hits with facets and paging."""
    parts = ["<h1>tazsearch</h1>", _form(form)]
    if error:
        parts.append(f'<p class="error" role="alert">{escape(error)}</p>')
    if results is not None:
        noun = "Artikel"
        parts.append(f'<p class="count">{results.total} {noun}</p>')
        if results.corrected:
            parts.append(f"<p>Ergebnisse für <em>{escape(results.searched)}</em></p>")
        elif results.suggestion:
            suggestion = escape(form.url(q=results.suggestion, page=1))
            parts.append(
                f'<p>Meinten Sie <a href="{suggestion}">{escape(results.suggestion)}</a>?</p>'
            )
        parts += [_hit(hit, form) for hit in results.hits]
        parts.append(_pager(results, form))
        parts.append(_facets(results, replace(form, page=1)))
    title = f"{form.q} – tazsearch" if form.q else "tazsearch"
    return _layout(title, "".join(parts))


def article_page(article: Article, spans: Callable[[str], list[Span]] | None = None) -> str:
    """One article, whole, with the words of a query marked."""

    def marked(text: str) -> str:
        return _marked(text, spans(text)) if spans else escape(text)

    body = "".join(
        f"<h3>{marked(b.text)}</h3>" if b.heading else f"<p>{marked(b.text)}</p>"
        for b in article.blocks
    )
    return _layout(
        article.title,
        '<p><a href="/">tazsearch</a></p>'
        f'<article><p class="facts">{escape(article.kicker)}</p>'
        f"<h1>{marked(article.headline or article.title)}</h1>"
        f'<p class="facts">{escape(byline(article.date, article.authors))}</p>'
        f"<p><strong>{marked(article.teaser)}</strong></p>{body}"
        f'<p class="tags">Tags: {escape(", ".join(article.tags))}</p></article>',
    )


def not_found_page() -> str:
    """The page for an unknown article: it names nothing of the server, nor the id asked for."""
    return _layout(
        "Nicht gefunden – tazsearch",
        '<p><a href="/">tazsearch</a></p><h1>Nicht gefunden</h1>'
        "<p>Diesen Artikel gibt es im Index nicht.</p>",
    )
