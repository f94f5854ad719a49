"""The gateway's three WebSocket endpoints, declared once, and how a session is prepared.

A :class:`SessionEndpoint` is to a session what :class:`~meshapi_core.endpoint.Endpoint` is
to a call: its path template, the credentials that may open it, its query parameters (a
request model), the subprotocols it speaks and the gateway's limits on it.
:func:`prepare_session` turns a declaration and a caller's arguments into a
:class:`SessionPlan`: the :class:`~meshapi_core.websocket.WebSocketRequest` a transport opens,
and the :class:`~meshapi_core.realtime.protocol.SessionProtocol` that runs the session once it
is open. They are not ``Endpoint`` objects (no reply, no retries: a session is never
repeated), so the REST machinery never meets them.

Authentication. The token never goes into the URL, where the gateway's docs warn it is
visible client-side and in proxies' logs. It travels in ``Sec-WebSocket-Protocol`` as the
entry ``Bearer <token>``: the form the gateway documents for all three endpoints
(``docs/gateway/api.md`` §6.7 and §15; the realtime docs also show a dotted ``Bearer.<token>``
form for browsers, which the gateway accepts too). Realtime offers ``openai-realtime`` first,
the subprotocol the server selects. ``extra_query`` may not carry a credential (``api_key``,
``token``...).

URLs. The base URL's ``https`` becomes ``wss`` and ``http`` (loopback only, unless
``allow_insecure_http``: :func:`~meshapi_core.config.normalize_base_url` already refused the
rest) becomes ``ws``. ``X-Mesh-Version`` is not sent: the realtime socket ignores it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    FrozenSet,
    Generic,
    Mapping,
    Optional,
    Tuple,
    Type,
    TypedDict,
    TypeVar,
)
from urllib.parse import urlencode

from ..config import SDK_HEADER, ClientConfig, _query_pairs, check_headers
from ..endpoint import DATA, Credential, Endpoint
from ..errors import InvalidArgumentError
from ..http import Timeout, TimeoutTypes
from ..models.base import RequestModel
from ..models.realtime import (
    RealtimeConnectParams,
    SpeechStreamParams,
    TranscriptionSessionParams,
)
from ..params import bind, encode_query
from ..websocket import WebSocketRequest
from .pacing import DEFAULT_MAX_AUDIO_LEAD, byte_rate
from .protocol import SessionKind, SessionLimits, SessionProtocol

__all__ = [
    "REALTIME",
    "SPEECH_STREAM",
    "TRANSCRIPTION",
    "SessionEndpoint",
    "SessionOptions",
    "SessionPlan",
    "prepare_session",
]

P = TypeVar("P", bound=RequestModel)

_SECRET_QUERY = frozenset({"api_key", "apikey", "token", "key", "access_token", "authorization"})
_NO_LIMITS = SessionLimits(idle_timeout=None, max_duration=None)
_REALTIME_INPUT_RATE = 48_000  # audio/pcm at 24 kHz, 16-bit mono: the GA default


@dataclass(frozen=True)
class SessionEndpoint(Generic[P]):
    """One WebSocket endpoint: see the module docs."""

    kind: SessionKind
    path: str
    params: Type[P]
    realms: FrozenSet[Credential] = DATA
    subprotocols: Tuple[str, ...] = ()
    limits: SessionLimits = field(default_factory=SessionLimits)

    def path_for(self, values: Mapping[str, Any]) -> str:
        """The path with its parameters checked and percent-encoded."""
        return Endpoint("GET", self.path, self.realms).path_for(values)


REALTIME: SessionEndpoint[RealtimeConnectParams] = SessionEndpoint(
    SessionKind.REALTIME,
    "/v1/realtime",
    RealtimeConnectParams,
    subprotocols=("openai-realtime",),
    limits=SessionLimits(idle_timeout=60.0, max_duration=1800.0),
)
"""Speech-to-speech (``docs/gateway/api.md`` §15): 60 s idle limit, 30-minute sessions."""

SPEECH_STREAM: SessionEndpoint[SpeechStreamParams] = SessionEndpoint(
    SessionKind.SPEECH,
    "/v1/audio/speech/stream/{voice_id}",
    SpeechStreamParams,
    limits=_NO_LIMITS,
)
"""Incremental text-to-speech (``docs/gateway/api.md`` §6.7); no limits documented."""

TRANSCRIPTION: SessionEndpoint[TranscriptionSessionParams] = SessionEndpoint(
    SessionKind.TRANSCRIPTION,
    "/v1/audio/transcriptions/realtime",
    TranscriptionSessionParams,
    limits=_NO_LIMITS,
)
"""Realtime speech-to-text (``docs/gateway/api.md`` §6.7); no limits documented."""


class SessionOptions(TypedDict, total=False):
    """The keyword options a session takes besides its parameters."""

    timeout: TimeoutTypes
    """Seconds (or a :class:`~meshapi_core.http.Timeout`): ``connect`` for the connection,
    ``read`` for the handshake and each wait for a message, ``write`` for each send."""
    extra_headers: Mapping[str, str]
    """Headers sent with the handshake, as given (never a credential, nor
    ``Sec-WebSocket-Protocol``: see :data:`~meshapi_core.config.CREDENTIAL_HEADERS`)."""
    extra_query: Mapping[str, Any]
    """Query parameters sent as given (never a credential)."""
    max_audio_lead: Optional[float]
    """Seconds of audio the session may send ahead of real time (default 5; ``None``: as
    fast as the socket allows)."""


_OPTION_NAMES = frozenset(SessionOptions.__annotations__)


@dataclass(frozen=True)
class SessionPlan:
    """A prepared session: the handshake to open, and what runs the session once open."""

    endpoint: SessionEndpoint[Any]
    request: WebSocketRequest
    params: RequestModel
    max_audio_lead: Optional[float]
    read_timeout: Optional[float]

    def protocol(self, headers: Mapping[str, str], clock: Callable[[], float]) -> SessionProtocol:
        """The session machine, for a handshake answered with ``headers``."""
        kind = self.endpoint.kind
        audio_format = getattr(self.params, "audio_format", None)
        rate = _REALTIME_INPUT_RATE if kind is SessionKind.REALTIME else byte_rate(audio_format)
        model = getattr(self.params, "model", None) or ""
        family = "elevenlabs" if model.startswith("elevenlabs/") else "standard"
        return SessionProtocol(
            kind,
            headers=headers,
            clock=clock,
            read_timeout=self.read_timeout,
            limits=self.endpoint.limits,
            input_rate=rate,
            max_audio_lead=self.max_audio_lead,
            audio_format=audio_format,
            family=family,
        )


def _websocket_base(base_url: str) -> str:
    scheme, rest = base_url.split("://", 1)
    return ("wss" if scheme == "https" else "ws") + "://" + rest


def _check_query(pairs: Any, what: str) -> None:
    for name, _ in pairs:
        if str(name).lower() in _SECRET_QUERY:
            raise InvalidArgumentError(
                f"{what} may not carry {name!r}: the token never goes into the URL (it is sent "
                "in Sec-WebSocket-Protocol)",
                param=what,
            )


def prepare_session(
    endpoint: SessionEndpoint[P],
    config: ClientConfig,
    *,
    params: Any = None,
    fields: Optional[Mapping[str, Any]] = None,
    path: Optional[Mapping[str, Any]] = None,
    options: Optional[Mapping[str, Any]] = None,
) -> SessionPlan:
    """The plan of one session of ``endpoint``: arguments checked, handshake built.

    ``params`` is the params model or a dict of its fields, ``fields`` the same as keywords,
    ``path`` the path parameters, ``options`` the keywords of :class:`SessionOptions`.
    Raises :class:`~meshapi_core.errors.InvalidArgumentError` (naming the argument) before
    anything is sent.

    >>> config = ClientConfig.create(base_url="https://api.meshapi.ai", token="rsk_secret")
    >>> plan = prepare_session(REALTIME, config, fields={"model": "openai/gpt-realtime"})
    >>> plan.request.url
    'wss://api.meshapi.ai/v1/realtime?model=openai%2Fgpt-realtime'
    >>> plan.request.subprotocols[0], "rsk_secret" in repr(plan.request)
    ('openai-realtime', False)
    """
    options = dict(options or {})
    unknown = set(options) - _OPTION_NAMES
    if unknown:
        raise InvalidArgumentError(
            f"unknown option(s) for a session: {', '.join(sorted(unknown))} (sessions take "
            f"{', '.join(sorted(_OPTION_NAMES))})"
        )
    config.check_realm("GET", endpoint.path, endpoint.realms)
    url_path = endpoint.path_for(path or {})
    bound = bind(endpoint.params, params, fields)
    pairs = encode_query(bound)
    _check_query(pairs, "params")
    extra_query = options.get("extra_query")
    if extra_query is not None:
        if not isinstance(extra_query, Mapping):
            raise InvalidArgumentError("extra_query must be a mapping", param="extra_query")
        extra = list(_query_pairs(extra_query))
        _check_query(extra, "extra_query")
        pairs.extend(extra)
    url = _websocket_base(config.base_url) + url_path
    if pairs:
        url = f"{url}?{urlencode(pairs)}"
    headers = [SDK_HEADER] if config.sdk_header else []
    headers.extend(config.default_headers)
    extra_headers = check_headers(options.get("extra_headers"), "extra_headers")
    if extra_headers:
        names = {name for name, _ in extra_headers}
        headers = [h for h in headers if h[0] not in names] + list(extra_headers)
    timeout_value = options.get("timeout")
    try:
        timeout = config.timeout if timeout_value is None else Timeout.of(timeout_value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(str(exc), param="timeout") from None
    lead = options.get("max_audio_lead", DEFAULT_MAX_AUDIO_LEAD)
    if lead is not None and (isinstance(lead, bool) or not isinstance(lead, (int, float))
                             or lead < 0):  # fmt: skip
        raise InvalidArgumentError(
            f"max_audio_lead must be seconds (0 or more) or None, not {lead!r}",
            param="max_audio_lead",
        )
    request = WebSocketRequest(
        url,
        subprotocols=(*endpoint.subprotocols, f"Bearer {config.token}"),
        headers=tuple(headers),
        timeout=timeout,
        max_message_size=config.max_event_size,
    )
    return SessionPlan(
        endpoint,
        request,
        bound,
        None if lead is None else float(lead),
        timeout.read,
    )
