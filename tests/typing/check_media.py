"""Checked by ``mypy --strict`` in ``scripts/lint``, never run: the media methods type-check
in the forms users write them (the vendor SDK's included), and mistakes are caught."""

from __future__ import annotations

import io
from pathlib import Path

from meshapi import (
    AsyncMeshAPI,
    ImageGenerationResponse,
    MeshAPI,
    SpeechParams,
    TranscriptionParams,
    TranscriptionResponse,
    UploadFileResult,
    VideoTaskResponse,
)


def vendor_shapes(client: MeshAPI, audio: bytes) -> None:
    result: TranscriptionResponse = client.audio.transcribe(
        audio, TranscriptionParams(model="elevenlabs/scribe_v2"), filename="a.mp3"
    )
    speech: bytes = client.audio.synthesize(SpeechParams(input="hi"))
    images: ImageGenerationResponse = client.images.generate({"prompt": "a fox"})
    print(result.text, speech, images.data)


def files_in_every_form(client: MeshAPI) -> None:
    client.audio.transcribe("a.mp3", model="m")
    client.audio.transcribe(Path("a.mp3"), model="m", content_type="audio/mpeg")
    client.audio.transcribe(io.BytesIO(b"x"), model="m")
    client.audio.transcribe(("a.mp3", b"x", "audio/mpeg"), model="m")
    client.audio.transcribe(model="m", source_url="https://x/a.mp3")
    client.images.edit(model="m", image=Path("cat.png"), prompt="a hat")
    uploaded: UploadFileResult = client.rag.upload_file(Path("notes.md"), metadata={"a": 1})
    print(uploaded.file_id)


def downloads(client: MeshAPI) -> None:
    size: int = client.audio.synthesize_stream(input="hi").write_to("hi.mp3")
    task: VideoTaskResponse = client.videos.wait("cgt-1", deadline=60.0, poll_interval=2)
    client.videos.download(task).write_to(Path("v.mp4"))
    for piece in client.audio.synthesize_stream(input="hi"):
        chunk: bytes = piece
        del chunk
    print(size)


def mistakes(client: MeshAPI) -> None:
    client.audio.transcribe(b"x", model="m", diarise=True)  # type: ignore[call-overload]
    client.videos.wait("cgt-1", max_wait=1.0)  # type: ignore[call-arg]
    client.rag.upload_file(Path("a"), embed="yes")  # type: ignore[arg-type]


async def async_forms(client: AsyncMeshAPI) -> None:
    size: int = await client.audio.synthesize_stream(input="hi").write_to("hi.mp3")
    uploaded: UploadFileResult = await client.rag.upload_file(b"data", file_name="d.txt")
    task = await client.videos.wait(await client.videos.retrieve("cgt-1"))
    async for piece in client.videos.download(task):
        print(len(piece))
    async for item in client.videos.list(limit=5):
        found: VideoTaskResponse = item
        del found
    print(size, uploaded)
