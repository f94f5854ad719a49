"""``resource.with_raw_response``: any method's value together with the response behind it.

``client.chat.completions.with_raw_response.create(...)`` makes the same call as
``client.chat.completions.create(...)`` and returns an :class:`AsyncRawResponse`: the status,
headers, request id, time taken and attempts made, and :meth:`AsyncRawResponse.parse` for
the value the method would have returned. A stream method's raw response comes as soon as
the stream's head is in, before its first event; its value is the open stream.

It works for every resource without any code of its own. :class:`AsyncRawView` calls the
method on a copy of the resource whose engine records each call's exchange in a
:class:`~meshapi._observe.Capture`, then reads the capture. Type checkers see generated views
instead (``meshapi/_raw_views.py``, written by ``scripts/generate.py``) in which each method
keeps its signature and returns ``AsyncRawResponse[<its value>]``.

>>> raw = await client.chat.completions.with_raw_response.create(   # doctest: +SKIP
...     model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
>>> raw.status_code, raw.request_id, raw.attempts                     # doctest: +SKIP
(200, 'req_01J...', 1)
>>> completion = await raw.parse()                                    # doctest: +SKIP

This module is the source of ``meshapi/_sync/raw.py``.
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
from datetime import timedelta
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    Awaitable,
    Callable,
    Dict,
    Generic,
    Mapping,
    Optional,
    Type,
    TypeVar,
    overload,
)

from typing_extensions import Concatenate, ParamSpec

from meshapi_core.events import ResponseInfo

from .._observe import Capture
from .streams import AsyncByteStream, AsyncStream

if TYPE_CHECKING:
    from .resource import AsyncResource

__all__ = ["AsyncRawMethod", "AsyncRawResponse", "AsyncRawView", "async_raw"]

T = TypeVar("T")
C = TypeVar("C")
F = TypeVar("F")
P = ParamSpec("P")


class AsyncRawResponse(Generic[T]):
    """A method's value with the HTTP response it came in.

    ``elapsed`` runs from the first attempt to the response (a stream: to its head);
    ``attempts`` counts every attempt and ``retries_taken`` the retries among them.
    """

    def __init__(self, value: T, info: ResponseInfo) -> None:
        self._value = value
        self.info = info
        """Everything recorded about the exchange."""

    @property
    def status_code(self) -> int:
        """The HTTP status of the response."""
        return self.info.status

    @property
    def headers(self) -> Mapping[str, str]:
        """The response headers (lower-case names)."""
        return self.info.headers

    @property
    def request_id(self) -> Optional[str]:
        """The gateway's ``x-request-id``."""
        return self.info.request_id

    @property
    def elapsed(self) -> timedelta:
        """How long the call took, retries and waits included."""
        return timedelta(seconds=self.info.elapsed)

    @property
    def attempts(self) -> int:
        """How many attempts the call made (1 without a retry)."""
        return self.info.attempts

    @property
    def retries_taken(self) -> int:
        """How many retries the call needed."""
        return max(0, self.info.attempts - 1)

    @property
    def method(self) -> str:
        """The request's HTTP method."""
        return self.info.method

    @property
    def url(self) -> str:
        """The URL the call was sent to."""
        return self.info.url

    @property
    def content(self) -> bytes:
        """The whole body as it came (empty for a stream, whose body is its value)."""
        return self.info.body or b""

    @property
    def text(self) -> str:
        """The body, decoded as UTF-8."""
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body, parsed as JSON."""
        return json.loads(self.content)

    async def parse(self) -> T:
        """The value the method returns: a model, a page, or for a stream method the open
        stream (iterate it, or close it with ``aclose``)."""
        return self._value

    async def aclose(self) -> None:
        """Close the value's connection if it is a stream; nothing otherwise."""
        value: Any = self._value
        if isinstance(value, (AsyncStream, AsyncByteStream)):
            await value.aclose()

    async def __aenter__(self) -> AsyncRawResponse[T]:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} [{self.status_code}] {self.method} {self.url} "
            f"request_id={self.request_id!r} attempts={self.attempts}>"
        )


