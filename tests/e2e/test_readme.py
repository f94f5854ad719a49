"""The README's code runs word for word, against the emulator on 127.0.0.1."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from meshapi.testing.pytest_plugin import GatewayFixture

README = Path(__file__).resolve().parents[2] / "README.md"
PLACEHOLDER = 'base_url="https://api.meshapi.ai", token="rsk_..."'


def python_blocks() -> List[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def block_containing(text: str) -> str:
    (block,) = [b for b in python_blocks() if text in b]
    return block


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "which", ["client = MeshAPI(" + PLACEHOLDER, "AsyncMeshAPI(" + PLACEHOLDER]
)
def test_quick_start_runs_verbatim(meshapi_gateway: GatewayFixture, which: str) -> None:
    block = block_containing(which)
    assert PLACEHOLDER in block
    code = block.replace(
        PLACEHOLDER, f'base_url="{meshapi_gateway.base_url}", token="{meshapi_gateway.token}"'
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "2 + 2 = 4.\n1, 2, 3, 4, 5."
    first, second = meshapi_gateway.gateway.requests
    assert first.json["messages"] == [{"role": "user", "content": "What is 2+2?"}]
    assert second.json["stream"] is True


def test_the_documented_fixture_example_passes(tmp_path: Path) -> None:
    block = block_containing("def test_my_code_survives_a_503(meshapi_gateway):")
    (tmp_path / "test_example.py").write_text(block, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_meshapi_command_streams_from_the_embedded_emulator() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "meshapi.cli", "chat", "What is 2+2?"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "2 + 2 = 4.\n"
    assert "embedded gateway emulator" in done.stderr
