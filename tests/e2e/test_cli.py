"""The ``meshapi`` command: chat, models and gateway serve."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
from typing import List, Tuple

import httpx
import pytest

from meshapi.cli import main
from meshapi.testing.pytest_plugin import GatewayFixture


def run(args: List[str]) -> Tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(args, stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def no_gateway_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MESHAPI_BASE_URL", raising=False)
    monkeypatch.delenv("MESHAPI_TOKEN", raising=False)


@pytest.mark.usefixtures("no_gateway_configured")
def test_chat_streams_from_the_embedded_emulator() -> None:
    status, out, err = run(["chat", "Count to 5."])
    assert (status, out) == (0, "1, 2, 3, 4, 5.\n")
    assert "embedded gateway emulator" in err


@pytest.mark.usefixtures("no_gateway_configured")
def test_chat_json_and_system_prompt() -> None:
    status, out, _ = run(
        ["chat", "--json", "--model", "mesh/echo", "--system", "Be terse.", "hello"]
    )
    assert status == 0
    body = json.loads(out)
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"] == "hello"
    status, out, _ = run(["chat", "--no-stream", "What is 6*7?"])
    assert (status, out) == (0, "6 * 7 = 42.\n")


@pytest.mark.usefixtures("no_gateway_configured")
def test_models() -> None:
    status, out, _ = run(["models"])
    assert status == 0
    assert any(line.startswith("openai/gpt-4o-mini ") for line in out.splitlines())
    status, out, _ = run(["models", "--free", "--json"])
    assert status == 0
    assert all(m["is_free"] for m in json.loads(out))


def test_talks_to_the_configured_gateway(
    meshapi_gateway: GatewayFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MESHAPI_BASE_URL", meshapi_gateway.base_url)
    monkeypatch.setenv("MESHAPI_TOKEN", meshapi_gateway.token)
    status, out, err = run(["chat", "--model", "mesh/echo", "over the wire"])
    assert (status, out, err) == (0, "over the wire\n", "")
    assert meshapi_gateway.gateway.last_request.json["stream"] is True


def test_errors_exit_1_without_a_traceback_or_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    monkeypatch.setenv("MESHAPI_BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("MESHAPI_TOKEN", "rsk_SECRETSECRET")
    status, out, err = run(["chat", "hi"])
    assert status == 1
    assert out == ""
    assert err.startswith("meshapi: error: Connection to the gateway failed")
    assert "SECRET" not in err
    assert "Traceback" not in err


def test_token_without_base_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESHAPI_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("MESHAPI_TOKEN", raising=False)
    with pytest.raises(SystemExit, match="MESHAPI_TOKEN is not"):
        run(["chat", "hi"])


def test_gateway_serve() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESHAPI_")}
    child = subprocess.Popen(
        [sys.executable, "-m", "meshapi.cli", "gateway", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stderr is not None
        lines = [child.stderr.readline() for _ in range(3)]
        settings = dict(line.strip().removeprefix("export ").split("=", 1) for line in lines[1:])
        response = httpx.post(
            settings["MESHAPI_BASE_URL"] + "/v1/chat/completions",
            headers={"Authorization": f"Bearer {settings['MESHAPI_TOKEN']}"},
            json={"model": "mesh/echo", "messages": [{"role": "user", "content": "served"}]},
        )
        assert response.json()["choices"][0]["message"]["content"] == "served"
        assert settings["MESHAPI_BASE_URL"].startswith("http://127.0.0.1:")
    finally:
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=10) == 0  # Ctrl-C stops it cleanly
