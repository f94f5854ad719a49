"""Tiny, valid media files, made in code and deterministic: PNG (one colour), WAV (a sine
tone), bare PCM, MP3 (silent MPEG-1 Layer III frames) and MP4 (``ftyp``, ``moov``, ``mdat``).
:func:`colour_of` and :func:`tone_of` derive a colour and a pitch from any text, so each
prompt gets its own image and voice.
"""

from __future__ import annotations

import hashlib
import math
import struct
import zlib
from typing import Iterator, Tuple

MP3_FRAME = b"\xff\xfb\x90\x64" + bytes(413)
"""One MPEG-1 Layer III frame of silence: 128 kbit/s, 44.1 kHz, joint stereo, 417 bytes."""
MP3_FRAMES_PER_SECOND = 44100 / 1152


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def colour_of(text: str) -> Tuple[int, int, int]:
    """An RGB colour picked by a hash of ``text``."""
    digest = _digest(text)
    return digest[0], digest[1], digest[2]


def tone_of(text: str) -> int:
    """A pitch in Hz (220-880) picked by a hash of ``text``."""
    return 220 + int.from_bytes(_digest(text)[:2], "big") % 661


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png(width: int = 8, height: int = 8, rgb: Tuple[int, int, int] = (0, 0, 0)) -> bytes:
    """A ``width`` x ``height`` PNG of one colour.

    >>> png(2, 2, (255, 0, 0))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(row * height, 9))
        + _png_chunk(b"IEND", b"")
    )


def pcm(seconds: float, *, rate: int = 8000, tone: int = 440) -> bytes:
    """``seconds`` of a sine tone at ``tone`` Hz, 16-bit little-endian mono at ``rate``."""
    count = max(1, int(seconds * rate))
    period = [int(8000 * math.sin(2 * math.pi * tone * i / rate)) for i in range(rate)]
    one_second = struct.pack(f"<{rate}h", *period)
    whole, rest = divmod(count, rate)
    return one_second * whole + one_second[: rest * 2]


def wav(seconds: float, *, rate: int = 8000, tone: int = 440) -> bytes:
    """A WAV file of ``seconds`` of a sine tone (16-bit mono PCM at ``rate``).

    >>> data = wav(0.01)
    >>> data[:4], data[8:12], len(data)
    (b'RIFF', b'WAVE', 204)
    """
    samples = pcm(seconds, rate=rate, tone=tone)
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(samples)) + samples
    return b"RIFF" + struct.pack("<I", len(body)) + body


def mp3(seconds: float) -> Iterator[bytes]:
    """``seconds`` of silent MP3, frame by frame (so a long one is produced as it is sent).

    >>> frames = list(mp3(0.05))
    >>> len(frames), frames[0][:2]
    (2, b'\\xff\\xfb')
    """
    for _ in range(max(1, round(seconds * MP3_FRAMES_PER_SECOND))):  # at least one frame
        yield MP3_FRAME


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4(seconds: int, seed: str = "") -> bytes:
    """An ISO base media file (``.mp4``) whose movie header says ``seconds`` long, with an
    ``mdat`` of deterministic bytes picked by ``seed``.

    >>> data = mp4(5)
    >>> data[4:8], data[8:12]
    (b'ftyp', b'isom')
    """
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 0x200) + b"isomiso2mp41")
    matrix = struct.pack(">9I", 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)
    mvhd = _box(
        b"mvhd",
        struct.pack(">B3xIIII", 0, 0, 0, 1000, seconds * 1000)
        + struct.pack(">IH10x", 0x00010000, 0x0100)
        + matrix
        + bytes(24)
        + struct.pack(">I", 1),
    )
    moov = _box(b"moov", mvhd)
    mdat = _box(b"mdat", hashlib.sha256(seed.encode()).digest() * 32)
    return ftyp + moov + mdat
