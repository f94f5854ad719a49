"""Checked by ``mypy --strict``, never run: the sessions' types, blocking and async, and the
mistakes mypy must catch (every ``type: ignore`` marks one)."""

from __future__ import annotations

from typing import Optional

from meshapi import (
    AsyncMeshAPI,
    AsyncRealtimeSession,
    MeshAPI,
    RealtimeMessage,
    RealtimeSession,
    TranscriptionSession,
)


def blocking(client: MeshAPI) -> Optional[bytes]:
    session: RealtimeSession = client.realtime.connect(model="m", max_audio_lead=None)
    with session:
        session.send_audio(b"\x00\x00")
        message: RealtimeMessage = session.receive()
        return message.audio


async def awaited(client: AsyncMeshAPI) -> str:
    session: AsyncRealtimeSession = await client.realtime.connect(model="m", timeout=5.0)
    async with client.realtime.connect(model="m") as again:
        await again.update_session({"instructions": "hi"})
    await session.close()
    return (await session.receive()).type


def transcription(client: MeshAPI) -> TranscriptionSession:
    return client.realtime.transcription(audio_format="pcm_16000")


def mistakes(client: MeshAPI) -> None:
    client.realtime.connect(modle="m")  # type: ignore[call-arg]
    client.realtime.connect(model="m", max_retries=2)  # type: ignore[call-arg]
    client.realtime.speech(voice_id="v")  # type: ignore[call-arg]
