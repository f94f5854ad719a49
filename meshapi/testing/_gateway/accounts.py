"""The gateway's accounts: each request served is billed, counted and shown, so usage, spend,
the balance and the rate-limit counters add up.

The gateway settles a request here once its route's handler has answered, for a data-plane
key (the only credential that spends):

- each :class:`~meshapi.testing._gateway.router.Charge` the handler made (``ctx.charge(model,
  prompt_tokens, completion_tokens)``) becomes a usage event of ``POST /v1/usage/events``
  whose ``request_id`` is the response's ``x-request-id`` and whose cost is the tokens (and
  images) at the model's catalog prices (:func:`~meshapi.testing._gateway.catalog.cost_of`), to the
  micro-dollar the event shows, so that events, totals and the balance add up exactly;
- the cost is taken from the balance of the key owner's pool (``GET /v1/balance``; an org
  member spends the org owner's);
- the tokens count towards the key's TPM window (``GET /v1/usage/rate-limits``, and the TPM
  limit when there is one);
- a request that reached its model and failed there (a 5xx, or an error that carries the
  provider's code: ``model="mesh/error/upstream_error"``...) is one event with status
  ``error``, no tokens and no cost. Refusals before that (401, 403, 422, a rate limit) are
  not usage;
- a reply from the gateway's response cache is an event with ``cache_source: "gateway"``
  and no cost; its tokens still count towards TPM.

A stream is settled when it starts, with the tokens its reply carries: the emulator decides
the whole reply before the first byte. Requests refused by an injected fault never reach a
handler, so they are not billed either.
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
