"""The search page in a real browser (Debian's headless Chromium): typing shows
results, facets and chips filter, the pager pages, an article leads back; and
the layout at 1200 × 900 and 400 × 800, with screenshots in tests/screenshots.
Articles here are synthetic fixtures (page_corpus.py), not taz content."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed")

from page_corpus import fahrrad_index

from tazsearch.serve import create_app

from conftest import serving

SHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(create_app(fahrrad_index(tmp_path_factory.mktemp("ix")))) as url:
        yield url


@pytest.fixture
def browser(chromium: Any) -> Iterator[Any]:
    chromium.get_log("browser")  # what earlier tests left
    yield chromium
    problems = [e["message"] for e in chromium.get_log("browser") if e["level"] == "SEVERE"]
    assert [p for p in problems if "favicon" not in p] == []


def _viewport(browser: Any, width: int, height: int) -> None:
    """The page's own size, as a window of that size shows it."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def _until(check: Callable[[], Any], what: str, seconds: float = 10) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


def _follow(browser: Any, action: Callable[[], Any]) -> None:
    """Do what leads to another page (a click, back), and wait until it has loaded."""
    before = browser.execute_script("return window.performance.timeOrigin")
    action()
    _until(
        lambda: browser.execute_script(
            "return document.readyState === 'complete' && performance.timeOrigin !== arguments[0]",
            before,
        ),
        "the next page",
    )


def _texts(browser: Any, selector: str) -> list[str]:
    """The text of each element the selector finds, read at once (the script may be
    replacing them), each on one line."""
    script = "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText)"
    return [" ".join(text.split()) for text in browser.execute_script(script, selector)]


def _params(browser: Any) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(browser.current_url).query)


def test_typing_shows_results_with_the_last_word_as_a_prefix(site: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    _viewport(browser, 1200, 900)
    browser.get(site + "/")
    box = browser.find_element(By.NAME, "q")
    box.send_keys("Zwischenz")  # no whole word of any article: found only as a prefix
    _until(lambda: _texts(browser, "li.hit h2"), "results while typing")
    assert _texts(browser, "li.hit h2") == ["Radverkehr Ein ganzer Fixture-Artikel über Fahrräder"]
    assert _params(browser) == [("q", "Zwischenz")]  # the state is in the URL
    # The article's page marks the words the prefix found.
    link = browser.find_element(By.CSS_SELECTOR, "li.hit h2 a").get_attribute("href")
    assert ("hl", "(Zwischenz OR Zwischenz*)") in parse_qsl(urlsplit(link).query)
    box.send_keys("eile Fahrradwege")
    _until(lambda: "„Zwischenzeile Fahrradwege“" in _texts(browser, ".count")[0], "new results")
    assert browser.find_elements(By.CSS_SELECTOR, "li.hit mark")
    # A whole word, typed, finds what Enter finds: its other forms too (its
    # stem is shorter than the word, so a prefix alone would miss them).
    box.clear()
    box.send_keys("Fahrräder")
    _until(lambda: "„Fahrräder“" in (_texts(browser, ".count") or [""])[0], "results for a word")
    typed = _texts(browser, ".count")[0]
    _follow(browser, box.submit)
    assert _texts(browser, ".count")[0] == typed
    assert typed.startswith("1–10 von 28 Artikeln")


def test_a_facet_filters_and_its_chip_undoes_it(site: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    _viewport(browser, 1200, 900)
    browser.get(site + "/?q=Fahrrad")
    total = _texts(browser, ".count")[0]
    _follow(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "Stadt (").click)
    assert _texts(browser, ".chips li")[0] == "Tag: Stadt ×"
    assert ("tag", "Stadt") in _params(browser) and _texts(browser, ".count")[0] != total
    _follow(browser, browser.find_element(By.CSS_SELECTOR, ".chips a.remove").click)
    assert not browser.find_elements(By.CSS_SELECTOR, ".chips")
    assert _params(browser) == [("q", "Fahrrad")] and _texts(browser, ".count")[0] == total


def test_the_pager_pages_and_an_article_leads_back(site: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    _viewport(browser, 1200, 900)
    browser.get(site + "/?q=Fahrrad")
    _follow(browser, browser.find_element(By.CSS_SELECTOR, ".pager a[href$='page=2']").click)
    assert _texts(browser, ".count")[0].startswith("11–20 von")
    assert _texts(browser, ".pager .current") == ["2"]
    page_two = browser.current_url
    first = browser.find_element(By.CSS_SELECTOR, "li.hit h2 a")
    title = first.text
    _follow(browser, first.click)
    assert browser.find_element(By.TAG_NAME, "h1").text in title
    _follow(browser, browser.find_element(By.LINK_TEXT, "← Zurück zu den Ergebnissen").click)
    assert browser.current_url == page_two
    _follow(browser, browser.back)  # the article again
    _follow(browser, browser.back)  # and the results, as the reader left them
    assert browser.current_url == page_two
    assert _texts(browser, ".pager .current") == ["2"]


def test_the_layout_at_1200_by_900_and_400_by_800(site: str, browser: Any) -> None:
    """Six hits or more above the fold on a wide screen, the facets beside them;
    on a narrow one the facets above the hits and nothing wider than the screen.
    The facets come first in the page, so the keyboard meets them where the eye does."""
    from selenium.webdriver.common.by import By

    SHOTS.mkdir(exist_ok=True)
    for width, height in ((1200, 900), (400, 800)):
        _viewport(browser, width, height)
        browser.get(site + "/?q=Fahrrad&tag=Fixture")
        hits = browser.find_elements(By.CSS_SELECTOR, "li.hit")
        facets = browser.find_element(By.CSS_SELECTOR, "aside.facets").rect
        results = browser.find_element(By.CSS_SELECTOR, "section.results").rect
        page_width = browser.execute_script("return document.documentElement.scrollWidth")
        assert page_width <= width, f"the page is {page_width} px wide at {width} px"
        if width == 1200:
            visible = [h for h in hits if h.rect["y"] + h.rect["height"] <= height]
            assert len(visible) >= 6, f"{len(visible)} hits above the fold"
            assert facets["x"] + facets["width"] <= results["x"] + 1  # beside, on the left
            assert abs(facets["y"] - results["y"]) < 40
        else:
            assert facets["y"] + facets["height"] <= results["y"] + 1  # above
        assert browser.save_screenshot(str(SHOTS / f"search-{width}x{height}.png"))
        browser.get(site + "/articles/ganz?q=Fahrrad")
        assert browser.save_screenshot(str(SHOTS / f"article-{width}x{height}.png"))
