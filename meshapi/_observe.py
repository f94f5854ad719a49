"""Watching calls: the ``meshapi`` logger, event hooks, and what raw responses report.

An engine tells a :class:`CallWatch` what happens to one call (an attempt is sent, a
response or a failure comes back, a retry is scheduled, the call is done, a stream ends) and
decides nothing from it. The watch turns each moment into one of the core's events
(:mod:`meshapi_core.events`), hands it to the client's hooks and writes it to the
``meshapi`` logger; when the call is done it records, for ``with_raw_response``, what the
exchange looked like (:class:`Capture`). Events are only built when a hook or the logger
wants them; a call nobody watches gets a shared watch that does nothing.

Logging. The ``meshapi`` logger writes nothing unless enabled: set ``MESHAPI_LOG=info`` (each
attempt's outcome, each retry, each stream's end) or ``MESHAPI_LOG=debug`` (also each attempt
as it is sent), or configure ``logging.getLogger("meshapi")`` yourself. Records carry the
event as ``record.meshapi_event``. No line holds a header, so none holds a credential.

Hooks are plain callables, called in the thread or task that runs the call, and must be
quick (metrics, tracing). One that raises is reported on the logger and the call goes on.
The same hooks serve the blocking and the async client.

Deprecation. A reply whose headers say its endpoint or API version is being retired
(``Deprecation``, ``Sunset``: :class:`~meshapi_core.meta.DeprecationNotice`) raises one
``DeprecationWarning`` per endpoint and process, pointing at the caller's line, and writes
the same sentence once to the ``meshapi`` logger at WARNING (:func:`warn_deprecated`).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import warnings
from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Optional, Sequence, Set, Tuple

from typing_extensions import TypedDict

from meshapi_core.errors import InvalidArgumentError, MeshAPIError, error_from_response

if TYPE_CHECKING:  # loaded when the first event is made, not with the client
    from types import FrameType

    from meshapi_core.events import (
        RequestEvent,
        ResponseEvent,
        ResponseInfo,
        RetryEvent,
        StreamEndEvent,
    )
    from meshapi_core.http import Request

__all__ = [
    "CallWatch",
    "Capture",
    "EventHooks",
    "Observer",
    "configure_logging",
    "warn_deprecated",
]

logger = logging.getLogger("meshapi")

Redact = Callable[[MeshAPIError], MeshAPIError]
"""Takes a call's secrets out of an error (in place) and returns it."""

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_HOOK_NAMES = ("request", "response", "retry", "stream_end")


class EventHooks(TypedDict, total=False):
    """``event_hooks=`` of a client: lists of callables, each given one event."""

    request: Sequence[Callable[[RequestEvent], Any]]
    """Before each attempt is sent."""
    response: Sequence[Callable[[ResponseEvent], Any]]
    """After each attempt: a response (any status), or a failure with none."""
    retry: Sequence[Callable[[RetryEvent], Any]]
    """When a failed attempt will be retried, before the wait."""
    stream_end: Sequence[Callable[[StreamEndEvent], Any]]
    """When a stream ends: complete, interrupted, or closed early."""


_SDK_PACKAGES = frozenset(
    {"meshapi", "meshapi_core", "meshapi_httpx", "meshapi_aiohttp", "meshapi_wsproto"}
)
_warned: Set[str] = set()  # the endpoints whose deprecation this process was told of
_warned_lock = threading.Lock()


