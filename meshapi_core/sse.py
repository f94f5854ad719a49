"""An incremental decoder for ``text/event-stream`` bodies (Server-Sent Events).

Feed it the body's bytes as they arrive, in pieces of any size; it returns each event as soon
as the blank line that ends it has arrived. It follows the WHATWG "event stream
interpretation" rules exactly, does no I/O, and bounds the memory a hostile or broken server
can make it hold.
"""

# Theory of operation
# -------------------
#
# Bytes become text through an incremental UTF-8 decoder, so a character split between two
# feeds comes out whole and a bad byte becomes U+FFFD instead of an exception. The first text
# the stream produces loses one leading U+FEFF (a BOM), however its bytes were split.
#
# The text of each feed is split once on line ends: CRLF and lone CRs are first replaced by
# LF, then str.split("\n") does the rest, all at C speed (str.splitlines would also split on
# U+2028, form feeds and the like, which are ordinary characters here). Every piece but the
# last is a complete line; the last is the start of a line whose end has not arrived.
# It waits in a list of pieces, so a long line arriving in many feeds costs one join when its
# end arrives, not one copy per feed, and only new text is ever searched: the work is linear
# in the size of the stream. A feed that ends with CR has ended a line, but if the next feed
# starts with LF, that LF belongs to the same CRLF and is dropped.
#
# Complete lines are interpreted in order. A ``data:`` line, which is nearly all of any real
# stream, is recognised before the general field parsing. Data lines are kept in a list and
# joined with "\n" when the blank line ending the event arrives, which is the WHATWG buffer's
# "append value and LF, then remove the last LF". The event's id is the last event ID in
# force when it is dispatched; ``retry`` is reported on the event it came with.
#
# A reader that needs only the events' data (the stream machine, for a stream of one JSON
# model) calls feed_data, which returns each event as its data string, with no event object.
# It also takes a shortcut when the decoder is between events (no line, field, character or
# CR held over, and the last event ID in force): a read that is one frame of one "data: "
# line, which is how a gateway sends each token, is recognised with a few string searches;
# a longer read is split on blank lines, and its whole frames taken at once if each is one
# "data: " line. Anything else (a comment, an id, a CR, two lines in a frame) and the rest of
# a read after its last whole frame go through the line loop. The shortcut's results are the
# loop's, which the property tests check on any split of any stream.
#
# Limits: a line, whether pending or complete, and an event's data may each hold at most
# ``max_event_size`` characters. Past that the decoder raises ResponseDecodeError
# (``event_too_large``) and stays broken, since the rest of the stream cannot be framed with
# confidence. Whether the limit trips depends only on the stream, not on how it was split.
#
# End of stream: WHATWG discards an event that no blank line ended, so close() returns no
# events; it returns a list anyway so that callers can treat it like feed().

from __future__ import annotations

import codecs
from typing import List, NoReturn, Optional, Union

from .errors import ResponseDecodeError

__all__ = ["SSEDecoder", "ServerSentEvent"]

_BOM = "\ufeff"
# A retry value longer than this is ignored: no server means it, and converting a
# multi-megabyte run of digits to an int takes quadratic time (and raises on Python 3.11+).
_MAX_RETRY_DIGITS = 4000


