"""Code written for meshapi 0.1.11 runs here unchanged.

Each program under ``tests/compat/vendor/`` is a small program as the vendor SDK's users
wrote it. It runs here as it would be run, ``python program.py`` (the async ones also under
trio, through the same ``main``), against a fresh emulator on 127.0.0.1 whose address and key
it reads from the environment, and what it prints is checked line by line (``*`` stands for
what differs between runs: request ids, a transport's wording). ``mypy --strict`` checks the
same programs (``scripts/lint``).
"""

from __future__ import annotations

import importlib.util
import re
import runpy
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional

import anyio
import pytest

from meshapi.testing import Gateway, faults
from meshapi.testing.pytest_plugin import GatewayFixture

PROGRAMS = Path(__file__).resolve().parent / "vendor"
OLD_MODULES = ("meshapi._types", "meshapi._errors", "meshapi._http")


def no_setup(gateway: Gateway) -> None:
    del gateway


def tool_call(gateway: Gateway) -> None:
    gateway.script_tool_call("get_weather", {"city": "Paris"})


def three_failures(gateway: Gateway) -> None:
    route = "/v1/chat/completions"
    gateway.inject(faults.Status(429, retry_after=3), route=route)
    provider_error = {"type": "server_error", "message": "overloaded"}
    body = {
        "error": {
            "code": "upstream_error",
            "message": "The provider failed.",
            "provider_error": provider_error,
        },
        "request_id": "req_1",
    }
    gateway.inject(faults.Status(502, body=body), route=route)
    gateway.inject(faults.Drop(after_events=2), route=route)


@dataclass
class Program:
    """A program, what it needs from the gateway, and what it prints."""

    name: str
    prints: List[str]
    setup: Callable[[Gateway], None] = no_setup
    backends: List[Optional[str]] = field(default_factory=lambda: [None])

    @property
    def path(self) -> Path:
        return PROGRAMS / f"{self.name}.py"


ASYNC: List[Optional[str]] = ["asyncio", "trio"]

CASES = [
    Program(
        "chat",
        [
            "2 + 2 = 4.",
            "hello there (5 tokens)",
            "streamed hello",
            "get_weather(Paris) -> tool_calls, then stop",
        ],
        setup=tool_call,
    ),
    Program(
        "chat_async",
        [
            "2 + 2 = 4.",
            "Hello! stop",
            "streamed: Hello!",
            "text models: True",
            "openai/gpt-4o-mini False",
        ],
        backends=ASYNC,
    ),
    Program(
        "catalog",
        [
            "free + paid == all: True",
            "free filter: True True",
            "embedding ids: True",
            "search: True True",
            "openai/gpt-4o-mini True True",
            "[404] model_not_found",
        ],
    ),
    Program(
        "templates",
        [
            "support-agent greeter {'temperature': 0.2}",
            "How do I reset my password?",
            "['greeter', 'support-agent']",
            "support-agent support-agent",
            "openai/gpt-4o",
            "For Acme openai/gpt-4o",
            "[404] not_found",
        ],
    ),
    Program(
        "rag_async",
        [
            "embedded: ['ready']",
            "handbook.txt ready True",
            "*  Parental leave is sixteen weeks, paid in full.",
            "2 total files: ['handbook.txt', 'notes.txt']",
            "1 1",
        ],
        backends=ASYNC,
    ),
    Program(
        "errors",
        [
            "[429] rate_limit_exceeded: Rate limit exceeded. (status 429, *)",
            "  request id: True details: []",
            "  Retry after 3s, at 3000 ms",
            "[502] upstream_error: The provider failed. (status 502, code upstream_error, request req_1)",
            "  request id: True details: []",
            "  provider said: overloaded",
            "[0] stream_interrupted: The stream's connection broke (*",
            "  request id: True details: []",
            "[422] validation_error: Request validation failed. variables.who: *",
            "  request id: True details: [{'type': 'missing', 'loc': ['body', 'variables', 'who'], *}]",
            "[404] model_not_found: Model 'no-such/model' not found. *",
            "  request id: True details: []",
            "ok",
        ],
        setup=three_failures,
    ),
    Program(
        "mocks",
        [
            "Busy: try again in 5 seconds (request req_01HZDEF)",
            "Cut off: Stream interrupted: connection reset by peer (code stream_interrupted)"
            " (status 0, details [])",
            "Failed [502] upstream_error: {'type': 'server_error', 'message': 'overloaded'}",
            "[] None None 422",
        ],
    ),
    Program(
        "old_imports",
        [
            "True True",
            "hi",
            "openai/gpt-4o-mini",
            "404 model_not_found",
            "session.created",
        ],
    ),
    Program(
        "config_async",
        ["hello async", "['short'] {'max_tokens': 16}", "session.created", "updated"],
        backends=ASYNC,
    ),
]


def params() -> List[object]:
    return [
        pytest.param(program, backend, id=f"{program.name}-{backend or 'sync'}")
        for program in CASES
        for backend in program.backends
    ]


def run(program: Program, backend: Optional[str]) -> None:
    """Run ``program`` as ``python program.py`` would (trio: its ``main`` under trio)."""
    if backend in (None, "asyncio"):
        runpy.run_path(str(program.path), run_name="__main__")
        return
    spec = importlib.util.spec_from_file_location(f"vendor_{program.name}", program.path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    anyio.run(module.main, backend=backend)


def assert_prints(out: str, expected: List[str]) -> None:
    lines = out.splitlines()
    assert len(lines) == len(expected), "\n".join(lines)
    for line, pattern in zip(lines, expected):
        wildcard = ".*".join(re.escape(part) for part in pattern.split("*"))
        assert re.fullmatch(wildcard, line), f"{line!r} is not {pattern!r}"


@pytest.mark.parametrize(("program", "backend"), params())
def test_program_runs_unchanged(
    program: Program,
    backend: Optional[str],
    meshapi_gateway: GatewayFixture,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MESHAPI_BASE_URL", meshapi_gateway.base_url)
    monkeypatch.setenv("MESHAPI_TOKEN", meshapi_gateway.token)
    program.setup(meshapi_gateway.gateway)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # test_old_modules counts them
        run(program, backend)
    assert_prints(capsys.readouterr().out, program.prints)


def test_every_program_is_run() -> None:
    assert sorted(p.name for p in CASES) == sorted(
        p.stem for p in PROGRAMS.glob("*.py") if p.stem != "__init__"
    )


def test_old_modules_warn_once_each_at_the_importing_line(
    meshapi_gateway: GatewayFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MESHAPI_BASE_URL", meshapi_gateway.base_url)
    monkeypatch.setenv("MESHAPI_TOKEN", meshapi_gateway.token)
    for name in [m for m in sys.modules if m in OLD_MODULES or m.startswith("meshapi.resources.")]:
        monkeypatch.delitem(sys.modules, name)
    program = next(p for p in CASES if p.name == "old_imports")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run(program, None)
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    modules = [str(w.message).split(" ", 1)[0] for w in deprecations]
    assert modules == [
        "meshapi._errors",
        "meshapi._http",
        "meshapi._types",
        "meshapi.resources.chat",
        "meshapi.resources.models",
        "meshapi.resources.realtime",
    ]
    for warning in deprecations:
        assert warning.filename == str(program.path)
        assert "use from meshapi import " in str(warning.message)
