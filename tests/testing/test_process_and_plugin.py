"""``python -m meshapi.testing`` and the pytest plugin, each in a child process."""

from __future__ import annotations

import json
import os
import re
import signal
import ssl
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List

import httpx
import pytest

import meshapi.testing

from ._helpers import bearer

ROOT = Path(__file__).resolve().parents[2]


def child_env() -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@pytest.mark.parametrize(("backend", "tls"), [("asyncio", False), ("trio", True)])
def test_module_entry_point(backend: str, tls: bool) -> None:
    options = ["--tls"] if tls else []
    child = subprocess.Popen(
        [sys.executable, "-m", "meshapi.testing", "--port", "0", "--backend", backend, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env(),
        text=True,
    )
    try:
        assert child.stdout is not None
        info = json.loads(child.stdout.readline())  # printed once listening
        assert re.match(r"^https?://127\.0\.0\.1:\d+$", info["base_url"])
        assert info["base_url"].startswith("https://" if tls else "http://")
        assert (info["ca_file"] is not None) is tls
        verify = ssl.create_default_context(cafile=info["ca_file"]) if tls else True
        response = httpx.post(
            info["base_url"] + "/v1/chat/completions",
            headers=bearer(info["token"]),
            json={"model": "mesh/echo", "messages": [{"role": "user", "content": "ping"}]},
            verify=verify,
        )
        assert response.json()["choices"][0]["message"]["content"] == "ping"
        assert info["admin_token"].startswith("mak_") and info["jwt"].count(".") == 2
    finally:
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=10) == 0
    if tls:
        assert not os.path.exists(info["ca_file"])  # a temporary CA file goes with its server


def docstring_example() -> str:
    doc = meshapi.testing.__doc__ or ""
    block = doc.split(".. code-block:: python\n", 1)[1].split("\nThe plugin is registered", 1)[0]
    return textwrap.dedent(block)


def run_pytest(
    tmp_path: Path, args: List[str], conftest: str = ""
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_example.py").write_text(docstring_example())
    if conftest:
        (tmp_path / "conftest.py").write_text(conftest)
    env = child_env()
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only what we ask for
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_plugin_with_p_option_runs_the_documented_example(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, ["-p", "meshapi.testing.pytest_plugin"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


CONFTEST = """
from meshapi.testing.pytest_plugin import ensure_registered

def pytest_configure(config):
    ensure_registered(config)
"""


@pytest.mark.parametrize(
    "extra", [[], ["-p", "meshapi.testing.pytest_plugin"]], ids=["conftest-only", "conftest-and-p"]
)
def test_ensure_registered_never_registers_twice(tmp_path: Path, extra: List[str]) -> None:
    result = run_pytest(tmp_path, extra, CONFTEST)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def fake_install(tmp_path: Path) -> Path:
    """A dist-info declaring the plugin's pytest11 entry point, as ``pip install`` makes."""
    site = tmp_path / "site"
    info = site / "meshapi_fake-0.0.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: meshapi-fake\nVersion: 0.0.0\n")
    (info / "entry_points.txt").write_text("[pytest11]\nmeshapi = meshapi.testing.pytest_plugin\n")
    return site


@pytest.mark.parametrize(
    ("conftest", "ok"),
    [("", True), (CONFTEST, True), ('pytest_plugins = ["meshapi.testing.pytest_plugin"]\n', False)],
    ids=["entry-point", "entry-point-and-ensure_registered", "entry-point-and-pytest_plugins"],
)
def test_with_the_entry_point(tmp_path: Path, conftest: str, ok: bool) -> None:
    site = fake_install(tmp_path)
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_example.py").write_text(docstring_example())
    if conftest:
        (tests / "conftest.py").write_text(conftest)
    env = child_env()
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env["PYTHONPATH"]])
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    if ok:
        assert result.returncode == 0, output
        assert "2 passed" in result.stdout
    else:  # why the suite's conftest must not list the plugin in pytest_plugins
        assert result.returncode != 0
        assert "already registered" in output, output
