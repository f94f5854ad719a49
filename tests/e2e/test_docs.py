"""The docs' examples run: the testing guide's tests pass, the OpenTelemetry hooks record
what they say (with stand-ins for OpenTelemetry's tracer and meter), and ``MESHAPI_LOG``
switches the logger on without ever printing the token."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from meshapi import MeshAPI, RetryPolicy
from meshapi.testing import faults
from meshapi.testing.pytest_plugin import GatewayFixture

DOCS = Path(__file__).resolve().parents[2] / "docs"


def python_blocks(name: str) -> List[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / name).read_text(encoding="utf-8"), re.S)


def test_the_testing_guide_examples_pass(tmp_path: Path) -> None:
    tests = [b for b in python_blocks("testing.md") if "def test_" in b]
    assert len(tests) == 2
    for n, block in enumerate(tests):
        (tmp_path / f"test_doc_{n}.py").write_text(block, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


class Recorder:
    """A stand-in for OpenTelemetry's tracer, meter and instruments: records every call."""

    def __init__(self) -> None:
        self.calls: List[Tuple[str, Any, Any]] = []

    def create_histogram(self, name: str, **_: Any) -> Any:
        return Instrument(self, name)

    def create_counter(self, name: str, **_: Any) -> Any:
        return Instrument(self, name)

    def start_span(self, name: str, start_time: int, attributes: Dict[str, Any]) -> Any:
        assert all(value is not None for value in attributes.values())
        return Span(self, name, start_time, dict(attributes))


class Instrument:
    def __init__(self, recorder: Recorder, name: str) -> None:
        self.recorder, self.name = recorder, name

    def record(self, value: float, attributes: Dict[str, Any]) -> None:
        self.recorder.calls.append((self.name, value, attributes))

    def add(self, value: int, attributes: Dict[str, Any]) -> None:
        self.recorder.calls.append((self.name, value, attributes))


class Span:
    def __init__(self, recorder: Recorder, name: str, start: int, attributes: Dict[str, Any]) -> None:
        self.recorder, self.name, self.start, self.attributes = recorder, name, start, attributes

    def set_attribute(self, key: str, value: Any) -> None:
        self.attributes[key] = value

    def end(self, end_time: int) -> None:
        assert end_time >= self.start
        self.recorder.calls.append(("span", self.name, self.attributes))


def test_the_opentelemetry_example_records_spans_and_metrics(meshapi_gateway: GatewayFixture) -> None:
    (block,) = [b for b in python_blocks("observability.md") if "def otel_hooks" in b]
    namespace: Dict[str, Any] = {}
    exec(compile(block, "observability.md", "exec"), namespace)
    recorder = Recorder()
    hooks = namespace["otel_hooks"](recorder, recorder)
    meshapi_gateway.gateway.inject(faults.Status(503), route="/v1/chat/completions")
    with MeshAPI(
        base_url=meshapi_gateway.base_url,
        token=meshapi_gateway.token,
        event_hooks=hooks,
        retry=RetryPolicy.for_testing(),
    ) as client:
        params = {"model": "mesh/echo", "messages": [{"role": "user", "content": "hi"}]}
        client.chat.completions.create(**params)
        client.chat.completions.stream(**params).final()
    names = [call[0] for call in recorder.calls]
    assert names.count("span") == 3
    assert names.count("meshapi.client.attempt.duration") == 3
    assert names.count("meshapi.client.retries") == 1
    assert names.count("meshapi.client.stream.duration") == 1
    spans = [call[2] for call in recorder.calls if call[0] == "span"]
    assert [s["http.response.status_code"] for s in spans] == [503, 200, 200]
    assert spans[0]["error.type"] == "ServerError"
    assert spans[1]["meshapi.request_id"] == meshapi_gateway.gateway.requests[1].request_id


SCRIPT = """
from meshapi import MeshAPI
from meshapi.testing import Gateway, InProcessTransport
gateway = Gateway(token="rsk_SECRETSECRET")
client = MeshAPI(base_url="http://127.0.0.1", token=gateway.token,
                 transport=InProcessTransport(gateway))
client.chat.completions.create(model="mesh/echo", messages=[{"role": "user", "content": "hi"}])
"""


@pytest.mark.parametrize(
    ("level", "lines"),
    [
        (None, []),
        ("", []),
        ("info", ["INFO] POST /v1/chat/completions -> 200"]),
        ("DEBUG", ["DEBUG] Sending POST /v1/chat/completions (attempt 1)", "INFO] POST"]),
    ],
)
def test_meshapi_log_switches_the_logger_on(level: Any, lines: List[str]) -> None:
    env = {"PATH": "/usr/bin:/bin"}
    if level is not None:
        env["MESHAPI_LOG"] = level
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    logged = done.stderr.splitlines()
    assert len(logged) == len(lines)
    for line, expected in zip(logged, lines):
        assert line.startswith("[") and " meshapi " in line and expected in line
    assert "SECRET" not in done.stderr
