"""The built site, served on 127.0.0.1, and a headless Chromium that can reach nothing else.

These tests are opt-in (``--browser``): they need the site built (``bash scripts/docs``),
Debian's ``chromium`` (``/usr/bin/chromium``, or ``MESHAPI_TEST_CHROMIUM``) and the
``playwright`` package, which drives it (Playwright's own browser download is not used)::

    apt-get update && apt-get install -y chromium
    .venv/bin/pip install -e '.[browser]'
    bash scripts/docs && .venv/bin/python -m pytest tests/browser --browser

Every request whose host is not 127.0.0.1 is aborted and recorded in :attr:`Browser.outside`,
so a test can fail on it; console errors, uncaught page errors and local responses of 400 or
more are recorded per page the same way. Screenshots go to ``site-screenshots/`` (not
committed; CI keeps them as artifacts).
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path
from typing import Any, Iterator, List
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "site"
SCREENSHOTS = ROOT / "site-screenshots"
CHROMIUM = os.environ.get("MESHAPI_TEST_CHROMIUM", "/usr/bin/chromium")

# As the machine's own checks start it: no sandbox (CI runs as root), no GPU, and none of
# Chromium's own background traffic (updates, sync, QUIC probes), which the closed network
# would refuse. Playwright adds --headless; the profile is a new empty directory.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Material draws each diagram into a closed shadow root, which no selector reaches; this keeps
# a reference to every shadow root the page attaches (without changing how it is attached),
# so a test can look inside.
KEEP_SHADOW_ROOTS = """
(() => {
  const attach = Element.prototype.attachShadow;
  const roots = new WeakMap();
  window.__shadowRootOf = (host) => roots.get(host) || null;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    roots.set(this, root);
    return root;
  };
})();
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Browser:
    """One Chromium context on the served site, and what left or went wrong so far."""

    def __init__(self, context: Any, base_url: str) -> None:
        self.context = context
        self.base_url = base_url
        self.outside: List[str] = []
        self.problems: List[str] = []
        context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def new_page(self) -> Any:
        """A page whose console errors, uncaught errors and failed local loads are recorded."""
        page = self.context.new_page()

        def console(message: Any) -> None:
            if message.type == "error":
                self.problems.append(f"{page.url}: console error: {message.text}")

        def response(reply: Any) -> None:
            if reply.status >= 400:
                self.problems.append(f"{page.url}: {reply.status} for {reply.url}")

        page.on("console", console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))
        page.on("response", response)
        return page

    def take(self) -> List[str]:
        """Everything recorded since the last call (requests that left first), then forget it."""
        found = [f"a request left the machine: {url}" for url in self.outside] + self.problems
        self.outside.clear()
        self.problems.clear()
        return found

    def url(self, path: str) -> str:
        """The address of ``path`` (relative to the site's root) on the local server."""
        return self.base_url + path.lstrip("/")


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    if config.getoption("--browser"):
        return
    skip = pytest.mark.skip(reason="browser tests run only with --browser")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    """The built site, served by a thread of this process on a free port of 127.0.0.1."""
    if not (SITE / "index.html").is_file():
        pytest.fail("the site is not built: run `bash scripts/docs` first")
    handler = functools.partial(_Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def browser(site_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """A headless Chromium with a fresh profile, able to reach only 127.0.0.1."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: .venv/bin/pip install -e '.[browser]'")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            permissions=["clipboard-read", "clipboard-write"],
        )
        context.set_default_timeout(20_000)
        context.add_init_script(KEEP_SHADOW_ROOTS)
        try:
            yield Browser(context, site_url)
        finally:
            context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The folder the screenshots go to (``site-screenshots/``, not committed)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
