"""Audio sent faster than real time: how far ahead the SDK lets it get.

A realtime session is a conversation: the gateway and the model read input audio as it is
spoken. A caller that pushes a ten-minute file as fast as the socket takes it fills the
upstream's buffers with audio the model will only reach minutes later, and loses the
turn-taking that makes the session realtime. :class:`AudioPacer` keeps the audio sent at most
``max_lead`` seconds ahead of the wall clock: it counts the seconds of audio sent since the
session's first chunk and, when the audio already sent is further ahead of the time elapsed
than ``max_lead``, says how long to wait before the next chunk goes out. Live capture, which
sends each chunk once it has been recorded, is never delayed. The session sleeps that
long (through the transport, so in the event loop's own way), never the core.

The duration of a chunk follows from its format's byte rate: 16-bit mono PCM at ``r`` Hz is
``2 * r`` bytes a second, G.711 (u-law, a-law) ``r``. A format the pacer does not know is not
paced. ``max_lead=None`` turns pacing off (upload as fast as the socket allows).

>>> clock = [0.0]
>>> pacer = AudioPacer(48_000, max_lead=1.0, clock=lambda: clock[0])
>>> pacer.delay(96_000)      # two seconds of audio at once: nothing sent yet, go
0.0
>>> pacer.delay(48_000)      # two seconds already sent, none elapsed: wait one
1.0
>>> clock[0] = 2.0; pacer.delay(48_000)   # three sent, two elapsed: one ahead is allowed
0.0
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

__all__ = [
    "DEFAULT_MAX_AUDIO_LEAD",
    "MAX_AUDIO_CHUNK",
    "AudioPacer",
    "byte_rate",
    "realtime_input_rate",
]

DEFAULT_MAX_AUDIO_LEAD = 5.0
"""Seconds of audio a session may send ahead of real time, by default."""

MAX_AUDIO_CHUNK = 15 * 1024 * 1024
"""The most audio one append may carry, in bytes: OpenAI's limit on one
``input_audio_buffer.append`` *[OpenAI GA]*; bigger chunks are refused before sending."""


def byte_rate(audio_format: Optional[str]) -> Optional[int]:
    """Bytes per second of a format named the audio sockets' way (``pcm_16000``,
    ``ulaw_8000``), or ``None`` for one without a fixed rate (``mp3_*``) or unknown.

    >>> byte_rate("pcm_16000"), byte_rate("ulaw_8000"), byte_rate("mp3_44100_128")
    (32000, 8000, None)
    """
    if not audio_format:
        return None
    kind, _, rest = audio_format.partition("_")
    rate = rest.split("_")[0]
    if not rate.isdigit():
        return None
    if kind == "pcm":
        return 2 * int(rate)
    if kind in ("ulaw", "alaw"):
        return int(rate)
    return None


def realtime_input_rate(session: Mapping[str, Any], current: Optional[int]) -> Optional[int]:
    """The input byte rate a GA ``session`` object sets (``audio.input.format``), else
    ``current``: ``audio/pcm`` at ``rate`` Hz (24 kHz by default), ``audio/pcmu`` and
    ``audio/pcma`` at 8 kHz.

    >>> realtime_input_rate({"audio": {"input": {"format": {"type": "audio/pcmu"}}}}, 48000)
    8000
    >>> realtime_input_rate({"instructions": "hi"}, 48000)
    48000
    """
    audio = session.get("audio")
    fmt = None
    if isinstance(audio, Mapping) and isinstance(audio.get("input"), Mapping):
        fmt = audio["input"].get("format")
    if not isinstance(fmt, Mapping):
        return current
    kind = fmt.get("type")
    if kind == "audio/pcm":
        rate = fmt.get("rate")
        return 2 * (rate if isinstance(rate, int) and rate > 0 else 24_000)
    if kind in ("audio/pcmu", "audio/pcma"):
        return 8_000
    return None


class AudioPacer:
    """Says how long to wait before sending audio so it stays at most ``max_lead`` seconds
    ahead of real time (see the module docs). ``bytes_per_second`` may change mid-session
    (:meth:`set_rate`); ``None`` stops pacing."""

    def __init__(
        self,
        bytes_per_second: Optional[int],
        *,
        max_lead: Optional[float],
        clock: Callable[[], float],
    ) -> None:
        self.bytes_per_second = bytes_per_second
        self.max_lead = max_lead
        self._clock = clock
        self._started: Optional[float] = None
        self._sent_seconds = 0.0

    def set_rate(self, bytes_per_second: Optional[int]) -> None:
        """The input format changed: count further audio at this rate."""
        self.bytes_per_second = bytes_per_second

    def delay(self, size: int) -> float:
        """Seconds to wait before sending ``size`` bytes of audio; counts them as sent."""
        rate, lead = self.bytes_per_second, self.max_lead
        if not rate or lead is None or size <= 0:
            return 0.0
        now = self._clock()
        if self._started is None:
            self._started = now
        ahead = self._sent_seconds - (now - self._started)
        if ahead < 0:  # the caller fell behind real time: that slack is not banked
            self._started = now - self._sent_seconds
            ahead = 0.0
        self._sent_seconds += size / rate
        return max(0.0, ahead - lead)

    @property
    def sent_seconds(self) -> float:
        """Seconds of audio counted so far."""
        return self._sent_seconds
