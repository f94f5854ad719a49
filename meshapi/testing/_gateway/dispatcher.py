"""The Sans-IO gateway: ``Gateway.handle(request) -> ResponsePlan``, plus the test controls.

One call to :meth:`Gateway.handle` makes every decision the real gateway makes for a request,
in its order, without I/O:

1. assign a ``req_<ULID>`` id and record the request in the log;
2. the edge's body limit (over 32 MiB -> HTML 413, nothing else runs);
3. take the next injected faults for this route; a replacing fault answers now;
4. ``X-Mesh-Version`` (malformed, unknown or repeated -> 400, before auth);
5. routing (unknown path -> 404, known path with another method -> 405);
6. authentication and realm (401/403), then the key's RPM/RPD/TPM windows (429, see
   :class:`~meshapi.testing._gateway.state.RateLimiter`); routes that declare no realm (the
   emulator's stand-ins for other hosts: signed upload URLs, media downloads) take no
   credential at all;
7. the route's handler (validation, the work itself), then the request's accounts: its usage
   event, its cost taken from the balance, its tokens counted
   (:mod:`meshapi.testing._gateway.accounts`);
8. the common headers (``x-request-id``, ``X-Mesh-Version``, and a retiring version's
   ``Deprecation``/``Sunset``/``Link``), then the transforming faults.

All state lives behind one lock, so the test thread can script replies, inject faults and
read the log while the server thread answers requests. The clock and the random source are
injected: with a :class:`~meshapi.testing.FakeClock` and a fixed ``seed`` every id, timestamp
and reply is reproducible. Credentials are not: every token (the built-in ones, keys created
or rotated, session tokens, signed-URL tokens) comes from ``secrets``, so no two emulators
share one, whatever their seed.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import random
import re
import threading
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from meshapi_core.http import header_dict

from .._routes import ROUTES  # the one table the dispatcher is given
from ..faults import Fault
from .accounts import settle
from .auth import Principal, authenticate
from .catalog import CatalogSource, default_models, load_catalog, make_model
from .clock import Clock, SystemClock
from .errors import GatewayError, error_plan, too_large_plan
from .ids import IdFactory
from .injection import FaultQueue, Injection, apply_faults, replacement_for
from .log import RecordedRequest, RequestLog, RequestPredicate, parse_json
from .plan import GatewayRequest, ResponsePlan
from .replies import ScriptedReply, ToolCallReply
from .router import RouteContext, match
from .state import GatewayState, RateLimiter, Template
from .versions import BASELINE_VERSION, VERSIONS, version_headers

logger = logging.getLogger("meshapi.testing")

MAX_BODY_BYTES = 33_554_432
"""The edge's request-body ceiling: 32 MiB."""

_VERSION_FORMAT = re.compile(r"\d{4}-\d{2}")
_PUBLIC = Principal("public", "")
_PINNABLE = re.compile(r"\Arsk_[A-Za-z0-9_-]{1,200}\Z")


def _predicate(
    path: Optional[str], method: Optional[str], predicate: Optional[RequestPredicate]
) -> RequestPredicate:
    def check(entry: RecordedRequest) -> bool:
        if path is not None and entry.path != path:
            return False
        if method is not None and entry.method != method.upper():
            return False
        return predicate is None or predicate(entry)

    return check


