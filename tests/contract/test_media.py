"""Images, audio, video and files on every transport: the happy paths, uploads streamed from
disk, downloads streamed to disk, the signed-URL upload that never carries the token, retries
of replayable and one-shot bodies, bad input refused before sending, interrupted downloads."""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path
from typing import Any, Dict, List

import pytest

from meshapi import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    InvalidArgumentError,
    MeshAPIError,
    NotFoundError,
    PollTimeoutError,
    ResponseTooLargeError,
    ServerError,
    StreamInterruptedError,
    TranscriptionParams,
    UnprocessableEntityError,
    UploadFailedError,
)
from meshapi.testing import FakeClock, faults
from meshapi.testing._gateway.multipart import parse_form
from meshapi.testing.pytest_plugin import GatewayFixture

from .conftest import KINDS, with_scheme
from .media_kit import Api, Runner, requests_to

WAV_HEAD = b"RIFF"
SEEDANCE = "byteplus/seedance-1-0-pro"
SCRIBE = "elevenlabs/scribe_v2"


@pytest.fixture
def meshapi_gateway_options(scheme: str) -> Dict[str, Any]:
    return with_scheme(scheme, {"clock": FakeClock()})


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def run(kind: str, meshapi_gateway: GatewayFixture) -> Runner:
    return Runner(kind, meshapi_gateway)


@pytest.fixture
def wav_file(tmp_path: Path) -> Path:
    from meshapi.testing._gateway.media import wav

    path = tmp_path / "hello.wav"
    path.write_bytes(wav(0.05))
    return path


def form_of(entry: Any) -> Any:
    return parse_form(entry.body, entry.headers["content-type"])


def one_shot(data: bytes) -> Any:
    """A pipe's read end holding ``data``: a file object that cannot seek (a one-shot body)."""
    read_fd, write_fd = os.pipe()
    os.write(write_fd, data)
    os.close(write_fd)
    return os.fdopen(read_fd, "rb")


def chain_texts(error: BaseException) -> List[str]:
    """The message and repr of an error and of everything chained to it (and their args)."""
    texts: List[str] = []
    seen: set = set()  # type: ignore[type-arg]
    todo: List[Any] = [error]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        texts += [str(item), repr(item), repr(getattr(item, "args", ()))]
        todo += [item.__cause__, item.__context__, getattr(item, "error", None)]
    return texts


def no_part_files(folder: Path) -> List[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".part")]


# -- images ------------------------------------------------------------------------------------


def test_images_generate_save_and_stream(
    run: Runner, tmp_path: Path, meshapi_gateway: GatewayFixture
) -> None:
    async def scenario(api: Api) -> Any:
        by_url = await api.call("images.generate", prompt="a red fox", n=2)
        inline = await api.call("images.generate", prompt="a red fox", response_format="b64_json")
        saved = await api.call("images.save", by_url.data[1], tmp_path / "fox-url.png")
        saved_inline = await api.call("images.save", inline.data[0], tmp_path / "fox-b64.png")
        downloaded = await api.run(api.open("images.download", by_url.data[0]).read())
        chunks = await api.each(api.open("images.stream", prompt="a red fox", partial_images=2))
        return by_url, inline, saved, saved_inline, downloaded, chunks

    by_url, inline, saved, saved_inline, downloaded, chunks = run(scenario)
    assert len(by_url.data) == 2 and by_url.data[0].url.startswith(meshapi_gateway.base_url)
    assert inline.data[0].image_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert (tmp_path / "fox-url.png").read_bytes().startswith(b"\x89PNG")
    assert saved == (tmp_path / "fox-url.png").stat().st_size
    assert (tmp_path / "fox-b64.png").read_bytes() == inline.data[0].image_bytes()
    assert saved_inline == len(inline.data[0].image_bytes())
    assert downloaded.startswith(b"\x89PNG")
    assert [c.status for c in chunks] == ["processing", "processing", "completed"]
    assert chunks[-1].has_images and not chunks[0].has_images
    assert no_part_files(tmp_path) == []


