"""The async engine: where a client meets its transport.

An engine does three things, and decides none of them: it turns a method's arguments into
the core's call machine (:func:`~meshapi_core.prepare.prepare_call`), drives the machine
against the transport (send, sleep, retry: :meth:`AsyncEngine.run`), and reads bodies within
their bounds (:class:`~meshapi_core.bodies.BodyReader`). Opening a stream is one attempt whose
head the core checks (:meth:`AsyncEngine.open`). Every decision is the core's.

It also stamps each reply with the request id of the response it came in, and reports what
happens to a :class:`~meshapi._observe.CallWatch` (attempts, responses, retries, the end),
which logs it, calls the client's hooks and fills the capture of ``with_raw_response``; the
engine only says when.

This module is the source of the blocking engine in ``meshapi/_sync/engine.py``, written by
``scripts/unasync.py``.
"""

from __future__ import annotations

import copy
from contextlib import suppress
from typing import Any, Mapping, Optional, Tuple, TypeVar

from meshapi_core.bodies import BodyReader
from meshapi_core.calls import Call, Done, Fail, Runtime, Send, Sleep
from meshapi_core.config import ClientConfig, split_options
from meshapi_core.endpoint import Endpoint, StreamKind
from meshapi_core.errors import MeshAPIError, StreamInterruptedError, body_failure
from meshapi_core.http import Request, Response
from meshapi_core.models.base import stamp_request_id
from meshapi_core.prepare import prepare_call
from meshapi_core.streams import is_stream_head
from meshapi_core.transport import AsyncStreamResponse, AsyncTransport

# async-only: begin
from .._loop import LoopGuard

# async-only: end
from .._observe import CallWatch, Capture, Observer

__all__ = ["AsyncEngine"]

R = TypeVar("R")


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

    def capturing(self, capture: Capture) -> AsyncEngine:
        """This engine, recording each call's exchange in ``capture`` (``with_raw_response``)."""
        engine = copy.copy(self)
        engine.capture = capture
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

    async def run(self, call: Call[R]) -> R:
        """Drive ``call`` to its end: send, sleep, retry, return or raise."""
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
                if response is not None:  # the reply knows the request it answered
                    stamp_request_id(action.value, response.headers.get("x-request-id"))
                watch.done()
                return action.value
            else:
                raise action.error

    async def fetch(self, request: Request) -> Response:
        """Send ``request`` and read its whole body, within its bound."""
        response = await self.transport.open_stream(request)
        reader = BodyReader(request, response.status, response.headers)
        await self._read(response, reader)
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
        if is_stream_head(kind, response.status, response.headers):
            watch.received(response.status, response.headers)
            watch.opened()
            return response, request, watch
        reader = BodyReader(request, response.status, response.headers, error=True)
        with suppress(MeshAPIError):  # what arrived is all there is to read the error from
            await self._read(response, reader)
        refused = reader.response()
        watch.received(refused.status, refused.headers, refused.body)
        raise call.stream_refused(refused, kind.accept)

    @staticmethod
    async def _read(response: AsyncStreamResponse, reader: BodyReader) -> None:
        """Feed ``response``'s body to ``reader`` until it ends or passes its bound; close."""
        try:
            async for data in response.iter_bytes():
                if reader.feed(data):
                    break
        except StreamInterruptedError as error:
            raise body_failure(error) from None
        finally:
            await response.aclose()
