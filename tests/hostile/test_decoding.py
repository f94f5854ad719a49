"""The httpx transports' own content decoding: bounded pieces, every form of gzip and
deflate a server sends, corrupt data as httpx's error, other encodings passed through."""

from __future__ import annotations

import gzip
import zlib
from typing import List

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from meshapi_httpx._decoding import PIECE, BodyDecoder, decoder_for

from .conftest import gzip_bomb


def decode(decoder: BodyDecoder, data: bytes, read: int = 65536) -> List[bytes]:
    pieces: List[bytes] = []
    for start in range(0, len(data), read):
        pieces.extend(decoder.decode(data[start : start + read]))
    pieces.extend(decoder.flush())
    return pieces


def deflate(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


def test_a_bomb_comes_out_in_bounded_pieces() -> None:
    decoder = decoder_for("gzip")
    assert decoder is not None
    sizes = [len(piece) for piece in decode(decoder, gzip_bomb(16 << 20))]
    assert sum(sizes) == 16 << 20
    assert max(sizes) <= PIECE


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", lambda d: deflate(d, zlib.MAX_WBITS)),  # zlib-wrapped, per RFC 9110
        ("deflate", lambda d: deflate(d, -zlib.MAX_WBITS)),  # raw, as some servers send it
        ("gzip", lambda d: gzip.compress(d[:100]) + gzip.compress(d[100:])),  # two members
        ("deflate, gzip", lambda d: gzip.compress(deflate(d, zlib.MAX_WBITS))),  # two layers
        ("GZip", gzip.compress),
    ],
    ids=["gzip", "x-gzip", "deflate", "raw-deflate", "members", "layers", "case"],
)
def test_every_form_decodes(encoding: str, pack: object) -> None:
    body = bytes(range(256)) * 1000
    decoder = decoder_for(encoding)
    assert decoder is not None
    assert b"".join(decode(decoder, pack(body), read=777)) == body  # type: ignore[operator]


@given(st.binary(max_size=3000), st.integers(1, 500))
def test_any_read_size_gives_the_same_body(body: bytes, read: int) -> None:
    decoder = decoder_for("gzip")
    assert decoder is not None
    assert b"".join(decode(decoder, gzip.compress(body), read)) == body


@pytest.mark.parametrize("encoding", [None, "", "identity", "br", "zstd", "compress"])
def test_other_encodings_pass_through(encoding: object) -> None:
    assert decoder_for(encoding) is None  # type: ignore[arg-type]


def test_corrupt_data_is_a_decoding_error() -> None:
    decoder = decoder_for("gzip")
    assert decoder is not None
    with pytest.raises(httpx.DecodingError) as info:
        decode(decoder, b"\x1f\x8b\x08\x00" + b"\xff" * 64)
    assert "gzip" in str(info.value)
