"""The file system, for the SDK's uploads and downloads: checking files before they are sent,
and writing downloads so that a cut one never looks complete.

:func:`file_part` turns an :class:`~meshapi_core.uploads.Upload` (already type-checked by the
core) into a :class:`~meshapi_core.uploads.FilePart`: a path must name a regular file this
process can read (checked now, before anything is sent, with a clear
:class:`~meshapi_core.errors.InvalidArgumentError`), and its size is taken, so the form's
length is known; an open file is measured from where it stands if it can seek, and is
otherwise a one-shot stream. Nothing is read here: the transport streams the bytes later.

:class:`BinaryResponseContent` is a whole binary reply (speech) in openai-python's shape.

:class:`PartialFile` is how a download reaches the disk: into a temporary file of the SDK's
own beside the target (a unique name, created exclusively, made only once a successful
response is in), renamed over the target only once the body is complete; a download that
fails removes that temporary file, and nothing else, leaving any earlier file at the target
untouched.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import stat
from typing import Any, BinaryIO, Dict, Iterator, List, Mapping, Optional, Tuple, TypeVar, Union

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
    """A download on its way to ``path``: whole there, or absent.

    Made before anything is sent, it only checks ``path`` (a file path whose folder exists;
    :class:`~meshapi_core.errors.InvalidArgumentError` otherwise). :meth:`create` then makes
    the temporary file the bytes go to, :meth:`commit` moves it over ``path`` and
    :meth:`discard` removes it; ``with`` discards it unless it was committed.

    The temporary file is the SDK's own: a new one per download, named
    ``.<name>.<random>.part`` in the target's folder (so the final move is one atomic
    rename) and created exclusively (``O_CREAT | O_EXCL``, ``O_NOFOLLOW``), so a file or link
    already there is never opened, followed, truncated or removed; only that file is ever
    removed. It is created with mode ``0o666`` less the process's umask, as ``open(path,
    "wb")`` would create ``path`` (``tempfile.mkstemp`` would make it ``0o600``), so the
    download ends up with the permissions of any file the program writes. The move replaces
    whatever ``path`` was (a file, or a link, which is replaced, not followed); of two
    downloads to one path, the one to finish last is the one left there, whole.

    A failure of the file system after the request was sent (no space left, the folder gone,
    permission denied) is raised as an :class:`OSError` of the same kind, whose ``filename``
    is ``path`` and whose ``strerror`` says what was being done.
    """

    def __init__(self, path: PathType) -> None:
        try:
            target = os.fspath(path)
        except TypeError:
            target = None
        if not isinstance(target, str) or not target:
            raise InvalidArgumentError("path must be a non-empty file path", param="path")
        if os.path.isdir(target):
            raise InvalidArgumentError(f"path: {target!r} is a directory", param="path")
        folder = os.path.dirname(os.path.abspath(target))
        if not os.path.isdir(folder):
            raise InvalidArgumentError(f"path: the folder {folder!r} does not exist", param="path")
        self.path = target
        self.folder = folder
        self.part_path: Optional[str] = None
        """The temporary file, once :meth:`create` made it."""
        self._file: Optional[BinaryIO] = None
        self._identity: Optional[Tuple[int, int]] = None
        self.size = 0

    def create(self) -> None:
        """Make the temporary file, with a name no other file has (see the class docs)."""
        name = os.path.basename(self.path)[:_NAME_ROOM]
        for _ in range(_ATTEMPTS):
            candidate = os.path.join(self.folder, f".{name}.{secrets.token_hex(6)}.part")
            try:
                fd = os.open(candidate, _CREATE, 0o666)
            except FileExistsError:
                continue
            except OSError as exc:
                raise self._failed(exc, "creating its temporary file") from exc
            break
        else:  # pragma: no cover - 2**48 names, all taken
            raise FileExistsError(errno.EEXIST, "no free temporary file name", self.path)
        self.part_path = candidate
        info = os.fstat(fd)
        self._identity = (info.st_dev, info.st_ino)
        self._file = os.fdopen(fd, "wb")

    def write(self, data: Union[bytes, bytearray]) -> None:
        """Append ``data``."""
        assert self._file is not None, "create() first"
        try:
            self._file.write(data)
        except OSError as exc:
            raise self._failed(exc, "writing the download") from exc
        self.size += len(data)

    def commit(self) -> int:
        """Flush, close, and move the file into place; returns its size."""
        file, self._file = self._file, None
        assert file is not None, "create() first"
        part = self.part_path
        assert part is not None
        try:
            with file:
                file.flush()
                os.fsync(file.fileno())
            if not self._is_ours():
                raise OSError(errno.EIO, "its temporary file was removed or replaced", part)
            os.replace(part, self.path)
        except OSError as exc:
            self._file = None
            raise self._failed(exc, "moving the download into place") from exc
        self.part_path = None
        _sync_folder(self.folder)
        return self.size

    def discard(self) -> None:
        """Close and remove the temporary file, if it is still the one this object made
        (the target is left as it was). Safe to call more than once."""
        file, self._file = self._file, None
        if file is not None:
            with contextlib.suppress(OSError):
                file.close()
        part, self.part_path = self.part_path, None
        if part is not None and self._is_ours(part):
            with contextlib.suppress(OSError):
                os.remove(part)

    def _is_ours(self, part: Optional[str] = None) -> bool:
        """Whether the temporary file's name still names the file :meth:`create` made."""
        try:
            info = os.lstat(part or self.part_path or "")
        except OSError:
            return False
        return (info.st_dev, info.st_ino) == self._identity

    def _failed(self, exc: OSError, doing: str) -> OSError:
        """``exc`` as the error of the same kind that names the target, saying what failed."""
        return OSError(exc.errno, f"{exc.strerror or exc} ({doing})", self.path)

    def __enter__(self) -> PartialFile:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.discard()


_NAME_ROOM = 40
"""How much of the target's name the temporary file's name keeps (names are at most 255
bytes; 40 characters are at most 160)."""
_ATTEMPTS = 100
_CREATE = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _sync_folder(folder: str) -> None:
    """Make the rename durable where the platform allows it (POSIX: fsync the folder)."""
    flags = getattr(os, "O_DIRECTORY", None)
    if flags is None:
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
        """Write the body into the file at ``file`` and return its size: the file is whole
        or absent, and no file the SDK did not create is touched (through a temporary file
        of the SDK's own, moved into place once written, as ``ByteStream.write_to`` does)."""
        with PartialFile(file) as target:
            target.create()
            target.write(self.content)
            return target.commit()

    def stream_to_file(self, file: PathType) -> int:
        """:meth:`write_to_file`, by openai-python's older name."""
        return self.write_to_file(file)

    def __len__(self) -> int:
        return len(self.content)

    def __repr__(self) -> str:
        return f"<BinaryResponseContent of {len(self.content):,} bytes>"
