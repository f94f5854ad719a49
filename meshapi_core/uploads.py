"""Files a caller sends: what counts as one, and what is known about it without reading it.

A method that sends a file (``audio.transcribe(file, ...)``, ``images.edit(image=...)``,
``rag.upload_file(file)``) accepts it in any of these forms, checked here before anything is
sent (a wrong type is an :class:`~meshapi_core.errors.InvalidArgumentError` naming the
argument):

- ``bytes`` (or ``bytearray``, ``memoryview``): the content itself;
- a path: a :class:`pathlib.Path` (anything with ``__fspath__``), or a ``str`` where the
  argument can only be a file (a ``str`` given for an image reference is a URL or base64);
- an open binary file (anything with ``read``): a seekable one (an ordinary file) is
  read from where it stands and can be sent again on a retry; one that is not (a pipe,
  ``sys.stdin.buffer``, a socket file) is read once, and the call is not retried;
- a tuple ``(filename, content)`` or ``(filename, content, content_type)``, or an
  :class:`Upload`, to name the file and its type.

The file name and content type are inferred when not given: from the path or the file
object's ``name``, else from the first bytes of in-memory content (:func:`sniff`); the type
from the name's extension (:func:`guess_content_type`), else ``application/octet-stream``.
The table is the SDK's own, not the platform's ``mimetypes``, so the same file gets the same
type on every machine.

Checking that a path exists, is a regular file and is readable needs the file system, so it
happens in the facade (``meshapi/_files.py``), which turns an :class:`Upload` into a
:class:`FilePart` the multipart encoder (:mod:`meshapi_core.multipart`) and the signed-URL
upload use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import IO, Any, Dict, Optional, Protocol, Tuple, Union

from .errors import InvalidArgumentError, MeshAPIError
from .http import BodyPart, FileRange, ReaderRange

__all__ = [
    "FileInput",
    "FilePart",
    "PathLike",
    "Upload",
    "UploadFailedError",
    "check_content_type",
    "content_length",
    "file_field",
    "guess_content_type",
    "is_upload",
    "sniff",
    "to_upload",
]

_TYPES = {
    # audio
    "mp3": "audio/mpeg",
    "mpga": "audio/mpeg",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "opus": "audio/ogg",
    "flac": "audio/flac",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    "weba": "audio/webm",
    "pcm": "audio/pcm",
    "aiff": "audio/aiff",
    # video
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    # images
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "svg": "image/svg+xml",
    # documents
    "txt": "text/plain",
    "md": "text/markdown",
    "markdown": "text/markdown",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "html": "text/html",
    "htm": "text/html",
    "xml": "application/xml",
    "json": "application/json",
    "jsonl": "application/jsonl",
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "rtf": "application/rtf",
    "zip": "application/zip",
}

OCTET_STREAM = "application/octet-stream"


def guess_content_type(filename: Optional[str]) -> str:
    """The content type of a file named ``filename``, from its extension.

    >>> guess_content_type("talk.MP3"), guess_content_type("notes"), guess_content_type(None)
    ('audio/mpeg', 'application/octet-stream', 'application/octet-stream')
    """
    if not filename or "." not in filename:
        return OCTET_STREAM
    return _TYPES.get(filename.rsplit(".", 1)[1].lower(), OCTET_STREAM)


def sniff(data: bytes) -> Optional[Tuple[str, str]]:
    """``(extension, content type)`` of content recognised by its first bytes, or ``None``.

    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n...")
    ('png', 'image/png')
    >>> sniff(b"RIFF\\x00\\x00\\x00\\x00WAVEfmt ")
    ('wav', 'audio/wav')
    >>> sniff(b"hello") is None
    True
    """
    head = bytes(data[:16])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg", "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif", "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav", "audio/wav"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp", "image/webp"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3", "audio/mpeg"
    if head.startswith(b"OggS"):
        return "ogg", "audio/ogg"
    if head.startswith(b"fLaC"):
        return "flac", "audio/flac"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand.startswith(b"M4A"):
            return "m4a", "audio/mp4"
        return "mp4", "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm", "video/webm"
    if head.startswith(b"%PDF-"):
        return "pdf", "application/pdf"
    return None


@dataclass(frozen=True)
class Upload:
    """A file to send, as given: ``content`` is bytes, a path or an open binary file;
    ``filename`` and ``content_type`` override what would be inferred.

    >>> Upload(b"...", filename="speech.wav").filename
    'speech.wav'
    """

    content: Any
    filename: Optional[str] = None
    content_type: Optional[str] = None

    def __repr__(self) -> str:
        content = self.content
        if isinstance(content, (bytes, bytearray, memoryview)):
            shown = f"<{len(content)} bytes>"
        elif isinstance(content, str) or hasattr(content, "__fspath__"):
            shown = repr(content)
        else:
            shown = f"<{type(content).__name__}>"
        return (
            f"Upload(content={shown}, filename={self.filename!r}, "
            f"content_type={self.content_type!r})"
        )


_BYTES = (bytes, bytearray, memoryview)


class PathLike(Protocol):
    """A file system path object (:class:`pathlib.Path`, ``os.PathLike``)."""

    def __fspath__(self) -> str:
        """The path as a string."""
        ...


FileInput = Union[
    bytes,
    bytearray,
    memoryview,
    str,
    PathLike,
    IO[bytes],
    Upload,
    Tuple[Optional[str], Any],
    Tuple[Optional[str], Any, Optional[str]],
]
"""What a file argument accepts: its bytes, a path, an open binary file, an :class:`Upload`,
or ``(filename, content[, content_type])``."""


def _is_path(value: Any) -> bool:
    return hasattr(value, "__fspath__")


def _is_reader(value: Any) -> bool:
    return callable(getattr(value, "read", None))


def is_upload(value: Any, *, str_is_path: bool = False) -> bool:
    """Whether ``value`` is one of the file forms (a ``str`` only with ``str_is_path``).

    >>> from pathlib import Path
    >>> is_upload(b"x"), is_upload(Path("a.png")), is_upload("a.png")
    (True, True, False)
    """
    if isinstance(value, (Upload, *_BYTES)):
        return True
    if isinstance(value, str):
        return str_is_path
    if isinstance(value, tuple):
        return 2 <= len(value) <= 3 and isinstance(value[0], (str, type(None)))
    return _is_path(value) or _is_reader(value)


def _type_name(value: Any) -> str:
    return type(value).__name__


def _check_content(content: Any, param: str, str_is_path: bool) -> Any:
    if isinstance(content, _BYTES):
        return bytes(content) if not isinstance(content, bytes) else content
    if isinstance(content, str):
        if not str_is_path:
            raise InvalidArgumentError(
                f"{param}: a str here is a URL or base64 data, not a file; pass a "
                "pathlib.Path, bytes or an open binary file to upload a file",
                param=param,
            )
        if not content:
            raise InvalidArgumentError(f"{param}: the file path is empty", param=param)
        return content
    if _is_path(content):
        path = content.__fspath__()
        if isinstance(path, bytes):
            path = path.decode("utf-8", "surrogateescape")
        if not isinstance(path, str) or not path:
            raise InvalidArgumentError(f"{param}: the file path is empty", param=param)
        return path
    if _is_reader(content):
        mode = getattr(content, "mode", None)
        if hasattr(content, "encoding") or (isinstance(mode, str) and "b" not in mode):
            raise InvalidArgumentError(
                f"{param}: the file is open in text mode; open it in binary mode ('rb')",
                param=param,
            )
        if getattr(content, "closed", False) is True:
            raise InvalidArgumentError(f"{param}: the file object is closed", param=param)
        return content
    raise InvalidArgumentError(
        f"{param} must be bytes, a file path or an open binary file (or a tuple "
        f"(filename, content[, content_type])), not {_type_name(content)}",
        param=param,
    )


_CONTENT_TYPE = re.compile(r"\A[\x21-\x7e](?:[\t\x20-\x7e]*[\x21-\x7e])?\Z")


def check_content_type(value: Any, param: str) -> str:
    """``value`` if it can be sent as a content type (a ``Content-Type`` header, a form
    part's type, a file's ``mime_type``): a string of printable ASCII, no line break, no
    space at either end. Else an :class:`~meshapi_core.errors.InvalidArgumentError` naming
    ``param``, raised before anything is sent.

    >>> check_content_type("text/markdown; charset=utf-8", "mime_type")
    'text/markdown; charset=utf-8'
    >>> check_content_type("t\u00ebxt/plain", "mime_type")
    Traceback (most recent call last):
    ...
    meshapi_core.errors.InvalidArgumentError: mime_type: the content type 't\xebxt/plain' is \
