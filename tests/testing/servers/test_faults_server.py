"""Every fault, over real sockets, as a raw HTTP client sees it."""

from __future__ import annotations

import json
import socket

import httpx
import pytest

from meshapi.testing import faults
from meshapi.testing.pytest_plugin import GatewayFixture

from .._helpers import address, chat_body, sse_data

CHAT = "/v1/chat/completions"


def stream_body(client: httpx.Client, content: str = "a b c d e") -> bytes:
    with client.stream("POST", CHAT, json=chat_body(content, stream=True)) as response:
        return b"".join(response.iter_raw())


def test_status_with_retry_after_and_envelope(
    meshapi_gateway: GatewayFixture, client: httpx.Client
) -> None:
    meshapi_gateway.gateway.inject(faults.Status(429, retry_after=7), route=CHAT)
    response = client.post(CHAT, json=chat_body())
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    body = response.json()
    assert body == {
        "error": {
            "code": "rate_limit_exceeded",
            "message": "Rate limit exceeded.",
            "retry_after_seconds": 7,
        },
        "request_id": response.headers["x-request-id"],
    }
    assert client.post(CHAT, json=chat_body()).status_code == 200


def test_status_variants(meshapi_gateway: GatewayFixture, client: httpx.Client) -> None:
    gateway = meshapi_gateway.gateway
    gateway.inject(
        faults.Status(
            503,
            code="provider_not_available",
            message="down",
            retry_after="Wed, 21 Oct 2015 07:28:00 GMT",
        )
    )
    gateway.inject(faults.Status(502, html=True))
    gateway.inject(faults.Status(404, body={"detail": "Model not found"}))
    gateway.inject(
        faults.Status(500, body=b"oops", content_type="text/plain", headers={"X-Extra": "1"})
    )
    first = client.get("/v1/models")
    assert first.status_code == 503 and first.json()["error"]["message"] == "down"
    assert first.headers["retry-after"] == "Wed, 21 Oct 2015 07:28:00 GMT"
    html = client.get("/v1/models")
    assert html.status_code == 502 and html.headers["content-type"] == "text/html"
    assert b"<title>502 Bad Gateway</title>" in html.content and b"req_" not in html.content
    assert client.get("/v1/models").json() == {"detail": "Model not found"}
    raw = client.get("/v1/models")
    assert (raw.status_code, raw.content, raw.headers["x-extra"]) == (500, b"oops", "1")
    assert "x-request-id" in raw.headers


def test_inband_error_body(meshapi_gateway: GatewayFixture, client: httpx.Client) -> None:
    meshapi_gateway.gateway.inject(
        faults.InbandError(code="context_window_exceeded", message="too long")
    )
    response = client.post(CHAT, json=chat_body(stream=True))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": {"code": "context_window_exceeded", "message": "too long"},
        "request_id": response.headers["x-request-id"],
    }


def test_error_frame_mid_stream(meshapi_gateway: GatewayFixture, client: httpx.Client) -> None:
    meshapi_gateway.gateway.inject(faults.ErrorFrame(after_events=2))
    meshapi_gateway.gateway.inject(faults.ErrorFrame(after_events=1, request_id=False))
    with client.stream("POST", CHAT, json=chat_body("a b c", stream=True)) as response:
        request_id = response.headers["x-request-id"]
        payloads = sse_data(response.read())
    assert len(payloads) == 3 and "[DONE]" not in payloads
    assert json.loads(payloads[-1]) == {
        "error": {"code": "upstream_error", "message": "Provider failed."},
        "request_id": request_id,
    }
    payloads = sse_data(stream_body(client))
    assert len(payloads) == 2
    assert "request_id" not in json.loads(payloads[-1])


def test_malformed_json_body_and_frame(
    meshapi_gateway: GatewayFixture, client: httpx.Client
) -> None:
    meshapi_gateway.gateway.inject(faults.Malformed(), route="/v1/models")
    response = client.get("/v1/models")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    meshapi_gateway.gateway.inject(faults.Malformed(event=0))
    payloads = sse_data(stream_body(client))
    with pytest.raises(json.JSONDecodeError):
        json.loads(payloads[0])
    assert payloads[-1] == "[DONE]"


def test_drop_before_headers(meshapi_gateway: GatewayFixture, client: httpx.Client) -> None:
    meshapi_gateway.gateway.inject(faults.Drop())
    with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
        client.get("/v1/models")
    assert client.get("/v1/models").status_code == 200


def test_reset_before_headers(meshapi_gateway: GatewayFixture, client: httpx.Client) -> None:
    meshapi_gateway.gateway.inject(faults.Reset())
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        client.get("/v1/models")
    assert client.get("/v1/models").status_code == 200


def test_drop_after_bytes_truncates_a_content_length_body(
    meshapi_gateway: GatewayFixture, client: httpx.Client
) -> None:
    meshapi_gateway.gateway.inject(faults.Drop(after_bytes=50))
    with client.stream("GET", "/v1/models") as response:
        declared = int(response.headers["content-length"])
        received = bytearray()
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in response.iter_raw():
                received += chunk
    assert len(received) == 50 < declared


