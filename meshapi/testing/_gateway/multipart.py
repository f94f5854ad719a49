"""Parsing ``multipart/form-data`` request bodies, strictly and within limits.

The gateway's framework parses forms before any handler runs; so does :func:`parse_form`.
The whole body is already bounded by the edge's 32 MiB; on top of that a form may hold at
most :data:`MAX_PARTS` parts, a part's headers at most :data:`MAX_HEADER_BYTES`, and a
field that is not a file at most :data:`MAX_FIELD_BYTES`. Anything malformed (no boundary, a
part without ``Content-Disposition`` or ``name``, a missing final boundary, a limit passed)
is a ``400`` with a message that says what, the way the gateway's framework answers it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from .errors import GatewayError

MAX_PARTS = 64
MAX_HEADER_BYTES = 16 * 1024
MAX_FIELD_BYTES = 1024 * 1024

# Quoted values are taken as they are: form data escapes '"', CR and LF as %22, %0D, %0A
# (the WHATWG rule, undone by _unquote), never with backslashes.
_PARAM = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*("[^"]*"|[^;]*)')


@dataclass(frozen=True)
class FormFile:
    """An uploaded file: its field ``name``, ``filename``, ``content_type`` and bytes."""

    name: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class MultipartForm:
    """A parsed form: text ``fields`` (a name may repeat) and ``files``, in order."""

    fields: List[Tuple[str, str]]
    files: List[FormFile]

    def value(self, name: str) -> Optional[str]:
        """The last value of field ``name``, or ``None``."""
        values = self.values(name)
        return values[-1] if values else None

    def values(self, name: str) -> List[str]:
        """Every value of field ``name``, in order."""
        return [v for k, v in self.fields if k == name]

    def file(self, name: str) -> Optional[FormFile]:
        """The first file sent as ``name``, or ``None``."""
        return next((f for f in self.files if f.name == name), None)

    def as_dict(self) -> Dict[str, object]:
        """Fields as a dict (repeated names become lists), for logging and validation."""
        grouped = {name: self.values(name) for name in dict.fromkeys(n for n, _ in self.fields)}
        return {name: values[0] if len(values) == 1 else values for name, values in grouped.items()}


def _malformed(message: str) -> GatewayError:
    return GatewayError(400, "bad_request", f"There was an error parsing the body: {message}")


def _params(header: str) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for match in _PARAM.finditer(header):
        value = match.group(2).strip()
        if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
            value = value[1:-1]
        out[match.group(1).lower()] = value
    return out


def boundary_of(content_type: Optional[str]) -> Optional[str]:
    """The boundary of a ``multipart/form-data`` content type, or ``None`` for another type."""
    if not content_type or not content_type.lower().startswith("multipart/form-data"):
        return None
    boundary = _params(content_type).get("boundary")
    if not boundary or len(boundary) > 70:
        raise _malformed("the multipart boundary is missing or too long")
    return boundary


def _unquote(value: str) -> str:
    return value.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")


def parse_form(body: bytes, content_type: Optional[str]) -> MultipartForm:
    """Parse ``body`` as the form ``content_type`` announces; see the module docs."""
    boundary = boundary_of(content_type)
    if boundary is None:
        raise _malformed("expected multipart/form-data")
    dash = b"--" + boundary.encode("latin-1")
    if not body.startswith(dash):
        raise _malformed("the body does not start with the boundary")
    if body.startswith(dash + b"--"):
        return MultipartForm([], [])
    end = body.find(b"\r\n" + dash + b"--")
    if end < 0:
        raise _malformed("the final boundary is missing")
    sections = body[len(dash) : end].split(b"\r\n" + dash)
    if len(sections) > MAX_PARTS:
        raise _malformed(f"more than {MAX_PARTS} parts")
    fields: List[Tuple[str, str]] = []
    files: List[FormFile] = []
    for section in sections:
        if not section.startswith(b"\r\n"):
            raise _malformed("a boundary is not followed by a line break")
        head_end = section.find(b"\r\n\r\n", 2)
        if head_end < 0:
            raise _malformed("a part has no blank line after its headers")
        if head_end > MAX_HEADER_BYTES:
            raise _malformed(f"a part's headers exceed {MAX_HEADER_BYTES} bytes")
        headers: Dict[str, str] = {}
        for line in section[2:head_end].split(b"\r\n"):
            key, sep, value = line.decode("utf-8", "replace").partition(":")
            if not sep:
                raise _malformed(f"a part header line is not 'Name: value': {line[:40]!r}")
            headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition")
        if disposition is None or not disposition.lower().startswith("form-data"):
            raise _malformed("a part has no Content-Disposition: form-data header")
        params = _params(disposition)
        name = params.get("name")
        if not name:
            raise _malformed("a part has no name")
        data = section[head_end + 4 :]
        if "filename" in params:
            files.append(
                FormFile(
                    _unquote(name),
                    _unquote(params["filename"]),
                    headers.get("content-type", "application/octet-stream"),
                    data,
                )
            )
        else:
            if len(data) > MAX_FIELD_BYTES:
                raise _malformed(f"the field {name!r} exceeds {MAX_FIELD_BYTES} bytes")
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise _malformed(f"the field {name!r} is not UTF-8") from None
            fields.append((_unquote(name), text))
    return MultipartForm(fields, files)
