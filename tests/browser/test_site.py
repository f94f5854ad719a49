"""The documentation site as a reader sees it, in headless Chromium with the network closed.

Every page of the built site loads from a server on 127.0.0.1 with no console error and no
request leaving the machine; every diagram is drawn as an SVG (from the mermaid the site ships,
not a CDN); Material's search finds the right guides; the API reference shows ``MeshAPI``'s
methods; code blocks have working copy buttons. Opt-in: ``--browser`` (see ``conftest.py``).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any, List

import pytest

from meshapi import MeshAPI

from .conftest import SITE, Browser

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]


def _page_path(html: Path) -> str:
    """The address of a built page, relative to the site's root (``""`` for the home page)."""
    if html.name != "index.html":
        return html.relative_to(SITE).as_posix()
    folder = html.parent.relative_to(SITE).as_posix()
    return "" if folder == "." else folder + "/"


PAGES = sorted(_page_path(html) for html in [*SITE.rglob("index.html"), *SITE.glob("404.html")])
DIAGRAM_PAGES = ["architecture/", "errors-and-retries/"]

# Material replaces each ``pre.mermaid`` with a ``div.mermaid`` whose shadow root holds the SVG.
DIAGRAMS_DRAWN = """
() => [...document.querySelectorAll("div.mermaid")].filter((host) => {
  const root = window.__shadowRootOf(host);
  return root && root.querySelector("svg");
}).length
"""

DIAGRAM_SIZES = """
() => [...document.querySelectorAll("div.mermaid")].map((host) => {
  const svg = window.__shadowRootOf(host).querySelector("svg");
  const box = svg.getBoundingClientRect();
  return {
    width: box.width,
    height: box.height,
    scale: box.width / svg.viewBox.baseVal.width,
    labels: svg.textContent.trim().length,
  };
})
"""


def _diagrams_in(path: str) -> int:
    """How many diagrams the built page at ``path`` has (``pre.mermaid`` until drawn)."""
    html = SITE / path if path.endswith(".html") else SITE / path / "index.html"
    return len(re.findall(r'<pre class="mermaid"', html.read_text(encoding="utf-8")))


# Material's bundle ran on the page: every code block got its copy button when it mounted.
UNWIRED_CODE_BLOCKS = """
() => [...document.querySelectorAll("pre > code")]
  .filter((code) => !code.parentElement.querySelector(":scope > nav.md-code__nav > button"))
  .length
"""


def _open(browser: Browser, page: Any, path: str) -> None:
    """Load ``path`` and wait until Material has drawn every diagram on it."""
    page.goto(browser.url(path), wait_until="load")
    diagrams = _diagrams_in(path)
    if diagrams:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            page.wait_for_function(f"({DIAGRAMS_DRAWN})() === {diagrams}")
        except PlaywrightTimeout:
            drawn = page.evaluate(f"({DIAGRAMS_DRAWN})()")
            pytest.fail(f"{path}: {drawn} of {diagrams} diagrams drawn: {browser.take()}")


def test_the_page_list_is_the_site(site_url: str) -> None:
    """The walk over the site found its pages (a wrong glob would make the next test vacuous)."""
    assert "" in PAGES
    assert {"quickstart/", "reference/clients/", "404.html", *DIAGRAM_PAGES} <= set(PAGES)
    assert len(PAGES) > 50
    for path in DIAGRAM_PAGES:
        assert _diagrams_in(path) > 0, path


def test_every_page_loads_offline_without_errors(browser: Browser) -> None:
    browser.take()
    page = browser.new_page()
    try:
        unwired = []
        for path in PAGES:
            _open(browser, page, path)
            if page.evaluate(f"({UNWIRED_CODE_BLOCKS})()"):
                unwired.append(path)
    finally:
        page.close()
    found = browser.take() + [f"{path}: a code block has no copy button" for path in unwired]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("path", DIAGRAM_PAGES)
