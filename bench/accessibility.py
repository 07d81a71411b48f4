"""Check the web pages with axe-core (WCAG 2.x A and AA rules) in headless Chromium.

axe-core is not a dependency of tazsearch; install it anywhere with npm and
name its file:

    npm install --prefix /tmp/axe axe-core@4
    python bench/accessibility.py --axe /tmp/axe/node_modules/axe-core/axe.min.js --index DIR

It serves the index, opens the start page, a search with facets and chips,
page 2, an article and an unknown article, at 1200 × 900 and 400 × 800, and
runs axe on each; it prints every violation (rule, impact, the elements) and
exits 1 if there is one.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from tazsearch.serve import create_app  # noqa: E402

from conftest import chromium_options, serving  # noqa: E402

RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--axe", type=Path, required=True, help="axe.min.js of axe-core")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--query", default="Nordkorea", help="a word the index holds")
    args = parser.parse_args()
    from selenium import webdriver

    options = chromium_options(Path(tempfile.mkdtemp()))
    browser = webdriver.Chrome(
        options=options, service=webdriver.ChromeService("/usr/bin/chromedriver")
    )
    axe = args.axe.read_text(encoding="utf-8")
    found = 0
    try:
        with serving(create_app(args.index)) as url:
            browser.get(f"{url}/api/search?q={args.query}&limit=1")
            first = json.loads(browser.find_element("tag name", "body").text)["hits"][0]["id"]
            paths = [
                "/",
                f"/?q={args.query}",
                f"/?q={args.query}&page=2&sort=newest",
                f"/articles/{first}?q={args.query}",
                "/articles/nirgends",
                "/?q=x+AND",
            ]
            for width, height in ((1200, 900), (400, 800)):
                browser.set_window_size(width, height)
                for path in paths:
                    browser.get(url + path)
                    browser.execute_script(axe)
                    result = browser.execute_async_script(
                        "axe.run(document, arguments[0]).then(arguments[1])", RULES
                    )
                    for violation in result["violations"]:
                        found += 1
                        nodes = [n["target"] for n in violation["nodes"]][:3]
                        print(
                            f"{width}px {path}: {violation['id']} ({violation['impact']}): {nodes}"
                        )
                    print(
                        f"{width}px {path}: {len(result['passes'])} rules passed, "
                        f"{len(result['violations'])} violated"
                    )
    finally:
        browser.quit()
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