class Gateway:
    """An in-memory MeshAPI gateway: credentials, catalog, templates, faults, request log.

    ``clock`` defaults to the system clock; ``seed`` (or a ``rng`` of your own) drives every
    random choice but credentials, which come from Python's ``secrets``. The built-in credentials
    are attributes: :attr:`token` (an active data-plane key), :attr:`suspended_token`,
    :attr:`admin_token` and :attr:`jwt`; they are new with each gateway, and the same after
    :meth:`reset`.
    ``token`` pins the built-in data-plane key (an ``rsk_...`` string of your choosing), so
    an emulator restarted with the same token keeps working with the same exported
    ``MESHAPI_TOKEN``; it survives :meth:`reset`.

    ``catalog`` replaces the shipped model catalog: the path of a JSON file of ModelInfo
    objects (what ``meshapi models --json`` writes, so a snapshot of the real gateway's
    catalog serves offline) or the objects themselves (any field but ``id`` may be left out).
    It too survives :meth:`reset`.

    ``rate_limits`` sets the server's default limits, for every data-plane key without its
    own (``{"rpm": 60, "tpm": 10_000, "rpd": 1_000}``, any of them; none by default): a key
    over one gets ``429 rate_limit_exceeded`` with ``Retry-After``, as from the gateway. The
    windows run on ``clock``: a :class:`~meshapi.testing.FakeClock` moved by hand, or
    ``SystemClock(speed=60)`` to run a minute's window in a second.
    """

    def __init__(
        self,
        *,
        clock: Optional[Clock] = None,
        seed: int = 0,
        rng: Optional[random.Random] = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        log_limit: int = 10_000,
        token: Optional[str] = None,
        catalog: Optional[CatalogSource] = None,
        rate_limits: Optional[Mapping[str, Optional[int]]] = None,
    ) -> None:
        if token is not None and not _PINNABLE.match(token):
            raise ValueError(
                "token must be a data-plane key: 'rsk_' then letters, digits, '_' or '-'"
            )
        self._builtin = {"token": token} if token is not None else None
        self._catalog = load_catalog(catalog) if catalog is not None else default_models()
        self._rate_limits = RateLimiter(rate_limits).defaults  # checked now, used on reset
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.max_body_bytes = max_body_bytes
        self.log = RequestLog(log_limit)
        self._rng = rng if rng is not None else random.Random(seed)
        self._rng_start = self._rng.getstate()
        self._lock = threading.RLock()
        self._faults = FaultQueue()
        self._ids = IdFactory(self.clock, self._rng)
        self._state = self._new_state()

    def _new_state(self) -> GatewayState:
        """Fresh state with the built-in credentials of the first one (made from
        ``secrets``; the data-plane key is the pinned token, if any)."""
        state = GatewayState(
            self._ids,
            self.clock.time(),
            copy.deepcopy(self._catalog),
            self._builtin,
            rate_limits=self._rate_limits,
            clock_speed=float(getattr(self.clock, "speed", 1.0)),
        )
        self._builtin = state.builtin_credentials()
        return state

    # -- credentials ------------------------------------------------------------------

    @property
    def token(self) -> str:
        """The built-in active data-plane key (``rsk_...``), no limits."""
        return self._state.token

    @property
    def suspended_token(self) -> str:
        """A built-in data-plane key whose status is ``suspended`` (403 everywhere)."""
        return self._state.suspended_token

    @property
    def admin_token(self) -> str:
        """The built-in admin key (``mak_...``)."""
        return self._state.admin_token

    @property
    def jwt(self) -> str:
        """A built-in dashboard session token (a three-part JWT)."""
        return self._state.jwt

    def add_key(
        self,
        *,
        rpm_limit: Optional[int] = None,
        rpd_limit: Optional[int] = None,
        tpm_limit: Optional[int] = None,
        allowed_models: Optional[Sequence[str]] = None,
        default_model: Optional[str] = None,
        api_version: Optional[str] = None,
        status: str = "active",
        name: Optional[str] = None,
        token: Optional[str] = None,
        owner: Optional[str] = None,
    ) -> str:
        """Create a data-plane key and return its token (``rsk_...``).

        ``rpm_limit``/``rpd_limit``/``tpm_limit`` enable fixed-window rate limits (requests
        per minute and per day, tokens per minute), over the server's defaults; ``allowed_models``
        restricts chat models (403 otherwise); ``default_model`` is used when a request names
        none; ``api_version`` pins the contract version echoed when no header is sent;
        ``owner`` (default: the built-in user) scopes templates.
        """
        if api_version is not None and api_version not in VERSIONS:
            raise ValueError(f"api_version must be one of {VERSIONS}")
        if status not in ("active", "suspended"):
            raise ValueError("status must be 'active' or 'suspended'")
        with self._lock:
            key = self._state.add_key(
                self.clock.time(),
                realm="dp",
                owner=owner,
                token=token,
                name=name,
                status=status,
                rpm_limit=rpm_limit,
                rpd_limit=rpd_limit,
                allowed_models=allowed_models,
                default_model=default_model,
                api_version=api_version,
            )
            if tpm_limit is not None:
                key.extra["tpm_limit"] = tpm_limit
            return key.token

    def add_admin_key(self, *, token: Optional[str] = None, owner: Optional[str] = None) -> str:
        """Create an admin key and return its token (``mak_...``)."""
        with self._lock:
            return self._state.add_key(
                self.clock.time(), realm="mak", owner=owner, token=token
            ).token

    def issue_jwt(self, owner: Optional[str] = None) -> str:
        """Issue a new dashboard session token (for ``owner``, default the built-in user)."""
        with self._lock:
            return self._state.issue_jwt(self.clock.time(), owner or self._state.owner)

    def suspend_key(self, token: str) -> None:
        """Suspend a key: it stays known but every request with it gets 403."""
        with self._lock:
            key = self._state.keys.get(token)
            if key is None:
                raise KeyError("unknown key")
            key.status = "suspended"

    # -- catalog and templates --------------------------------------------------------

    def add_model(self, model_id: str, **fields: Any) -> Dict[str, Any]:
        """Add (or replace) a catalog model; ``fields`` are :func:`make_model` options
        (``model_type``, ``is_free``, ``provider``, ...) or raw ModelInfo overrides."""
        info = make_model(model_id, **fields)
        with self._lock:
            self._state.catalog[model_id] = info
        return copy.deepcopy(info)

    def remove_model(self, model_id: str) -> None:
        """Remove a model from the catalog."""
        with self._lock:
            del self._state.catalog[model_id]

    @property
    def models(self) -> List[Dict[str, Any]]:
        """A copy of the catalog."""
        with self._lock:
            return copy.deepcopy(list(self._state.catalog.values()))

    def add_template(
        self,
        name: str,
        *,
        system: Optional[str] = None,
        messages: Optional[Sequence[Mapping[str, Any]]] = None,
        model: Optional[str] = None,
        params: Optional[Mapping[str, Any]] = None,
        variables: Optional[Sequence[str]] = None,
        description: Optional[str] = None,
        is_global: bool = False,
        owner: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Store a template directly (``is_global=True`` for a read-only global one) and
        return its JSON object."""
        with self._lock:
            now = self.clock.time()
            template = Template(
                id=self._ids.uuid(),
                name=name,
                owner=owner or self._state.owner,
                created_at=now,
                updated_at=now,
                description=description,
                system=system,
                messages=[dict(m) for m in messages or ()],
                model=model,
                params=dict(params or {}),
                variables=list(variables or ()),
                is_global=is_global,
            )
            self._state.templates[template.id] = template
            return template.to_json()

    @property
    def templates(self) -> List[Dict[str, Any]]:
        """Every stored template, as JSON objects."""
        with self._lock:
            return [t.to_json() for t in self._state.templates.values()]

    # -- scripted replies -------------------------------------------------------------

    def script_reply(
        self,
        text: Optional[str] = None,
        *,
        model: Optional[str] = None,
        chunks: Optional[int] = None,
        finish_reason: Optional[str] = None,
        times: Optional[int] = 1,
    ) -> None:
        """Make the next ``times`` chat completions (for ``model``, or any) answer ``text``.

        The text streams as one delta per word, or as exactly ``chunks`` deltas. With no
        ``text``, ``chunks`` filler words are generated: ``script_reply(chunks=20_000)`` gives
        a 20,000-delta stream. ``times=None`` keeps the reply for every request.
        """
        if chunks is not None and chunks < 1:
            raise ValueError("chunks must be at least 1")
        self._state.script.add(
            ScriptedReply(text=text, model=model, chunks=chunks, finish_reason=finish_reason),
            times,
        )

    def script_tool_call(
        self,
        name: str,
        arguments: Union[str, Mapping[str, Any]],
        *,
        model: Optional[str] = None,
        call_id: Optional[str] = None,
        chunks: Optional[int] = None,
        times: Optional[int] = 1,
    ) -> None:
        """Make the next ``times`` chat completions that carry ``tools`` answer with a call
        of function ``name`` with ``arguments`` (a JSON string, or a mapping to encode).

        Streamed, the arguments arrive in ``chunks`` pieces (default 3).
        """
        if not isinstance(arguments, str):
            arguments = json.dumps(dict(arguments), separators=(",", ":"))
        if chunks is not None and chunks < 1:
            raise ValueError("chunks must be at least 1")
        self._state.script.add(
            ScriptedReply(
                tool_call=ToolCallReply(name, arguments, call_id), model=model, chunks=chunks
            ),
            times,
        )

    def clear_script(self) -> None:
        """Forget every scripted reply."""
        self._state.script.clear()

    # -- faults -----------------------------------------------------------------------

    def inject(
        self,
        *faults: Fault,
        route: Optional[str] = None,
        method: Optional[str] = None,
        times: Optional[int] = 1,
    ) -> Injection:
        """Apply ``faults`` (together) to the next ``times`` requests matching ``method``
        and ``route`` (an ``fnmatch`` pattern over the path; ``None`` matches any).

        Returns the :class:`Injection`, whose ``used``/``remaining`` say how far it got.
        See :mod:`meshapi.testing.faults` for the faults.
        """
        return self._faults.add(faults, route, method, times)

    @property
    def pending_faults(self) -> List[Injection]:
        """Injections not yet used up."""
        return self._faults.pending()

    def clear_faults(self) -> None:
        """Drop every pending injection."""
        self._faults.clear()

    # -- request log ------------------------------------------------------------------

    @property
    def requests(self) -> List[RecordedRequest]:
        """Every recorded request, oldest first (a snapshot)."""
        return self.log.entries()

    @property
    def last_request(self) -> Optional[RecordedRequest]:
        """The most recent request, or ``None``."""
        entries = self.log.entries()
        return entries[-1] if entries else None

    def clear_requests(self) -> None:
        """Empty the request log."""
        self.log.clear()

    def wait_for_request(
        self,
        path: Optional[str] = None,
        *,
        method: Optional[str] = None,
        predicate: Optional[RequestPredicate] = None,
        timeout: Optional[float] = 5.0,
    ) -> RecordedRequest:
        """Block until a request to ``path`` (and ``method``, and ``predicate``) is in the log
        and return the first such; ``TimeoutError`` after ``timeout`` seconds. Never polls."""
        return self.log.wait(_predicate(path, method, predicate), 1, timeout)[0]

    def wait_for_requests(
        self,
        count: int,
        path: Optional[str] = None,
        *,
        method: Optional[str] = None,
        predicate: Optional[RequestPredicate] = None,
        timeout: Optional[float] = 5.0,
    ) -> List[RecordedRequest]:
        """Block until ``count`` matching requests are in the log; return the first ``count``."""
        return self.log.wait(_predicate(path, method, predicate), count, timeout)

    async def wait_for_request_async(
        self,
        path: Optional[str] = None,
        *,
        method: Optional[str] = None,
        predicate: Optional[RequestPredicate] = None,
        timeout: Optional[float] = 5.0,
    ) -> RecordedRequest:
        """The async twin of :meth:`wait_for_request` (asyncio or trio, any thread)."""
        found = await self.log.wait_async(_predicate(path, method, predicate), 1, timeout)
        return found[0]

    async def wait_for_requests_async(
        self,
        count: int,
        path: Optional[str] = None,
        *,
        method: Optional[str] = None,
        predicate: Optional[RequestPredicate] = None,
        timeout: Optional[float] = 5.0,
    ) -> List[RecordedRequest]:
        """The async twin of :meth:`wait_for_requests`."""
        return await self.log.wait_async(_predicate(path, method, predicate), count, timeout)

    # -- lifecycle --------------------------------------------------------------------

    def reset(self) -> None:
        """Back to the state just after construction: same credentials, no added keys,
        templates, models, scripts, faults, log entries or rate-limit windows."""
        with self._lock:
            self._rng.setstate(self._rng_start)
            self._state = self._new_state()
            self._faults.clear()
            self.log.clear()

    # -- the Sans-IO entry points -----------------------------------------------------

    def handle(self, request: GatewayRequest) -> ResponsePlan:
        """Decide the response to ``request`` (see the module docstring for the order)."""
        size = len(request.body)
        return self._answer(request, size, too_large=size > self.max_body_bytes)

    def reject_too_large(self, request: GatewayRequest, declared_size: int) -> ResponsePlan:
        """The edge's answer to a request whose body exceeds the limit, decided from its
        head alone (``request.body`` is empty: the body is never read)."""
        return self._answer(request, declared_size, too_large=True)

    def protocol_error(self, status: int, message: str) -> ResponsePlan:
        """The response to a request that is not valid HTTP (not recorded in the log)."""
        with self._lock:
            request_id = self._ids.request_id()
        plan = error_plan(GatewayError(status, "bad_request", message), request_id)
        plan = plan.with_headers(("x-request-id", request_id), ("x-mesh-version", BASELINE_VERSION))
        return ResponsePlan(plan.status, plan.headers, plan.body, close=True)

    # -- internals --------------------------------------------------------------------

    def _answer(self, request: GatewayRequest, size: int, *, too_large: bool) -> ResponsePlan:
        with self._lock:
            now = self.clock.time()
            request_id = self._ids.request_id()
            entry = self._record(request, request_id, now, size)
            faults: Tuple[Fault, ...] = ()
            if too_large:  # the edge answers: nothing else runs
                plan, version = too_large_plan(), BASELINE_VERSION
            else:
                faults = self._faults.take(request.method, request.path)
                plan, version = self._decide(request, request_id, now, entry, faults)
            plan = plan.with_headers(
                ("x-request-id", request_id), ("x-mesh-version", version), *version_headers(version)
            )
            plan = apply_faults(plan, faults)
            entry.status = plan.status
        self.log.changed()
        return plan

    def _record(
        self, request: GatewayRequest, request_id: str, now: float, size: int
    ) -> RecordedRequest:
        return self.log.record(
            request_id=request_id,
            method=request.method.upper(),
            path=request.path,
            query=request.query,
            headers=header_dict(request.headers),
            raw_headers=tuple(request.headers),
            body=request.body,
            body_size=size,
            timestamp=now,
            json=parse_json(request.body),
        )

    def _decide(
        self,
        request: GatewayRequest,
        request_id: str,
        now: float,
        entry: RecordedRequest,
        faults: Sequence[Fault],
    ) -> Tuple[ResponsePlan, str]:
        version = BASELINE_VERSION
        replaced = replacement_for(faults, request_id)
        if replaced is not None:
            with contextlib.suppress(GatewayError):
                version = self._check_version(request) or BASELINE_VERSION
            return replaced, version
        try:
            requested_version = self._check_version(request)
            version = requested_version or BASELINE_VERSION
            route, params, allowed = match(ROUTES, request.method.upper(), request.path)
            if route is None:
                if allowed:
                    raise GatewayError(
                        405,
                        "method_not_allowed",
                        f"Method {request.method} is not allowed for {request.path}.",
                        headers=(("allow", ", ".join(allowed)),),
                    )
                raise GatewayError(
                    404, "not_found", f"No route for {request.method} {request.path}."
                )
            principal = (
                authenticate(self._state, request, route.realms) if route.realms else _PUBLIC
            )
            if requested_version is None and principal.key and principal.key.api_version:
                version = principal.key.api_version
            if route.rate_limited and principal.key is not None and principal.realm == "dp":
                self._state.limiter.check(principal.key, now, self._state.clock_speed)
            ctx = RouteContext(
                state=self._state,
                request=request,
                params=params,
                principal=principal,
                request_id=request_id,
                version=version,
                now=now,
                entry=entry,
            )
            try:
                plan = route.answer(ctx)
            except GatewayError as error:
                settle(ctx, error)
                raise
            settle(ctx)
            if ctx.extra_headers:
                plan = plan.with_headers(*ctx.extra_headers)
            return plan, version
        except GatewayError as error:
            return error_plan(error, request_id), version
        except Exception:
            logger.exception(
                "gateway emulator: handler failed for %s %s", request.method, request.path
            )
            failure = GatewayError(500, "internal_error", "Internal server error.")
            return error_plan(failure, request_id), version

    def _check_version(self, request: GatewayRequest) -> Optional[str]:
        values = request.header_values("x-mesh-version")
        if not values:
            return None
        value = values[0].strip()
        if len(values) > 1:
            problem = "X-Mesh-Version must be sent at most once."
        elif not _VERSION_FORMAT.fullmatch(value):
            problem = f"Malformed X-Mesh-Version {value!r}: expected YYYY-MM."
        elif value not in VERSIONS:
            problem = f"Unknown X-Mesh-Version {value!r}; served versions: {', '.join(VERSIONS)}."
        else:
            return value
        raise GatewayError(400, "invalid_api_version", problem)