not printable ASCII on one line, as a header value must be
    """
    if not isinstance(value, str) or not value:
        raise InvalidArgumentError(
            f"{param}: the content type must be a non-empty string, not {value!r}", param=param
        )
    if not _CONTENT_TYPE.match(value):
        shown = repr(value if len(value) <= 100 else value[:97] + "...")
        raise InvalidArgumentError(
            f"{param}: the content type {shown} is not printable ASCII on one line, as a "
            "header value must be",
            param=param,
        )
    return value


def _check_name(value: Any, what: str, param: str) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str) or not value or "\x00" in value:
        raise InvalidArgumentError(
            f"{param}: the {what} must be a non-empty string, not {value!r}", param=param
        )
    return value


def _check_type(value: Any, param: str) -> Optional[str]:
    return None if value is None else check_content_type(value, param)


def to_upload(
    value: Any,
    param: str,
    *,
    str_is_path: bool = True,
    filename: Optional[str] = None,
    content_type: Optional[str] = None,
) -> Upload:
    """``value`` (any of the forms in the module docs) as an :class:`Upload`, its type
    checked; ``filename`` and ``content_type`` override what the value says.

    >>> to_upload(("a.wav", b"RIFF"), "file")
    Upload(content=<4 bytes>, filename='a.wav', content_type=None)
    >>> to_upload(42, "file")
    Traceback (most recent call last):
    ...
    meshapi_core.errors.InvalidArgumentError: file must be bytes, a file path or an open \