def test_every_diagram_is_an_svg(browser: Browser, path: str) -> None:
    browser.take()
    page = browser.new_page()
    try:
        _open(browser, page, path)
        sizes = page.evaluate(f"({DIAGRAM_SIZES})()")
    finally:
        page.close()
    assert len(sizes) == _diagrams_in(path)
    for size in sizes:
        assert size["width"] > 100 and size["height"] > 50, size
        assert size["labels"] > 0, size
        # A diagram wider than the column is shrunk to fit it; past half size, its 16px labels
        # are too small to read (split long labels with <br/>).
        assert size["scale"] >= 0.5, size
    found = browser.take()
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("retry", "errors-and-retries/"),
        ("stream", "streaming/"),
        ("realtime", "realtime/"),
    ],
)
def test_search_finds_the_right_page(
    browser: Browser, screenshots: Path, term: str, expected: str
) -> None:
    browser.take()
    page = browser.new_page()
    try:
        page.goto(browser.url(""), wait_until="load")
        page.click("input.md-search__input")
        page.keyboard.type(term)
        meta = page.locator(".md-search-result__meta")
        page.wait_for_function(
            "() => /matching document/.test(document.querySelector('.md-search-result__meta').textContent)"
        )
        summary = meta.inner_text()
        # One item per page, its first link the page itself (then its matching sections).
        links = page.eval_on_selector_all(
            ".md-search-result__item",
            "items => items.map(item => item.querySelector('a.md-search-result__link').href)",
        )
        if term == "stream":
            page.screenshot(path=str(screenshots / "search.png"))
    finally:
        page.close()
    pages = [link[len(browser.base_url) :] for link in links]
    assert all(link.startswith(browser.base_url) for link in links), links
    assert expected in pages[:3], (summary, pages)
    found = browser.take()
    assert not found, "\n".join(found)


def _public_members(cls: type) -> List[str]:
    return sorted(
        name
        for name in dir(cls)
        if not name.startswith("_")
        and any(
            name in vars(base) and base.__module__.startswith("meshapi") for base in cls.__mro__
        )
    )


def test_the_reference_shows_meshapis_methods(browser: Browser) -> None:
    members = _public_members(MeshAPI)
    # Methods under their own name; an alias (``copy = with_options``) shows as an attribute.
    methods = [
        name
        for name in members
        if inspect.isfunction(getattr(MeshAPI, name)) and getattr(MeshAPI, name).__name__ == name
    ]
    assert {"close", "with_options", "chat", "responses"} <= set(members)
    browser.take()
    page = browser.new_page()
    try:
        page.goto(browser.url("reference/clients/"), wait_until="load")
        assert page.locator('h2[id="meshapi.MeshAPI"]').is_visible()
        missing = [
            name
            for name in members
            if not page.locator(f'[id="meshapi.MeshAPI.{name}"]').is_visible()
        ]
        signatures = {
            name: page.locator(f'[id="meshapi.MeshAPI.{name}"] + .doc-signature').inner_text()
            for name in methods
        }
    finally:
        page.close()
    assert not missing, missing
    for name, signature in signatures.items():
        assert signature.startswith(f"{name}("), signature
    found = browser.take()
    assert not found, "\n".join(found)


def test_code_blocks_have_copy_buttons_that_copy(browser: Browser) -> None:
    browser.take()
    page = browser.new_page()
    try:
        page.goto(browser.url("quickstart/"), wait_until="load")
        blocks = page.locator("article .highlight pre:has(> code)")
        count = blocks.count()
        assert count > 0
        copy = "nav.md-code__nav > button.md-code__button[data-md-type=copy]"
        assert page.locator(f"article .highlight pre:has(> code) > {copy}").count() == count
        first = blocks.first
        code = first.locator("code").inner_text()
        first.hover()
        first.locator(copy).click()
        copied = page.evaluate("() => navigator.clipboard.readText()")
    finally:
        page.close()
    assert copied.strip() == code.strip()
    found = browser.take()
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("path", "name"), [("", "home.png"), ("errors-and-retries/", "guide.png")])
def test_screenshots(browser: Browser, screenshots: Path, path: str, name: str) -> None:
    """The home page and a guide with a diagram, as pictures for a person to look at."""
    browser.take()
    page = browser.new_page()
    try:
        _open(browser, page, path)
        page.screenshot(path=str(screenshots / name), full_page=False)
    finally:
        page.close()
    assert (screenshots / name).stat().st_size > 10_000
    found = browser.take()
    assert not found, "\n".join(found)
