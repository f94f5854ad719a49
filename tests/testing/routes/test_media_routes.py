"""The emulator's media and file routes, as the wire sees them: valid media bodies, strict
multipart parsing, the signed-URL upload target, tasks and embeddings on the clock, search."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from typing import Any, Dict, List, Optional, Tuple

import httpx
import pytest

from meshapi.testing import FakeClock, Gateway, GatewayServer, InProcessTransport
from meshapi.testing._gateway.multipart import MAX_FIELD_BYTES, MAX_PARTS
from meshapi_core.http import FileRange, Request, StreamedBody

from .._helpers import gw_request

BOUNDARY = "testboundary123"
FORM = f"multipart/form-data; boundary={BOUNDARY}"


def form(fields: List[Tuple[str, str]], files: List[Tuple[str, str, bytes]] = ()) -> bytes:  # type: ignore[assignment]
    out = b""
    for name, value in fields:
        out += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode() + b"\r\n"
    for name, filename, data in files:
        out += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: audio/wav\r\n\r\n'
        ).encode()
        out += data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


@pytest.fixture
def gateway() -> Gateway:
    return Gateway(clock=FakeClock())


def call(
    gateway: Gateway,
    method: str,
    target: str,
    body: Any = None,
    *,
    token: Optional[str] = "default",
    headers: Optional[Dict[str, str]] = None,
) -> Tuple[int, Dict[str, str], bytes]:
    plan = gateway.handle(
        gw_request(
            method,
            target,
            gateway.token if token == "default" else token,
            body,
            {"Host": "127.0.0.1:8080", **(headers or {})},
        )
    )
    headers_out = {k.lower(): v for k, v in plan.headers}
    return plan.status, headers_out, plan.read_body()


# -- valid media -------------------------------------------------------------------------------


def png_chunks(data: bytes) -> List[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    kinds, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, payload = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + payload) & 0xFFFFFFFF
        kinds.append(kind)
        at += 12 + length
    return kinds


def test_images_are_valid_pngs_and_deterministic(gateway: Gateway) -> None:
    body = {"prompt": "a fox", "n": 2, "response_format": "b64_json"}
    status, _, first = call(gateway, "POST", "/v1/images/generations", body)
    _, _, again = call(gateway, "POST", "/v1/images/generations", body)
    assert status == 200
    items = json.loads(first)["data"]
    images = [base64.b64decode(i["b64_json"]) for i in items]
    assert all(png_chunks(image) == [b"IHDR", b"IDAT", b"IEND"] for image in images)
    assert images[0] != images[1]
    assert [i["b64_json"] for i in json.loads(again)["data"]] == [i["b64_json"] for i in items]


def test_image_urls_point_back_at_the_emulator_and_refuse_the_token(gateway: Gateway) -> None:
    _, _, body = call(gateway, "POST", "/v1/images/generations", {"prompt": "x"})
    url = json.loads(body)["data"][0]["url"]
    assert url.startswith("http://127.0.0.1:8080/_files/blob_")
    path = url.split("127.0.0.1:8080", 1)[1]
    status, headers, data = call(gateway, "GET", path, token=None)
    assert status == 200 and headers["content-type"] == "image/png" and data[:4] == b"\x89PNG"
    status, _, data = call(gateway, "GET", path)
    assert status == 400 and b"Authorization" in data


def test_image_stream_is_the_keep_alive_shape(gateway: Gateway) -> None:
    _, headers, body = call(
        gateway, "POST", "/v1/images/generations", {"prompt": "x", "stream": True}
    )
    assert headers["content-type"] == "text/event-stream"
    text = body.decode()
    assert text.startswith(": ping\n\n") and text.endswith("data: [DONE]\n\n")
    events = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: {")]
    assert [e["status"] for e in events] == ["processing", "completed"]
    assert events[0]["data"] == [] and events[1]["data"][0]["url"]


def test_speech_formats(gateway: Gateway) -> None:
    status, headers, mp3 = call(gateway, "POST", "/v1/audio/speech", {"input": "hi there"})
    assert status == 200 and headers["content-type"] == "audio/mpeg"
    assert "content-length" not in headers  # streamed: chunked
    assert len(mp3) % 417 == 0 and all(
        mp3[i : i + 2] == b"\xff\xfb" for i in range(0, len(mp3), 417)
    )
    status, headers, wav = call(
        gateway,
        "POST",
        "/v1/audio/speech",
        {"input": "hi there", "response_format": "wav_8000", "stream": False},
    )
    assert status == 200 and headers["content-length"] == str(len(wav))
    (riff_size,) = struct.unpack("<I", wav[4:8])
    (data_size,) = struct.unpack("<I", wav[40:44])
    assert wav[:4] == b"RIFF" and wav[8:16] == b"WAVEfmt " and riff_size == len(wav) - 8
    assert data_size == len(wav) - 44
    status, _, body = call(
        gateway, "POST", "/v1/audio/speech", {"input": "x", "response_format": "wav_8000"}
    )
    assert status == 422 and b"stream: false" in body
    status, _, body = call(
        gateway, "POST", "/v1/audio/speech", {"input": "x", "model": "openai/gpt-4o-mini"}
    )
    assert status == 400 and json.loads(body)["error"]["code"] == "model_capability_not_supported"


def test_videos_are_valid_mp4s_on_the_clock(gateway: Gateway) -> None:
    create = {"model": "byteplus/seedance-1-0-pro", "content": [{"type": "text", "text": "x"}]}
    _, _, body = call(gateway, "POST", "/v1/video/generations", create)
    task = json.loads(body)
    seen = []
    for step in (0.0, 1.0, 5.0):
        assert isinstance(gateway.clock, FakeClock)
        gateway.clock.advance(step)
        _, _, body = call(gateway, "GET", f"/v1/video/generations/{task['id']}")
        seen.append(json.loads(body)["status"])
    assert seen == ["queued", "running", "succeeded"]
    video_url = json.loads(body)["content"]["video_url"]
    _, headers, mp4 = call(gateway, "GET", video_url.split("8080", 1)[1], token=None)
    assert headers["content-type"] == "video/mp4"
    boxes, at = [], 0
    while at < len(mp4):
        (size,) = struct.unpack(">I", mp4[at : at + 4])
        boxes.append(mp4[at + 4 : at + 8])
        at += size
    assert boxes == [b"ftyp", b"moov", b"mdat"] and at == len(mp4)
    _, _, body = call(gateway, "GET", "/v1/video/generations?status=running")
    assert json.loads(body)["total"] == 0
    _, _, body = call(gateway, "GET", "/v1/video/generations?status=succeeded&status=failed")
    assert json.loads(body)["total"] == 1
    status, _, _ = call(gateway, "GET", "/v1/video/generations?limit=0")
    assert status == 422
    _, _, body = call(
        gateway, "GET", f"/v1/video/generations/{task['id']}", headers={"X-Mesh-Version": "2026-09"}
    )
    assert json.loads(body)["request_id"].startswith("req_")


# -- multipart parsing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (form([("model", "m")]), "multipart/form-data", "boundary"),
        (form([("model", "m")]), "application/json", "expected multipart"),
        (form([("model", "m")])[:-20], FORM, "final boundary"),
        (b"garbage" + form([("model", "m")]), FORM, "start with the boundary"),
        (
            f"--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode(),
            FORM,
            "no name",
        ),
        (
            f"--{BOUNDARY}\r\nX: y\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode(),
            FORM,
            "Content-Disposition",
        ),
        (form([("f", str(i)) for i in range(MAX_PARTS + 1)]), FORM, "more than"),
        (form([("model", "x" * (MAX_FIELD_BYTES + 1))]), FORM, "exceeds"),
    ],
)
def test_malformed_forms_are_clear_400s(
    gateway: Gateway, body: bytes, content_type: str, expected: str
) -> None:
    status, _, reply = call(
        gateway, "POST", "/v1/audio/transcriptions", body, headers={"Content-Type": content_type}
    )
    assert status == 400, reply
    assert expected in json.loads(reply)["error"]["message"]


def test_form_validation_is_a_422_naming_the_field(gateway: Gateway) -> None:
    status, _, reply = call(
        gateway,
        "POST",
        "/v1/audio/transcriptions",
        form([("diarize", "maybe")]),
        headers={"Content-Type": FORM},
    )
    assert status == 422
    locs = [d["loc"] for d in json.loads(reply)["error"]["details"]]
    assert ["body", "model"] in locs and ["body", "diarize"] in locs and ["body", "file"] in locs


# -- the signed-URL upload target --------------------------------------------------------------


def _register(gateway: Gateway, mime: str = "text/plain", **extra: Any) -> Dict[str, Any]:
    body = {"file_name": "a.txt", "mime_type": mime, **extra}
    status, _, reply = call(gateway, "POST", "/v1/files", body)
    assert status == 200
    return json.loads(reply)


def _target(signed_url: str) -> str:
    return signed_url.split("127.0.0.1:8080", 1)[1]


def test_the_upload_target_refuses_any_authorization(gateway: Gateway) -> None:
    registered = _register(gateway)
    target = _target(registered["signed_url"])
    status, headers, body = call(
        gateway, "PUT", target, b"hi", headers={"Content-Type": "text/plain"}
    )
    assert status == 400 and headers["content-type"] == "application/xml"
    assert b"<Code>InvalidArgument</Code>" in body
    status, _, body = call(
        gateway, "PUT", target, b"hi", token=None,
        headers={"Content-Type": "text/plain", "Authorization": "Basic eDp5"},
    )  # fmt: skip
    assert status == 400
    status, _, body = call(
        gateway, "PUT", target, b"hi", token=None, headers={"Content-Type": "x/y"}
    )
    assert status == 403 and b"SignatureDoesNotMatch" in body
    status, _, _ = call(
        gateway, "PUT", target, b"hi", token=None, headers={"Content-Type": "text/plain"}
    )
    assert status == 200
    status, _, body = call(
        gateway, "PUT", target, b"hi", token=None, headers={"Content-Type": "text/plain"}
    )
    assert status == 403 and b"AccessDenied" in body  # used once


def test_signed_urls_expire(gateway: Gateway) -> None:
    registered = _register(gateway)
    assert isinstance(gateway.clock, FakeClock)
    gateway.clock.advance(901)
    status, _, body = call(
        gateway, "PUT", _target(registered["signed_url"]), b"x", token=None,
        headers={"Content-Type": "text/plain"},
    )  # fmt: skip
    assert status == 403 and b"expired" in body


def test_embedding_advances_on_the_clock_and_search_finds_ready_files(gateway: Gateway) -> None:
    assert isinstance(gateway.clock, FakeClock)
    text = b"Alpha beta gamma. Delta epsilon.\n\nZeta eta theta iota."
    auto = _register(gateway, metadata={"kind": "notes"})
    manual = _register(gateway, embed=False)
    empty = _register(gateway)
    for registered, data in ((auto, text), (manual, text), (empty, b"")):
        status, _, _ = call(
            gateway, "PUT", _target(registered["signed_url"]), data, token=None,
            headers={"Content-Type": "text/plain"},
        )  # fmt: skip
        assert status == 200

    def state(file_id: str) -> Tuple[str, str]:
        reply = json.loads(call(gateway, "GET", f"/v1/files/{file_id}")[2])
        return reply["upload_status"], reply["embedding_status"]

    seen = []
    for step in (0.0, 1.0, 2.0):
        gateway.clock.advance(step)
        seen.append(state(auto["file_id"]))
    assert seen == [("ready", "queued"), ("ready", "processing"), ("ready", "ready")]
    assert state(manual["file_id"]) == ("ready", "pending")
    assert state(empty["file_id"]) == ("ready", "failed")

    def search(**body: Any) -> List[Dict[str, Any]]:
        return json.loads(call(gateway, "POST", "/v1/files/search", body)[2])["results"]

    hits = search(query="zeta theta")  # every chunk of the ready file, best first
    assert [(h["file_id"], h["text"]) for h in hits] == [
        (auto["file_id"], "Zeta eta theta iota."),
        (auto["file_id"], "Alpha beta gamma. Delta epsilon."),
    ]
    assert hits[0]["parent_text"] == "Zeta eta theta iota."
    assert 1 >= hits[0]["score"] > hits[1]["score"] >= 0
    assert search(query="zeta", filter={"kind": "other"}) == []
    _, _, reply = call(
        gateway,
        "POST",
        "/v1/files/embed",
        {"file_ids": [manual["file_id"], "file_nope"], "wait": True},
    )
    results = json.loads(reply)["results"]
    assert results[0]["embedding_status"] == "ready" and results[0]["chunk_count"] == 2
    assert results[1]["error"] == "not_found"
    found = search(query="alpha", top_k=2)
    assert {h["file_id"] for h in found} == {auto["file_id"], manual["file_id"]}
    assert {h["text"] for h in found} == {"Alpha beta gamma. Delta epsilon."}
    assert len(search(query="alpha")) == 4  # both files' two chunks, ranked
    assert {h["file_id"] for h in search(query="alpha", file_ids=[manual["file_id"]])} == {
        manual["file_id"]
    }
    _, _, reply = call(gateway, "POST", "/v1/files/embed", {"file_ids": [auto["file_id"]]})
    assert json.loads(reply)["results"][0]["error"] == "already_embedding"
    _, headers, content = call(gateway, "GET", f"/v1/files/{auto['file_id']}/content")
    assert content == text and headers["content-type"] == "text/plain"


def test_search_ranks_every_chunk_like_a_vector_search(gateway: Gateway) -> None:
    """Every chunk of the caller's ready files is ranked by similarity (TF-IDF over words
    and their trigrams): a query sharing no word with any file still gets the top-k."""
    documents = {
        "pets.txt": b"Cats purr when content. Dogs bark at strangers.\n\nParrots mimic voices.",
        "space.txt": b"Rockets reach orbit.\n\nAstronauts float in the station.",
        "cooking.txt": b"Bread rises with yeast.\n\nSoup simmers for hours.",
    }
    for name, data in documents.items():
        registered = _register(gateway, file_name=name)
        call(gateway, "PUT", _target(registered["signed_url"]), data, token=None,
             headers={"Content-Type": "text/plain"})  # fmt: skip
    gateway.clock.advance(5)  # type: ignore[attr-defined]

    def search(query: str, top_k: int = 3) -> List[Dict[str, Any]]:
        body = {"query": query, "top_k": top_k}
        return json.loads(call(gateway, "POST", "/v1/files/search", body)[2])["results"]

    hits = search("astronauts orbiting")  # "orbit" is in a chunk, "astronauts" in another
    assert hits[0]["file_name"] == "space.txt" and hits[1]["file_name"] == "space.txt"
    assert hits[0]["score"] >= hits[1]["score"] > hits[2]["score"]
    unrelated = search("quantum chromodynamics", top_k=4)  # no word in common with any
    assert len(unrelated) == 4
    assert [h["score"] for h in unrelated] == sorted((h["score"] for h in unrelated), reverse=True)
    assert all(0 <= h["score"] < 0.5 for h in unrelated)
    assert len(search("bread", top_k=50)) == 6  # every chunk of every file, no more
    assert search("bread", top_k=1)[0]["text"] == "Bread rises with yeast."
    assert search("bread") == search("bread")  # deterministic


def test_files_are_private_to_their_owner(gateway: Gateway) -> None:
    registered = _register(gateway)
    other = gateway.add_key(owner="usr_other")
    status, _, _ = call(gateway, "GET", f"/v1/files/{registered['file_id']}", token=other)
    assert status == 404
    assert json.loads(call(gateway, "GET", "/v1/files", token=other)[2])["total"] == 0


# -- over sockets, and in process --------------------------------------------------------------


def test_streamed_upload_over_http_and_in_process(tmp_path: Any) -> None:
    gateway = Gateway(clock=FakeClock())
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello " * 1000)
    registered = _register(gateway)
    body = StreamedBody((FileRange(str(path), 0, 6000),))
    with GatewayServer(gateway).run_in_thread() as base_url:
        signed = registered["signed_url"].replace("http://127.0.0.1:8080", base_url)
        with httpx.Client() as http:
            response = http.put(
                signed,
                content=body.chunks(lambda p: open(p, "rb")),  # noqa: SIM115 (chunks closes it)
                headers={"Content-Type": "text/plain", "Content-Length": "6000"},
            )
        assert response.status_code == 200
    assert gateway.requests[-1].body == b"hello " * 1000
    second = _register(gateway)
    transport = InProcessTransport(gateway)
    request = Request("PUT", second["signed_url"], (("content-type", "text/plain"),), body)
    stream = transport.open_stream(request)
    assert stream.status == 200
    stream.close()
    assert gateway.requests[-1].body == b"hello " * 1000
    assert gateway.requests[-1].headers["host"] == "127.0.0.1:8080"
