"""The :class:`Endpoint` declaration: everything one endpoint of the gateway is, as data.

An endpoint is declared once, in :mod:`meshapi_core.endpoints`, and nothing else in the SDK
knows its HTTP shape. A declaration says:

- ``method`` and ``path``, a template whose ``{name}`` fills one path segment and whose
  ``{name:path}`` fills one or more (model ids such as ``openai/gpt-4o`` contain ``/``);
- ``realms``: which credentials may call it (a data-plane key, a dashboard session, an admin
  key), so a call the client's credential can never make is refused before it is sent;
- ``params``: the request model, and ``send``: how it travels (query string, JSON body,
  multipart form); by default a GET or DELETE sends it as a query, anything else as JSON;
- ``reply``: what a success decodes to (one JSON model, a JSON list or union, raw bytes, or
  nothing for a 204);
- ``stream``: for streaming endpoints, the stream kind (:class:`SSE` events ending on
  ``[DONE]`` or on a terminal event type, or :class:`ByteStream` raw bytes);
- ``paging``: for list endpoints, the page style (:class:`~meshapi_core.paging.CursorPaging`,
  :class:`~meshapi_core.paging.OffsetPaging`, declared in :mod:`meshapi_core.paging`);
- ``retry``: whether a transient failure may be retried (by default: yes for everything but
  streams, with one ``Idempotency-Key`` across the attempts of a POST or PATCH); a multipart
  body read from a one-shot stream is never retried, whatever the class;
- ``files``: the params fields that may hold files (``images.edit(image=Path(...))``); a
  file in any of them sends the call as a multipart form instead of JSON;
- ``max_request_size``: the largest request body the gateway accepts, in bytes:
  :data:`MAX_REQUEST_SIZE` (32 MiB, refused at the edge with a ``413``) unless the gateway
  documents another for the endpoint; a larger body is refused before it is sent;
- ``options``: the per-call options only some endpoints take that this one does
  (:data:`MEMORIES` for chat completions, :data:`REFRESH` for usage reads); a call of
  another endpoint that sets one is refused before it is sent.

Path values are checked and percent-encoded here, so an id can never leave its segment:
``"../admin"`` is refused rather than sent as a path that climbs out of the endpoint.

>>> from meshapi_core.models.catalog import ModelInfo
>>> GET_MODEL = Endpoint("GET", "/v1/models/{model_id:path}", DATA_OR_DASHBOARD,
...                      reply=JSON(ModelInfo))
>>> GET_MODEL.path_for({"model_id": "openai/gpt-4o mini"})
'/v1/models/openai/gpt-4o%20mini'
>>> GET_MODEL.retry
<RetryClass.SAFE: 'safe'>
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    FrozenSet,
    Generic,
    Mapping,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
    cast,
)
from urllib.parse import quote

from .errors import InvalidArgumentError, ResponseDecodeError, inband_error, shorten
from .http import Response

if TYPE_CHECKING:
    import pydantic

    from .paging import CursorPaging, OffsetPaging, Paging

__all__ = [
    "ADMIN",
    "BYTES",
    "DASHBOARD",
    "DATA",
    "DATA_OR_DASHBOARD",
    "EMPTY",
    "JSON",
    "MANAGEMENT",
    "MAX_REQUEST_SIZE",
    "MEMORIES",
    "REFRESH",
    "SSE",
    "ByteStream",
    "Credential",
    "CursorPaging",
    "Endpoint",
    "OffsetPaging",
    "Reply",
    "RetryClass",
    "Send",
    "Tagged",
]

P = TypeVar("P")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
C = TypeVar("C")


class Credential(enum.Enum):
    """The kinds of credential the gateway knows (``docs/gateway/control-plane.md`` §1)."""

    DATA_KEY = "a data-plane key (rsk_...)"
    DASHBOARD = "a dashboard session token (JWT)"
    ADMIN_KEY = "an admin key (mak_...)"

    @classmethod
    def of(cls, token: str) -> Optional[Credential]:
        """The kind of ``token`` from its form, or ``None`` when the form says nothing.

        >>> Credential.of("rsk_01J"), Credential.of("mak_01J")
        (<Credential.DATA_KEY: 'a data-plane key (rsk_...)'>, \
<Credential.ADMIN_KEY: 'an admin key (mak_...)'>)
        >>> Credential.of("eyJhbGciOi.eyJzdWIiOi.c2ln").name
        'DASHBOARD'
        >>> Credential.of("test-token") is None
        True
        """
        if token.startswith("rsk_"):
            return cls.DATA_KEY
        if token.startswith("mak_"):
            return cls.ADMIN_KEY
        if _JWT.match(token):
            return cls.DASHBOARD
        return None


_JWT = re.compile(r"\AeyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\Z")

DATA = frozenset({Credential.DATA_KEY})
"""Inference and data-plane reads: ``rsk_`` keys only."""
DATA_OR_DASHBOARD = frozenset({Credential.DATA_KEY, Credential.DASHBOARD})
"""The model catalog and prompt templates: an ``rsk_`` key or a dashboard session."""
DASHBOARD = frozenset({Credential.DASHBOARD})
"""Org governance, memories, minting admin keys: a signed-in human only."""
ADMIN = frozenset({Credential.ADMIN_KEY})
"""Scripted management that only admin keys do."""
MANAGEMENT = frozenset({Credential.ADMIN_KEY, Credential.DASHBOARD})
"""Key management: an admin key or a dashboard session."""


class RetryClass(enum.Enum):
    """How an endpoint's calls may be repeated after a transient failure."""

    SAFE = "safe"
    """Repeating changes nothing (GET, DELETE): retried freely."""
    KEYED = "keyed"
    """Retried with the same ``Idempotency-Key`` on every attempt (POST, PATCH, PUT)."""
    NEVER = "never"
    """Never retried: streams, whose repetition would regenerate and re-bill output."""


