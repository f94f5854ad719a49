"""The drivers: where a client meets its transport.

An engine turns "call this endpoint with this body" into a :class:`~meshapi_core.calls.Call`
(everything shared lives in :class:`_Engine`), then runs the call machine against a
transport. The sync and async drivers are the same dozen lines, one with ``await``; what
they run, and every decision in it, is the core's.
"""

from __future__ import annotations

import os
import random
import time
from functools import partial
from typing import Any, Dict, Optional, Sequence, Tuple, TypeVar, Union, cast

import pydantic

from meshapi_core.calls import Call, Done, Runtime, Send, Sleep, decode_json
from meshapi_core.config import CallOptions, ClientConfig
from meshapi_core.endpoints import Endpoint, RetryClass
from meshapi_core.errors import MeshAPIError
from meshapi_core.http import Request, Response
from meshapi_core.streams import StreamDecoder
from meshapi_core.transport import (
    AsyncStreamResponse,
    AsyncTransport,
    SyncStreamResponse,
    SyncTransport,
)

M = TypeVar("M", bound=pydantic.BaseModel)

SYSTEM_RUNTIME = Runtime(
    clock=time.monotonic,
    wall_clock=time.time,
    random=random.random,
    new_idempotency_key=lambda: os.urandom(16).hex(),
)


class _Engine:
    """What the sync and async engines share: building calls and stream decoders."""

    def __init__(self, config: ClientConfig, runtime: Runtime) -> None:
        self.config = config
        self.runtime = runtime

    def prepare(
        self,
        endpoint: Endpoint[M],
        options: CallOptions,
        *,
        path: Optional[str] = None,
        json_body: Union[Dict[str, Any], bytes, None] = None,
        query: Optional[Sequence[Tuple[str, str]]] = None,
    ) -> Call[M]:
        """The call machine for one call of ``endpoint``."""
        key = None
        if endpoint.retry is RetryClass.KEYED:
            key = options.idempotency_key or self.runtime.new_idempotency_key()
        request = self.config.build_request(
            endpoint,
            path=path,
            json_body=json_body,
            query=query,
            options=options,
            idempotency_key=key,
        )
        call: Call[Optional[M]] = Call(
            request,
            decode=partial(decode_json, model=endpoint.response, many=endpoint.many),
            policy=self.config.retry_policy(options),
            runtime=self.runtime,
            retryable=endpoint.retry is not RetryClass.NEVER,
            deadline=options.deadline if options.deadline is not None else self.config.deadline,
        )
        # decode_json returns None only for endpoints without a response model (204s), and
        # a list of M for `many` endpoints, whose resources say so in their own types.
        return cast(Call[M], call)

    def first_request(self, call: Call[Any]) -> Request:
        """The request of a call that gets one attempt only (a stream)."""
        action = call.next_action()
        if not isinstance(action, Send):
            assert not isinstance(action, (Sleep, Done))
            raise action.error
        return action.request

    def decoder(
        self, endpoint: Endpoint[M], request: Request, headers: Dict[str, str]
    ) -> StreamDecoder[M]:
        """A stream decoder for ``endpoint``'s chunks, watching ``request``'s idle timeout."""
        assert endpoint.response is not None
        return StreamDecoder(
            endpoint.response,
            headers,
            self.config.max_event_size,
            idle_timeout=request.timeout.idle,
            clock=self.runtime.clock,
        )

    @staticmethod
    def stream_error(call: Call[Any], status: int, headers: Dict[str, str], body: bytes) -> None:
        """Raise the error a stream request was answered with instead of a stream."""
        call.receive_response(Response(status, headers, body))
        action = call.next_action()
        assert not isinstance(action, (Send, Sleep, Done))
        raise action.error


class SyncEngine(_Engine):
    """Runs calls on a :class:`~meshapi_core.transport.SyncTransport`."""

    def __init__(self, config: ClientConfig, transport: SyncTransport, runtime: Runtime) -> None:
        super().__init__(config, runtime)
        self.transport = transport

    def run(self, call: Call[M]) -> M:
        """Drive ``call`` to its end: send, sleep, retry, return or raise."""
        while True:
            action = call.next_action()
            if isinstance(action, Send):
                try:
                    response = self.transport.send(action.request)
                except MeshAPIError as error:
                    call.receive_error(error)
                else:
                    call.receive_response(response)
            elif isinstance(action, Sleep):
                self.transport.sleep(action.seconds)
            elif isinstance(action, Done):
                return action.value
            else:
                raise action.error

    def open(
        self, endpoint: Endpoint[M], call: Call[Any]
    ) -> Tuple[SyncStreamResponse, StreamDecoder[M]]:
        """Open a stream: one attempt, and an error status becomes the typed error."""
        request = self.first_request(call)
        response = self.transport.open_stream(request)
        if 200 <= response.status < 300:
            return response, self.decoder(endpoint, request, response.headers)
        try:
            body = response.read()
        finally:
            response.close()
        self.stream_error(call, response.status, response.headers, body)
        raise AssertionError("unreachable")


class AsyncEngine(_Engine):
    """Runs calls on an :class:`~meshapi_core.transport.AsyncTransport`."""

    def __init__(self, config: ClientConfig, transport: AsyncTransport, runtime: Runtime) -> None:
        super().__init__(config, runtime)
        self.transport = transport

    async def run(self, call: Call[M]) -> M:
        """Drive ``call`` to its end: send, sleep, retry, return or raise."""
        while True:
            action = call.next_action()
            if isinstance(action, Send):
                try:
                    response = await self.transport.send(action.request)
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

    async def open(
        self, endpoint: Endpoint[M], call: Call[Any]
    ) -> Tuple[AsyncStreamResponse, StreamDecoder[M]]:
        """Open a stream: one attempt, and an error status becomes the typed error."""
        request = self.first_request(call)
        response = await self.transport.open_stream(request)
        if 200 <= response.status < 300:
            return response, self.decoder(endpoint, request, response.headers)
        try:
            body = await response.read()
        finally:
            await response.close()
        self.stream_error(call, response.status, response.headers, body)
        raise AssertionError("unreachable")
