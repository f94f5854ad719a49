"""Every Python block of the README and the docs runs, against the emulator.

The blocks of one page run in order in one namespace, as a reader would paste them into one
session, so a later block may use what an earlier one made. They are written as users write
them, against ``https://api.meshapi.ai`` with placeholder credentials (``"rsk_..."``); while
they run, those placeholders mean a gateway emulator on 127.0.0.1 that this test starts
(and the ``MESHAPI_*`` variables point at it). A block preceded by an HTML comment
``<!-- no-run: reason -->`` is not run, and its reason is printed.

A table preceded by ``<!-- run: each row's code -->`` is run too, row by row in page order:
the first code span of each row's first cell (``docs/migrating.md``'s tables of idioms, where
every row is an idiom as its users write it). Code may ``await`` at the top level: it then runs
in an event loop of its own.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, NamedTuple
from urllib.parse import urlsplit

import pytest

from meshapi.testing import Gateway, GatewayServer
from meshapi_core import config as config_module

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)[^\n]*$")
SKIP = re.compile(r"<!--\s*no-run:\s*(?P<why>.+?)\s*-->")
ROWS = re.compile(r"<!--\s*run: each row's code\s*-->")
CODE_SPAN = re.compile(r"`(?P<code>[^`]+)`")
PLACEHOLDER_HOSTS = ("https://api.meshapi.ai",)


class Block(NamedTuple):
    page: Path
    line: int
    code: str
    skip: str


def blocks(page: Path) -> Iterator[Block]:
    """The Python blocks of ``page``, in order."""
    lines = page.read_text().splitlines()
    i = 0
    while i < len(lines):
        if ROWS.search(lines[i]):
            i += 1
            yield from table_rows(page, lines, i)
            continue
        fence = FENCE.match(lines[i])
        if fence is None:
            i += 1
            continue
        start, indent, lang = i, fence.group("indent"), fence.group("lang")
        i += 1
        body: List[str] = []
        while i < len(lines) and not lines[i].strip().startswith("```"):
            body.append(lines[i][len(indent) :])
            i += 1
        i += 1
        if lang not in ("python", "py"):
            continue
        before = lines[start - 1] if start else ""
        skip = SKIP.search(before)
        yield Block(page, start + 1, "\n".join(body) + "\n", skip.group("why") if skip else "")


def table_rows(page: Path, lines: List[str], start: int) -> Iterator[Block]:
    """The code of each row of the table at ``lines[start:]`` (its header and rule skipped)."""
    rows = []
    for number in range(start, len(lines)):
        if not lines[number].startswith("|"):
            break
        rows.append(number)
    assert len(rows) > 2, f"{page.name} line {start}: no table after the run marker"
    for number in rows[2:]:
        first_cell = lines[number].split("|")[1]
        code = CODE_SPAN.search(first_cell)
        assert code, f"{page.name} line {number + 1}: a row without code in a table that runs"
        yield Block(page, number + 1, code.group("code") + "\n", "")


def pages_with_code() -> List[Path]:
    return [p for p in PAGES if any(True for _ in blocks(p))]


@contextlib.contextmanager
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    """A running emulator that the documented placeholders point at."""
    gateway = Gateway()
    with GatewayServer(gateway).run_in_thread() as base_url:
        credentials = {"rsk_": gateway.token, "mak_": gateway.admin_token, "eyJ": gateway.jwt}
        original = config_module.ClientConfig.create.__func__  # type: ignore[attr-defined]

        def create(cls: Any, **settings: Any) -> Any:
            wanted = settings.get("base_url")
            for host in PLACEHOLDER_HOSTS:
                if isinstance(wanted, str) and wanted.startswith(host):
                    settings["base_url"] = base_url + wanted[len(host) :]
            target = urlsplit(settings.get("base_url") or base_url).hostname
            if target not in ("127.0.0.1", "localhost", "::1"):  # no example reaches the network
                raise AssertionError(f"an example would send requests to {target}")
            for key in ("token", "api_key"):
                value = settings.get(key)
                if isinstance(value, str) and value.endswith("..."):
                    settings[key] = next(
                        (real for prefix, real in credentials.items() if value.startswith(prefix)),
                        gateway.token,
                    )
            return original(cls, **settings)

        monkeypatch.setattr(config_module.ClientConfig, "create", classmethod(create))
        monkeypatch.setenv("MESHAPI_BASE_URL", base_url)
        monkeypatch.setenv("MESHAPI_TOKEN", gateway.token)
        monkeypatch.setenv("MESHAPI_ADMIN_KEY", gateway.admin_token)
        yield gateway


@pytest.mark.parametrize("page", pages_with_code(), ids=lambda p: str(p.relative_to(ROOT)))
def test_page_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: Dict[str, Any] = {"__name__": f"docs_{page.stem}"}
    skipped = []
    with emulator(monkeypatch):
        for block in blocks(page):
            if block.skip:
                skipped.append(f"line {block.line}: {block.skip}")
                continue
            code = compile(
                block.code,
                f"{page.relative_to(ROOT)}:{block.line}",
                "exec",
                flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
            )
            try:
                awaited = eval(code, namespace)
                if inspect.iscoroutine(awaited):
                    asyncio.run(awaited)
            except Exception as exc:
                raise AssertionError(
                    f"{page.relative_to(ROOT)} line {block.line}: {type(exc).__name__}: {exc}"
                ) from exc
    for reason in skipped:  # shown with -rA; a page of skipped blocks only is refused
        print(f"not run: {page.relative_to(ROOT)} {reason}")
    assert len(skipped) < len(list(blocks(page))), "every block of this page is skipped"


def test_the_examples_are_found() -> None:
    found = {p.name: len(list(blocks(p))) for p in PAGES}
    assert found["README.md"] >= 4


def test_every_row_of_a_marked_table_runs() -> None:
    page = ROOT / "docs" / "migrating.md"
    lines = page.read_text().splitlines()
    marked = [n for n, line in enumerate(lines) if ROWS.search(line)]
    assert marked, "the migration guide's tables of idioms run row by row"
    table = set()
    for start in marked:
        end = start + 1
        while end < len(lines) and lines[end].startswith("|"):
            end += 1
        table |= set(range(start + 4, end + 1))  # 1-based numbers of the rows after the rule
    ran = {b.line for b in blocks(page)} & table
    assert ran == table and len(ran) >= 25