class Send(enum.Enum):
    """How an endpoint's params travel."""

    NONE = "none"
    QUERY = "query"
    JSON = "json"
    MULTIPART = "multipart"


# --- replies ------------------------------------------------------------------------------


class Reply(Generic[R]):
    """What a successful response decodes to; subclasses say how."""

    accept = "application/json"
    """The ``Accept`` header a call of this reply sends."""

    def decode(self, response: Response) -> R:
        """The value of a 2xx ``response``, or the
        :class:`~meshapi_core.errors.MeshAPIError` it reports."""
        raise NotImplementedError


class JSON(Reply[R]):
    """A JSON body, validated as ``target``: a model class, or any type pydantic can check
    (``List[ModelInfo]``, a union). A 200 whose body is ``{"error": {...}}`` raises the
    error it reports.

    >>> from typing import List
    >>> from meshapi_core.models.catalog import ModelInfo
    >>> JSON(List[ModelInfo]).decode(Response(200, {}, b'[{"id": "a/b"}]'))[0].id
    'a/b'
    """

    def __init__(self, target: Union[Type[R], Any]) -> None:
        self.target = target
        self._validate: Optional[Callable[[bytes], R]] = None

    def _validator(self) -> Callable[[bytes], R]:
        # Built on first use, so declaring an endpoint never builds a pydantic schema.
        if self._validate is None:
            import pydantic

            target = self.target
            if isinstance(target, type) and issubclass(target, pydantic.BaseModel):
                self._validate = cast(Callable[[bytes], R], target.model_validate_json)
            else:
                self._validate = cast(
                    Callable[[bytes], R], pydantic.TypeAdapter(target).validate_json
                )
        return self._validate

    @property
    def name(self) -> str:
        """The target's name, for messages."""
        return getattr(self.target, "__name__", None) or str(self.target)

    def decode(self, response: Response) -> R:
        """The body as ``target``; see the class docs."""
        body = response.body
        if not body:
            raise ResponseDecodeError(
                f"HTTP {response.status} with an empty body where JSON was expected",
                status=response.status,
                error_code="parse_error",
                request_id=response.request_id,
                headers=response.headers,
            )
        if b'"error"' in body:  # only then can it be an error envelope
            raise_inband_error(response)
        import pydantic

        try:
            return (self._validate or self._validator())(body)
        except pydantic.ValidationError as exc:
            problem = describe(exc)
        # Raised outside the handler, so no pydantic error (which holds the body's values, a
        # created key's plaintext among them) stays chained to it.
        raise ResponseDecodeError(
            f"HTTP {response.status} body is not a valid {self.name}: {problem}",
            status=response.status,
            error_code="parse_error",
            request_id=response.request_id,
            headers=response.headers,
        )


