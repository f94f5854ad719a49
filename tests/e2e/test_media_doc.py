"""The media pages (``docs/data-plane/{images,audio,videos,files}.md``) run word for word,
against the emulator on 127.0.0.1.

Their Python blocks run in order, in one interpreter, in a scratch folder, with the
placeholder credentials swapped for the emulator's (blocks that make their own in-process
emulator run as they are). The emulator's clock runs 50 times faster
than the wall clock, so the page's video waits and embedding checks finish in a second.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict

import pytest

from meshapi.testing.pytest_plugin import GatewayFixture

DOCS = Path(__file__).resolve().parents[2] / "docs" / "data-plane"
PAGES = [DOCS / f"{name}.md" for name in ("images", "audio", "videos", "files")]
PLACEHOLDER = 'base_url="https://api.meshapi.ai", token="rsk_..."'


class FastClock:
    """Wall time, 50 times faster."""

    def __init__(self) -> None:
        self._start = time.time()
        self._t0 = time.monotonic()

    def time(self) -> float:
        return self._start + (time.monotonic() - self._t0) * 50


@pytest.fixture
def meshapi_gateway_options() -> Dict[str, Any]:
    return {"clock": FastClock()}


def test_the_media_guide_runs_verbatim(meshapi_gateway: GatewayFixture, tmp_path: Path) -> None:
    blocks = [
        block
        for page in PAGES
        for block in re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    ]
    assert len(blocks) >= 8
    assert all(PLACEHOLDER in b for b in blocks if "api.meshapi.ai" in b)
    code = "\n".join(blocks).replace(
        PLACEHOLDER, f'base_url="{meshapi_gateway.base_url}", token="{meshapi_gateway.token}"'
    )
    assert "api.meshapi.ai" not in code
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "lighthouse-0.png: " in out and "1 edited image(s)" in out
    assert "Welcome to the meeting." in out and "Async hello." in out
    assert "fox.mp4: " in out and "Parental leave is twenty weeks." in out
    for name in ("lighthouse-1.png", "island.png", "story.mp3", "fox.mp4", "waves.mp4"):
        assert (tmp_path / name).stat().st_size > 0
    assert not list(tmp_path.glob("*.part"))
    puts = [r for r in meshapi_gateway.gateway.requests if r.method == "PUT"]
    assert puts and all("authorization" not in r.headers for r in puts)
