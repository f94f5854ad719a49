"""The file system, for the SDK's uploads and downloads: checking files before they are sent,
and writing downloads so that a cut one never looks complete.

:func:`file_part` turns an :class:`~meshapi_core.uploads.Upload` (already type-checked by the
core) into a :class:`~meshapi_core.uploads.FilePart`: a path must name a regular file this
process can read (checked now, before anything is sent, with a clear
:class:`~meshapi_core.errors.InvalidArgumentError`), and its size is taken, so the form's
length is known; an open file is measured from where it stands if it can seek, and is
otherwise a one-shot stream. Nothing is read here: the transport streams the bytes later.

:class:`BinaryResponseContent` is a whole binary reply (speech) in openai-python's shape.

:class:`PartialFile` is how a download reaches the disk: into ``<name>.part`` beside the
target, renamed over the target only once the body is complete; a download that fails removes
its partial file and leaves any earlier file at the target untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from typing import Any, BinaryIO, Dict, Iterator, List, Mapping, Optional, TypeVar, Union

from meshapi_core.calls import Call, Runtime
from meshapi_core.config import CallOptions, ClientConfig
from meshapi_core.endpoint import Endpoint
from meshapi_core.errors import InvalidArgumentError, ResponseDecodeError
from meshapi_core.http import FileRange, ReaderRange
from meshapi_core.prepare import bind_params, collect_uploads, prepare_call
from meshapi_core.uploads import FilePart, Upload, guess_content_type, in_memory_part, to_upload

__all__ = ["BinaryResponseContent", "PartialFile", "file_part", "prepare_form"]

R = TypeVar("R")

PathType = Union[str, "os.PathLike[str]"]


def _refused(param: str, path: str, why: str) -> InvalidArgumentError:
    return InvalidArgumentError(f"{param}: {path!r} {why}", param=param)


def _path_part(upload: Upload, name: str, param: str) -> FilePart:
    path = upload.content
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise _refused(param, path, "does not exist") from None
    except OSError as exc:
        raise _refused(param, path, f"cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise _refused(param, path, "is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise _refused(param, path, "is not a regular file")
    try:
        with open(path, "rb"):
            pass
    except PermissionError:
        raise _refused(param, path, "is not readable (permission denied)") from None
    except OSError as exc:
        raise _refused(param, path, f"cannot be read ({exc.strerror or exc})") from None
    filename = upload.filename or os.path.basename(path) or name
    return FilePart(
        name,
        filename,
        upload.content_type or guess_content_type(filename),
        FileRange(path, 0, info.st_size, param),
    )


def _reader_part(upload: Upload, name: str, param: str) -> FilePart:
    reader = upload.content
    own_name = getattr(reader, "name", None)
    filename = upload.filename
    if filename is None and isinstance(own_name, str) and own_name and not own_name.startswith("<"):
        filename = os.path.basename(own_name)
    filename = filename or name
    start = length = None
    try:
        seekable = bool(reader.seekable()) if callable(getattr(reader, "seekable", None)) else False
        if seekable:
            start = reader.tell()
            end = reader.seek(0, os.SEEK_END)
            reader.seek(start)
            length = max(0, end - start)
    except (OSError, ValueError) as exc:
        raise InvalidArgumentError(
            f"{param}: the file object cannot be read ({exc})", param=param
        ) from None
    source = ReaderRange(reader, start, length, param)
    return FilePart(name, filename, upload.content_type or guess_content_type(filename), source)


def file_part(upload: Upload, name: str, *, param: Optional[str] = None) -> FilePart:
    """The form part ``name`` for ``upload``, checked on disk (see the module docs)."""
    param = param or name
    content = upload.content
    if isinstance(content, bytes):
        return in_memory_part(upload, name, name)
    if isinstance(content, str):
        return _path_part(upload, name, param)
    return _reader_part(upload, name, param)


class PartialFile:
    """A download being written to ``<path>.part``; :meth:`commit` moves it to ``path``,
    :meth:`discard` removes it. ``with`` discards it unless it was committed."""

    def __init__(self, path: PathType) -> None:
        target = os.fspath(path)
        if not isinstance(target, str) or not target:
            raise InvalidArgumentError("path must be a non-empty file path", param="path")
        if os.path.isdir(target):
            raise InvalidArgumentError(f"path: {target!r} is a directory", param="path")
        folder = os.path.dirname(os.path.abspath(target))
        if not os.path.isdir(folder):
            raise InvalidArgumentError(f"path: the folder {folder!r} does not exist", param="path")
        self.path = target
        self.part_path = target + ".part"
        try:
            self._file: Optional[BinaryIO] = open(self.part_path, "wb")  # noqa: SIM115 (closed by commit or discard)
        except OSError as exc:
            raise InvalidArgumentError(
                f"path: cannot write {self.part_path!r} ({exc.strerror or exc})", param="path"
            ) from None
        self.size = 0

    def write(self, data: Union[bytes, bytearray]) -> None:
        """Append ``data``."""
        assert self._file is not None
        self._file.write(data)
        self.size += len(data)

    def commit(self) -> int:
        """Flush, close, and move the file into place; returns its size."""
        file, self._file = self._file, None
        if file is not None:
            file.flush()
            os.fsync(file.fileno())
            file.close()
            os.replace(self.part_path, self.path)
        return self.size

    def discard(self) -> None:
        """Close and remove the partial file (the target is left as it was)."""
        file, self._file = self._file, None
        if file is not None:
            file.close()
            with contextlib.suppress(OSError):
                os.remove(self.part_path)

    def __enter__(self) -> PartialFile:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.discard()


def prepare_form(
    endpoint: Endpoint[Any, R],
    config: ClientConfig,
    runtime: Runtime,
    params: Any,
    fields: Mapping[str, Any],
    options: CallOptions,
    path: Optional[Mapping[str, Any]],
    files: Optional[Mapping[str, Any]],
) -> Call[R]:
    """The call machine of a call that may send files: the params bound, every file among
    them and in ``files`` (field name -> a file in any accepted form, or ``None``) checked on
    disk, then the core's :func:`~meshapi_core.prepare.prepare_call` with the checked parts."""
    bound = bind_params(endpoint, params, fields)
    uploads: Dict[str, List[Upload]] = collect_uploads(endpoint, bound)
    for name, value in (files or {}).items():
        if value is not None:
            uploads[name] = [to_upload(value, name)]
    parts = {name: [file_part(u, name) for u in group] for name, group in uploads.items()}
    return prepare_call(
        endpoint, config, runtime, params=bound, path=path, options=options, files=parts
    )


