"""Routes as declarations, like the SDK's endpoints: ``Route(method, path, realms, handler,
request=...)``, gathered in one ordered table (:data:`meshapi.testing._routes.ROUTES`).

A path template compiles to a regular expression with named groups for path parameters
(``{model_id:path}`` accepts slashes, as the gateway's ``/v1/models/{id}`` does).
:func:`match` answers the three outcomes a router has: a route, a path that exists but not for
this method (405, with the allowed methods), or no such path (404).

Handlers receive a :class:`RouteContext` and return a response plan, or raise
:class:`~meshapi.testing._gateway.errors.GatewayError`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    Collection,
    Dict,
    List,
    Optional,
    Pattern,
    Sequence,
    Tuple,
    cast,
)

from .auth import Principal
from .errors import GatewayError, invalid, validation_error
from .log import RecordedRequest
from .plan import GatewayRequest, ResponsePlan
from .state import GatewayState
from .validate import RequestSchema, parse_int


@dataclass(frozen=True)
class Charge:
    """What one served request used of one model: the tokens it read and wrote, and the
    images it made. The gateway turns each into a usage event (``POST /v1/usage/events``)
    priced from the catalog, a debit of the balance and the key's TPM count; a reply from the
    gateway's cache (``cached``) is an event of ``cache_source: "gateway"`` that costs $0
    (``docs/gateway/control-plane.md`` §5)."""

    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    images: int = 0
    cached: bool = False


@dataclass
class RouteContext:
    """Everything a handler may use to answer one request."""

    state: GatewayState
    request: GatewayRequest
    params: Dict[str, str]
    principal: Principal
    request_id: str
    version: str
    now: float
    entry: RecordedRequest
    extra_headers: List[Tuple[str, str]] = field(default_factory=list)
    charges: List[Charge] = field(default_factory=list)
    body: Dict[str, Any] = field(default_factory=dict)

    def charge(
        self,
        model: str,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        *,
        images: int = 0,
        cached: bool = False,
    ) -> None:
        """Bill this request for its use of ``model`` (see :class:`Charge`); a handler calls
        it once per model that served (compare: once per model and once for the judge).
        Nothing is billed when the handler then fails."""
        self.charges.append(Charge(model, prompt_tokens, completion_tokens, images, cached))

    def json_body(self) -> Any:
        """The parsed JSON body, or the 422 FastAPI sends for a missing or broken one."""
        body = self.request.body
        if not body.strip():
            raise invalid("missing", ("body",), "Field required")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise invalid("json_invalid", ("body", exc.start), "JSON decode error") from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise invalid("json_invalid", ("body", exc.pos), "JSON decode error") from None

    def query_value(self, name: str) -> Optional[str]:
        """The last value of query parameter ``name``, or ``None``."""
        values = self.request.query.get(name)
        return values[-1] if values else None

    def query_int(
        self,
        name: str,
        default: int,
        *,
        ge: Optional[int] = None,
        le: Optional[int] = None,
        problems: Optional[List[Dict[str, Any]]] = None,
    ) -> int:
        """Query parameter ``name`` as an int in ``[ge, le]`` (``default`` when absent).

        A bad value is FastAPI's 422, raised at once, or appended to ``problems`` when the
        handler collects every problem of the query before answering.
        """
        found: List[Dict[str, Any]] = [] if problems is None else problems
        before = len(found)
        value = parse_int(self.query_value(name), ("query", name), found, ge=ge, le=le)
        if problems is None and len(found) > before:
            raise validation_error(found)
        return default if value is None else value

    def not_found(self, message: str, code: str = "not_found") -> GatewayError:
        """A 404 with the given code."""
        return GatewayError(404, code, message)


Handler = Callable[[RouteContext], ResponsePlan]


def checked_body(ctx: RouteContext, schema: RequestSchema) -> Dict[str, Any]:
    """The request's JSON object, or FastAPI's 422 listing every problem ``schema`` finds."""
    body = ctx.json_body()
    problems = schema.validate(body)
    if problems:
        raise validation_error(problems)
    return cast(Dict[str, Any], body)


@dataclass(frozen=True, eq=False)
class Route:
    """One endpoint: ``method`` and the path template ``path`` map to ``handler`` for
    ``realms`` (none: no credential at all, as for the emulator's stand-ins for other hosts).

    ``path`` is compiled once: ``{name}`` matches one segment, ``{name:path}`` matches across
    slashes. With a ``request`` schema (the emulator's own reading of the gateway's, a
    :class:`~meshapi.testing._gateway.validate.RequestSchema`), the body is checked before
    the handler runs and the handler finds it in :attr:`RouteContext.body`; without one, the
    handler reads the request itself. ``rate_limited=False`` exempts the route from the key's
    RPM/TPM windows.
    """

    method: str
    path: str
    realms: Collection[str]  # stored as a frozenset
    handler: Handler
    request: Optional[RequestSchema] = None
    rate_limited: bool = True
    pattern: Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\{(\w+):path\}", r"(?P<\1>.+)", self.path)
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
        object.__setattr__(self, "realms", frozenset(self.realms))
        object.__setattr__(self, "pattern", re.compile(f"^{regex}$"))

    def answer(self, ctx: RouteContext) -> ResponsePlan:
        """Check the declared request body (if any), then run the handler."""
        if self.request is not None:
            ctx.body = checked_body(ctx, self.request)
        return self.handler(ctx)


def match(
    routes: Sequence[Route], method: str, path: str
) -> Tuple[Optional[Route], Dict[str, str], List[str]]:
    """``(route, params, [])`` on a hit, ``(None, {}, allowed)`` for a wrong method, or
    ``(None, {}, [])`` for an unknown path. Earlier routes win."""
    allowed: List[str] = []
    for candidate in routes:
        found = candidate.pattern.match(path)
        if found is None:
            continue
        if candidate.method == method:
            return candidate, found.groupdict(), []
        if candidate.method not in allowed:
            allowed.append(candidate.method)
    return None, {}, allowed
