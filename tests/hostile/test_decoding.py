"""The transports' own content decoding (``meshapi_core.decoding``): bounded pieces, every
form of gzip and deflate a server sends, corrupt or cut data as a broken stream, other
encodings passed through."""

from __future__ import annotations

import gzip
import zlib
from typing import List

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from meshapi_core.decoding import PIECE, BodyDecoder, decoder_for
from meshapi_core.errors import StreamInterruptedError

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


def test_corrupt_data_is_a_broken_stream() -> None:
    decoder = decoder_for("gzip")
    assert decoder is not None
    with pytest.raises(StreamInterruptedError) as info:
        decode(decoder, b"\x1f\x8b\x08\x00" + b"\xff" * 64)
    assert "not valid gzip" in str(info.value)


PACKERS = {
    "gzip": gzip.compress,
    "deflate": lambda d: deflate(d, zlib.MAX_WBITS),
    "raw-deflate": lambda d: deflate(d, -zlib.MAX_WBITS),
    "members": lambda d: gzip.compress(d[:7]) + gzip.compress(d[7:]),
    "layers": lambda d: gzip.compress(deflate(d, zlib.MAX_WBITS)),
}
ENCODING = {"members": "gzip", "layers": "deflate, gzip", "raw-deflate": "deflate"}


@pytest.mark.parametrize("form", list(PACKERS))
@given(body=st.binary(max_size=2000), data=st.data())
def test_every_cut_of_a_compressed_stream_is_interrupted(
    form: str, body: bytes, data: st.DataObject
) -> None:
    whole = PACKERS[form](body)  # type: ignore[no-untyped-call]
    cut = data.draw(st.integers(1, len(whole) - 1), label="cut")
    # a cut between two gzip members leaves a whole stream of one member: nothing to detect
    assume(form != "members" or cut != len(gzip.compress(body[:7])))
    read = data.draw(st.integers(1, 300), label="read")
    decoder = decoder_for(ENCODING.get(form, form))
    assert decoder is not None
    with pytest.raises(StreamInterruptedError):
        decode(decoder, whole[:cut], read)


def test_the_whole_stream_is_read_before_flush_checks_its_end() -> None:
    whole = gzip.compress(b"payload")
    decoder = decoder_for("gzip")
    assert decoder is not None
    assert b"".join(decode(decoder, whole, read=1)) == b"payload"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "deflate, gzip"])
def test_an_empty_body_is_empty(encoding: str) -> None:
    decoder = decoder_for(encoding)
    assert decoder is not None
    assert decode(decoder, b"") == []
