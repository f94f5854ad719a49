"""The atheris harness, run from pytest: ``pytest tests/fuzz --fuzz-seconds=60`` fuzzes every
target for that long (skipped by default, so the default suite stays bounded)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .targets import TARGETS

HERE = Path(__file__).resolve().parent

pytestmark = pytest.mark.fuzz


@pytest.mark.parametrize("target", TARGETS)
def test_fuzz(target: str, fuzz_seconds: int, tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    command = [
        sys.executable, str(HERE / "fuzz_main.py"), target,
        f"-max_total_time={fuzz_seconds}", f"-dict={HERE / 'json.dict'}", "-rss_limit_mb=2048",
        f"-artifact_prefix={tmp_path}/",
    ]  # fmt: skip
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=fuzz_seconds + 120, check=False
    )
    crashes = sorted(tmp_path.glob("crash-*"))
    assert done.returncode == 0 and not crashes, (
        f"{target}: fuzzing found a failure (input in {crashes}):\n{done.stderr[-4000:]}"
    )
