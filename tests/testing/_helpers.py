"""Small helpers shared by the emulator tests."""

from __future__ import annotations

import json
import socket
from typing import Any, Dict, List, Optional, Tuple

from meshapi.testing import GatewayRequest


def bearer(token: str) -> Dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def chat_body(
    content: str = "hello", model: Optional[str] = "mesh/echo", **extra: Any
) -> Dict[str, Any]:
    body: Dict[str, Any] = {"messages": [{"role": "user", "content": content}], **extra}
    if model is not None:
        body["model"] = model
    return body


def gw_request(
    method: str,
    target: str,
    token: Optional[str] = None,
    body: Any = None,
    headers: Optional[Dict[str, str]] = None,
) -> GatewayRequest:
    """A Sans-IO request; ``body`` may be bytes or a JSON-able value."""
    head = dict(headers or {})
    if token is not None:
        head["Authorization"] = f"Bearer {token}"
    raw = body if isinstance(body, bytes) else (b"" if body is None else json.dumps(body).encode())
    return GatewayRequest(method, target, tuple(head.items()), raw)


def sse_data(body: bytes) -> List[str]:
    """The ``data:`` payloads of an SSE body, in order."""
    out = []
    for block in body.decode("utf-8").split("\n\n"):
        for line in block.split("\n"):
            if line.startswith("data: "):
                out.append(line[6:])
    return out


def raw_exchange(base_url: str, payload: bytes, *, timeout: float = 5.0) -> bytes:
    """Send raw bytes to the server and read until it closes the connection."""
    with socket.create_connection(address(base_url), timeout=timeout) as sock:
        sock.sendall(payload)
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def address(base_url: str) -> Tuple[str, int]:
    host, port = base_url.rsplit("/", 1)[-1].split(":")
    return host, int(port)


def read_response(sock: socket.socket) -> bytes:
    """One whole ``Content-Length`` response from ``sock`` (head and body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body
