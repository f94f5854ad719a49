"""Run the vendor SDK's live tests (``livetests/`` of a checkout of meshapi 0.1.x) with this
SDK against the gateway emulator, on 127.0.0.1 only.

    bash scripts/vendor-livetests PATH [PYTEST-ARGS...]

``PATH`` is a checkout of the vendor's repository. The script starts ``meshapi gateway serve``
on a free port of 127.0.0.1 with a key of its own, and runs the vendor's ``livetests/`` with
the ``meshapi`` installed here (this SDK, which runs code written for the vendor's) in their
strict mode: ``MESHAPI_STRICT_LIVETESTS=1`` and every model variable that
``livetests/.env.livetest.example`` names (commented out or not) set to the id it gives. The
inputs that are not models are made here: the image is a ``data:`` URL, the input audio a
tenth of a second of silence as a WAV, so nothing names another host. It prints one line per
test (outcome, test, why) and exits with pytest's status.

Theory of operation. The live tests are copied into a temporary folder first: their
``conftest.py`` puts the folder above them at the front of ``sys.path`` (so a checkout would
import the vendor's own ``meshapi``), and their ``config.py`` reads a ``.env.livetest`` from
there; in the copy that folder holds only the ``.env.livetest`` written here. pytest runs with
this module as a plugin (``-p vendor_livetests``), which

- refuses, in the test process, every connection, datagram and name lookup that is not for a
  loopback address, with an error naming the host, and lists each refusal in the summary (a
  test that swallows the error still shows it);
- runs the ``@pytest.mark.asyncio`` tests with ``asyncio.run`` (the vendor's suite uses
  pytest-asyncio, which this project does not install);
- records each test's outcome in a JSON file that the summary is printed from.

Every wait is bounded: the emulator must announce itself within ``STARTUP_SECONDS``, each test
has ``TEST_TIMEOUT_SECONDS`` (pytest-timeout), and the emulator has ``STOP_SECONDS`` to stop
before it is killed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import inspect
import io
import ipaddress
import json
import os
import re
import secrets
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

STARTUP_SECONDS = 60.0
"""How long the emulator may take to print the address it listens on."""
TEST_TIMEOUT_SECONDS = 120
"""How long one live test may run (pytest-timeout)."""
STOP_SECONDS = 10.0
"""How long the emulator has to stop after SIGTERM before it is killed."""

REPORT_VARIABLE = "VENDOR_LIVETESTS_REPORT"
"""Names the JSON file the plugin writes each test's outcome to."""

# A 1x1 PNG (one opaque blue pixel), the image the multimodal test sends.
PIXEL_PNG_BASE64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC"
)

_MODEL_LINE = re.compile(r"^\s*#?\s*(MESHAPI_[A-Z0-9_]*MODEL)\s*=\s*([^\s#]+)")


# --- the plugin, in the pytest process --------------------------------------------------------


class OffHostConnectionError(ConnectionRefusedError):
    """A live test tried to reach a host other than the loopback one."""


_REFUSED: List[str] = []
_OUTCOMES: List[Dict[str, str]] = []


def _is_loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _is_address(host: Any) -> bool:
    """An IP address written out (its lookup sends nothing; connecting to it is guarded)."""
    try:
        ipaddress.ip_address(host.decode("ascii") if isinstance(host, bytes) else host)
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def _refuse(host: Any, what: str) -> OffHostConnectionError:
    line = f"{what} {host!r}"
    if line not in _REFUSED:
        _REFUSED.append(line)
    return OffHostConnectionError(
        f"vendor-livetests: refused {what} {host!r}: only 127.0.0.1 may be reached"
    )