def raise_inband_error(response: Response) -> None:
    """Raise the error a 2xx JSON body reports in-band (``{"error": {...}}``), if any."""
    error = inband_error(response.status, response.headers, response.body)
    if error is not None:
        raise error


def describe(exc: pydantic.ValidationError) -> str:
    """The first problem of a validation error, as ``message at location``."""
    problem = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(p) for p in problem.get("loc", ())) or "the body"
    return shorten(f"{problem.get('msg', 'invalid')} at {where}", 500)


class _Bytes(Reply[bytes]):
    """The body as it came, for audio and files."""

    accept = "*/*"

    def decode(self, response: Response) -> bytes:
        if response.headers.get("content-type", "").startswith("application/json"):
            raise_inband_error(response)
        return response.body


class _Empty(Reply[None]):
    """No body worth reading (``204 No Content``, or a body that carries nothing)."""

    def decode(self, response: Response) -> None:
        if response.body:
            raise_inband_error(response)
        return None


BYTES: Reply[bytes] = _Bytes()
"""The reply of an endpoint whose body is raw bytes."""
EMPTY: Reply[None] = _Empty()
"""The reply of an endpoint that answers ``204 No Content``."""


# --- streams ------------------------------------------------------------------------------


class Tagged:
    """Stream events told apart by a field of their JSON (``type`` by default).

    ``models`` maps a tag to the model of its events; events with another tag (or none)
    become ``default``, so an event type this release does not know still arrives, typed
    loosely, rather than failing the stream.
    """

    def __init__(
        self,
        models: Mapping[str, Type[pydantic.BaseModel]],
        default: Type[pydantic.BaseModel],
        field: str = "type",
    ) -> None:
        self.models = dict(models)
        self.default = default
        self.field = field


@dataclass(frozen=True)
class SSE(Generic[C]):
    """A ``text/event-stream`` body of JSON events.

    ``chunk`` is the model of every event, or a :class:`Tagged` choice between models. The
    stream ends, complete, on ``data: [DONE]`` or on an event whose ``type`` is in
    ``terminal`` (``response.completed``); a body that ends before either is interrupted.
    ``event_field`` names a model field that receives the SSE ``event:`` name. ``flag`` is
    the body field the call sets to true to ask for a stream (``"stream"``), if any.
    ``accumulator`` makes the object that folds the events into the whole reply (see
    :mod:`meshapi_core.accumulate`): ``stream.final()`` returns its result and
    ``stream.text()`` its text; without one, the final value is the last event. A
    factory taking no argument, e.g. ``ChatCompletionAccumulator`` or
    ``functools.partial(MessageAccumulator, Message)``.
    """

    chunk: Union[Type[C], Tagged]
    terminal: FrozenSet[str] = frozenset()
    event_field: Optional[str] = None
    flag: Optional[str] = "stream"
    accumulator: Optional[Callable[[], Any]] = None

    @property
    def accept(self) -> str:
        """The ``Accept`` header of a stream call."""
        return "text/event-stream"


@dataclass(frozen=True)
class ByteStream:
    """A body of raw bytes read as they arrive (speech, downloads); complete at its end."""

    flag: Optional[str] = None
    accept: str = "*/*"


StreamKind = Union[SSE[Any], ByteStream]


# --- the declaration ----------------------------------------------------------------------

MAX_REQUEST_SIZE = 32 * 1024 * 1024
"""The gateway's ceiling on a request body, in bytes: 32 MiB (33,554,432), enforced at its
edge with an HTML ``413`` (``docs/gateway/api.md`` §0). It applies to every endpoint; no
endpoint is documented with a larger one. Requests to other hosts (a signed upload URL) are
not the gateway's and are not bound by it."""

MEMORIES: FrozenSet[str] = frozenset({"memories"})
"""``options`` of an endpoint that takes stored memories (``x-mem-id``): chat completions."""
REFRESH: FrozenSet[str] = frozenset({"refresh"})
"""``options`` of a usage read the gateway caches for a dashboard session, which
``refresh=True`` bypasses (``docs/gateway/control-plane.md`` §5)."""