binary file (or a tuple (filename, content[, content_type])), not int
    """
    if isinstance(value, Upload):
        name, content, kind = value.filename, value.content, value.content_type
    elif isinstance(value, tuple) and not isinstance(value, _BYTES):
        if not 2 <= len(value) <= 3:
            raise InvalidArgumentError(
                f"{param}: a tuple must be (filename, content) or (filename, content, "
                f"content_type), not {len(value)} items",
                param=param,
            )
        name, content = value[0], value[1]
        kind = value[2] if len(value) == 3 else None
    else:
        name, content, kind = None, value, None
    if content is None:
        raise InvalidArgumentError(f"{param}: no file given", param=param)
    return Upload(
        _check_content(content, param, str_is_path),
        _check_name(filename if filename is not None else name, "file name", param),
        _check_type(content_type if content_type is not None else kind, param),
    )


def file_field(
    value: Any,
    filename: Optional[str] = None,
    content_type: Optional[str] = None,
    *,
    name: str = "file",
) -> Dict[str, Upload]:
    """A method's ``file`` argument as the ``files`` of its form (``{}`` without a file),
    with the method's ``filename`` and ``content_type`` overrides; checked now.

    >>> file_field(b"abc", filename="a.mp3")
    {'file': Upload(content=<3 bytes>, filename='a.mp3', content_type=None)}
    """
    if value is None:
        if filename is not None or content_type is not None:
            raise InvalidArgumentError(
                f"{name}: filename and content_type describe a file, but no file was given",
                param=name,
            )
        return {}
    return {name: to_upload(value, name, filename=filename, content_type=content_type)}


@dataclass(frozen=True)
class FilePart:
    """A file ready to send: its form field ``name``, ``filename``, ``content_type`` and where
    its bytes come from (``source``: bytes, a :class:`~meshapi_core.http.FileRange` or a
    :class:`~meshapi_core.http.ReaderRange`)."""

    name: str
    filename: str
    content_type: str
    source: BodyPart

    @property
    def size(self) -> Optional[int]:
        """The file's size in bytes, or ``None`` for a one-shot reader of unknown size."""
        return content_length(self.source)

    @property
    def replayable(self) -> bool:
        """Whether the file's bytes can be read again for a retry."""
        return not isinstance(self.source, ReaderRange) or self.source.replayable

    def __repr__(self) -> str:
        return (
            f"FilePart(name={self.name!r}, filename={self.filename!r}, "
            f"content_type={self.content_type!r}, size={self.size!r})"
        )


def content_length(source: BodyPart) -> Optional[int]:
    """The size of one body part, or ``None`` when a one-shot reader does not say."""
    if isinstance(source, bytes):
        return len(source)
    if isinstance(source, (FileRange, ReaderRange)):
        return source.length
    raise TypeError(f"not a body part: {source!r}")


def in_memory_part(upload: Upload, name: str, default_stem: str) -> FilePart:
    """The :class:`FilePart` of an upload whose content is bytes (no I/O needed): the name
    and type are sniffed from the bytes when not given.

    >>> part = in_memory_part(Upload(b"RIFF\\0\\0\\0\\0WAVE"), "file", "audio")
    >>> part.filename, part.content_type
    ('audio.wav', 'audio/wav')
    """
    data = upload.content
    assert isinstance(data, bytes)
    found = sniff(data)
    filename = upload.filename or (f"{default_stem}.{found[0]}" if found else default_stem)
    content_type = upload.content_type or (
        found[1] if found and not upload.filename else guess_content_type(filename)
    )
    if content_type == OCTET_STREAM and found:
        content_type = found[1]
    return FilePart(name, filename, content_type, data)


_STEPS = {
    "init": "registering the file (POST /v1/files)",
    "upload": "sending its bytes to the signed URL (PUT)",
    "embed": "asking for its embedding (POST /v1/files/embed)",
}


class UploadFailedError(MeshAPIError):
    """``rag.upload_file`` failed at ``step``: ``"init"`` (registering the file),
    ``"upload"`` (the ``PUT`` of its bytes to the signed URL) or ``"embed"``.

    ``error`` is the failure of that step (a :class:`~meshapi_core.errors.RateLimitError`, a
    connection error...); its status, code and request id are copied here. ``file_id`` is
    the registered file's id once the first step has succeeded, so a caller can retry the
    later steps or look the file up.

    >>> from meshapi_core.errors import ServerError
    >>> err = UploadFailedError("upload", ServerError("Bad gateway", status=502), "file_1")
    >>> err.step, err.status, err.file_id
    ('upload', 502, 'file_1')
    >>> err.message
    'The upload failed while sending its bytes to the signed URL (PUT): Bad gateway'
    """

    def __init__(self, step: str, error: MeshAPIError, file_id: Optional[str] = None) -> None:
        super().__init__(
            f"The upload failed while {_STEPS.get(step, step)}: {error.message}",
            status=error.status,
            error_code=error.error_code,
            request_id=error.request_id,
            retry_after_seconds=error.retry_after_seconds,
            details=error.details,
            provider_code=error.provider_code,
            headers=error.headers,
        )
        self.step = step
        self.error = error
        self.file_id = file_id
