"""Routes as data: method, path pattern, accepted realms, handler.

A path pattern is a regular expression over the decoded path with named groups for path
parameters (``(?P<model_id>.+)`` accepts slashes, as the gateway's ``/v1/models/{id}`` does).
:func:`match` answers the three outcomes a router has: a route, a path that exists but not for
this method (405, with the allowed methods), or no such path (404).

Handlers receive a :class:`RouteContext` and return a response plan, or raise
:class:`~meshapi.testing._gateway.errors.GatewayError`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Pattern, Sequence, Tuple

from .auth import Principal
from .errors import GatewayError, detail, validation_error
from .log import RecordedRequest
from .plan import GatewayRequest, ResponsePlan
from .state import GatewayState
from .validate import parse_int

__all__ = ["Charge", "Handler", "Route", "RouteContext", "match", "route"]


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
            raise validation_error([detail("missing", ("body",), "Field required")])
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise validation_error(
                [detail("json_invalid", ("body", exc.start), "JSON decode error")]
            ) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise validation_error(
                [detail("json_invalid", ("body", exc.pos), "JSON decode error")]
            ) from None

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


@dataclass(frozen=True)
class Route:
    """One endpoint: ``method`` and ``pattern`` map to ``handler`` for ``realms``."""

    method: str
    pattern: Pattern[str]
    handler: Handler
    realms: FrozenSet[str]
    rate_limited: bool = True


def route(
    method: str, path: str, handler: Handler, realms: Sequence[str], *, rate_limited: bool = True
) -> Route:
    """A :class:`Route` from a path template such as ``/v1/templates/{template_id}``.

    ``{name:path}`` matches across slashes; ``{name}`` matches one segment.
    """
    regex = re.sub(r"\{(\w+):path\}", r"(?P<\1>.+)", path)
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
    return Route(method, re.compile(f"^{regex}$"), handler, frozenset(realms), rate_limited)


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