async def _call_raw(
    resource: AsyncResource, name: str, args: Any, kwargs: Dict[str, Any]
) -> AsyncRawResponse[Any]:
    """Call ``resource.<name>(*args, **kwargs)`` and return its value with its exchange."""
    capture = Capture()
    recording = copy.copy(resource)
    recording._engine = resource._engine.capturing(capture)
    value = getattr(recording, name)(*args, **kwargs)
    # async-only: begin
    if inspect.isawaitable(value):  # a coroutine, or a paginator's first page
        value = await value
    # async-only: end
    if isinstance(value, (AsyncStream, AsyncByteStream)):
        await value.open()
    if capture.info is None:
        raise RuntimeError(f"{type(resource).__name__}.{name} made no HTTP call to describe")
    return AsyncRawResponse(value, capture.info)


class AsyncRawView:
    """``resource.with_raw_response``: the resource's methods, each returning its value
    in a :class:`AsyncRawResponse`."""

    def __init__(self, resource: AsyncResource) -> None:
        self._resource = resource

    # sync: def _method(self, name: str) -> Callable[..., RawResponse[Any]]:
    def _method(self, name: str) -> Callable[..., Awaitable[AsyncRawResponse[Any]]]:
        resource = self._resource
        method = getattr(type(resource), name, None)
        if name.startswith("_") or not inspect.isfunction(method):
            raise AttributeError(f"{type(resource).__name__} has no method {name!r}")
        if not resource._raw_responses:
            raise AttributeError(
                f"{type(resource).__name__}.{name} opens a WebSocket session: there is no "
                "HTTP response to return with it"
            )

        @functools.wraps(method)
        async def call(*args: Any, **kwargs: Any) -> AsyncRawResponse[Any]:
            fields = resource._secret_fields
            if fields is not None:  # no frame below this one holds a secret in plain text
                args, kwargs = fields.conceal_arguments(args, kwargs)
            return await _call_raw(resource, name, args, kwargs)

        return call

    if not TYPE_CHECKING:  # type checkers see the generated views' methods instead

        def __getattr__(self, name: str) -> Any:
            return self._method(name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {type(self._resource).__name__}>"


class AsyncRawViewDescriptor:
    """Makes ``with_raw_response`` of a resource (a fresh view each time: views are cheap)."""

    def __get__(self, resource: Optional[AsyncResource], owner: Any = None) -> AsyncRawView:
        if resource is None:
            raise AttributeError("with_raw_response is read from a resource instance")
        return AsyncRawView(resource)


class AsyncRawMethod(Generic[P, T]):
    """A method of a generated raw view, for type checkers: the resource method's
    parameters, returning its value in a :class:`AsyncRawResponse`."""

    def __init__(self, method: Callable[..., Any]) -> None:
        self._name = method.__name__

    # sync: def __get__(self, view: RawView, owner: Any = None) -> Callable[P, RawResponse[T]]:
    def __get__(
        self, view: AsyncRawView, owner: Any = None
    ) -> Callable[P, Awaitable[AsyncRawResponse[T]]]:
        return view._method(self._name)


# async-only: begin
@overload
def async_raw(
    method: Callable[Concatenate[Any, P], AsyncStream[C, F]],
) -> AsyncRawMethod[P, AsyncStream[C, F]]: ...


@overload
def async_raw(
    method: Callable[Concatenate[Any, P], AsyncByteStream],
) -> AsyncRawMethod[P, AsyncByteStream]: ...


@overload
def async_raw(method: Callable[Concatenate[Any, P], Awaitable[T]]) -> AsyncRawMethod[P, T]: ...


# async-only: end
# sync: def raw(method: Callable[Concatenate[Any, P], T]) -> RawMethod[P, T]:
def async_raw(method: Callable[..., Any]) -> Any:
    """The typed raw form of a resource method (used by the generated views)."""
    return AsyncRawMethod(method)