def test_media_urls_get_no_token(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        result = await api.call("images.generate", prompt="x")
        return await api.run(
            api.open("images.download", result.data[0], extra_headers={"X-Team": "t1"}).read()
        )

    assert run(scenario, default_headers={"X-Secret": "s3cret"}).startswith(b"\x89PNG")
    fetched = requests_to(meshapi_gateway, "/_files/")[0]
    assert "authorization" not in fetched.headers
    assert "x-secret" not in fetched.headers and "x-team" not in fetched.headers
    assert "x-meshapi-sdk" not in fetched.headers


def test_images_edit_json_and_multipart(
    run: Runner, meshapi_gateway: GatewayFixture, tmp_path: Path
) -> None:
    from meshapi.testing._gateway.media import png

    picture = tmp_path / "cat.png"
    picture.write_bytes(png(4, 4, (1, 2, 3)))
    data_url = "data:image/png;base64," + base64.b64encode(picture.read_bytes()).decode()

    async def scenario(api: Api) -> Any:
        as_json = await api.call(
            "images.edit", model="openai/gpt-image-1", image=data_url, prompt="a hat"
        )
        as_path = await api.call(
            "images.edit", model="openai/gpt-image-1", image=picture, prompt="a hat", n=2
        )
        with picture.open("rb") as file:
            as_file = await api.call(
                "images.edit",
                model="openai/gpt-image-1",
                image=file,
                mask=picture.read_bytes(),
                operation="inpaint",
            )
        return as_json, as_path, as_file

    as_json, as_path, as_file = run(scenario)
    assert len(as_json.data) == 1 and len(as_path.data) == 2 and len(as_file.data) == 1
    json_req, path_req, file_req = requests_to(meshapi_gateway, "/v1/images/edits")
    assert json_req.headers["content-type"] == "application/json"
    assert json_req.json["image"] == data_url
    form = form_of(path_req)
    assert form.value("prompt") == "a hat" and form.value("n") == "2"
    image = form.file("image")
    assert (image.filename, image.content_type) == ("cat.png", "image/png")
    assert image.data == picture.read_bytes()
    form = form_of(file_req)
    assert form.file("image").filename == "cat.png"
    assert form.file("mask").filename == "mask.png" and form.value("operation") == "inpaint"


def test_image_edit_refusals_come_typed(run: Runner) -> None:
    async def scenario(api: Api) -> List[Any]:
        errors = []
        for kwargs in (
            {"model": "openai/gpt-image-1", "image": Path(__file__), "operation": "upscale"},
            {"model": "openai/gpt-image-1", "image": "https://example.com/cat.png", "prompt": "x"},
        ):
            with pytest.raises(MeshAPIError) as caught:
                await api.call("images.edit", **kwargs)
            errors.append(caught.value)
        return errors

    unsupported, remote = run(scenario)
    assert isinstance(unsupported, UnprocessableEntityError)
    assert unsupported.error_code == "unsupported_operation"
    assert isinstance(remote, BadRequestError) and remote.status == 400


# -- audio -------------------------------------------------------------------------------------


def test_speech_bytes_stream_and_file(run: Runner, tmp_path: Path) -> None:
    target = tmp_path / "story.mp3"

    async def scenario(api: Api) -> Any:
        whole = await api.call("audio.synthesize", input="Hello there", stream=False,
                               response_format="wav_8000")  # fmt: skip
        stream = api.open("audio.synthesize_stream", input="word " * 200)
        pieces = await api.each(stream)
        written = await api.run(
            api.open("audio.synthesize_stream", input="word " * 200).write_to(target)
        )
        read = await api.run(api.open("audio.synthesize_stream", input="word " * 200).read())
        return whole, pieces, stream, written, read

    whole, pieces, stream, written, read = run(scenario)
    assert whole[:4] == WAV_HEAD and whole[8:12] == b"WAVE"
    assert len(pieces) > 1 and pieces[0][:2] == b"\xff\xfb"
    assert stream.completed and stream.content_type == "audio/mpeg"
    assert written == target.stat().st_size == len(b"".join(pieces)) == len(read)
    assert target.read_bytes() == read == b"".join(pieces)
    assert no_part_files(tmp_path) == []


def test_speech_read_is_bounded(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(ResponseTooLargeError):
            await api.run(api.open("audio.synthesize_stream", input="word " * 200).read())
        with pytest.raises(ResponseTooLargeError):
            await api.call("audio.synthesize", input="word " * 200)
        return True

    assert run(scenario, max_response_size=10_000)


def test_transcribe_from_path_bytes_and_file(
    run: Runner, meshapi_gateway: GatewayFixture, wav_file: Path
) -> None:
    async def scenario(api: Api) -> Any:
        spoken = await api.call("audio.synthesize", input="round trip", stream=False,
                                response_format="wav_8000")  # fmt: skip
        from_bytes = await api.call("audio.transcribe", spoken, model=SCRIBE)
        from_path = await api.call(
            "audio.transcribe", str(wav_file), TranscriptionParams(model=SCRIBE, diarize=True,
                                                                     keyterms=["a", "b"])
        )  # fmt: skip
        with wav_file.open("rb") as file:
            from_file = await api.call(
                "audio.transcribe", file, model=SCRIBE, response_format="verbose_json",
                filename="renamed.mp3", content_type="audio/mpeg",
            )  # fmt: skip
        by_id = await api.call("audio.get_transcription", from_file.model_extra["transcription_id"])
        from_url = await api.call("audio.transcribe", model=SCRIBE, source_url="https://a/x.mp3")
        return from_bytes, from_path, from_file, by_id, from_url

    from_bytes, from_path, from_file, by_id, from_url = run(scenario)
    assert from_bytes.text == "round trip"
    assert from_path.text.startswith("Transcribed") and from_file.words
    assert by_id.text == from_file.text
    assert "https://a/x.mp3" in from_url.text
    posts = requests_to(meshapi_gateway, "/v1/audio/transcriptions", "POST")
    first = form_of(posts[0]).file("file")
    assert (first.filename, first.content_type) == ("file.wav", "audio/wav")
    path_form = form_of(posts[1])
    assert path_form.value("diarize") == "true" and path_form.values("keyterms") == ["a", "b"]
    assert path_form.file("file").filename == "hello.wav"
    assert path_form.file("file").data == wav_file.read_bytes()
    assert posts[1].headers["content-length"] == str(len(posts[1].body))
    renamed = form_of(posts[2]).file("file")
    assert (renamed.filename, renamed.content_type) == ("renamed.mp3", "audio/mpeg")
    assert form_of(posts[3]).files == []
    assert all("idempotency-key" in p.headers for p in posts)


def test_translations_and_voices(run: Runner, wav_file: Path) -> None:
    audio = wav_file.read_bytes()

    async def scenario(api: Api) -> Any:
        text = await api.call(
            "audio.audio_translate", wav_file, model="openai/whisper-1", response_format="text"
        )
        legacy = await api.call("audio.translate", audio)
        voices = await api.call("audio.list_voices", brand="sarvam")
        voice = await api.call("audio.get_voice", "anushka")
        with pytest.raises(NotFoundError):
            await api.call("audio.get_voice", "nobody")
        return text, legacy, voices, voice

    text, legacy, voices, voice = run(scenario)
    assert text.text.startswith("Translated") and legacy.text.startswith("Translated")
    assert voices.count == 2 and {v.voice_id for v in voices.voices} == {"anushka", "abhilash"}
    assert voice.name == "Anushka"


# -- videos ------------------------------------------------------------------------------------


def test_video_generate_wait_and_download(
    run: Runner, meshapi_gateway: GatewayFixture, tmp_path: Path
) -> None:
    target = tmp_path / "fox.mp4"
    content = [{"type": "text", "text": "a fox in the snow"}]

    async def scenario(api: Api) -> Any:
        task = await api.call("videos.generate", model=SEEDANCE, content=content)
        done = await api.call("videos.wait", task, poll_interval=1.0, max_poll_interval=2.0)
        again = await api.call("videos.retrieve", task.id)
        size = await api.run(api.open("videos.download", done).write_to(target))
        page = await api.call("videos.list", limit=1)
        return task, done, again, size, page, list(api.transport.slept)

    task, done, again, size, page, slept = run(scenario)
    assert task.status == "queued"
    assert done.status == again.status == "succeeded" and done.id == task.id
    assert len(slept) >= 3 and all(1.0 <= s <= 2.0 for s in slept)  # backoff, capped
    assert slept[1] > slept[0] and sum(slept[:-1]) < 6.0 <= sum(slept)  # ended with the task
    assert size == target.stat().st_size and target.read_bytes()[4:8] == b"ftyp"
    assert page.total == 1 and page.data[0].id == task.id
    polls = requests_to(meshapi_gateway, f"/v1/video/generations/{task.id}")
    assert len(polls) == len(slept) + 1 + 1  # a look after each wait, one at once, a retrieve
    video = requests_to(meshapi_gateway, "/_files/")[0]
    assert "authorization" not in video.headers


def test_video_wait_gives_up_at_its_deadline(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        task = await api.call(
            "videos.generate", model=SEEDANCE, content=[{"type": "text", "text": "x"}]
        )
        with pytest.raises(APITimeoutError) as caught:
            await api.call("videos.wait", task.id, deadline=3.0, poll_interval=1.0)
        failed = await api.call(
            "videos.generate", model=SEEDANCE, content=[{"type": "text", "text": "[fail]"}]
        )
        finished = await api.call("videos.wait", failed)
        with pytest.raises(InvalidArgumentError):
            api.open("videos.download", task)  # not finished: no video yet
        return caught.value, finished

    error, finished = run(scenario)
    assert isinstance(error, PollTimeoutError) and error.last.status == "running"
    assert f"Video task {error.last.id} is still running" in error.message
    assert "limit of 3 s" in error.message
    assert finished.status == "failed" and finished.error.code == "content_policy_violation"


def test_video_list_pages(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        for index in range(5):
            await api.call("videos.generate", model=SEEDANCE,
                           content=[{"type": "text", "text": f"clip {index}"}])  # fmt: skip
        first = await api.call("videos.list", limit=2)
        everything = await api.each(api.open("videos.list", limit=2))
        return first, everything

    first, everything = run(scenario)
    assert first.total == 5 and len(first.data) == 2 and first.has_more
    assert len(everything) == 5 and len({t.id for t in everything}) == 5


# -- files and RAG -----------------------------------------------------------------------------


def test_upload_file_never_sends_the_token(
    run: Runner, meshapi_gateway: GatewayFixture, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("The cat sat on the mat.\n\nBirds sing in the morning. Dogs bark at night.\n")

    async def scenario(api: Api) -> Any:
        uploaded = await api.call(
            "rag.upload_file", notes, metadata={"team": "a"}, extra_headers={"X-Team": "t1"}
        )
        status = await api.call("rag.get", uploaded.file_id)
        api.gateway.clock.advance(5)
        ready = await api.call("rag.get", uploaded.file_id)
        hits = await api.call("rag.search", query="birds in the morning", filter={"team": "a"})
        misses = await api.call("rag.search", query="birds", filter={"team": "b"})
        content = await api.run(api.open("rag.content", uploaded.file_id).read())
        return uploaded, status, ready, hits, misses, content

    uploaded, status, ready, hits, misses, content = run(
        scenario, default_headers={"X-Secret": "s3cret"}
    )
    assert uploaded.file_id.startswith("file_") and uploaded.size == notes.stat().st_size
    assert "signed_url" not in repr(uploaded)
    assert (status.upload_status, status.embedding_status) == ("ready", "queued")
    assert ready.embedding_status == "ready"
    assert hits.results[0].text == "Birds sing in the morning. Dogs bark at night."
    assert hits.results[0].file_id == uploaded.file_id and misses.results == []
    assert content == notes.read_bytes()
    init = requests_to(meshapi_gateway, "/v1/files", "POST")[0]
    assert init.json == {
        "file_name": "notes.md",
        "mime_type": "text/markdown",
        "metadata": {"team": "a"},
    }
    put = requests_to(meshapi_gateway, "/_uploads/", "PUT")[0]
    assert put.body == notes.read_bytes()
    assert put.headers["content-type"] == "text/markdown"
    assert put.headers["content-length"] == str(notes.stat().st_size)
    for name in ("authorization", "x-secret", "x-team", "x-meshapi-sdk", "idempotency-key"):
        assert name not in put.headers
    assert meshapi_gateway.token not in repr(put.raw_headers) + repr(put.query) + put.path


def test_upload_forms_and_embed_step(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    async def scenario(api: Api) -> Any:
        from_content = await api.call(
            "rag.upload_file", content=b"plain words here", file_name="a.txt",
            embed_after_upload=True,
        )  # fmt: skip
        from_file = await api.call("rag.upload_file", io.BytesIO(b"skip me" * 3 + b"tail"),
                                   file_name="b.txt", mime_type="text/plain", embed=False)  # fmt: skip
        from_pipe = await api.call("rag.upload_file", one_shot(b"one shot"), file_name="c.txt")
        pending = await api.call("rag.get", from_file.file_id)
        embedded = await api.call("rag.embed", file_ids=[from_file.file_id], wait=True)
        listed = await api.call("rag.list", limit=2)
        everything = await api.each(api.open("rag.list", limit=2))
        return from_content, from_file, from_pipe, pending, embedded, listed, everything

    from_content, from_file, from_pipe, pending, embedded, listed, everything = run(scenario)
    assert (
        from_content.embedding is not None and from_content.embedding.embedding_status == "queued"
    )
    assert from_pipe.size is None
    assert pending.embedding_status == "pending"
    assert embedded.results[0].embedding_status == "ready"
    assert listed.total == 3 and len(listed.files) == 2
    assert {f.file_id for f in everything} == {
        from_content.file_id,
        from_file.file_id,
        from_pipe.file_id,
    }
    inits = [
        r.json for r in requests_to(meshapi_gateway, "/v1/files", "POST") if r.path == "/v1/files"
    ]
    assert inits[0] == {"file_name": "a.txt", "mime_type": "text/plain", "embed": False}
    assert inits[1]["embed"] is False
    puts = requests_to(meshapi_gateway, "/_uploads/", "PUT")
    assert [p.body for p in puts] == [b"plain words here", b"skip me" * 3 + b"tail", b"one shot"]
    assert "content-length" in puts[1].headers
    assert puts[2].headers.get("transfer-encoding") == "chunked"  # a pipe's size is unknown


def test_upload_failures_name_their_step(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    gateway = meshapi_gateway.gateway

    async def scenario(api: Api) -> List[UploadFailedError]:
        errors = []
        gateway.inject(
            faults.Status(429, retry_after=1), route="/v1/files", method="POST", times=None
        )
        with pytest.raises(UploadFailedError) as caught:
            await api.call("rag.upload_file", content=b"x", file_name="x.txt", max_retries=1)
        errors.append(caught.value)
        gateway.clear_faults()
        denied = (
            b'<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>nope</Message></Error>'
        )
        gateway.inject(faults.Status(403, body=denied, content_type="application/xml"),
                       route="/_uploads/*")  # fmt: skip
        with pytest.raises(UploadFailedError) as caught:
            await api.call("rag.upload_file", content=b"x", file_name="x.txt")
        errors.append(caught.value)
        gateway.inject(faults.Status(500), route="/v1/files/embed")
        with pytest.raises(UploadFailedError) as caught:
            await api.call(
                "rag.upload_file", content=b"x", file_name="x.txt", embed_after_upload=True
            )
        errors.append(caught.value)
        gateway.inject(
            faults.Status(200, body={"file_id": "file_x", "signed_url": "http://example.com/u?sig=1",
                                     "expires_at": "2026-09-01T00:15:00Z"}),
            route="/v1/files", method="POST",
        )  # fmt: skip
        with pytest.raises(UploadFailedError) as caught:
            await api.call("rag.upload_file", content=b"x", file_name="x.txt")
        errors.append(caught.value)
        return errors

    init, upload, embed, insecure = run(scenario)
    for error in (init, upload, embed, insecure):
        assert not any(meshapi_gateway.token in text for text in chain_texts(error))
    assert init.step == "init" and init.status == 429 and init.file_id is None
    assert init.error.error_code == "rate_limit_exceeded"
    assert upload.step == "upload" and upload.status == 403 and upload.file_id
    assert "nope" in upload.message
    assert embed.step == "embed" and embed.status == 500 and embed.file_id
    assert insecure.step == "upload" and isinstance(insecure.error, InvalidArgumentError)
    assert "sig=1" not in insecure.message  # a signed URL's signature is never shown
    assert not any("example.com" in r.path for r in gateway.requests)


# -- retries: replayable bodies are retried, one-shot bodies are not ----------------------------


def test_replayable_bodies_are_retried(
    run: Runner, meshapi_gateway: GatewayFixture, wav_file: Path
) -> None:
    gateway = meshapi_gateway.gateway
    gateway.inject(faults.Status(503), route="/v1/audio/transcriptions")
    gateway.inject(faults.Status(503), route="/_uploads/*")

    async def scenario(api: Api) -> Any:
        text = await api.call("audio.transcribe", wav_file, model=SCRIBE)
        uploaded = await api.call("rag.upload_file", wav_file)
        return text, uploaded

    text, uploaded = run(scenario)
    assert text.text.startswith("Transcribed") and uploaded.size == wav_file.stat().st_size
    first, second = requests_to(meshapi_gateway, "/v1/audio/transcriptions")
    assert first.status == 503 and second.status == 200
    assert first.body == second.body and len(first.body) > wav_file.stat().st_size
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    puts = requests_to(meshapi_gateway, "/_uploads/")
    assert [p.status for p in puts] == [503, 200] and puts[0].body == puts[1].body


def test_one_shot_bodies_are_not_retried(
    run: Runner, meshapi_gateway: GatewayFixture, wav_file: Path
) -> None:
    gateway = meshapi_gateway.gateway
    gateway.inject(faults.Status(503), route="/v1/audio/transcriptions")
    gateway.inject(faults.Status(503), route="/_uploads/*")
    audio = wav_file.read_bytes()

    async def scenario(api: Api) -> Any:
        with pytest.raises(ServerError):
            await api.call("audio.transcribe", one_shot(audio), model=SCRIBE)
        with pytest.raises(UploadFailedError) as caught:
            await api.call("rag.upload_file", one_shot(b"data"), file_name="d.txt")
        return caught.value

    error = run(scenario)
    assert error.step == "upload" and error.status == 503
    assert len(requests_to(meshapi_gateway, "/v1/audio/transcriptions")) == 1
    assert len(requests_to(meshapi_gateway, "/_uploads/")) == 1


class _ShrinkingFile(io.RawIOBase):
    """A seekable file that says it holds 100,000 bytes and ends after 10."""

    def __init__(self) -> None:
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self._pos = 100_000 if whence == 2 else offset
        return self._pos

    def read(self, size: int = -1) -> bytes:
        if self._pos >= 10:
            return b""
        self._pos = 10
        return b"0123456789"


def test_a_file_that_changes_while_sent_fails_typed(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    async def scenario(api: Api) -> Any:
        with pytest.raises(InvalidArgumentError) as caught:
            await api.call("audio.transcribe", _ShrinkingFile(), model=SCRIBE)
        return caught.value

    error = run(scenario)
    assert "ended after 10 of its 100,000 bytes" in error.message and error.param == "file"
    assert len(requests_to(meshapi_gateway, "/v1/audio/transcriptions")) <= 1  # never retried


# -- bad input, refused before anything is sent -------------------------------------------------


def test_bad_input_is_refused_before_sending(
    run: Runner, meshapi_gateway: GatewayFixture, tmp_path: Path, wav_file: Path
) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")

    async def scenario(api: Api) -> List[str]:
        messages = []
        with text_file.open("r") as opened_as_text:
            calls = [
                ("audio.transcribe", (str(tmp_path / "missing.wav"),), {"model": SCRIBE}),
                ("audio.transcribe", (tmp_path,), {"model": SCRIBE}),
                ("audio.transcribe", (42,), {"model": SCRIBE}),
                ("audio.transcribe", (opened_as_text,), {"model": SCRIBE}),
                ("audio.transcribe", (wav_file,), {}),  # model is required
                ("audio.transcribe", (), {"model": SCRIBE, "filename": "x.wav"}),
                ("images.edit", (), {"model": "m", "image": "cat.png", "prompt": "x"}),
                ("images.edit", (), {"model": "m", "image": 3.5, "prompt": "x"}),
                ("images.generate", (), {"prompt": "x", "image": "not an image!"}),
                ("rag.upload_file", (tmp_path / "missing.txt",), {}),
                ("rag.upload_file", (), {}),
                ("rag.upload_file", ({"not": "a file"},), {}),
                ("videos.wait", (12,), {}),
            ]
            for name, args, kwargs in calls:
                with pytest.raises(InvalidArgumentError) as caught:
                    await api.call(name, *args, **kwargs)
                messages.append(caught.value.message)
        with pytest.raises(InvalidArgumentError) as caught:
            await api.run(
                api.open("audio.synthesize_stream", input="x").write_to(tmp_path / "no" / "x.mp3")
            )
        messages.append(caught.value.message)
        return messages

    messages = run(scenario)
    assert meshapi_gateway.gateway.requests == []
    assert "does not exist" in messages[0] and "is a directory" in messages[1]
    assert "not int" in messages[2] and "binary mode" in messages[3]
    assert "model" in messages[4] and "no file was given" in messages[5]
    assert "pathlib.Path" in messages[6] and "not float" in messages[7]
    assert "base64" in messages[8] and "does not exist" in messages[9]
    assert "needs the file" in messages[10] and "not dict" in messages[11]
    assert "task must be" in messages[12] and "does not exist" in messages[13]


def test_an_unreadable_file_is_refused(
    run: Runner, meshapi_gateway: GatewayFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret.wav"
    secret.write_bytes(b"RIFF")
    secret.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the open fail as it would for a user
        import meshapi._files

        real_open = open

        def refusing_open(path: Any, *args: Any, **kwargs: Any) -> Any:
            if str(path) == str(secret):
                raise PermissionError(13, "Permission denied")
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(meshapi._files, "open", refusing_open, raising=False)

    async def scenario(api: Api) -> str:
        with pytest.raises(InvalidArgumentError) as caught:
            await api.call("audio.transcribe", secret, model=SCRIBE)
        return caught.value.message

    assert "not readable" in run(scenario)
    assert meshapi_gateway.gateway.requests == []


# -- interrupted downloads ----------------------------------------------------------------------


def test_a_cut_download_never_looks_complete(
    run: Runner, meshapi_gateway: GatewayFixture, tmp_path: Path
) -> None:
    gateway = meshapi_gateway.gateway
    earlier = tmp_path / "earlier.mp4"
    earlier.write_bytes(b"the previous video")

    async def scenario(api: Api) -> List[Any]:
        errors = []
        gateway.inject(faults.Drop(after_bytes=20_000), route="/v1/audio/speech")
        with pytest.raises(StreamInterruptedError) as caught:
            await api.run(
                api.open("audio.synthesize_stream", input="w " * 400).write_to(tmp_path / "s.mp3")
            )
        errors.append(caught.value)
        gateway.inject(faults.Drop(after_bytes=20_000), route="/v1/audio/speech")
        with pytest.raises(StreamInterruptedError) as caught:
            await api.run(api.open("audio.synthesize_stream", input="w " * 400).read())
        errors.append(caught.value)
        gateway.inject(faults.Reset(after_bytes=20_000), route="/v1/audio/speech")
        with pytest.raises(APIConnectionError) as connection:
            await api.call("audio.synthesize", input="w " * 400)
        errors.append(connection.value)
        task = await api.call(
            "videos.generate", model=SEEDANCE, content=[{"type": "text", "text": "x"}]
        )
        gateway.clock.advance(10)
        task = await api.call("videos.retrieve", task.id)
        gateway.inject(faults.Drop(after_bytes=100), route="/_files/*")
        with pytest.raises(StreamInterruptedError) as caught:
            await api.run(api.open("videos.download", task).write_to(earlier))
        errors.append(caught.value)
        return errors

    speech_file, speech_read, whole, video = run(scenario)
    assert speech_read.error_code == "stream_interrupted"
    assert not (tmp_path / "s.mp3").exists()
    assert earlier.read_bytes() == b"the previous video"
    assert no_part_files(tmp_path) == []
    assert speech_file.request_id and speech_file.request_id.startswith("req_")
    assert whole.response_started  # a body that broke off after the head: not retried
    assert len(requests_to(meshapi_gateway, "/v1/audio/speech")) == 3
    assert video.error_code == "stream_interrupted"


def test_signed_upload_url_in_repr_is_hidden() -> None:
    from meshapi import InitUploadResponse

    shown = repr(InitUploadResponse(file_id="f", signed_url="https://s/x?sig=SECRET"))
    assert "SECRET" not in shown
