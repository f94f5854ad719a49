"""Audio: speech, transcriptions, translations and voices (``docs/gateway/api.md`` §6; what
the emulator makes and how a synthesised file transcribes back: ``docs/data-plane/audio.md``).
Transcription forms are parsed strictly (:mod:`~meshapi.testing._gateway.multipart`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from .._gateway import media as _media
from .._gateway.catalog import shipped
from .._gateway.errors import GatewayError, detail, invalid, validation_error
from .._gateway.media_helpers import form_bool, form_float, form_int, media_model
from .._gateway.multipart import MultipartForm, parse_form
from .._gateway.plan import ResponsePlan, Write, bytes_plan, json_plan
from .._gateway.router import Route, RouteContext
from .._gateway.validate import (
    RequestSchema,
    any_object,
    boolean,
    integer,
    list_of,
    literal,
    nullable,
    number,
    string,
)

SPEECH_MODEL = "sarvam/bulbul:v3"
TRANSLATE_MODEL = "sarvam/saaras:v3"
SPEECH_WRITE = 16 * 1024

VOICES: Tuple[Dict[str, Any], ...] = tuple(shipped("voices.json"))


@dataclass
class AudioState:
    """What the audio routes remember: which text each synthesised file spoke, and the
    transcriptions made, by id."""

    spoken: Dict[str, str] = field(default_factory=dict)
    transcriptions: Dict[str, Dict[str, Any]] = field(default_factory=dict)


def _state(ctx: RouteContext) -> AudioState:
    return ctx.state.store("audio", AudioState)


def _fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_SPEECH_CHECKS = {
    "input": string(min_length=1),
    "model": nullable(string(min_length=1)),
    "voice": nullable(string()),
    "speaker": nullable(string()),
    "stream": nullable(boolean),
    "response_format": nullable(string()),
    "language_code": nullable(string()),
    "voice_settings": nullable(any_object),
    "pronunciation_dictionary_locators": nullable(list_of(any_object)),
    "seed": nullable(integer()),
    "optimize_streaming_latency": nullable(integer(ge=0, le=4)),
    "pitch": nullable(number()),
    "pace": nullable(number()),
    "loudness": nullable(number()),
    "speech_sample_rate": nullable(integer()),
    "previous_text": nullable(string()),
    "next_text": nullable(string()),
    "previous_request_ids": nullable(list_of(string())),
    "next_request_ids": nullable(list_of(string())),
    "apply_text_normalization": nullable(literal("auto", "on", "off")),
    "apply_language_text_normalization": nullable(boolean),
    "use_pvc_as_ivc": nullable(boolean),
    "enable_logging": nullable(boolean),
    "target_language_code": nullable(string()),
    "enable_preprocessing": nullable(boolean),
}
_SPEECH_REQUEST = RequestSchema(_SPEECH_CHECKS, required=("input",))


def _speech_body(kind: str, seconds: float, tone: int) -> Tuple[str, bytes]:
    if kind == "wav":
        return "audio/wav", _media.wav(seconds, tone=tone)
    if kind == "pcm":
        return "audio/pcm", _media.pcm(seconds, tone=tone)
    return "audio/mpeg", b"".join(_media.mp3(seconds))


def _writes(data: bytes) -> Iterator[Write]:
    for start in range(0, len(data), SPEECH_WRITE):
        yield Write(data[start : start + SPEECH_WRITE])


def create_speech(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    model = media_model(ctx, body.get("model"), SPEECH_MODEL, "audio")
    response_format = body.get("response_format") or "mp3_44100_128"
    kind = response_format.split("_", 1)[0]
    if kind not in ("mp3", "wav", "pcm"):
        raise invalid(
            "value_error",
            ("body", "response_format"),
            f"Unsupported response_format {response_format!r}: use mp3_*, wav_* or pcm_*",
        )
    streamed = body.get("stream") is not False
    if kind == "wav" and streamed:
        raise invalid(
            "value_error",
            ("body", "response_format"),
            "wav_* formats are only available with stream: false",
        )
    text: str = body["input"]
    ctx.charge(model, len(text))  # speech is priced per character
    seconds = min(60.0, max(0.2, 0.06 * len(text)))
    content_type, data = _speech_body(kind, seconds, _media.tone_of(f"{model}\x00{text}"))
    _state(ctx).spoken[_fingerprint(data)] = text
    if not streamed:
        return bytes_plan(200, data, content_type)
    return ResponsePlan(200, (("content-type", content_type),), _writes(data), streaming=True)


def _form(ctx: RouteContext) -> MultipartForm:
    form = parse_form(ctx.request.body, ctx.request.header("content-type"))
    ctx.entry.json = form.as_dict()  # the fields, for tests to read (files: parse the body)
    return form


def _transcript(ctx: RouteContext, form: MultipartForm, translate: bool) -> str:
    upload = form.file("file")
    if upload is None:
        source = form.value("source_url") or form.value("cloud_storage_url") or ""
        return f"Transcribed the audio at {source}."
    spoken = _state(ctx).spoken.get(_fingerprint(upload.data))
    if spoken is not None:
        return spoken
    what = "Translated" if translate else "Transcribed"
    return f"{what} {len(upload.data)} bytes of audio from {upload.filename}."


def _answer(
    ctx: RouteContext, text: str, response_format: Optional[str], **extra: Any
) -> ResponsePlan:
    if response_format not in (None, "", "json", "verbose_json", "text"):
        raise invalid(
            "enum", ("body", "response_format"), "Input should be 'json', 'verbose_json' or 'text'"
        )
    if response_format == "text":
        return bytes_plan(200, text.encode("utf-8"), "text/plain; charset=utf-8")
    payload: Dict[str, Any] = {"text": text, **extra}
    if response_format == "verbose_json":
        words, start = [], 0.0
        for word in text.split():
            words.append({"text": word, "type": "word", "start": start, "end": start + 0.3})
            start += 0.35
        payload["words"] = words
    return json_plan(200, payload)


def _require(form: MultipartForm, problems: List[Dict[str, Any]], name: str) -> Optional[str]:
    value = form.value(name)
    if not value:
        problems.append(detail("missing", ("body", name), "Field required"))
    return value


def create_transcription(ctx: RouteContext) -> ResponsePlan:
    form = _form(ctx)
    problems: List[Dict[str, Any]] = []
    model = _require(form, problems, "model")
    form_bool(form.value("diarize"), "diarize", problems)
    form_bool(form.value("tag_audio_events"), "tag_audio_events", problems)
    form_int(form.value("num_speakers"), "num_speakers", problems, ge=1, le=32)
    form_float(form.value("temperature"), "temperature", problems, ge=0, le=2)
    form_float(
        form.value("diarization_threshold"), "diarization_threshold", problems, ge=0.1, le=0.4
    )
    if form.file("file") is None and not (
        form.value("source_url") or form.value("cloud_storage_url")
    ):
        problems.append(detail("missing", ("body", "file"), "Field required (or pass source_url)"))
    if problems:
        raise validation_error(problems)
    served = media_model(ctx, model, None, "audio")
    text = _transcript(ctx, form, translate=False)
    ctx.charge(served, 0, len(text.split()))
    transcription_id = "tr_" + ctx.state.ids.ulid().lower()
    record = {
        "transcription_id": transcription_id,
        "text": text,
        "language_code": form.value("language_code") or "en",
        "language_probability": 0.99,
    }
    _state(ctx).transcriptions[transcription_id] = record
    extra = {k: v for k, v in record.items() if k != "text"}
    return _answer(ctx, text, form.value("response_format"), **extra)


def get_transcription(ctx: RouteContext) -> ResponsePlan:
    found = _state(ctx).transcriptions.get(ctx.params["transcription_id"])
    if found is None:
        raise GatewayError(404, "not_found", "Transcription not found.")
    return json_plan(200, found)


def _translator(default_model: Optional[str]) -> Callable[[RouteContext], ResponsePlan]:
    """The handler of ``POST /v1/audio/translations`` (no default: ``model`` required) or of
    ``POST /v1/audio/transcriptions/translate`` (Sarvam by default)."""
    return lambda ctx: _translation(ctx, default_model)


def _translation(ctx: RouteContext, default_model: Optional[str]) -> ResponsePlan:
    form = _form(ctx)
    problems: List[Dict[str, Any]] = []
    model = form.value("model") if default_model else _require(form, problems, "model")
    form_float(form.value("temperature"), "temperature", problems, ge=0, le=2)
    if form.file("file") is None:
        problems.append(detail("missing", ("body", "file"), "Field required"))
    if problems:
        raise validation_error(problems)
    served = media_model(ctx, model, default_model, "audio")
    text = _transcript(ctx, form, translate=True)
    ctx.charge(served, 0, len(text.split()))
    return _answer(ctx, text, form.value("response_format"))


def list_voices(ctx: RouteContext) -> ResponsePlan:
    brand = ctx.query_value("brand")
    model = ctx.query_value("model")
    search = (ctx.query_value("search") or "").lower()
    wanted = set(ctx.request.query.get("voice_ids", []))
    voices = [
        dict(v)
        for v in VOICES
        if (not brand or v["brand"] == brand)
        and (not model or v["model"] == model)
        and (not search or search in str(v["name"]).lower())
        and (not wanted or v["voice_id"] in wanted)
    ]
    return json_plan(200, {"voices": voices, "count": len(voices), "truncated": False})


def get_voice(ctx: RouteContext) -> ResponsePlan:
    for voice in VOICES:
        if voice["voice_id"] == ctx.params["voice_id"]:
            return json_plan(200, dict(voice))
    raise GatewayError(404, "not_found", f"Voice '{ctx.params['voice_id']}' not found.")


ROUTES: List[Route] = [
    Route("POST", "/v1/audio/speech", ["dp"], create_speech, request=_SPEECH_REQUEST),
    Route("POST", "/v1/audio/transcriptions/translate", ["dp"], _translator(TRANSLATE_MODEL)),
    Route("POST", "/v1/audio/transcriptions", ["dp"], create_transcription),
    Route("GET", "/v1/audio/transcriptions/{transcription_id}", ["dp"], get_transcription),
    Route("POST", "/v1/audio/translations", ["dp"], _translator(None)),
    Route("GET", "/v1/audio/voices", ["dp"], list_voices),
    Route("GET", "/v1/audio/voices/{voice_id}", ["dp"], get_voice),
]
