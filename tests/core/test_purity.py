"""The layers import only what ``docs/design.md`` allows; the core stays free of I/O."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import sysconfig
from functools import cache
from pathlib import Path
from typing import Iterator, Set

import pytest

ROOT = Path(__file__).resolve().parents[2]
_STDLIB_DIR = Path(sysconfig.get_paths()["stdlib"]).resolve()


@cache
def is_stdlib(name: str) -> bool:
    """Whether top-level module ``name`` ships with Python (works on 3.9 too)."""
    names = getattr(sys, "stdlib_module_names", None)
    if names is not None:
        return name in names
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin in (None, "built-in", "frozen"):
        return spec is not None
    path = Path(spec.origin).resolve()
    return _STDLIB_DIR in path.parents and "site-packages" not in path.parts


def third_party(package: str) -> Set[str]:
    return {name for name in top_levels(package) if not is_stdlib(name)}


# Modules of the standard library that do I/O, sleep, or read clocks and randomness.
IO_MODULES = {
    "asyncio", "socket", "ssl", "select", "selectors", "threading", "multiprocessing",
    "subprocess", "time", "random", "secrets", "os", "io", "http", "urllib.request",
    "concurrent", "signal", "uuid",
}  # fmt: skip


def imports_of(package: str) -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path.name, alias.name
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield path.name, node.module


def top_levels(package: str) -> Set[str]:
    return {name.split(".")[0] for _, name in imports_of(package)}


def test_core_imports_only_pydantic_and_the_standard_library() -> None:
    assert third_party("meshapi_core") - {"meshapi_core"} == {"pydantic"}


@pytest.mark.parametrize("module", sorted(IO_MODULES))
def test_core_never_imports_io(module: str) -> None:
    offenders = [
        f"{where} imports {name}"
        for where, name in imports_of("meshapi_core")
        if name == module or name.startswith(module + ".")
    ]
    assert offenders == []


def test_adapters_depend_only_on_the_core_and_their_library() -> None:
    # httpcore is httpx's own engine (a dependency of httpx): the blocking transport wraps its
    # network backend to bound whole exchanges. Every transport opens its WebSocket sessions
    # with meshapi_wsproto, which depends on the core, wsproto and anyio only.
    # h2 is httpx's HTTP/2 engine: imported only to reset a stream of an HTTP/2 response.
    # yarl and multidict are aiohttp's own URLs and header maps (dependencies of aiohttp): its
    # short road (meshapi_aiohttp/_direct.py) parses a URL as aiohttp does.
    sessions = {"meshapi_core", "meshapi_wsproto"}
    httpx_side = {"meshapi_httpx", "httpx", "httpcore", "h2", "anyio", *sessions}
    assert third_party("meshapi_httpx") <= httpx_side
    aiohttp_side = {"meshapi_aiohttp", "aiohttp", "yarl", "multidict", *sessions}
    assert third_party("meshapi_aiohttp") <= aiohttp_side
    assert third_party("meshapi_wsproto") <= {"wsproto", "anyio", *sessions}


def test_importing_the_core_loads_no_transport() -> None:
    code = (
        "import sys, meshapi_core.calls, meshapi_core.streams, meshapi_core.config;"
        "bad = {'httpx', 'aiohttp', 'anyio', 'asyncio', 'socket'} & set(sys.modules);"
        "print(sorted(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"
