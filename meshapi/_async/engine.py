"""The async engine: where a client meets its transport.

An engine does three things, and decides none of them: it turns a method's arguments into
the core's call machine (:func:`~meshapi_core.prepare.prepare_call`), drives the machine
against the transport (send, sleep, retry: :meth:`AsyncEngine.run`), and reads bodies within
their bounds (:class:`~meshapi_core.bodies.BodyReader`). Opening a stream is one attempt whose
head the core checks (:meth:`AsyncEngine.open`). Every decision is the core's.

It also stamps each reply with the headers of the response it came in (its ``request_id`` and
``meta``), has a response that announces its endpoint's retirement warned of
(:func:`~meshapi._observe.warn_deprecated`), and reports what happens to a
:class:`~meshapi._observe.CallWatch` (attempts, responses, retries, the end), which logs it,
calls the client's hooks and fills the capture of ``with_raw_response``; the engine only
says when.

For ``with_streaming_response`` an engine may hold a call at its response's head
(:class:`Deferral`): the call runs as usual (retries included) until a 2xx head arrives,
which is handed over unread, its body to be read when the caller asks
(:class:`HeldResponse`). The method that made the call is left by :class:`HeadReached`.

This module is the source of the blocking engine in ``meshapi/_sync/engine.py``, written by
``scripts/unasync.py``.
"""

from __future__ import annotations

import copy
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Tuple, TypeVar, overload

from meshapi_core.bodies import BodyReader
from meshapi_core.calls import Call, Done, Fail, Runtime, Send, Sleep
from meshapi_core.config import ClientConfig, split_options
from meshapi_core.endpoint import Endpoint, StreamKind
from meshapi_core.errors import MeshAPIError, StreamInterruptedError, body_failure
from meshapi_core.http import Request, Response
from meshapi_core.models.base import stamp_response
from meshapi_core.prepare import prepare_call
from meshapi_core.transport import AsyncStreamResponse, AsyncTransport

# async-only: begin
from .._loop import LoopGuard

# async-only: end
from .._observe import CallWatch, Capture, Observer, warn_deprecated

# sync: __all__ = ["Deferral", "Engine", "HeadReached", "HeldResponse"]
__all__ = ["AsyncEngine", "Deferral", "HeadReached", "HeldResponse"]

R = TypeVar("R")
T = TypeVar("T")


@dataclass
class HeldResponse:
    """A call held at its 2xx head: the response, its body unread, and what turns the body
    into the method's value (the call's decoder, then the method's ``then``)."""

    call: Call[Any]
    request: Request
    response: AsyncStreamResponse
    then: Optional[Callable[[Any], Any]]

    def value(self, body: bytes) -> Any:
        """The method's value from the whole ``body`` (no I/O), or the error it reports."""
        head = self.response
        response = Response(head.status, head.headers, body)
        self.call.receive_response(response)
        action = self.call.next_action()
        if isinstance(action, Fail):
            raise action.error
        assert isinstance(action, Done), action  # a 2xx is never retried
        _received(action.value, head.headers, self.call)
        then = self.then
        return action.value if then is None else then(action.value)


def _received(value: Any, headers: Mapping[str, str], call: Call[Any]) -> None:
    """A call's reply came in a response with ``headers``: stamp the reply with them, and warn
    if they announce the endpoint's retirement."""
    stamp_response(value, headers, call.model)
    if "deprecation" in headers or "sunset" in headers:
        warn_deprecated(call.endpoint, headers)


class Deferral:
    """Asks an engine to hold the next call that reaches a 2xx head (while ``active``)."""

    __slots__ = ("active", "held")

    def __init__(self) -> None:
        self.active = True
        self.held: Optional[HeldResponse] = None


class HeadReached(BaseException):
    """Leaves the method whose call an engine held (see :class:`Deferral`). A
    ``BaseException``, so no ``except Exception`` on the way mistakes it for a failure."""


