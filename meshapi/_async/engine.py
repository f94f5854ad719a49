"""The async engine: where a client meets its transport.

An engine does three things, and decides none of them: it turns a method's arguments into
the core's call machine (:func:`~meshapi_core.prepare.prepare_call`), drives the machine
against the transport (send, sleep, retry: :meth:`AsyncEngine.run`), and reads bodies within
their bounds (:class:`~meshapi_core.bodies.BodyReader`). Opening a stream is one attempt whose
head the core checks (:meth:`AsyncEngine.open`). Every decision is the core's.

This module is the source of the blocking engine in ``meshapi/_sync/engine.py``, written by
``scripts/unasync.py``.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any, Mapping, Optional, Tuple, TypeVar

from meshapi_core.bodies import BodyReader
from meshapi_core.calls import Call, Done, Runtime, Send, Sleep
from meshapi_core.config import ClientConfig, split_options
from meshapi_core.endpoint import Endpoint, StreamKind
from meshapi_core.errors import MeshAPIError, StreamInterruptedError, body_failure
from meshapi_core.http import Request, Response
from meshapi_core.prepare import prepare_call
from meshapi_core.streams import is_stream_head
from meshapi_core.transport import AsyncStreamResponse, AsyncTransport

# async-only: begin
from .._loop import LoopGuard

# async-only: end
__all__ = ["AsyncEngine"]

R = TypeVar("R")


class AsyncEngine:
    """Runs the core's calls on an :class:`~meshapi_core.transport.AsyncTransport`."""

    # async-only: begin
    guard: Optional[LoopGuard] = None
    """Checks that each call runs in the event loop and process the connections belong to."""

    # async-only: end
    def __init__(self, config: ClientConfig, transport: AsyncTransport, runtime: Runtime) -> None:
        self.config = config
        self.transport = transport
        self.runtime = runtime

    def prepare(
        self,
        endpoint: Endpoint[Any, R],
        params: Any = None,
        kwargs: Optional[Mapping[str, Any]] = None,
        path: Optional[Mapping[str, Any]] = None,
    ) -> Call[R]:
        """The call machine for one call: ``kwargs`` holds the params' fields and the call's
        options together, as a method received them."""
        fields, options = split_options(kwargs or {})
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
        while True:
            action = call.next_action()
            if isinstance(action, Send):
                try:
                    response = await self.fetch(action.request)
                except MeshAPIError as error:
                    call.receive_error(error)
                else:
                    call.receive_response(response)
            elif isinstance(action, Sleep):
                await self.transport.sleep(action.seconds)
            elif isinstance(action, Done):
                return action.value
            else:
                raise action.error

    async def fetch(self, request: Request) -> Response:
        """Send ``request`` and read its whole body, within its bound."""
        response = await self.transport.open_stream(request)
        reader = BodyReader(request, response.status, response.headers)
        await self._read(response, reader)
        return reader.response()

    async def open(self, call: Call[Any], kind: StreamKind) -> Tuple[AsyncStreamResponse, Request]:
        """Open a stream: one attempt. A head that does not start the stream (an error
        status, or a 2xx with a JSON body) becomes the typed error it reports."""
        # async-only: begin
        if self.guard is not None:
            self.guard.check()
        # async-only: end
        request = call.open_stream()
        response = await self.transport.open_stream(request)
        if is_stream_head(kind, response.status, response.headers):
            return response, request
        reader = BodyReader(request, response.status, response.headers, error=True)
        with suppress(MeshAPIError):  # what arrived is all there is to read the error from
            await self._read(response, reader)
        raise call.stream_refused(reader.response(), kind.accept)

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
