"""``meshapi keys list|create|suspend``, ``meshapi usage``, ``meshapi balance``: each with
the credential of its realm, ``--json``, and a one-line message naming a missing credential."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from typing import List, Tuple

import pytest

from meshapi.cli import main
from meshapi.testing.control import add_usage_events
from meshapi.testing.pytest_plugin import GatewayFixture


def run(args: List[str]) -> Tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(args, stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def configured(meshapi_gateway: GatewayFixture, monkeypatch: pytest.MonkeyPatch) -> GatewayFixture:
    monkeypatch.setenv("MESHAPI_BASE_URL", meshapi_gateway.base_url)
    monkeypatch.setenv("MESHAPI_TOKEN", meshapi_gateway.token)
    monkeypatch.setenv("MESHAPI_ADMIN_KEY", meshapi_gateway.admin_token)
    return meshapi_gateway


def test_keys_create_list_and_suspend(configured: GatewayFixture) -> None:
    status, out, err = run(
        ["keys", "create", "--name", "ci", "--rpm-limit", "60", "--spend-cap", "25",
         "--model", "openai/gpt-4o-mini", "--model", "mesh/echo"]
    )  # fmt: skip
    assert status == 0
    plaintext = out.strip()
    assert plaintext.startswith("rsk_") and out.count("\n") == 1
    assert plaintext not in err and "shown only once" in err
    create = configured.gateway.last_request
    assert create.headers["authorization"] == f"Bearer {configured.admin_token}"
    assert create.json == {
        "name": "ci",
        "rpm_limit": 60,
        "spend_cap_usd": "25",
        "allowed_models": ["openai/gpt-4o-mini", "mesh/echo"],
    }
    key_id = err.split("created ", 1)[1].split(";", 1)[0]

    status, out, _ = run(["keys", "list"])
    assert status == 0
    line = next(line for line in out.splitlines() if line.startswith(key_id))
    assert "active" in line and "rpm=60" in line and "cap=$25" in line and line.endswith("ci")
    assert plaintext not in out

    status, out, _ = run(["keys", "list", "--json"])
    listed = json.loads(out)
    assert status == 0 and key_id in {k["id"] for k in listed}
    assert all("key" not in k for k in listed)

    status, out, _ = run(["keys", "suspend", key_id])
    assert (status, out) == (0, f"{key_id} suspended\n")
    status, out, _ = run(["keys", "suspend", key_id, "--json"])
    assert json.loads(out)["status"] == "suspended"


def test_keys_create_json_carries_the_plaintext_once(configured: GatewayFixture) -> None:
    status, out, err = run(["keys", "create", "--json"])
    created = json.loads(out)
    assert status == 0 and created["key"].startswith("rsk_") and err == ""
    assert configured.gateway.last_request.json == {}


def test_usage_and_balance_use_the_data_plane_key(configured: GatewayFixture) -> None:
    add_usage_events(configured.gateway, 6)  # a history (seeded events leave the balance)
    status, out, _ = run(["usage", "--model", "openai/gpt-4o-mini"])
    assert status == 0
    assert out.splitlines()[0] == "requests 2 (2 ok, 0 errors)"
    assert "cost     $0.001350" in out
    request = configured.gateway.last_request
    assert request.headers["authorization"] == f"Bearer {configured.token}"
    assert request.json == {"org_id": "", "model": "openai/gpt-4o-mini"}
    status, out, _ = run(["usage", "--json", "--since", "2000-01-01T00:00:00Z"])
    assert status == 0 and json.loads(out)["total_requests"] == 6
    status, out, _ = run(["balance"])
    assert (status, out.splitlines()[0]) == (0, "balance   $25.000000")
    status, out, _ = run(["balance", "--json"])
    assert json.loads(out)["available_usd"] == "25.000000"


def test_a_missing_credential_is_one_line_naming_it(
    configured: GatewayFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MESHAPI_ADMIN_KEY")
    with pytest.raises(SystemExit) as missing:
        run(["keys", "list"])
    assert "MESHAPI_ADMIN_KEY" in str(missing.value.code) and "\n" not in str(missing.value.code)
    monkeypatch.setenv("MESHAPI_ADMIN_KEY", configured.admin_token)
    monkeypatch.delenv("MESHAPI_TOKEN")
    for command in (["usage"], ["balance"]):
        with pytest.raises(SystemExit) as missing:
            run(command)
        assert "MESHAPI_TOKEN" in str(missing.value.code)
    assert configured.gateway.requests == []


def test_the_message_is_one_line_on_stderr_and_exit_status_1(
    configured: GatewayFixture,
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MESHAPI_ADMIN_KEY"}
    done = subprocess.run(
        [sys.executable, "-m", "meshapi.cli", "keys", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "set MESHAPI_ADMIN_KEY" in done.stderr


def test_errors_exit_1_without_a_traceback(configured: GatewayFixture) -> None:
    status, out, err = run(["keys", "suspend", "key_nobody"])
    assert (status, out) == (1, "")
    assert err.startswith("meshapi: error: Key not found.") and "Traceback" not in err
    status, _, err = run(["keys", "create", "--rpm-limit", "5000"])
    assert status == 1 and "rpm_limit" in err
    assert configured.gateway.last_request.path == "/v1/keys/key_nobody"  # nothing more sent
    status, _, err = run(["keys", "create", "--name", "x"])
    assert status == 0


def test_a_wrong_credential_in_the_variable_is_named(
    configured: GatewayFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MESHAPI_ADMIN_KEY", configured.token)  # an rsk_ key by mistake
    status, _, err = run(["keys", "list"])
    assert status == 1 and "admin key (mak_...)" in err and configured.token not in err


def test_with_nothing_configured_the_embedded_emulator_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("MESHAPI_BASE_URL", "MESHAPI_TOKEN", "MESHAPI_ADMIN_KEY"):
        monkeypatch.delenv(name, raising=False)
    status, out, err = run(["keys", "list", "--json"])
    assert status == 0 and {k["name"] for k in json.loads(out)} == {"default", "suspended"}
    assert "embedded gateway emulator" in err
    status, out, _ = run(["balance"])
    assert status == 0 and "available $25.000000" in out
