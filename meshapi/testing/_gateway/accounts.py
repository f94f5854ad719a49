"""The gateway's accounts: each request served is billed, counted and shown, so usage, spend,
the balance and the rate-limit counters add up (``docs/testing.md``, "Usage, spend and
balance that add up").

Once a route's handler has answered a data-plane key, each
:class:`~meshapi.testing._gateway.router.Charge` it made becomes a usage event priced from the
catalog (:func:`~meshapi.testing._gateway.catalog.cost_of`) to the micro-dollar, debited from
the owner's pool and counted in the key's TPM window. A request that failed at its model is
one ``error`` event with no cost; refusals before it (401, 403, 422, 429, injected faults)
are not usage; a cache hit costs nothing but counts towards TPM. A stream is settled when it
starts: the emulator decides the whole reply before the first byte.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from .catalog import cost_of
from .errors import GatewayError
from .router import RouteContext
from .stores import BillingStore, UsageEvent, pool_of, usage_store

_MONEY = Decimal("0.000001")


def _provider_failure(error: GatewayError) -> bool:
    return error.status >= 500 or "provider_code" in error.extra


def settle(ctx: RouteContext, error: Optional[GatewayError] = None) -> None:
    """Record what the request of ``ctx`` used (see the module docs); ``error`` is how its
    handler failed, if it did."""
    key = ctx.principal.key
    if ctx.principal.realm != "dp" or key is None:
        return
    store = usage_store(ctx.state)

    def event(
        model: str,
        status: str,
        prompt: int,
        completion: int,
        cost: Decimal,
        cache_source: Optional[str] = None,
    ) -> None:
        store.record(
            UsageEvent(
                id="evt_" + ctx.state.ids.ulid(),
                request_id=ctx.request_id,
                key_id=key.id,
                owner=key.owner,
                created_at=ctx.now,
                model=model,
                status=status,
                prompt_tokens=prompt,
                completion_tokens=completion,
                cost=cost,
                cache_source=cache_source,
            )
        )

    if error is not None:
        if ctx.entry.model and _provider_failure(error):
            event(ctx.entry.model, "error", 0, 0, Decimal(0))
        return
    billing = ctx.state.store("billing", BillingStore)
    pool = pool_of(ctx.state, key.owner)
    for charge in ctx.charges:
        if charge.cached:  # the gateway's cache answered: $0 (its tokens still count)
            cost, source = Decimal(0), "gateway"
        else:
            info = ctx.state.catalog.get(charge.model)
            cost = cost_of(info, charge.prompt_tokens, charge.completion_tokens, charge.images)
            cost, source = cost.quantize(_MONEY), None  # as the event shows it: sums add up
        tokens = (charge.prompt_tokens, charge.completion_tokens)
        event(charge.model, "success", *tokens, cost, source)
        billing.debit(pool, cost, ctx.now)
        ctx.state.limiter.add_tokens(
            key.id, ctx.now, charge.prompt_tokens + charge.completion_tokens
        )