def warn_deprecated(endpoint: str, headers: Mapping[str, str]) -> None:
    """Tell of the retirement ``headers`` announce for ``endpoint`` (``"GET /v1/models"``):
    a ``DeprecationWarning`` and a WARNING on the ``meshapi`` logger, the first time in this
    process only; nothing when the headers announce none."""
    from meshapi_core.meta import DeprecationNotice, ResponseMeta

    notice = DeprecationNotice.from_headers(headers)
    if notice is None:
        return
    with _warned_lock:
        if endpoint in _warned:
            return
        _warned.add(endpoint)
    version = ResponseMeta.from_headers(headers).api_version
    what = endpoint or "an endpoint"
    if version:
        what += f" (API version {version})"
    message = "MeshAPI: " + notice.describe(what)
    logger.warning("%s", message, extra={"meshapi_deprecation": notice})
    level = 1
    frame: Optional[FrameType] = sys._getframe(0)
    while frame is not None and str(frame.f_globals.get("__name__", "")).partition(".")[0] in (
        _SDK_PACKAGES
    ):
        frame, level = frame.f_back, level + 1  # the warning points at the caller's line
    warnings.warn(message, DeprecationWarning, stacklevel=level)


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``MESHAPI_LOG`` installs (told apart from the user's own)."""


def configure_logging(environ: Optional[Mapping[str, str]] = None) -> None:
    """Switch the ``meshapi`` logger on when ``MESHAPI_LOG`` is ``info`` or ``debug``:
    set its level and add one stderr handler (once). Any other value changes nothing."""
    value = (environ if environ is not None else os.environ).get("MESHAPI_LOG", "")
    level = _LEVELS.get(value.strip().lower())
    if level is None:
        return
    logger.setLevel(level)
    if not any(isinstance(h, _Handler) for h in logger.handlers):
        handler = _Handler()
        handler.setFormatter(logging.Formatter("[%(asctime)s %(name)s %(levelname)s] %(message)s"))
        logger.addHandler(handler)


def _check_hooks(event_hooks: Optional[Mapping[str, Any]]) -> Dict[str, Tuple[Any, ...]]:
    if event_hooks is None:
        return {}
    if not isinstance(event_hooks, Mapping):
        raise InvalidArgumentError(
            "event_hooks must be a mapping of event names to lists of callables",
            param="event_hooks",
        )
    checked: Dict[str, Tuple[Any, ...]] = {}
    for name, hooks in event_hooks.items():
        if name not in _HOOK_NAMES:
            raise InvalidArgumentError(
                f"event_hooks: unknown event {name!r} (known: {', '.join(_HOOK_NAMES)})",
                param="event_hooks",
            )
        if not isinstance(hooks, (list, tuple)) or not all(callable(h) for h in hooks):
            raise InvalidArgumentError(
                f"event_hooks[{name!r}] must be a list of callables", param="event_hooks"
            )
        if hooks:
            checked[name] = tuple(hooks)
    return checked


class Observer:
    """One client's hooks and clock; makes a :class:`CallWatch` per call."""

    def __init__(
        self, clock: Callable[[], float], event_hooks: Optional[Mapping[str, Any]] = None
    ) -> None:
        self.clock = clock
        self.hooks = _check_hooks(event_hooks)

    def watch(
        self, capture: Optional[Capture] = None, redact: Optional[Redact] = None
    ) -> CallWatch:
        """A watch for one call; ``capture`` receives the exchange behind its value, and
        ``redact`` (the call's :meth:`~meshapi_core.calls.Call.redact`) takes the call's
        secrets out of the errors it reports. When nobody listens (no hook, the logger below
        INFO, no capture), one shared watch that does nothing serves every call."""
        if capture is None and not self.hooks and not logger.isEnabledFor(logging.INFO):
            return _QUIET
        return CallWatch(self, capture, redact)

    def wants(self, name: str, level: int) -> bool:
        """Whether anyone listens to events ``name`` (a hook, or the logger at ``level``)."""
        return name in self.hooks or logger.isEnabledFor(level)

    def emit(self, name: str, level: int, event: Any) -> None:
        """Log ``event`` and give it to the hooks of ``name``."""
        if logger.isEnabledFor(level):
            logger.log(level, "%s", event.message(), extra={"meshapi_event": event})
        for hook in self.hooks.get(name, ()):
            try:
                hook(event)
            except Exception:
                logger.warning("meshapi %s hook %r failed", name, hook, exc_info=True)


class Capture:
    """Where ``with_raw_response`` finds the exchange behind a call's value."""

    __slots__ = ("info",)

    def __init__(self) -> None:
        self.info: Optional[ResponseInfo] = None


class CallWatch:
    """Follows one call for the logger, the hooks and ``with_raw_response``."""

    # Defaults at class level: a watch writes only what its call changes (it is made for
    # every call, so its set-up is kept to a few attribute writes).
    _method = ""
    _url = ""
    _attempt = 0
    _status = 0
    _headers: Mapping[str, str] = {}
    _body: Optional[bytes] = None
    _error: Optional[MeshAPIError] = None
    _started = 0.0
    _sent = 0.0

    def __init__(
        self, observer: Observer, capture: Optional[Capture], redact: Optional[Redact] = None
    ) -> None:
        self._observer = observer
        self._capture = capture
        self._redact = redact
        # Whether anyone listens to this call (a hook, the logger), asked once per call.
        self._loud = bool(observer.hooks) or logger.isEnabledFor(logging.INFO)
        self._started = self._sent = observer.clock()

    def sending(self, request: Request, attempt: int) -> None:
        """Attempt ``attempt`` (from 1) of ``request`` is about to be sent."""
        self._method, self._url, self._attempt = request.method, request.url, attempt
        if not self._loud:
            return
        observer = self._observer
        self._sent = observer.clock()
        if observer.wants("request", logging.DEBUG):
            from meshapi_core.events import RequestEvent

            event = RequestEvent(request.method, request.url, attempt)
            observer.emit("request", logging.DEBUG, event)

    def received(
        self, status: int, headers: Mapping[str, str], body: Optional[bytes] = None
    ) -> None:
        """The attempt got a response (for a stream: its head, ``body`` left out)."""
        self._status, self._headers, self._body, self._error = status, headers, body, None
        observer = self._observer
        if self._loud and observer.wants("response", logging.INFO):
            error = self._error_of(status, headers, body) if status >= 400 else None
            observer.emit("response", logging.INFO, self._response_event(status, error))

    def failed(self, error: MeshAPIError) -> None:
        """The attempt got no response."""
        self._status, self._headers, self._body, self._error = 0, {}, None, error
        observer = self._observer
        if self._loud and observer.wants("response", logging.INFO):
            observer.emit("response", logging.INFO, self._response_event(0, error))

    def retrying(self, wait: float) -> None:
        """The last attempt failed and the call will try again after ``wait`` seconds."""
        observer = self._observer
        if not (self._loud and observer.wants("retry", logging.INFO)):
            return
        error = self._error
        code = None
        from meshapi_core.events import RetryEvent

        if error is None and self._status:
            error = self._error_of(self._status, self._headers, self._body)
            code = error.error_code
        event = RetryEvent(self._method, self._url, self._attempt, wait, error, self._status, code)
        observer.emit("retry", logging.INFO, event)

    def done(self) -> None:
        """The call succeeded (with the last response): fill the capture."""
        self._record(self._body)

    def opened(self) -> None:
        """A stream's head is in and starts the stream: fill the capture."""
        self._record(None)

    def stream_ended(self, events: int, completed: bool, error: Optional[BaseException]) -> None:
        """The stream this watch opened ended."""
        observer = self._observer
        if self._loud and observer.wants("stream_end", logging.INFO):
            from meshapi_core.events import StreamEndEvent

            event = StreamEndEvent(
                self._method,
                self._url,
                self._status,
                events,
                observer.clock() - self._sent,
                completed,
                self._headers,
                error,
            )
            observer.emit("stream_end", logging.INFO, event)

    def _error_of(
        self, status: int, headers: Mapping[str, str], body: Optional[bytes]
    ) -> MeshAPIError:
        error = error_from_response(status, headers, body or b"")
        return error if self._redact is None else self._redact(error)

    def _record(self, body: Optional[bytes]) -> None:
        capture = self._capture
        if capture is not None:
            from meshapi_core.events import ResponseInfo

            capture.info = ResponseInfo(
                self._method,
                self._url,
                self._status,
                self._headers,
                self._observer.clock() - self._started,
                self._attempt,
                body,
            )

    def _response_event(self, status: int, error: Optional[MeshAPIError]) -> ResponseEvent:
        from meshapi_core.events import ResponseEvent

        return ResponseEvent(
            self._method,
            self._url,
            self._attempt,
            status,
            self._observer.clock() - self._sent,
            self._headers,
            error,
        )


class _QuietWatch(CallWatch):
    """The watch of calls nobody listens to: every report is ignored, nothing is stored, so
    one instance serves every call of every client."""

    def __init__(self) -> None:
        pass

    def sending(self, request: Request, attempt: int) -> None:
        """Ignored."""

    def received(
        self, status: int, headers: Mapping[str, str], body: Optional[bytes] = None
    ) -> None:
        """Ignored."""

    def failed(self, error: MeshAPIError) -> None:
        """Ignored."""

    def retrying(self, wait: float) -> None:
        """Ignored."""

    def done(self) -> None:
        """Ignored."""

    def opened(self) -> None:
        """Ignored."""

    def stream_ended(self, events: int, completed: bool, error: Optional[BaseException]) -> None:
        """Ignored."""


_QUIET = _QuietWatch()
