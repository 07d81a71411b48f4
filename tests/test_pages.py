"""The web pages as the server renders them: templates, hits, chips, facets,
paging, German, the article page. (In a real browser: test_browser.py.)"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed")
from fastapi.testclient import TestClient
from page_corpus import fahrrad_index

from tazsearch import pages
from tazsearch.serve import create_app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    return TestClient(create_app(fahrrad_index(tmp_path_factory.mktemp("ix"))))


def _page(client: TestClient, url: str, status: int = 200) -> str:
    answer = client.get(url.replace("&amp;", "&"))
    assert answer.status_code == status, (url, answer.text[:300])
    return answer.text


def _links(page: str, pattern: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(pattern, page)]


def _params(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def test_no_value_is_escaped_by_hand() -> None:
    """Jinja2 escapes every value: the page modules build no HTML themselves."""
    for name in ("pages.py", "page_routes.py"):
        source = (ROOT / "tazsearch" / name).read_text(encoding="utf-8")
        assert not re.search(r"\bescape\(|Markup\(|<p\b", source), name


def test_markup_in_an_article_is_text_everywhere(client: TestClient) -> None:
    for url in ("/?q=Fixture+script", "/?tag=<em>Tag</em>", "/articles/markup"):
        page = _page(client, url)
        assert "<script>alert" not in page and "<em>Tag</em>" not in page, url
        assert "<b>Fahrrad</b>" not in page
    page = _page(client, "/articles/markup")
    assert "Fixture &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Fahrrad" in page
    assert "&lt;b&gt;Fahrrad&lt;/b&gt; &amp; &lt;i&gt;Stadt&lt;/i&gt;" in page


def test_a_hit_shows_kicker_title_date_authors_tags_and_one_snippet(client: TestClient) -> None:
    page = _page(client, "/?q=Zwischenzeile+OR+Fahrradwege")
    hit = re.search(r'<li class="hit">(.*?)</li>\n(?=<li class="hit">|</ol>)', page, re.S)
    assert hit, page
    text = hit.group(1)
    assert '<span class="kicker">Radverkehr</span>' in text
    assert "Ein ganzer Fixture-Artikel über Fahrräder" in text
    assert '<time datetime="2024-03-05">5. März 2024</time>' in text
    assert '<a href="/?q=Zwischenzeile+OR+Fahrradwege&amp;author=Anna+Fixture">' in text
    assert '<a class="tag" href="/?q=Zwischenzeile+OR+Fahrradwege&amp;tag=Verkehr">' in text
    assert text.count('<p class="snippet">') == 1 and "<mark>Fahrradwege</mark>" in text


def test_a_hit_without_authors_or_date_leaves_nothing_dangling(client: TestClient) -> None:
    page = _page(client, "/?q=Karges")
    hit = re.search(r'<li class="hit">.*?</li>', page, re.S)
    assert hit and "<mark>Karges</mark> Fahrrad" in hit.group()
    assert " · " not in hit.group() and 'class="meta"' not in hit.group()


def test_a_facet_adds_its_filter_and_its_chip_removes_it(client: TestClient) -> None:
    page = _page(client, "/?q=Fahrrad")
    assert '<ul class="chips"' not in page
    (stadt,) = _links(page, r'<li><a href="([^"]*)">Stadt \(\d+\)</a></li>')
    assert _params(stadt) == [("q", "Fahrrad"), ("tag", "Stadt")]
    filtered = _page(client, stadt)
    chip = re.search(
        r'<span class="chip-kind">Tag:</span> Stadt <a class="remove" href="([^"]*)"', filtered
    )
    assert chip and _params(chip.group(1).replace("&amp;", "&")) == [("q", "Fahrrad")]
    assert "8 Artikel" in filtered or "von 8 Artikeln" in filtered
    # A second facet adds to the first; each chip removes only its own.
    (anna,) = _links(filtered, r'<li><a href="([^"]*)">Anna Fixture \(\d+\)</a></li>')
    both = _page(client, anna)
    removes = _links(both, r'<a class="remove" href="([^"]*)"')
    assert [_params(u) for u in removes] == [
        [("q", "Fahrrad"), ("author", "Anna Fixture")],
        [("q", "Fahrrad"), ("tag", "Stadt")],
    ]
    # A year's bar filters by that year; sort and dates show as chips too.
    (year,) = _links(page, r'<li><a href="([^"]*)"><span class="label">2023</span>')
    assert _params(year) == [("q", "Fahrrad"), ("since", "2023"), ("until", "2023")]
    dated = _page(client, year + "&sort=newest")
    assert '<span class="chip-kind">Zeitraum:</span> 2023 ' in dated
    assert '<span class="chip-kind">Sortierung:</span> Neueste zuerst ' in dated


def test_paging_shows_the_range_the_numbers_and_first_previous_next_last(
    client: TestClient,
) -> None:
    page = _page(client, "/?tag=Fixture&page=2")
    assert '<p class="count">11–20 von 26 Artikeln</p>' in page
    pager = re.search(r'<nav class="pager".*?</nav>', page, re.S)
    assert pager
    numbers = re.findall(r">(\d+)</(?:a|span)>", pager.group())
    assert numbers == ["1", "2", "3"] and 'aria-current="page">2<' in pager.group()
    assert 'rel="prev"' in pager.group() and 'rel="next"' in pager.group()
    wide = pages._pager(_results(total=715, page=9), pages.SearchState(q="x", page=9))
    assert wide is not None and (wide.first, wide.last, wide.total) == (81, 90, 715)
    shown = [p.label if p else "…" for p in wide.pages]
    assert shown == ["1", "…", "7", "8", "9", "10", "11", "…", "72"]
    assert wide.first_page.endswith("q=x") and wide.last_page.endswith("page=72")


def test_a_page_past_the_last_says_so_and_links_the_last(client: TestClient) -> None:
    page = _page(client, "/?tag=Fixture&page=7")
    assert "Auf Seite 7 steht kein Artikel mehr: es sind 26 Artikel." in page
    assert '<a href="/?tag=Fixture&amp;page=3">Zur letzten Seite</a>' in page
    assert "Keine Artikel" not in page


def _results(total: int, page: int) -> pages.SearchResults:
    from tazsearch.results import Hit

    hit = Hit(1, "a", "", "", "t", "", "t", None, [], [], 1.0, [])
    return pages.SearchResults("x", total, page, 10, [hit] * 10)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?q=Fahrrad&sort=newest&tag=Stadt&since=2023",
        "/?q=Fahrrad+AND",
        "/?q=x&since=gestern",
        "/?q=x&sort=relevanz",
        "/?since=2020-xx&until=2020-xx",
        "/?page=%C2%B2",
        "/nirgends",
        "/?since=2020-13&until=2020-13",
        "/?page=null",
        "/articles/nirgends",
        "/articles/ganz?q=Fahrrad",
    ],
)
def test_every_page_is_german(client: TestClient, url: str) -> None:
    answer = client.get(url)
    page = re.sub(r"<[^>]+>|&\w+;", " ", answer.text)
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", page)}
    english = {"cannot", "use", "relevance", "newest", "oldest", "results", "error", "not", "the"}
    assert not words & english, (url, words & english)
    assert '<html lang="de">' in answer.text


def test_errors_of_the_query_and_the_filters_are_german(client: TestClient) -> None:
    page = _page(client, "/?q=Fahrrad+AND", 400)
    assert "Die Suche „Fahrrad AND“ ist an Stelle 9 nicht lesbar" in page
    assert "Nach „AND“ fehlt, wonach gesucht werden soll." in page
    page = _page(client, "/?q=Fahrrad&since=2024&until=2023", 400)
    assert "Der Zeitraum beginnt (2024) nach seinem Ende (2023)." in page
    assert _page(client, "/?q=Fahrrad&sort=neu", 400).count("Diese Sortierung gibt es nicht") == 1


def test_the_notes_of_a_search_cut_short_are_german(client: TestClient) -> None:
    long_word = "Fahrrad" + "x" * 80
    page = _page(client, f"/?q=Fahrrad+{long_word}")
    assert f'<p class="note">„{long_word[:20]}“… ist 87 Zeichen lang; gesucht wurde nur' in page


def test_a_search_page_makes_one_search(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ix = client.app.state.index
    calls = []
    search = ix.search
    monkeypatch.setattr(ix, "search", lambda *a, **k: calls.append(1) or search(*a, **k))
    _page(client, "/?q=Fahrrad&tag=Stadt")
    assert calls == [1]


def test_the_article_page_shows_every_part_and_links_back(client: TestClient) -> None:
    page = _page(client, "/articles/ganz?q=Fahrrad&tag=Verkehr&page=2")
    back = re.search(r'<p class="back"><a href="([^"]*)">', page)
    assert back and _params(back.group(1).replace("&amp;", "&")) == [
        ("q", "Fahrrad"),
        ("tag", "Verkehr"),
        ("page", "2"),
    ]
    for part in (
        '<p class="kicker">Radverkehr</p>',
        "<h1>Ein ganzer Fixture-Artikel über <mark>Fahrräder</mark></h1>",
        '<time datetime="2024-03-05">5. März 2024</time>',
        '<a href="/?author=Anna+Fixture">Anna Fixture</a>',
        '<p class="teaser">Der Vorspann des Fixture-Artikels über <mark>Fahrradwege</mark>.</p>',
        "<li>Bild: Ein Fixture-Bild von einem <mark>Fahrrad</mark></li>",
        "<h2>Eine Zwischenzeile</h2>",
        '<a href="https://example.org/fahrrad" rel="noopener noreferrer nofollow">',
        '<li value="2">javascript:alert(1)</li>',
        '<a class="tag" href="/?tag=Verkehr">Verkehr</a>',
        "<h2>Artikel zum Thema</h2>",
        "<strong>Ein verwandter Fixture-Artikel</strong>",
        "<h2>Ähnliche Artikel</h2>",
    ):
        assert part in page, part
    similar = re.search(r'<section class="similar">(.*?)</section>', page, re.S)
    assert similar and similar.group(1).count("<li>") == 5
    assert "/articles/rad" in similar.group(1) and "tag=Verkehr" in similar.group(1)


def test_an_article_without_parts_has_no_empty_markup(client: TestClient) -> None:
    page = _page(client, "/articles/karg")
    main = page[page.index("<main") : page.index("</main>")]
    for absent in (
        "captions",
        "teaser",
        'class="links"',
        'class="tags"',
        'class="back"',
        'class="kicker"',
        'class="meta"',
        "Artikel zum Thema",
    ):
        assert absent not in main, absent
    assert not re.search(r"<(p|ul|ol|li|h1|h2|section|aside)[^>]*>\s*</\1>", main)


def test_words_are_marked_after_a_correction(client: TestClient) -> None:
    page = _page(client, "/?q=Fahradwege")
    assert "gezeigt werden die Treffer für „fahrradwege“" in page.lower() or "Treffer für" in page
    (link,) = _links(page, r'<h2><a href="(/articles/ganz[^"]*)"')
    assert ("hl", "fahrradwege") in [(k, v.lower()) for k, v in _params(link)]
    assert "<mark>Fahrradwege</mark>" in _page(client, link)


def test_the_state_survives_its_url() -> None:
    state = pages.SearchState(
        q="a & b",
        tags=("x&y", "ü"),
        authors=("Ä B",),
        since="2020",
        until="2021-02",
        sort="oldest",
        page=3,
    )
    params = _params(state.url(page=3))
    assert params == [
        ("q", "a & b"),
        ("tag", "x&y"),
        ("tag", "ü"),
        ("author", "Ä B"),
        ("since", "2020"),
        ("until", "2021-02"),
        ("sort", "oldest"),
        ("page", "3"),
    ]
    assert _params(state.url()) == params[:-1]  # a change starts paging over


@pytest.fixture(scope="module")
def odd_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """A fixture article with a bidi override, a bell and an empty tag in it."""
    from tazsearch import Article, Index

    folder = tmp_path_factory.mktemp("odd")
    with Index.open(folder, create=True) as ix:
        ix.add([Article(id="bidi", title="Fixture \u202eKicker\x07 Seltsam", tags=("",))])
    return TestClient(create_app(folder))


def test_controls_in_an_article_are_shown_as_escapes(odd_client: TestClient) -> None:
    for url in ("/?q=Kicker", "/articles/bidi"):
        page = _page(odd_client, url)
        assert "\u202e" not in page and "\x07" not in page, url
        assert "Fixture \\u202e" in page and "\\x07 Seltsam" in page, url
        assert '<a class="tag" href="/"></a>' not in page


def test_the_html_side_answers_errors_with_german_pages(client: TestClient) -> None:
    for method, url, status in (("GET", "/nirgends", 404), ("POST", "/", 405)):
        answer = client.request(method, url)
        assert answer.status_code == status
        assert answer.headers["content-type"].startswith("text/html")
        assert '<html lang="de">' in answer.text
    assert client.get("/api/nirgends").headers["content-type"].startswith("application/json")
    icon = client.get(pages.ICON_URL)
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"


def test_the_article_stays_readable_when_its_search_is_not(client: TestClient) -> None:
    for carried in ("q=(", "hl=%22", "sort=bogus", "page=0"):
        page = _page(client, f"/articles/ganz?{carried}")
        assert "<h1>Ein ganzer Fixture-Artikel über Fahrräder</h1>" in page, carried


def test_a_filter_given_twice_or_in_another_case_is_one_chip(client: TestClient) -> None:
    page = _page(client, "/?q=Fahrrad&tag=Stadt&tag=Stadt")
    assert page.count('<span class="chip-kind">Tag:</span>') == 1
    page = _page(client, "/?q=Fahrrad&tag=stadt")
    assert '<span class="current">Stadt (8)</span>' in page