def guard_sockets() -> Callable[[], None]:
    """Patch the socket module so that only loopback addresses can be reached (anything else
    raises :class:`OffHostConnectionError` before a packet is sent); returns the undo."""
    inet = (socket.AF_INET, socket.AF_INET6)
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex
    sendto = socket.socket.sendto
    getaddrinfo = socket.getaddrinfo

    def guarded_connect(self: Any, address: Any) -> None:
        if self.family in inet and not _is_loopback(address[0]):
            raise _refuse(address[0], "a connection to")
        connect(self, address)

    def guarded_connect_ex(self: Any, address: Any) -> int:
        if self.family in inet and not _is_loopback(address[0]):
            raise _refuse(address[0], "a connection to")
        return connect_ex(self, address)

    def guarded_sendto(self: Any, data: Any, *rest: Any) -> int:
        address = rest[-1]
        if self.family in inet and not _is_loopback(address[0]):
            raise _refuse(address[0], "a datagram to")
        return sendto(self, data, *rest)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not (_is_loopback(host) or _is_address(host)):
            raise _refuse(host, "a name lookup of")
        return getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = guarded_sendto  # type: ignore[method-assign]
    socket.getaddrinfo = guarded_getaddrinfo

    def undo() -> None:
        socket.socket.connect = connect  # type: ignore[method-assign]
        socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
        socket.socket.sendto = sendto  # type: ignore[method-assign]
        socket.getaddrinfo = getaddrinfo

    return undo


def pytest_configure(config: pytest.Config) -> None:
    """Guard the sockets before any test module is imported; declare the vendor's marker."""
    guard_sockets()
    config.addinivalue_line("markers", "asyncio: a coroutine test, run with asyncio.run")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Optional[bool]:
    """Run a coroutine test marked ``asyncio`` to completion on a new event loop."""
    function = pyfuncitem.obj
    if not (pyfuncitem.get_closest_marker("asyncio") and inspect.iscoroutinefunction(function)):
        return None
    names = inspect.signature(function).parameters
    asyncio.run(function(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Record a test's outcome: its failure or skip, else its call's result."""
    if report.when != "call" and report.passed:
        return
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        outcome = "skipped"
    elif report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        reason = crash.message if crash is not None else str(report.longrepr)
        outcome = "failed" if report.when == "call" else f"error in {report.when}"
    else:
        reason, outcome = "", "passed"
    _OUTCOMES.append({"test": report.nodeid, "outcome": outcome, "reason": reason})


def pytest_unconfigure(config: pytest.Config) -> None:
    """Write the outcomes and the refused hosts for the summary."""
    del config
    path = os.environ.get(REPORT_VARIABLE)
    if path:
        Path(path).write_text(json.dumps({"tests": _OUTCOMES, "refused": _REFUSED}))


# --- the runner ------------------------------------------------------------------------------


def example_models(example: Path) -> Dict[str, str]:
    """Every ``MESHAPI_*MODEL`` variable ``.env.livetest.example`` gives an id, commented or not."""
    models: Dict[str, str] = {}
    for line in example.read_text(encoding="utf-8").splitlines():
        match = _MODEL_LINE.match(line)
        if match:
            models.setdefault(match.group(1), match.group(2))
    return models


def silent_wav_base64(seconds: float = 0.1, rate: int = 16000) -> str:
    """``seconds`` of 16-bit mono silence as a WAV file, in base64."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\x00\x00" * int(seconds * rate))
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _start_emulator(token: str) -> Tuple[subprocess.Popen[bytes], str]:
    """``meshapi gateway serve`` on a free port of 127.0.0.1; the process and its base URL.

    What it prints to stderr after its announcement is drained by a thread (the last lines
    kept), so a chatty emulator never blocks on a full pipe.
    """
    command = [
        sys.executable,
        "-c",
        "import sys; from meshapi.cli import main; sys.exit(main())",
        "gateway",
        "serve",
        "--port",
        "0",
        "--token",
        token,
    ]
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    fd = process.stderr.fileno()
    deadline = time.monotonic() + STARTUP_SECONDS
    seen = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while time.monotonic() < deadline and len(seen) < 65536:
            if not selector.select(timeout=deadline - time.monotonic()):
                break
            data = os.read(fd, 4096)
            if not data:
                break
            seen += data
            match = re.search(rb"export MESHAPI_BASE_URL=(\S+)\n", seen)
            if match:
                drain = threading.Thread(target=_drain, args=(process.stderr,), daemon=True)
                drain.start()
                return process, match.group(1).decode("ascii")
    _stop(process)
    raise SystemExit(
        "vendor-livetests: the emulator did not start:\n" + seen.decode("utf-8", "replace")
    )


_EMULATOR_LINES: collections.deque[bytes] = collections.deque(maxlen=50)


def _drain(stream: Any) -> None:
    for line in stream:
        _EMULATOR_LINES.append(line)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _environment(base_url: str, token: str, models: Dict[str, str], report: Path) -> Dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("MESHAPI_") and "proxy" not in name.lower()
    }
    env.update(models)
    env.update(
        MESHAPI_BASE_URL=base_url,
        MESHAPI_TOKEN=token,
        MESHAPI_STRICT_LIVETESTS="1",
        MESHAPI_IMAGE_URL="data:image/png;base64," + PIXEL_PNG_BASE64,
        MESHAPI_INPUT_AUDIO_B64=silent_wav_base64(),
        MESHAPI_INPUT_AUDIO_FORMAT="wav",
        NO_PROXY="*",
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(Path(__file__).resolve().parent), os.environ.get("PYTHONPATH")])
        ),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env[REPORT_VARIABLE] = str(report)
    return env


