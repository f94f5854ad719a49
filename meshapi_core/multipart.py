"""``multipart/form-data`` bodies (RFC 7578), encoded without reading the files they carry.

:func:`encode_multipart` lays a form out as a sequence of parts: the boundary lines and part
headers are bytes written here, and each file is whatever its
:class:`~meshapi_core.uploads.FilePart` says its bytes are (bytes in memory, a range of a file
on disk, an open file object). When every file is in memory the result is plain ``bytes``;
otherwise it is a :class:`~meshapi_core.http.StreamedBody` that the transport streams from
disk in bounded chunks. Either way the body's length is known up front (so it is sent with
``Content-Length``, as the gateway's edge wants), unless a one-shot reader does not say.

Form fields come from the params model, as the gateway's form parsing expects them:

- a string as it is; ``True``/``False`` as ``true``/``false``; numbers in decimal;
- a list of scalars as the same field repeated, once per item (``keyterms=["a", "b"]``);
- anything else (an object, a list of objects) as one field holding its compact JSON;
- ``None`` and unset fields are not sent.

The boundary comes from the injected runtime (:func:`boundary_from`), so a test that fixes
the runtime gets the same bytes every time. Names and file names are written the way the
WHATWG HTML standard encodes form data: UTF-8, with ``"``, CR and LF percent-encoded, so no
value can end its header early.

>>> from meshapi_core.uploads import FilePart
>>> body = encode_multipart([("model", "m")], [FilePart("file", "a.txt", "text/plain", b"hi")],
...                         "BOUNDARY")
>>> print(body.decode().replace("\\r\\n", "|"))
--BOUNDARY|Content-Disposition: form-data; name="model"||m|--BOUNDARY|Content-Disposition: \
form-data; name="file"; filename="a.txt"|Content-Type: text/plain||hi|--BOUNDARY--|
"""

from __future__ import annotations

import re
from typing import Any, Iterable, List, Mapping, Sequence, Tuple, Union

from .http import BodyPart, StreamedBody
from .models.base import json_bytes
from .uploads import FilePart

__all__ = ["boundary_from", "content_type_for", "encode_multipart", "form_fields"]

_BOUNDARY_CHARS = re.compile(r"[^0-9A-Za-z'()+_,\-./:=?]")


def boundary_from(seed: str) -> str:
    """A multipart boundary made from ``seed`` (a fresh random key): only the characters
    RFC 2046 allows, at most 70 of them.

    >>> boundary_from("3f2a9c")
    'meshapi-3f2a9c'
    """
    cleaned = _BOUNDARY_CHARS.sub("", seed)[:54]
    return "meshapi-" + (cleaned or "boundary")


def content_type_for(boundary: str) -> str:
    """The ``Content-Type`` header of a form with this boundary."""
    return f"multipart/form-data; boundary={boundary}"


def _quote(value: str) -> bytes:
    return value.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22").encode("utf-8")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def form_fields(data: Mapping[str, Any]) -> List[Tuple[str, str]]:
    """The form fields of a params model's JSON fields (see the module docs for the rules).

    >>> form_fields({"model": "m", "diarize": True, "keyterms": ["a", "b"], "x": {"k": 1}})
    [('model', 'm'), ('diarize', 'true'), ('keyterms', 'a'), ('keyterms', 'b'), ('x', '{"k":1}')]
    """
    fields: List[Tuple[str, str]] = []
    for name, value in data.items():
        if value is None:
            continue
        if isinstance(value, list) and all(
            v is None or isinstance(v, (str, int, float, bool)) for v in value
        ):
            fields.extend((name, _scalar(v)) for v in value if v is not None)
        elif isinstance(value, (dict, list)):
            fields.append((name, json_bytes(value).decode()))
        else:
            fields.append((name, _scalar(value)))
    return fields


def encode_multipart(
    fields: Iterable[Tuple[str, str]], files: Sequence[FilePart], boundary: str
) -> Union[bytes, StreamedBody]:
    """The body of a form with ``fields`` then ``files``, delimited by ``boundary``.

    Plain ``bytes`` when every file is in memory, else a
    :class:`~meshapi_core.http.StreamedBody` whose file parts are read as they are sent.
    """
    dash = b"--" + boundary.encode("ascii")
    parts: List[BodyPart] = []
    pending = bytearray()
    for name, value in fields:
        pending += dash + b'\r\nContent-Disposition: form-data; name="' + _quote(name) + b'"'
        pending += b"\r\n\r\n" + value.encode("utf-8") + b"\r\n"
    for file in files:
        pending += dash + b'\r\nContent-Disposition: form-data; name="' + _quote(file.name)
        pending += b'"; filename="' + _quote(file.filename) + b'"\r\n'
        pending += b"Content-Type: " + _quote(file.content_type) + b"\r\n\r\n"
        if isinstance(file.source, bytes):
            pending += file.source
        else:
            parts.append(bytes(pending))
            pending.clear()
            parts.append(file.source)
        pending += b"\r\n"
    pending += dash + b"--\r\n"
    if not parts:
        return bytes(pending)
    parts.append(bytes(pending))
    return StreamedBody(tuple(parts))
