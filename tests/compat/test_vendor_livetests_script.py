"""``scripts/vendor-livetests``: the pieces that decide what the vendor's live tests get and
where they may connect (the run itself needs a checkout of the vendor's repository)."""

from __future__ import annotations

import base64
import importlib.util
import io
import socket
import wave
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "vendor_livetests.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vendor_livetests", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_model_the_example_names_is_set_commented_or_not(
    script: ModuleType, tmp_path: Path
) -> None:
    example = tmp_path / ".env.livetest.example"
    example.write_text(
        "MESHAPI_BASE_URL=https://gateway.invalid\n"
        "MESHAPI_MODEL=openai/gpt-4o-mini\n"
        "MESHAPI_AUDIO_OUT_MODEL=openai/gpt-4o-mini-audio-preview   # a comment\n"
        "MESHAPI_INPUT_AUDIO_B64=            # base64 of a clip\n"
        "# MESHAPI_IMAGE_EDIT_MODEL=openai/gpt-image-1\n"
        "# MESHAPI_STRICT_LIVETESTS=1\n"
    )
    assert script.example_models(example) == {
        "MESHAPI_MODEL": "openai/gpt-4o-mini",
        "MESHAPI_AUDIO_OUT_MODEL": "openai/gpt-4o-mini-audio-preview",
        "MESHAPI_IMAGE_EDIT_MODEL": "openai/gpt-image-1",
    }


def test_the_environment_names_no_other_host_and_drops_the_callers(
    script: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MESHAPI_TOKEN", "rsk_the_callers_own")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    base_url = "http://127.0.0.1:8123"
    env = script._environment(base_url, "rsk_x", {"MESHAPI_MODEL": "a/b"}, tmp_path / "r.json")
    assert env["MESHAPI_BASE_URL"] == base_url
    assert env["MESHAPI_TOKEN"] == "rsk_x"
    assert env["MESHAPI_MODEL"] == "a/b"
    assert env["MESHAPI_STRICT_LIVETESTS"] == "1"
    assert env["MESHAPI_IMAGE_URL"].startswith("data:image/png;base64,")
    assert "HTTPS_PROXY" not in env
    assert all("://" not in value or value == base_url for value in env.values()
               if value.startswith(("http", "ws")))  # fmt: skip


def test_the_input_audio_is_a_wav_of_silence(script: ModuleType) -> None:
    data = base64.b64decode(script.silent_wav_base64(seconds=0.05, rate=8000))
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
        assert wav.readframes(wav.getnframes()) == b"\x00\x00" * 400


def test_the_guard_refuses_every_host_but_loopback(script: ModuleType) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    originals = (socket.getaddrinfo, socket.socket.connect, socket.socket.sendto)
    undo = script.guard_sockets()
    try:
        with pytest.raises(script.OffHostConnectionError, match=r"'192\.0\.2\.1'"):
            socket.create_connection(("192.0.2.1", 9))
        with pytest.raises(ConnectionRefusedError, match=r"a name lookup of 'example\.invalid'"):
            socket.getaddrinfo("example.invalid", 443)
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        with raw, pytest.raises(script.OffHostConnectionError, match="a connection to"):
            raw.connect(("198.51.100.7", 80))
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        with udp, pytest.raises(script.OffHostConnectionError, match="a datagram to"):
            udp.sendto(b"x", ("203.0.113.9", 53))
        with socket.create_connection(listener.getsockname(), timeout=5):
            pass  # the loopback one is reached
    finally:
        undo()
        listener.close()
    assert (socket.getaddrinfo, socket.socket.connect, socket.socket.sendto) == originals
    assert "a connection to '192.0.2.1'" in script._REFUSED
    assert "a datagram to '203.0.113.9'" in script._REFUSED
