"""The realtime guide's examples run word for word against the emulator on 127.0.0.1."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from meshapi.testing import realtime
from meshapi.testing.pytest_plugin import GatewayFixture

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "realtime.md"
PLACEHOLDER = 'base_url="https://api.meshapi.ai", token="rsk_..."'

EXPECTED = {
    "created = session.receive()": ("session.created\nYou said: hello there\n42 bytes of audio\n"),
    "anyio.run(main)": "Hello from the realtime emulator.\n",
    "client.realtime.speech(": (
        "audio chunk: 18 bytes\naudio chunk: 8 bytes\naudio chunk: 4 bytes\n"
        "audio chunk: 14 bytes\ntranscript: Hi there\n"
    ),
}


def runnable_blocks() -> List[str]:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    return [block for block in blocks if PLACEHOLDER in block]


def test_every_example_with_a_client_is_checked() -> None:
    blocks = runnable_blocks()
    assert len(blocks) == len(EXPECTED)
    for marker in EXPECTED:
        assert sum(marker in block for block in blocks) == 1, marker


@pytest.mark.parametrize("marker", sorted(EXPECTED))
def test_the_guide_runs(meshapi_gateway: GatewayFixture, marker: str) -> None:
    (block,) = [b for b in runnable_blocks() if marker in b]
    code = block.replace(
        PLACEHOLDER, f'base_url="{meshapi_gateway.base_url}", token="{meshapi_gateway.token}"'
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == EXPECTED[marker]
    assert realtime.wait_for_active_sessions(meshapi_gateway.gateway, 0)
    for request in meshapi_gateway.gateway.requests:
        assert request.status == 101
        assert meshapi_gateway.token not in request.path + str(request.query)
