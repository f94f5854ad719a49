"""The three WebSocket endpoints: ``/v1/realtime``, ``/v1/audio/speech/stream/{voice_id}``,
``/v1/audio/transcriptions/realtime`` (in the emulator: ``docs/realtime.md``).

The socket server presents the credential the client offered (``Sec-WebSocket-Protocol``,
else the query parameter of :data:`~meshapi.testing._gateway.wsplan.QUERY_CREDENTIALS`) as
``Authorization``, so faults, authentication and rate limits run as for any request. These
handlers refuse with an HTTP status (426 without ``Upgrade: websocket``; realtime: 400
without ``model``, 404 for an unknown one; transcription: 400 for an unknown
``audio_format``), or answer an :class:`~meshapi.testing._gateway.wsplan.UpgradePlan` whose
body is the session (:mod:`~meshapi.testing._gateway.sessions`).
"""

from __future__ import annotations

import random
from typing import List, Optional

from .._gateway.clock import SystemClock
from .._gateway.errors import GatewayError
from .._gateway.ids import IdFactory
from .._gateway.plan import ResponsePlan
from .._gateway.router import Route, RouteContext
from .._gateway.sessions import RealtimeSim, SessionSim, SpeechStreamSim, TranscriptionSim
from .._gateway.wsplan import UpgradePlan, is_upgrade, offered_subprotocols
from ..realtime import RealtimeState

STT_FORMATS = (
    "pcm_8000", "pcm_16000", "pcm_22050", "pcm_24000", "pcm_44100", "pcm_48000", "ulaw_8000",
)  # fmt: skip
"""The realtime STT audio formats ``docs/gateway/api.md`` §6.7 lists."""


def _check(ctx: RouteContext) -> None:
    if not is_upgrade(ctx.request.header):
        raise GatewayError(
            426,
            "upgrade_required",
            "This endpoint speaks WebSocket only: connect with wss:// (Upgrade: websocket).",
            headers=(("upgrade", "websocket"),),
        )


def _session_ids(ctx: RouteContext) -> IdFactory:
    """Ids for one session, from a generator of its own (the session runs outside the
    gateway's lock), seeded from the gateway's so every run is the same."""
    return IdFactory(SystemClock(), random.Random(ctx.state.ids.alnum(16)))


def _plan(
    ctx: RouteContext, sim: SessionSim, subprotocol: Optional[str], *, realtime: bool = False
) -> ResponsePlan:
    store = ctx.state.store("realtime", RealtimeState)
    owner = ctx.principal.owner
    refuse = store.open(owner)
    limits = store.settings
    return UpgradePlan(
        101,
        (),
        sim.steps(refuse),  # type: ignore[arg-type]  # session steps pass through faults
        streaming=True,
        subprotocol=subprotocol,
        inbox=sim.inbox,
        idle_timeout=limits.idle_timeout if realtime else None,
        max_duration=limits.max_duration if realtime else None,
        on_end=(lambda: None) if refuse else (lambda: store.close(owner)),
    )


def _realtime(ctx: RouteContext) -> ResponsePlan:
    _check(ctx)
    model = ctx.query_value("model")
    if not model:
        raise GatewayError(400, "bad_request", "The model query parameter is required.")
    if model not in ctx.state.catalog and "realtime" not in model:
        raise ctx.not_found(f"Model {model!r} is not a realtime model.", "model_not_found")
    script = ctx.state.script

    def scripted() -> Optional[str]:
        reply = script.take(model, False)
        return reply.text if reply is not None else None

    sim = RealtimeSim(_session_ids(ctx), ctx.request_id, model, scripted)
    offered = offered_subprotocols(ctx.request.header("sec-websocket-protocol"))
    chosen = "openai-realtime" if "openai-realtime" in offered else None
    return _plan(ctx, sim, chosen, realtime=True)


def _speech(ctx: RouteContext) -> ResponsePlan:
    _check(ctx)
    model = ctx.query_value("model") or "hexgrad/kokoro-82m"
    sim = SpeechStreamSim(_session_ids(ctx), ctx.request_id, ctx.params["voice_id"], model)
    return _plan(ctx, sim, None)


def _transcription(ctx: RouteContext) -> ResponsePlan:
    _check(ctx)
    audio_format = ctx.query_value("audio_format") or "pcm_16000"
    if audio_format not in STT_FORMATS:
        raise GatewayError(
            400, "invalid_request", f"audio_format must be one of {', '.join(STT_FORMATS)}."
        )
    model = ctx.query_value("model") or "elevenlabs/scribe_v2_realtime"
    sim = TranscriptionSim(_session_ids(ctx), ctx.request_id, model, audio_format)
    return _plan(ctx, sim, None)


ROUTES: List[Route] = [
    Route("GET", "/v1/realtime", ["dp"], _realtime),
    Route("GET", "/v1/audio/speech/stream/{voice_id}", ["dp"], _speech),
    Route("GET", "/v1/audio/transcriptions/realtime", ["dp"], _transcription),
]
