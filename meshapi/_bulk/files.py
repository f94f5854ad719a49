"""The files of a bulk job: the input (read), the output (appended), the checkpoint.

The decisions (what is done, where to resume, when to save) are the core's
(:mod:`meshapi_core.bulk`); this module does the I/O they ask for, in the order that makes
a crash at any moment safe:

- the checkpoint (with the job's id) is on disk before the first request is sent;
- each record is appended with one ``write`` (a ``kill -9`` leaves a line whole or torn,
  never two half lines); the output is ``fsync``-ed before every checkpoint;
- a checkpoint is written to ``<name>.tmp``, ``fsync``-ed, renamed over the old one, and
  the folder ``fsync``-ed: a checkpoint is the old one or the new one, whole;
- a rerun reads what was appended after the checkpoint's ``output_size``, keeps the whole
  records, and cuts the output back after the last of them (a torn last line, or bytes a
  crash of the machine left unwritten).

The output is locked (``flock``) while a run uses it, so a second run on the same output
fails at once instead of interleaving lines. A file the job did not create is never
changed: an output that exists without its checkpoint is refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple, Union

from meshapi_core.bulk.checkpoint import Checkpoint, CheckpointError, OutputScanner
from meshapi_core.errors import InvalidArgumentError

__all__ = ["MAX_LINE_BYTES", "InputReader", "Journal", "checkpoint_path_for", "count_lines"]

MAX_LINE_BYTES = 32 * 1024 * 1024
"""The longest input line read (32 MiB, the gateway's largest request body); a longer one
is an error record."""
_HEAD_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024

PathLike = Union[str, "os.PathLike[str]"]


def checkpoint_path_for(output: PathLike) -> Path:
    """Where the checkpoint of a job writing ``output`` lives: ``<output>.checkpoint``."""
    path = Path(output)
    return path.with_name(path.name + ".checkpoint")


def describe_input(path: Path) -> Dict[str, Any]:
    """What identifies an input: its path, size and a digest of its first MiB."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        digest.update(file.read(_HEAD_BYTES))
        size = os.fstat(file.fileno()).st_size
    return {"path": str(path.resolve()), "size": size, "head_sha256": digest.hexdigest()}


def count_lines(path: Path) -> int:
    """Lines in ``path`` (a last line without a newline counts), read in 1 MiB chunks."""
    count, last = 0, b"\n"
    with path.open("rb") as file:
        while True:
            chunk = file.read(_CHUNK)
            if not chunk:
                break
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


class InputReader:
    """Reads input lines with their byte offsets, in bounded memory."""

    def __init__(self, path: Path, offset: int = 0) -> None:
        self._file = path.open("rb")
        self.seek(offset)

    def seek(self, offset: int) -> None:
        """Read from byte ``offset`` on (a line's start)."""
        self._file.seek(offset)
        self._offset = offset

    def read_lines(self, count: int) -> List[Tuple[Optional[bytes], int, int]]:
        """Up to ``count`` lines from where the reading is, each as (bytes, start offset,
        end offset); the bytes are ``None`` for a line over :data:`MAX_LINE_BYTES` (read
        past in bounded pieces). An empty list at the end of the input."""
        file = self._file
        lines: List[Tuple[Optional[bytes], int, int]] = []
        for _ in range(count):
            start = self._offset
            data: Optional[bytes] = file.readline(MAX_LINE_BYTES + 1)
            if not data:
                break
            length = len(data)
            if length > MAX_LINE_BYTES and not data.endswith(b"\n"):
                while True:
                    more = file.readline(_CHUNK)
                    length += len(more)
                    if not more or more.endswith(b"\n"):
                        break
                data = None
            self._offset = start + length
            lines.append((data, start, self._offset))
        return lines

    def close(self) -> None:
        """Close the file."""
        self._file.close()


class Journal:
    """The input, output and checkpoint of one job (see the module docs)."""

    def __init__(
        self, input: PathLike, output: PathLike, checkpoint: Optional[PathLike] = None
    ) -> None:
        self.input_path = Path(input)
        self.output_path = Path(output)
        self.checkpoint_path = (
            Path(checkpoint) if checkpoint is not None else checkpoint_path_for(output)
        )
        if self.output_path.resolve() == self.input_path.resolve():
            raise InvalidArgumentError("the output must not be the input", param="output")
        self._input: Optional[InputReader] = None
        self._output: Optional[int] = None

    # -- opening and resuming -------------------------------------------------------------

    def open(self, settings: Dict[str, Any], new_job_id: str) -> Tuple[Checkpoint, Set[int]]:
        """Open the files: the checkpoint to start from (a new one, saved before anything
        is sent, for a new job) and the lines done past its watermark."""
        if not self.input_path.is_file():
            raise InvalidArgumentError(f"no input file at {self.input_path}", param="input")
        described = describe_input(self.input_path)
        if self.checkpoint_path.exists():
            checkpoint = Checkpoint.decode(self.checkpoint_path.read_bytes())
            checkpoint.check_same_job(described, settings)
            if not self.output_path.exists():
                raise CheckpointError(
                    f"the checkpoint {self.checkpoint_path} has no output beside it: was "
                    f"{self.output_path} moved or deleted?"
                )
            done = self._open_output(checkpoint)
        else:
            if self.output_path.exists() and self.output_path.stat().st_size > 0:
                raise CheckpointError(
                    f"{self.output_path} exists but has no checkpoint beside it "
                    f"({self.checkpoint_path.name}): it is not a job's output, or its "
                    "checkpoint was removed; choose another output"
                )
            checkpoint = Checkpoint(new_job_id, described, settings)
            self._create_output()
            self.save(checkpoint)
            done = set()
        self._input = InputReader(self.input_path, checkpoint.offset)
        return checkpoint, done

    def _lock(self, fd: int) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory locks
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise CheckpointError(
                f"another run is writing {self.output_path}: wait for it, or stop it"
            ) from None

    def _create_output(self) -> None:
        fd = os.open(self.output_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._lock(fd)
        self._output = fd

    def _open_output(self, checkpoint: Checkpoint) -> Set[int]:
        fd = os.open(self.output_path, os.O_RDWR | os.O_APPEND)
        self._lock(fd)
        self._output = fd
        size = os.fstat(fd).st_size
        if size < checkpoint.output_size:
            raise CheckpointError(
                f"{self.output_path} holds {size} bytes, fewer than the {checkpoint.output_size} "
                "its checkpoint counts: was it changed?"
            )
        scanner = OutputScanner()
        with self.output_path.open("rb") as file:
            file.seek(checkpoint.output_size)
            while not scanner.broken:
                chunk = file.read(_CHUNK)
                if not chunk:
                    break
                scanner.feed(chunk)
        whole = checkpoint.output_size + scanner.good_bytes
        if whole < size:  # a torn last line, or what a crash left unwritten: cut it off
            os.ftruncate(fd, whole)
            os.fsync(fd)
        checkpoint.totals.merge(scanner.tally)
        checkpoint.output_size = whole
        return scanner.lines

    # -- the job's I/O --------------------------------------------------------------------

    def read_lines(self, count: int) -> List[Tuple[Optional[bytes], int, int]]:
        """Up to ``count`` input lines from where the reading is (see
        :meth:`InputReader.read_lines`)."""
        assert self._input is not None, "open() first"
        return self._input.read_lines(count)

    def seek(self, offset: int) -> None:
        """Read the input from byte ``offset`` on (a line's start)."""
        assert self._input is not None, "open() first"
        self._input.seek(offset)

    @staticmethod
    def reader(path: Path, offset: int) -> InputReader:
        """Another reader of the input ``path``, from byte ``offset`` (a line's start)."""
        return InputReader(path, offset)

    def output_size(self) -> int:
        """The bytes the output holds now."""
        assert self._output is not None, "open() first"
        return os.fstat(self._output).st_size

    def append(self, data: bytes) -> None:
        """Append records to the output, in one ``write`` where the system allows."""
        fd = self._output
        assert fd is not None, "open() first"
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]

    def save(self, checkpoint: Checkpoint) -> None:
        """``fsync`` the output, then replace the checkpoint atomically (see the module
        docs)."""
        if self._output is not None:
            os.fsync(self._output)
        temporary = self.checkpoint_path.with_name(self.checkpoint_path.name + ".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(checkpoint.encode())
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, self.checkpoint_path)
        _fsync_folder(self.checkpoint_path.parent)

    def close(self) -> None:
        """Close the files (and release the output's lock)."""
        if self._input is not None:
            self._input.close()
            self._input = None
        if self._output is not None:
            with contextlib.suppress(OSError):
                os.fsync(self._output)
            os.close(self._output)
            self._output = None


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the system can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)