def test_drop_after_events(meshapi_gateway: GatewayFixture, client: httpx.Client) -> None:
    meshapi_gateway.gateway.inject(faults.Drop(after_events=3))
    received = bytearray()
    with (
        pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"),
        client.stream("POST", CHAT, json=chat_body("a b c d e", stream=True)) as response,
    ):
        for chunk in response.iter_raw():
            received += chunk
    assert len(sse_data(bytes(received))) == 3


def test_reset_mid_stream(meshapi_gateway: GatewayFixture, client: httpx.Client) -> None:
    meshapi_gateway.gateway.inject(faults.Reset(after_events=2))
    # ECONNRESET on most reads; an EOF when the reset races the client's last read
    with (
        pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)),
        client.stream("POST", CHAT, json=chat_body(stream=True)) as response,
    ):
        for _ in response.iter_raw():
            pass


def test_delay_headers_trips_a_read_timeout(meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Delay(headers=30))
    with httpx.Client(
        base_url=meshapi_gateway.base_url,
        timeout=httpx.Timeout(5, read=0.2),
        headers={"Authorization": f"Bearer {meshapi_gateway.token}"},
    ) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.get("/v1/models")
        # the server notices the client leaving during the pause
        assert meshapi_gateway.server.wait_for_closed_connections(1, timeout=5)


def test_delay_between_events(meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.inject(faults.Delay(between_events=30))
    with httpx.Client(
        base_url=meshapi_gateway.base_url,
        timeout=httpx.Timeout(5, read=0.3),
        headers={"Authorization": f"Bearer {meshapi_gateway.token}"},
    ) as http:
        received = bytearray()
        with (
            pytest.raises(httpx.ReadTimeout),
            http.stream("POST", CHAT, json=chat_body("a b", stream=True)) as response,
        ):
            assert response.status_code == 200
            for chunk in response.iter_raw():
                received += chunk
        assert len(sse_data(bytes(received))) == 1


def test_stall_until_the_client_leaves(meshapi_gateway: GatewayFixture) -> None:
    gateway, server = meshapi_gateway.gateway, meshapi_gateway.server
    gateway.inject(faults.Stall(after_events=1))
    with (
        httpx.Client(
            base_url=meshapi_gateway.base_url,
            timeout=httpx.Timeout(5, read=0.3),
            headers={"Authorization": f"Bearer {meshapi_gateway.token}"},
        ) as http,
        pytest.raises(httpx.ReadTimeout),
        http.stream("POST", CHAT, json=chat_body(stream=True)) as response,
    ):
        for _ in response.iter_raw():
            pass
    assert server.wait_for_closed_connections(1, timeout=5)
    assert server.open_connections == 0


def test_stall_is_visible_in_the_log_while_pending(meshapi_gateway: GatewayFixture) -> None:
    gateway = meshapi_gateway.gateway
    gateway.inject(faults.Stall())
    with socket.create_connection(address(meshapi_gateway.base_url), timeout=5) as sock:
        sock.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
        entry = gateway.wait_for_request("/v1/models", timeout=5)
        assert entry.status == 401 and meshapi_gateway.server.open_connections == 1
    assert meshapi_gateway.server.wait_for_open_connections(0, timeout=5)


def test_split_writes_keep_the_body_intact(
    meshapi_gateway: GatewayFixture, client: httpx.Client
) -> None:
    meshapi_gateway.gateway.script_reply("naïve café ✓ 😀")
    meshapi_gateway.gateway.inject(faults.SplitWrites(1))
    payloads = sse_data(stream_body(client))
    text = "".join(json.loads(p)["choices"][0]["delta"].get("content", "") for p in payloads[:-2])
    assert text == "naïve café ✓ 😀"


def test_pings_between_events(meshapi_gateway: GatewayFixture, client: httpx.Client) -> None:
    meshapi_gateway.gateway.inject(faults.Ping(interval=0.001))
    body = stream_body(client, "a b").decode()
    assert body.count(": ping\n\n") == 5  # 2 deltas, finish, usage, [DONE]
    assert body.startswith(": ping\n\ndata: ")
    assert len(sse_data(body.encode())) == 5


def test_stream_closed_early_is_noticed(meshapi_gateway: GatewayFixture) -> None:
    meshapi_gateway.gateway.script_reply(chunks=50_000)
    server = meshapi_gateway.server
    with (
        httpx.Client(
            base_url=meshapi_gateway.base_url,
            headers={"Authorization": f"Bearer {meshapi_gateway.token}"},
        ) as http,
        http.stream("POST", CHAT, json=chat_body(stream=True)) as response,
    ):
        for _line in response.iter_lines():
            break
    assert server.wait_for_closed_connections(1, timeout=5)
    assert server.open_connections == 0