_SEGMENT = re.compile(r"\{(\w+)(:path)?\}")


@dataclass(frozen=True)
class Endpoint(Generic[P, R_co]):
    """One endpoint of the gateway; see the module docs for what each field means.

    ``P`` is the params model (``None`` when the endpoint takes none) and ``R`` what a call
    returns: the reply's value, or the chunk type of a stream.
    """

    method: str
    path: str
    realms: FrozenSet[Credential]
    reply: Reply[Any] = EMPTY
    params: Optional[Type[P]] = None
    send: Optional[Send] = None
    stream: Optional[StreamKind] = None
    paging: Optional[Paging] = None
    retry: Optional[RetryClass] = None
    files: Tuple[str, ...] = ()
    max_request_size: Optional[int] = MAX_REQUEST_SIZE
    options: FrozenSet[str] = frozenset()
    _names: Tuple[Tuple[str, bool], ...] = field(default=(), init=False, repr=False, compare=False)
    label: str = field(default="", init=False, repr=False, compare=False)
    """``"METHOD /path/{template}"``: the endpoint as logs and warnings name it."""

    def __post_init__(self) -> None:
        method = self.method.upper()
        object.__setattr__(self, "method", method)
        names = tuple((m.group(1), bool(m.group(2))) for m in _SEGMENT.finditer(self.path))
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "label", f"{method} {self.path}")
        if self.send is None:
            how = Send.NONE if self.params is None else (
                Send.QUERY if method in ("GET", "DELETE") else Send.JSON
            )  # fmt: skip
            object.__setattr__(self, "send", how)
        if self.retry is None:
            retry = (
                RetryClass.NEVER if self.stream is not None
                else RetryClass.SAFE if method in ("GET", "HEAD", "DELETE")
                else RetryClass.KEYED
            )  # fmt: skip
            object.__setattr__(self, "retry", retry)

    @property
    def path_names(self) -> Tuple[str, ...]:
        """The names of the path's parameters, in order."""
        return tuple(name for name, _ in self._names)

    @property
    def takes_files(self) -> bool:
        """Whether a call may send files (as a multipart form)."""
        return self.send is Send.MULTIPART or bool(self.files)

    @property
    def accept(self) -> str:
        """The ``Accept`` header of a call."""
        return self.stream.accept if self.stream is not None else self.reply.accept

    def path_for(self, values: Mapping[str, Any]) -> str:
        """The path with each parameter checked and percent-encoded.

        A ``{name}`` value fills exactly one segment (a ``/`` in it is encoded); a
        ``{name:path}`` value may span segments. Either way an empty value, an empty segment,
        and a ``.`` or ``..`` segment are refused: they would change which resource the path
        names.

        >>> e = Endpoint("GET", "/v1/batches/{batch_id}", DATA)
        >>> e.path_for({"batch_id": "b/1"})
        '/v1/batches/b%2F1'
        >>> e.path_for({"batch_id": ".."})
        Traceback (most recent call last):
        ...
        meshapi_core.errors.InvalidArgumentError: batch_id must not be '.' or '..'
        """
        if not self._names:
            return self.path
        encoded: Dict[str, str] = {}
        for name, spans in self._names:
            value = values.get(name)
            if not isinstance(value, str):
                raise InvalidArgumentError(
                    f"{name} must be a string, not {type(value).__name__}", param=name
                )
            segments = value.split("/") if spans else [value]
            for segment in segments:
                if not segment:
                    raise InvalidArgumentError(
                        f"{name} must not be empty or contain an empty segment: {value!r}",
                        param=name,
                    )
                if segment in (".", ".."):
                    raise InvalidArgumentError(f"{name} must not be '.' or '..'", param=name)
            encoded[name] = "/".join(quote(s, safe="") for s in segments)
        return _SEGMENT.sub(lambda m: encoded[m.group(1)], self.path)

    def __repr__(self) -> str:
        return f"<Endpoint {self.method} {self.path}>"


_PAGING = ("CursorPaging", "OffsetPaging")


def __getattr__(name: str) -> Any:
    # The page styles, declared in meshapi_core.paging and loaded with the first list
    # endpoint that names one.
    if name not in _PAGING:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import paging

    value = getattr(paging, name)
    globals()[name] = value
    return value
