"""meshapi 0.1.11's ``meshapi.resources.realtime``, kept so its imports run: deprecated,
import its names from :mod:`meshapi`."""

from meshapi import (
    AsyncRealtimeResource,
    AsyncRealtimeSession,
    RealtimeError,
    RealtimeMessage,
    RealtimeResource,
    RealtimeSession,
)
from meshapi._compat.vendor import moved as _moved

__all__ = [
    "AsyncRealtimeResource",
    "AsyncRealtimeSession",
    "RealtimeError",
    "RealtimeMessage",
    "RealtimeResource",
    "RealtimeSession",
]

_moved(__name__, "from meshapi import " + ", ".join(__all__))
