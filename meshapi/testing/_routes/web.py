"""Web search: ``POST /v1/web/search`` (``docs/gateway/api.md`` §9; in the emulator:
``docs/data-plane/web.md``). Hits are made up from the query on :data:`DOMAINS`; a query
containing :data:`NO_RESULTS_MARKER` finds nothing.
"""

from __future__ import annotations

import hashlib
import re
from typing import Dict, List

from .._gateway.errors import GatewayError
from .._gateway.plan import ResponsePlan, json_plan
from .._gateway.router import Route, RouteContext
from .._gateway.validate import (
    Checker,
    RequestSchema,
    boolean,
    integer,
    list_of,
    literal,
    nullable,
    string,
)

SEARCH_MODEL = "perplexity/sonar"
"""The native search model."""
DOMAINS = ("example.com", "example.org", "example.net", "docs.example.io")
"""Where made-up hits live, unless the request names domains."""
NO_RESULTS_MARKER = "[no-results]"
"""A query containing this finds nothing."""

_CHECKS: Dict[str, Checker] = {
    "query": string(min_length=1, max_length=2000),
    "model": nullable(string(min_length=1)),
    "provider": nullable(literal("native", "tavily")),
    "max_results": nullable(integer(ge=1, le=20)),
    "search_depth": nullable(literal("basic", "advanced")),
    "include_domains": nullable(list_of(string())),
    "exclude_domains": nullable(list_of(string())),
    "include_answer": nullable(boolean),
}
_REQUEST = RequestSchema(_CHECKS, required=("query",))


def _slug(query: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", query.lower()))[:60] or "q"


def search(ctx: RouteContext) -> ResponsePlan:
    body = ctx.body
    model = body.get("model") or SEARCH_MODEL
    info = ctx.state.catalog.get(model)
    if info is None or info.get("model_type") != "text":
        raise GatewayError(404, "model_not_found", f"Model '{model}' not found.")
    key = ctx.principal.key
    if key is not None and key.allowed_models and model not in key.allowed_models:
        raise GatewayError(403, "forbidden", f"Model '{model}' is not allowed for this API key.")
    ctx.entry.model = model
    query: str = body["query"]
    excluded = set(body.get("exclude_domains") or ())
    domains = [d for d in (body.get("include_domains") or DOMAINS) if d not in excluded]
    count = body.get("max_results") or 5
    if NO_RESULTS_MARKER in query or not domains:
        count = 0
    slug = _slug(query)
    digest = hashlib.sha256(query.encode()).digest()
    results = []
    for index in range(count):
        domain = domains[index % len(domains)]
        results.append(
            {
                "title": f"{query[:80]} - result {index + 1}",
                "url": f"https://{domain}/{slug}/{index + 1}",
                "content": f"Result {index + 1} on {domain} about {query[:200]}.",
                "score": round(0.95 - 0.04 * index, 2),
                "published_date": f"2026-0{1 + (digest[index % 32] % 8)}-1{index % 10}",
            }
        )
    ctx.charge(model, max(1, len(query.split())), 25 * count)
    answer = None
    if body.get("include_answer"):
        about = query[:200]
        answer = f"Found {count} results about {about}." if count else f"No results about {about}."
    return json_plan(
        200,
        {
            "query": query,
            "provider": body.get("provider") or "native",
            "answer": answer,
            "results": results,
            "request_id": ctx.request_id,
        },
    )


ROUTES: List[Route] = [Route("POST", "/v1/web/search", ["dp"], search, request=_REQUEST)]
