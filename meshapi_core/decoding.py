"""Content decoding whose output per step is bounded, and which knows when a body is whole.

Transports decompress bodies (``Content-Encoding``) with this module, not with their
library's decoder, for two reasons:

- **Bounded steps.** httpx inflates each network read in one call: a 64 KiB read of a gzip
  bomb becomes about 64 MiB at once (deflate's limit is 1032:1), and with Brotli or
  Zstandard installed one read can become gigabytes. Here ``zlib`` decodes with
  ``max_length``: every piece handed on is at most :data:`PIECE` bytes, and the reader, which
  stops at its bound, is never made to hold more than one piece beyond it.
- **A cut stream is never whole.** When a body is compressed, its ``Content-Length`` counts
  the compressed bytes, and HTTP framing that looks complete (the right length, the last
  chunk, or a close) says nothing of whether the compressed stream inside it was cut.
  Only the decompressor knows: :meth:`BodyDecoder.flush`, called at the end of the body,
  raises :class:`~meshapi_core.errors.StreamInterruptedError` unless every layer reached the
  end of its stream (zlib's ``eof``: for gzip, after the trailer's CRC and size were
  checked). An empty body is empty, whatever its encoding says (a ``HEAD`` reply, a
  ``204``).

Only what the transports ask for is decoded: they send ``Accept-Encoding:`` :data:`ACCEPT_ENCODING`.
``gzip`` (several members too) and ``deflate`` (zlib-wrapped, or raw as some servers send
it) are decoded; ``identity`` and encodings this module does not know pass through as they
came. Corrupt data raises :class:`~meshapi_core.errors.StreamInterruptedError` too: the body
cannot be read to its end. A transport raises these errors as they are (the SDK reports one
met while reading a whole, non-stream body as a connection failure after the response
started, like any other broken body).
"""

from __future__ import annotations

import zlib
from typing import Iterator, List, Optional

from .errors import StreamInterruptedError

__all__ = ["ACCEPT_ENCODING", "PIECE", "BodyDecoder", "decoder_for"]

ACCEPT_ENCODING = "gzip, deflate"
"""What the transports ask for: the encodings decoded here."""
PIECE = 64 * 1024
"""The most decoded bytes one step hands on."""

_GZIP = zlib.MAX_WBITS | 16
_ZLIB = zlib.MAX_WBITS
_RAW = -zlib.MAX_WBITS


class _Layer:
    """One encoding of a body: a zlib stream, restarted for every gzip member."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._inflate = zlib.decompressobj(_GZIP if encoding == "gzip" else _ZLIB)
        self._started = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        """Decode ``data``, in pieces of at most :data:`PIECE` bytes."""
        if not data:
            return
        inflate = self._inflate
        while True:
            try:
                piece = inflate.decompress(data, PIECE)
            except zlib.error as exc:
                if self.encoding == "deflate" and not self._started:
                    # Some servers send raw deflate under "deflate": try that instead.
                    self._inflate = inflate = zlib.decompressobj(_RAW)
                    self._started = True
                    continue
                raise _corrupt(self.encoding, exc) from None
            self._started = True
            if piece:
                yield piece
            data = inflate.unconsumed_tail
            if inflate.eof and inflate.unused_data and self.encoding == "gzip":
                # Another gzip member follows (RFC 1952 allows several).
                data = inflate.unused_data
                self._inflate = inflate = zlib.decompressobj(_GZIP)
                continue
            if not data and len(piece) < PIECE:
                return

    def flush(self) -> Iterator[bytes]:
        """What the decoder still holds once the body has ended; raises if its stream did
        not end (the body was cut short)."""
        if not self._started:
            return  # an empty body
        inflate = self._inflate
        try:
            rest = inflate.flush()
        except zlib.error as exc:  # pragma: no cover - flush after decompress raises rarely
            raise _corrupt(self.encoding, exc) from None
        if rest:
            yield rest
        if not inflate.eof:
            raise StreamInterruptedError(
                f"The body ended before its {self.encoding} stream did: it was cut short"
            )


def _corrupt(encoding: str, exc: zlib.error) -> StreamInterruptedError:
    return StreamInterruptedError(f"The body is not valid {encoding} data ({exc})")


class BodyDecoder:
    """Undoes a response's ``Content-Encoding`` layers, last applied first.

    Feed it the body with :meth:`decode`; at the end of the body, :meth:`flush` gives what is
    left and checks that every layer's compressed stream ended.

    >>> import gzip
    >>> decoder = decoder_for("gzip")
    >>> b"".join(decoder.decode(gzip.compress(b"hello")[:-4]))
    b'hello'
    >>> list(decoder.flush())
    Traceback (most recent call last):
    ...
    meshapi_core.errors.StreamInterruptedError: The body ended before its gzip stream did: \
it was cut short (code stream_interrupted)
    """

    def __init__(self, layers: List[_Layer]) -> None:
        self._layers = layers

    def decode(self, data: bytes) -> Iterator[bytes]:
        """Decode ``data``, in pieces of at most :data:`PIECE` bytes."""
        return self._through(0, data)

    def flush(self) -> Iterator[bytes]:
        """Decode what the layers still hold once the body has ended; raises
        :class:`~meshapi_core.errors.StreamInterruptedError` if a layer's stream was cut."""
        for index, layer in enumerate(self._layers):
            for rest in layer.flush():
                yield from self._through(index + 1, rest)

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            if data:
                yield data
            return
        for piece in self._layers[index].decode(data):
            yield from self._through(index + 1, piece)


def decoder_for(content_encoding: Optional[str]) -> Optional[BodyDecoder]:
    """The decoder for a ``Content-Encoding`` header, or ``None`` when the body is read as
    it came (no encoding, ``identity``, or only encodings this module does not decode).

    >>> decoder_for(None) is None, decoder_for("identity") is None
    (True, True)
    >>> import gzip
    >>> b"".join(decoder_for("gzip").decode(gzip.compress(b"hi")))
    b'hi'
    """
    if not content_encoding:
        return None
    layers: List[_Layer] = []
    for token in content_encoding.split(","):
        name = token.strip().lower()
        if name in ("gzip", "x-gzip"):
            layers.append(_Layer("gzip"))
        elif name == "deflate":
            layers.append(_Layer("deflate"))
    if not layers:
        return None
    layers.reverse()  # the encoding applied last is undone first
    return BodyDecoder(layers)
