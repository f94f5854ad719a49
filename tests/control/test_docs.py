"""The control-plane guide's key-rotation examples run word for word against the emulator."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List

from meshapi import MeshAPIAdmin
from meshapi.testing.pytest_plugin import GatewayFixture

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "control-plane.md"
BASE = 'base_url="https://api.meshapi.ai"'


def python_blocks() -> List[str]:
    return re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


def block_containing(text: str) -> str:
    (block,) = [b for b in python_blocks() if text in b]
    return block


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_inference_key_rotation_runs_verbatim(meshapi_gateway: GatewayFixture) -> None:
    gateway = meshapi_gateway.gateway
    old_token = gateway.add_key(name="checkout", rpm_limit=60, allowed_models=["mesh/echo"])
    placeholder = f'{BASE}, token="mak_..."'
    block = block_containing(placeholder)
    code = block.replace(
        placeholder, f'base_url="{meshapi_gateway.base_url}", token="{meshapi_gateway.admin_token}"'
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    old = gateway._state.keys[old_token]
    assert old.status == "suspended"
    successors = [
        k for k in gateway._state.keys.values() if k.name == "checkout" and k.status == "active"
    ]
    assert len(successors) == 1 and successors[0].rpm_limit == 60
    assert successors[0].allowed_models == ("mesh/echo",)
    assert done.stdout == f"rotated {old.id} -> {successors[0].id}, rpm 60\n"
    create = next(r for r in gateway.requests if r.method == "POST" and r.path == "/v1/keys")
    assert create.json == {"name": "checkout", "rpm_limit": 60, "allowed_models": ["mesh/echo"]}


def test_admin_key_rotation_runs_verbatim(meshapi_gateway: GatewayFixture) -> None:
    with MeshAPIAdmin(base_url=meshapi_gateway.base_url, token=meshapi_gateway.jwt) as session:
        deploy = session.admin_keys.create(name="deploy", permissions=["keys:read"])
    placeholder = f'{BASE}, token="eyJ..."'
    block = block_containing(placeholder)
    code = block.replace(
        placeholder, f'base_url="{meshapi_gateway.base_url}", token="{meshapi_gateway.jwt}"'
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "mak_\n"
    rotate = meshapi_gateway.gateway.last_request
    assert rotate.path == f"/v1/admin-keys/{deploy.id}/rotate"
    assert rotate.json == {"grace_hours": 2}