def _summary(report: Path) -> List[Dict[str, str]]:
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        print("vendor-livetests: pytest wrote no report", file=sys.stderr)
        return []
    tests: List[Dict[str, str]] = data["tests"]
    print("\nvendor live tests against the emulator:")
    width = max((len(test["outcome"]) for test in tests), default=6)
    for test in tests:
        reason = test["reason"].strip().splitlines()[0][:160] if test["reason"].strip() else ""
        why = f"  -- {reason}" if reason else ""
        print(f"  {test['outcome']:<{width}}  {test['test']}{why}")
    counts: Dict[str, int] = {}
    for test in tests:
        counts[test["outcome"]] = counts.get(test["outcome"], 0) + 1
    print("  " + ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items())))
    for line in data["refused"]:
        print(f"  REFUSED {line}: a test tried to leave 127.0.0.1")
    return tests


def main(argv: Optional[List[str]] = None) -> int:
    """Run the vendor's live tests against a fresh emulator; returns pytest's exit status."""
    parser = argparse.ArgumentParser(
        prog="scripts/vendor-livetests",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("checkout", type=Path, help="a checkout of the vendor SDK's repository")
    parser.add_argument(
        "pytest_args",
        nargs=argparse.REMAINDER,
        help="more arguments for pytest (-k EXPR, -x, a test file...)",
    )
    args = parser.parse_args(argv)
    livetests = args.checkout / "livetests"
    example = livetests / ".env.livetest.example"
    if not example.is_file():
        parser.error(f"{example} not found: PATH must be a checkout of the vendor's repository")
    models = example_models(example)
    token = "rsk_livetest_" + secrets.token_hex(12)
    with tempfile.TemporaryDirectory(prefix="vendor-livetests-") as scratch:
        copy = Path(scratch) / "livetests"
        shutil.copytree(livetests, copy, ignore=shutil.ignore_patterns("__pycache__", ".env*"))
        report = Path(scratch) / "report.json"
        emulator, base_url = _start_emulator(token)
        try:
            env = _environment(base_url, token, models, report)
            ours = sorted(name for name in env if name.startswith("MESHAPI_"))
            (Path(scratch) / ".env.livetest").write_text(
                "".join(f"{name}={env[name]}\n" for name in ours)
            )
            chosen = ", ".join(f"{name}={value}" for name, value in sorted(models.items()))
            print(f"vendor-livetests: emulator on {base_url}; models: {chosen}")
            command = [
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "vendor_livetests",
                "-p",
                "no:cacheprovider",
                "-o",
                f"timeout={TEST_TIMEOUT_SECONDS}",
                *args.pytest_args,
            ]
            status = subprocess.call(command, cwd=copy, env=env, stdin=subprocess.DEVNULL)
        finally:
            if emulator.poll() is not None:
                said = b"".join(_EMULATOR_LINES).decode("utf-8", "replace")
                print(
                    f"vendor-livetests: the emulator exited early ({emulator.returncode}):\n{said}",
                    file=sys.stderr,
                )
            _stop(emulator)
        _summary(report)
    return status


if __name__ == "__main__":
    sys.exit(main())