class ServerSentEvent:
    """One dispatched event.

    Attributes:
        event: the event type; ``"message"`` when the event had no (or an empty) ``event:``.
        data: the event's ``data:`` lines joined with ``"\\n"``.
        id: the last event ID in force when the event was dispatched, ``""`` if none.
        retry: the reconnection time in milliseconds, if a valid ``retry:`` field came with
            this event, else ``None``.

    >>> ServerSentEvent(data='{"ok": true}')
    ServerSentEvent(event='message', data='{"ok": true}', id='', retry=None)
    """

    __slots__ = ("data", "event", "id", "retry")

    def __init__(
        self,
        event: str = "message",
        data: str = "",
        id: str = "",
        retry: Optional[int] = None,
    ) -> None:
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry

    def __repr__(self) -> str:
        return (
            f"ServerSentEvent(event={self.event!r}, data={self.data!r}, id={self.id!r}, "
            f"retry={self.retry!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerSentEvent):
            return NotImplemented
        return (
            self.event == other.event
            and self.data == other.data
            and self.id == other.id
            and self.retry == other.retry
        )


class SSEDecoder:
    """Turns the bytes of an event stream into :class:`ServerSentEvent` objects.

    Call :meth:`feed` with each piece of the body as it arrives and :meth:`close` at its end.

    Attributes:
        comments: how many comment lines (``:`` first, e.g. the keep-alive ``: ping``) have
            been seen.
        last_event_id: the last event ID string: the value of the latest valid ``id:`` field,
            as of the latest blank line (WHATWG sets it at dispatch time). A client that
            reconnects sends it as ``Last-Event-ID``.

    >>> decoder = SSEDecoder()
    >>> decoder.feed(b'event: ping\\ndata: {"n": 1}\\n\\n: keep-alive\\r\\ndata: hal')
    [ServerSentEvent(event='ping', data='{"n": 1}', id='', retry=None)]
    >>> decoder.feed(b"f\\ndata:second line\\nid: 7\\n\\n")
    [ServerSentEvent(event='message', data='half\\nsecond line', id='7', retry=None)]
    >>> decoder.comments, decoder.last_event_id
    (1, '7')
    >>> decoder.feed(b"data: never finished\\n")
    []
    >>> decoder.close()
    []
    """

    def __init__(self, max_event_size: int = 16 * 1024 * 1024) -> None:
        """Make a decoder for one stream.

        ``max_event_size`` bounds, in characters, both the longest line and the data of one
        event; a stream that exceeds it raises :class:`~meshapi_core.errors.ResponseDecodeError`
        with ``error_code="event_too_large"``. It must be a positive int.
        """
        if (
            isinstance(max_event_size, bool)
            or not isinstance(max_event_size, int)
            or max_event_size <= 0
        ):
            raise ValueError(f"max_event_size must be a positive int, not {max_event_size!r}")
        self.comments = 0
        self.last_event_id = ""
        self._max = max_event_size
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")
        self._utf8_idle = True  # the UTF-8 decoder holds no partial character
        self._started = False  # has the first character (maybe a BOM) been seen?
        self._after_cr = False  # did the last text end with CR, so a leading LF is dropped?
        self._pending: List[str] = []  # pieces of the line whose end has not arrived
        self._pending_len = 0
        self._data: List[str] = []  # the event's data lines
        self._data_len = 0  # len("\n".join(self._data)) + 1, once there is data
        self._event_type = ""
        self._id = ""  # the last event ID buffer
        self._retry: Optional[int] = None
        self._closed = False
        self._failure: Optional[str] = None
        self._between = False  # between events, with nothing held over: see _feed

    def feed(self, data: bytes) -> List[ServerSentEvent]:
        """Take the next bytes of the stream; return the events they complete, in order.

        Raises :class:`~meshapi_core.errors.ResponseDecodeError` (``event_too_large``) if a
        line or an event's data exceeds ``max_event_size``; the events completed by the same
        feed are lost with it, and every later call raises again. Feeding a closed decoder is
        a programming error and raises :class:`RuntimeError`.
        """
        return self._feed(data, False)  # type: ignore[return-value]

    def feed_data(self, data: bytes) -> List[str]:
        """:meth:`feed`, for a reader to whom only the events' data matter: each event comes
        out as its ``data`` alone (its type, ID and retry time are dropped; ``last_event_id``
        still follows the stream). The same rules, limits and errors, and faster: the whole
        ``data: `` frames with which a read starts, between events, skip the line loop.

        >>> decoder = SSEDecoder()
        >>> decoder.feed_data(b'data: {"n": 1}\\n\\nevent: x\\ndata: 2\\n\\n: ping\\n\\ndata: 3')
        ['{"n": 1}', '2']
        """
        if self._between:  # one whole frame of one "data: " line: a token, as a gateway sends it
            try:  # whole: nothing is held over (see _feed). UTF-8, the default: no names of
                text = data.decode()  # an encoding and an error handler to look up
            except UnicodeDecodeError:  # a bad byte: _feed decodes it to U+FFFD
                return self._feed(data, True)  # type: ignore[return-value]
            end = len(text) - 2
            if (
                text.find("\n") == end
                and text[end:] == "\n\n"
                and text[:6] == "data: "
                and "\r" not in text
                and end <= self._max
            ):
                return [text[6:end]]
        return self._feed(data, True)  # type: ignore[return-value]

    def _feed(self, data: bytes, data_only: bool) -> List[Union[ServerSentEvent, str]]:
        if self._closed:
            raise RuntimeError("SSEDecoder.feed() called after close()")
        if self._failure is not None:
            raise ResponseDecodeError(self._failure, error_code="event_too_large")
        between, self._between = self._between, False  # until this feed's end says otherwise
        if self._utf8_idle and data and data[-1] < 0x80:
            # Nothing is held over and the read ends on an ASCII byte, so no character is
            # cut at its end: decoding it whole gives what the incremental decoder would.
            text = data.decode("utf-8", "replace")
        else:
            text = self._utf8.decode(data)
            self._utf8_idle = not self._utf8.getstate()[0]
        if not text:
            return []
        if not self._started:
            self._started = True
            if text[0] == _BOM:
                text = text[1:]
        if self._after_cr:
            self._after_cr = False
            if text[:1] == "\n":
                text = text[1:]
        if not text:
            return []

        events: List[Union[ServerSentEvent, str]] = []
        if between and data_only and "\r" not in text:
            # Between events (no field, line or character held over, no CR pending), the
            # whole frames a read starts with are split on their blank lines at C speed when
            # each is one "data: " line: the shape of nearly every read. A read with another
            # line takes the loop below; what follows the last whole frame always does.
            end = text.rfind("\n\n") + 2  # the end of the last whole frame (1: none)
            frames = (text if end == len(text) else text[:end]).split("\n\n")
            frames.pop()  # the empty text after the last blank line
            if 1 < end <= self._max and text.count("\n", 0, end) == 2 * len(frames):
                for frame in frames:
                    if frame[:6] != "data: ":
                        events = []
                        break
                    events.append(frame[6:])
                else:
                    if end == len(text):
                        self._between = True
                        return events
                    text = text[end:]  # holds no blank line: it completes no event

        if "\r" in text:  # CRLF is one line end and a lone CR is another: make both LF
            self._after_cr = text[-1] == "\r"
            lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        else:
            lines = text.split("\n")
        rest = lines.pop()
        limit = self._max
        if not lines:  # no line end yet: the pending line grows
            self._pending.append(text)
            self._pending_len += len(text)
            if self._pending_len > limit:
                self._fail("a line")
            return events
        if self._pending:
            lines[0] = "".join(self._pending) + lines[0]
            self._pending = []
            if len(lines[0]) > limit:
                self._fail("a line")
        if len(text) > limit and max(map(len, lines)) > limit:
            self._fail("a line")
        if rest:
            if len(rest) > limit:
                self._fail("a line")
            self._pending.append(rest)
        self._pending_len = len(rest)

        values = self._data
        data_len = self._data_len
        data_limit = limit + 1  # data_len counts the final "\n" that dispatch removes
        event_type = self._event_type
        last_id = self._id
        retry = self._retry
        for line in lines:
            if line[:5] == "data:":
                value = line[6:] if line[5:6] == " " else line[5:]
                values.append(value)
                data_len += len(value) + 1
                if data_len > data_limit:
                    self._fail("an event's data")
            elif not line:  # a blank line: dispatch
                if values:
                    value = values[0] if len(values) == 1 else "\n".join(values)
                    events.append(
                        value
                        if data_only
                        else ServerSentEvent(event_type or "message", value, last_id, retry)
                    )
                    values = []
                    data_len = 0
                event_type = ""
                retry = None
                self.last_event_id = last_id
            else:
                colon = line.find(":")
                if colon == 0:
                    self.comments += 1
                    continue
                if colon > 0:
                    field = line[:colon]
                    value = line[colon + 1 :]
                    if value[:1] == " ":
                        value = value[1:]
                else:
                    field, value = line, ""
                if field == "data":  # "data" without a colon: an empty data line
                    values.append(value)
                    data_len += len(value) + 1
                    if data_len > data_limit:
                        self._fail("an event's data")
                elif field == "event":
                    event_type = value
                elif field == "id":
                    if "\0" not in value:
                        last_id = value
                elif field == "retry" and value.isdigit() and value.isascii():
                    digits = value.lstrip("0") or "0"
                    if len(digits) <= _MAX_RETRY_DIGITS:
                        retry = int(digits)
                # any other field is ignored
        self._data = values
        self._data_len = data_len
        self._event_type = event_type
        self._id = last_id
        self._retry = retry
        self._between = (
            not rest
            and not values
            and not event_type
            and retry is None
            and last_id == self.last_event_id
            and not self._after_cr
            and self._utf8_idle
        )
        return events

    def close(self) -> List[ServerSentEvent]:
        """Mark the end of the stream; return the events it completes, which are none.

        An event that no blank line ended is incomplete and, as WHATWG requires, discarded.
        Closing twice is harmless; closing a decoder that has failed raises its error again.
        """
        if self._closed:
            return []
        self._closed = True
        self._between = False
        if self._failure is not None:
            raise ResponseDecodeError(self._failure, error_code="event_too_large")
        tail = self._utf8.decode(b"", True)
        pending_len = self._pending_len + len(tail)
        self._pending = []
        self._data = []
        if pending_len > self._max:
            self._fail("a line")
        return []

    def _fail(self, what: str) -> NoReturn:
        self._failure = (
            f"Server-sent event too large: {what} exceeds max_event_size ({self._max} characters)."
        )
        self._pending = []
        self._data = []
        raise ResponseDecodeError(self._failure, error_code="event_too_large")
