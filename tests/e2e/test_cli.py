"""The ``meshapi`` command: chat, models and gateway serve."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
from typing import Any, Dict, List, Tuple

import httpx
import pytest

from meshapi import __version__
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
    assert err.rstrip("\n").endswith(f"(tried http://127.0.0.1:{port})")
    assert err.count("\n") == 1
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


# -- day-one habits: --version, stdin, empty variables, pinned tokens, busy ports ---------------


def test_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "meshapi.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, f"meshapi {__version__}\n")
    assert __version__ >= "0.2.0"  # past the vendor's 0.1.11, so pip orders them sensibly


@pytest.mark.usefixtures("no_gateway_configured")
def test_chat_reads_the_prompt_from_stdin() -> None:
    out, err = io.StringIO(), io.StringIO()
    status = main(
        ["chat", "--model", "mesh/echo"],
        stdin=io.StringIO("piped prompt\n"),
        stdout=out,
        stderr=err,
    )
    assert (status, out.getvalue()) == (0, "piped prompt\n")
    status = main(["chat", "--json"], stdin=io.StringIO("Count to 5."), stdout=out, stderr=err)
    assert status == 0
    assert "1, 2, 3, 4, 5." in out.getvalue()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.usefixtures("no_gateway_configured")
@pytest.mark.parametrize("stdin", [Terminal(), io.StringIO("  \n")])
def test_chat_without_any_prompt_is_a_one_line_error(stdin: io.StringIO) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["chat"], stdin=stdin, stdout=out, stderr=err) == 1
    assert (
        err.getvalue()
        == "meshapi: error: no prompt: give one as an argument, or pipe it on stdin\n"
    )
    assert out.getvalue() == ""


def test_empty_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESHAPI_BASE_URL", "")
    monkeypatch.setenv("MESHAPI_TOKEN", "")
    status, out, err = run(["chat", "Count to 5."])
    assert (status, out) == (0, "1, 2, 3, 4, 5.\n")
    assert "embedded gateway emulator" in err
    monkeypatch.setenv("MESHAPI_TOKEN", "rsk_somekey")
    from meshapi import cli
    from meshapi._client import DEFAULT_BASE_URL

    client = cli._client(io.StringIO())  # made, not used: nothing is sent anywhere
    assert client.config.base_url == DEFAULT_BASE_URL
    client.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESHAPI_")}
    return subprocess.Popen(
        [sys.executable, "-m", "meshapi.cli", "gateway", "serve", *args],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def exported(child: subprocess.Popen[str]) -> Dict[str, str]:
    assert child.stderr is not None
    lines = [child.stderr.readline() for _ in range(3)]
    return dict(line.strip().removeprefix("export ").split("=", 1) for line in lines[1:])


def stop(child: subprocess.Popen[str]) -> None:
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=10) == 0


def test_a_pinned_token_survives_a_restart() -> None:
    port = str(free_port())
    settings = {}
    for _ in range(2):  # the same exported variables work with the restarted emulator
        child = serve("--port", port, "--token", "rsk_pinned_dev")
        try:
            settings = exported(child)
            assert settings["MESHAPI_TOKEN"] == "rsk_pinned_dev"
            response = httpx.post(
                settings["MESHAPI_BASE_URL"] + "/v1/chat/completions",
                headers={"Authorization": "Bearer rsk_pinned_dev"},
                json={"model": "mesh/echo", "messages": [{"role": "user", "content": "again"}]},
            )
            assert response.status_code == 200
        finally:
            stop(child)
    assert settings["MESHAPI_BASE_URL"] == f"http://127.0.0.1:{port}"


def test_serve_a_recorded_catalog_rate_limited_over_tls(tmp_path: Any) -> None:
    """``models --json > FILE`` once, then ``gateway serve --catalog FILE --tls --rpm N``: the
    recorded models served back over https, with the CA to trust printed as SSL_CERT_FILE."""
    recorded = tmp_path / "models.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESHAPI_")}
    done = subprocess.run(
        [sys.executable, "-m", "meshapi.cli", "models", "--json"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0
    recorded.write_text(done.stdout)
    ca_file = tmp_path / "ca.pem"
    child = serve("--port", "0", "--catalog", str(recorded), "--tls", "--ca-file", str(ca_file),
                  "--rpm", "2", "--clock-speed", "60")  # fmt: skip
    try:
        settings = exported(child)
        assert child.stderr is not None
        trust = child.stderr.readline().strip()
        assert trust.startswith(f"export SSL_CERT_FILE={ca_file}")
        assert settings["MESHAPI_BASE_URL"].startswith("https://127.0.0.1:")
        verify = ssl.create_default_context(cafile=str(ca_file))
        headers = {"Authorization": f"Bearer {settings['MESHAPI_TOKEN']}"}
        with httpx.Client(base_url=settings["MESHAPI_BASE_URL"], headers=headers,
                          verify=verify) as http:  # fmt: skip
            served = http.get("/v1/models").json()
            assert [m["id"] for m in served] == [m["id"] for m in json.loads(done.stdout)]
            statuses = [http.get("/v1/models").status_code for _ in range(3)]
            assert 429 in statuses  # two a minute (a minute lasts a second here)
    finally:
        stop(child)
    assert ca_file.exists()  # a CA file you named stays, for the next start


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ca-file", "x.pem"], "meshapi: error: --ca-file: needs --tls"),
        (["--catalog", "/no/such/models.json"], "meshapi: error: --catalog: cannot read"),
    ],
)
def test_bad_emulator_options_are_one_line_errors(args: List[str], message: str) -> None:
    status, out, err = run(["gateway", "serve", "--port", "0", *args])
    assert (status, out) == (1, "") and err.startswith(message) and err.count("\n") == 1


def test_every_run_announces_tokens_no_other_run_could_predict() -> None:
    children = [serve("--port", "0") for _ in range(2)]  # two runs, side by side
    try:
        announced = []
        for child in children:
            settings = exported(child)
            assert child.stderr is not None
            admin = child.stderr.readline().split("admin key:", 1)[1].split()[0]
            announced.append((settings["MESHAPI_TOKEN"], admin))
    finally:
        for child in children:
            stop(child)
    (token_a, admin_a), (token_b, admin_b) = announced
    assert token_a.startswith("rsk_") and admin_a.startswith("mak_")
    # "rsk_" + 10 characters of timestamp, then the random part: never the same twice
    assert token_a[14:] != token_b[14:] and admin_a[14:] != admin_b[14:]
    assert len(token_a[14:]) == 16


def test_a_bad_token_and_a_busy_port_are_one_line_errors() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        for args, message in (
            (["--port", port], f"meshapi: error: port {port} on 127.0.0.1 is already in use"),
            (["--token", "sk-not-a-data-key"], "meshapi: error: --token: token must be"),
        ):
            child = serve(*args)
            _, stderr = child.communicate(timeout=30)
            assert child.returncode == 1
            assert stderr.startswith(message)
            assert stderr.count("\n") == 1 and "Traceback" not in stderr


def test_commands_are_registered_from_a_list() -> None:
    from meshapi import cli

    assert [register.__name__ for register in cli.COMMANDS] == [
        "_add_chat",
        "_add_models",
        "_add_bulk",
        "_add_control",
        "_add_gateway",
    ]
    seen: List[str] = []

    def add_echo(commands: Any) -> None:
        parser = commands.add_parser("echo-args")
        parser.add_argument("word")
        parser.set_defaults(run=lambda args, context: seen.append(args.word) or 7)

    cli.COMMANDS.append(add_echo)
    try:
        assert run(["echo-args", "hello"])[0] == 7
    finally:
        cli.COMMANDS.remove(add_echo)
    assert seen == ["hello"]


@pytest.mark.usefixtures("no_gateway_configured")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["chat", "--temperature", "5", "hi"],
            "meshapi: error: --temperature: Input should be less than or equal to 2 (got 5.0)\n",
        ),
        (
            ["chat", "--max-tokens", "-1", "hi"],
            "meshapi: error: --max-tokens: Input should be greater than or equal to 1 (got -1)\n",
        ),
    ],
)
def test_a_bad_chat_option_is_one_line_and_status_2(args: List[str], expected: str) -> None:
    assert run(args) == (2, "", expected)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["gateway", "serve", "--port", "99999"],
            "meshapi gateway serve: error: argument --port: 99999 is not a port (0 to 65535; 0 picks a free one) (see meshapi gateway serve --help)\n",
        ),
        (
            ["gateway", "serve", "--port", "-1"],
            "meshapi gateway serve: error: argument --port: -1 is not a port (0 to 65535; 0 picks a free one) (see meshapi gateway serve --help)\n",
        ),
        (
            ["chat", "--temperature", "warm"],
            "meshapi chat: error: argument --temperature: invalid float value: 'warm' (see meshapi chat --help)\n",
        ),
        (
            ["chat", "--bogus"],
            "meshapi: error: unrecognized arguments: --bogus (see meshapi --help)\n",
        ),
    ],
)
def test_a_usage_error_is_one_line_and_status_2(
    args: List[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    assert capsys.readouterr().err == expected


def test_a_closed_stdout_ends_quietly_with_status_141() -> None:
    """``meshapi chat ... | head -c 5``: the reader goes away; no traceback, 128 + SIGPIPE."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESHAPI_")}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte: every write fails
    try:
        child = subprocess.run(
            [sys.executable, "-m", "meshapi.cli", "chat", "Write a long story."],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)
    assert child.returncode == 141
    assert "Traceback" not in child.stderr and "BrokenPipe" not in child.stderr
    assert "Exception ignored" not in child.stderr


@pytest.mark.usefixtures("no_gateway_configured")
def test_ctrl_c_ends_the_line_and_exits_130() -> None:
    class Interrupted(io.StringIO):
        def write(self, text: str) -> int:
            if self.tell():
                raise KeyboardInterrupt
            return super().write(text)

    out, err = Interrupted(), io.StringIO()
    status = main(["chat", "Write a long story."], stdout=out, stderr=err)
    assert status == 130
    assert out.getvalue()  # the reply had started
    assert err.getvalue().endswith("(meshapi.testing), not the real gateway.\n\n")