class BinaryResponseContent:
    """A binary reply held whole, as openai-python's ``audio.speech.create`` returns it:
    ``content`` (the bytes), ``iter_bytes()``, ``write_to_file(path)``.

    The bytes are already read (bounded by the client's ``max_response_size``), so every
    method here is plain work on memory but ``write_to_file``, which writes the file whole
    or not at all. To read long audio as it arrives instead, use ``audio.synthesize_stream``
    or ``audio.speech.with_streaming_response.create``.

    >>> speech = BinaryResponseContent(b"ID3...")
    >>> speech.content, len(speech)
    (b'ID3...', 6)
    """

    __slots__ = ("content",)

    def __init__(self, content: bytes) -> None:
        self.content = content
        """The whole body."""

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        try:
            return json.loads(self.content)
        except ValueError:
            raise ResponseDecodeError("The body is not JSON", error_code="parse_error") from None

    def read(self) -> bytes:
        """The whole body (the same as ``content``)."""
        return self.content

    def iter_bytes(self, chunk_size: Optional[int] = None) -> Iterator[bytes]:
        """The body in pieces of ``chunk_size`` bytes (one piece without it)."""
        if chunk_size is not None and chunk_size < 1:
            raise InvalidArgumentError("chunk_size must be a positive number of bytes")
        content = self.content
        step = chunk_size or len(content) or 1
        for start in range(0, len(content), step):
            yield content[start : start + step]

    def write_to_file(self, file: PathType) -> int:
        """Write the body into the file at ``file``, whole or not at all (through
        ``<file>.part``); returns its size."""
        with PartialFile(file) as target:
            target.write(self.content)
            return target.commit()

    def stream_to_file(self, file: PathType) -> int:
        """:meth:`write_to_file`, by openai-python's older name."""
        return self.write_to_file(file)

    def __len__(self) -> int:
        return len(self.content)

    def __repr__(self) -> str:
        return f"<BinaryResponseContent of {len(self.content):,} bytes>"
