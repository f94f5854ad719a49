"""The emulator answers every endpoint the SDK declares, and declares nothing the SDK lacks.

Each core endpoint (``meshapi_core.endpoints.all_endpoints()``) must have an emulator route
of the same method, path and realms, and a request to it must reach that route rather than
an earlier one whose pattern also matches (``GET /v1/models/search`` was once answered by
``/v1/models/{model_id:path}`` as "Model 'search' not found"). Each emulator route must
answer an endpoint, or be listed below with the reason it answers none. The checks read
whatever exists, so an endpoint or a route added anywhere is covered the moment it lands.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, List, Set, Tuple

import pytest

from meshapi.testing._gateway.router import Route, match
from meshapi.testing._routes import ROUTES
from meshapi_core.endpoint import Credential, Endpoint
from meshapi_core.endpoints import all_endpoints as http_endpoints
from meshapi_core.realtime import endpoints as session_endpoints


def all_endpoints() -> Dict[str, Endpoint[object, object]]:
    """The HTTP endpoints, and the WebSocket sessions as the GETs that open them."""
    found = dict(http_endpoints())
    for name, value in vars(session_endpoints).items():
        if isinstance(value, session_endpoints.SessionEndpoint):
            found[f"realtime.{name}"] = Endpoint("GET", value.path, value.realms)
    return found


REALMS = {"dp": Credential.DATA_KEY, "jwt": Credential.DASHBOARD, "mak": Credential.ADMIN_KEY}
"""The emulator's realm names, as the core's credentials."""

ROUTES_WITHOUT_ENDPOINT: Dict[Tuple[str, str], str] = {
    # Stand-ins for hosts other than the gateway: a signed upload URL and media URLs. The SDK
    # builds those requests in meshapi_core.external (no endpoint, no credential).
    ("PUT", "/_uploads/{token}"): "the storage host behind a signed upload URL",
    ("GET", "/_files/{blob_id}"): "the host behind generated media URLs",
}
"""Routes that answer no declared endpoint, on purpose: (method, path template) -> why."""

Key = Tuple[str, str]  # (method, the route's regular expression)


def pattern_of(method: str, path: str) -> str:
    """The emulator's regular expression for a path template (``{name}``, ``{name:path}``)."""
    return Route(method, path, (), lambda ctx: None).pattern.pattern  # type: ignore[arg-type,return-value]


def endpoints_by_key() -> Dict[Key, List[Tuple[str, Endpoint[object, object]]]]:
    found: Dict[Key, List[Tuple[str, Endpoint[object, object]]]] = {}
    for name, endpoint in all_endpoints().items():
        found.setdefault((endpoint.method, pattern_of(endpoint.method, endpoint.path)), []).append(
            (name, endpoint)
        )
    return found


def routes_by_key() -> Dict[Key, List[Route]]:
    found: Dict[Key, List[Route]] = {}
    for candidate in ROUTES:
        found.setdefault((candidate.method, candidate.pattern.pattern), []).append(candidate)
    return found


def realms_of(candidate: Route) -> FrozenSet[Credential]:
    return frozenset(REALMS[r] for r in candidate.realms)


def sample_path(path: str) -> str:
    """A concrete path for a template: ``{x}`` -> one segment, ``{x:path}`` -> two."""
    path = re.sub(r"\{(\w+):path\}", r"sample/\1", path)
    return re.sub(r"\{(\w+)\}", r"sample-\1", path)


def test_the_realm_names_are_the_emulators() -> None:
    used: Set[str] = set()
    for candidate in ROUTES:
        used |= candidate.realms
    assert used <= set(REALMS), f"unknown realm name(s): {sorted(used - set(REALMS))}"


@pytest.mark.parametrize("key", sorted(endpoints_by_key()), ids=lambda key: f"{key[0]} {key[1]}")
def test_every_endpoint_has_its_route(key: Key) -> None:
    declared = endpoints_by_key()[key]
    names = ", ".join(name for name, _ in declared)
    endpoint = declared[0][1]
    same = routes_by_key().get(key, [])
    assert len(same) <= 1, f"{names}: {len(same)} emulator routes for the same path"
    reached, _, _ = match(ROUTES, endpoint.method, sample_path(endpoint.path))
    assert reached is not None, f"{names}: no emulator route for {key[0]} {endpoint.path}"
    assert not same or reached is same[0], (
        f"{names}: {endpoint.method} {sample_path(endpoint.path)} is answered by the route "
        f"for {reached.pattern.pattern}; order the routes so the more specific one comes first"
    )
    for name, each in declared:
        assert realms_of(reached) == each.realms, (
            f"{name}: the endpoint takes {sorted(c.name for c in each.realms)}, the "
            f"emulator's route {sorted(c.name for c in realms_of(reached))}"
        )


def reached_routes() -> Set[Key]:
    """The routes that some declared endpoint's request reaches."""
    found: Set[Key] = set()
    for endpoint in all_endpoints().values():
        reached, _, _ = match(ROUTES, endpoint.method, sample_path(endpoint.path))
        if reached is not None:
            found.add((reached.method, reached.pattern.pattern))
    return found


def test_every_route_has_an_endpoint() -> None:
    reached = reached_routes()
    allowed = {(m, pattern_of(m, p)) for m, p in ROUTES_WITHOUT_ENDPOINT}
    orphans = [
        f"{r.method} {r.pattern.pattern}"
        for r in ROUTES
        if (r.method, r.pattern.pattern) not in reached | allowed
    ]
    assert not orphans, (
        "emulator routes that answer no declared endpoint (declare one, or list the route "
        f"in ROUTES_WITHOUT_ENDPOINT with the reason): {orphans}"
    )


def test_the_allow_list_is_current() -> None:
    reached = reached_routes()
    routes = routes_by_key()
    for method, path in ROUTES_WITHOUT_ENDPOINT:
        key = (method, pattern_of(method, path))
        assert key in routes, f"{method} {path} is allow-listed but has no route: drop it"
        assert key not in reached, (
            f"{method} {path} is allow-listed but now has an endpoint: drop it from "
            "ROUTES_WITHOUT_ENDPOINT"
        )
