"""The gateway's WebSocket sessions, as pure protocol: no sockets, no clocks of its own.

Three sessions share one machine (``docs/gateway/api.md`` §6.7 and §15,
``docs/gateway/streaming.md`` §7, ``docs/gateway/errors.md`` §6):

- realtime speech-to-speech, ``/v1/realtime?model=...``: OpenAI Realtime GA events;
- incremental text-to-speech, ``/v1/audio/speech/stream/{voice_id}``;
- realtime speech-to-text, ``/v1/audio/transcriptions/realtime``.

- :mod:`~meshapi_core.realtime.endpoints`: the three endpoints declared once, and
  ``prepare_session``: a caller's arguments to a handshake;
- :mod:`~meshapi_core.realtime.protocol`: ``SessionProtocol``, events out, messages in,
  state, the gateway's limits, stall detection;
- :mod:`~meshapi_core.realtime.messages`: ``RealtimeMessage``, a received frame decoded,
  beta event names mapped to GA ones;
- :mod:`~meshapi_core.realtime.errors`: error events and close codes as the ``MeshAPIError``
  family;
- :mod:`~meshapi_core.realtime.pacing`: ``AudioPacer``, audio kept within a bound of real
  time.

The transport's half of the contract (open, send text, receive, close) is
:mod:`meshapi_core.websocket`; the facade's sessions (``client.realtime.connect(...)``) drive
the two together.
"""

from .endpoints import REALTIME, SPEECH_STREAM, TRANSCRIPTION, SessionPlan, prepare_session
from .errors import RealtimeError, SessionClosedError
from .messages import RealtimeMessage
from .protocol import SessionKind, SessionLimits, SessionProtocol, SessionState

__all__ = [
    "REALTIME",
    "SPEECH_STREAM",
    "TRANSCRIPTION",
    "RealtimeError",
    "RealtimeMessage",
    "SessionClosedError",
    "SessionKind",
    "SessionLimits",
    "SessionPlan",
    "SessionProtocol",
    "SessionState",
    "prepare_session",
]