class AsyncEngine:
    """Runs the core's calls on an :class:`~meshapi_core.transport.AsyncTransport`."""

    # async-only: begin
    guard: Optional[LoopGuard] = None
    """Checks that each call runs in the event loop and process the connections belong to."""

    # async-only: end
    def __init__(
        self,
        config: ClientConfig,
        transport: AsyncTransport,
        runtime: Runtime,
        observer: Optional[Observer] = None,
    ) -> None:
        self.config = config
        self.transport = transport
        self.runtime = runtime
        self.observer = observer if observer is not None else Observer(runtime.clock)
        self.capture: Optional[Capture] = None
        self.deferral: Optional[Deferral] = None

    def capturing(self, capture: Capture, deferral: Optional[Deferral] = None) -> AsyncEngine:
        """This engine, recording each call's exchange in ``capture`` (``with_raw_response``)
        and, with a ``deferral``, holding the next call at its head
        (``with_streaming_response``)."""
        engine = copy.copy(self)
        engine.capture = capture
        engine.deferral = deferral
        return engine

    def prepare(
        self,
        endpoint: Endpoint[Any, R],
        params: Any = None,
        kwargs: Optional[Mapping[str, Any]] = None,
        path: Optional[Mapping[str, Any]] = None,
        files: Optional[Mapping[str, Any]] = None,
    ) -> Call[R]:
        """The call machine for one call: ``kwargs`` holds the params' fields and the call's
        options together, as a method received them; ``files`` the files of a form."""
        fields, options = split_options(kwargs or {})
        if files is not None or endpoint.takes_files:
            from .._files import prepare_form  # checks files on disk: only calls that send some

            return prepare_form(
                endpoint, self.config, self.runtime, params, fields, options, path, files
            )
        return prepare_call(
            endpoint,
            self.config,
            self.runtime,
            params=params,
            fields=fields,
            path=path,
            options=options,
        )

    @overload
    async def run(self, call: Call[R]) -> R: ...

    @overload
    async def run(self, call: Call[R], then: Callable[[R], T]) -> T: ...

    async def run(self, call: Call[R], then: Optional[Callable[[R], Any]] = None) -> Any:
        """Drive ``call`` to its end: send, sleep, retry, return or raise; the value is the
        call's reply, or what ``then`` makes of it (so a held call can apply it later)."""
        # async-only: begin
        if self.guard is not None:
            self.guard.check()
        # async-only: end
        watch = self.observer.watch(self.capture, call.redact)
        response: Optional[Response] = None
        while True:
            action = call.next_action()
            if isinstance(action, Send):
                watch.sending(action.request, action.attempt + 1)
                try:
                    if self.deferral is not None and self.deferral.active:
                        response = await self._fetch_or_hold(action.request, call, watch, then)
                    else:
                        response = await self.fetch(action.request)
                except MeshAPIError as error:
                    watch.failed(error)
                    call.receive_error(error)
                else:
                    watch.received(response.status, response.headers, response.body)
                    call.receive_response(response)
            elif isinstance(action, Sleep):
                watch.retrying(action.seconds)
                await self.transport.sleep(action.seconds)
            elif isinstance(action, Done):
                if response is not None:  # the reply knows the response it came in
                    _received(action.value, response.headers, call)
                watch.done()
                return action.value if then is None else then(action.value)
            else:
                raise action.error

    async def fetch(self, request: Request) -> Response:
        """Send ``request`` and read its whole body, within its bound."""
        response = await self.transport.open_stream(request)
        reader = BodyReader(request, response.status, response.headers)
        await self._read(response, reader)
        return reader.response()

    async def _fetch_or_hold(
        self,
        request: Request,
        call: Call[Any],
        watch: CallWatch,
        then: Optional[Callable[[Any], Any]],
    ) -> Response:
        """:meth:`fetch`, except that a 2xx head is held, unread, and :class:`HeadReached`
        raised (an error status is read and decided on as usual, retries included)."""
        head = await self.transport.open_stream(request)
        deferral = self.deferral
        if deferral is not None and 200 <= head.status < 300:
            deferral.active = False
            deferral.held = HeldResponse(call, request, head, then)
            watch.received(head.status, head.headers)
            watch.opened()
            await self._check_head(head, call)
            raise HeadReached()
        reader = BodyReader(request, head.status, head.headers)
        await self._read(head, reader)
        return reader.response()

    async def open(
        self, call: Call[Any], kind: StreamKind
    ) -> Tuple[AsyncStreamResponse, Request, CallWatch]:
        """Open a stream: one attempt (and, if a reused connection the server had closed
        lost it before any answer, one more at once). A head that does not start the stream
        (an error status, or a 2xx with a JSON body) becomes the typed error it reports. The
        watch returned is told when the stream ends."""
        # async-only: begin
        if self.guard is not None:
            self.guard.check()
        # async-only: end
        watch = self.observer.watch(self.capture, call.redact)
        while True:
            request = call.open_stream()
            watch.sending(request, call.attempts)
            try:
                response = await self.transport.open_stream(request)
                break
            except MeshAPIError as error:
                watch.failed(error)
                call.receive_error(error)
            # Only a request that nothing answered is sent again (see Call): at once, and once.
            action = call.next_action()
            if isinstance(action, Fail):
                raise action.error
            assert isinstance(action, Sleep), action
            watch.retrying(action.seconds)
            await self.transport.sleep(action.seconds)
        from meshapi_core.streams import is_stream_head  # with the first stream

        if is_stream_head(kind, response.status, response.headers):
            watch.received(response.status, response.headers)
            watch.opened()
            await self._check_head(response, call)
            return response, request, watch
        reader = BodyReader(request, response.status, response.headers, error=True)
        with suppress(MeshAPIError):  # what arrived is all there is to read the error from
            await self._read(response, reader)
        refused = reader.response()
        watch.received(refused.status, refused.headers, refused.body)
        raise call.stream_refused(refused, kind.accept)

    @staticmethod
    async def _check_head(response: AsyncStreamResponse, call: Call[Any]) -> None:
        """Warn if a 2xx head the caller gets before any value (a stream's, a held one's)
        announces the endpoint's retirement; should the warning be an error (``-W error``),
        the response is closed before it is raised."""
        headers = response.headers
        if "deprecation" in headers or "sunset" in headers:
            try:
                warn_deprecated(call.endpoint, headers)
            except BaseException:
                await response.aclose()
                raise

    @staticmethod
    async def _read(response: AsyncStreamResponse, reader: BodyReader) -> None:
        """Feed ``response``'s body to ``reader`` until it ends or passes its bound; close.
        A body the transport already holds whole (``body_in_memory()``) is fed at once."""
        in_memory = getattr(response, "body_in_memory", None)
        whole = None if in_memory is None else in_memory()
        if whole is not None:
            reader.feed(whole)
            await response.aclose()
            return
        try:
            async for data in response.iter_bytes():
                if reader.feed(data):
                    break
        except StreamInterruptedError as error:
            raise body_failure(error) from None
        finally:
            await response.aclose()
