"""Inference keys, ``/v1/keys`` (``docs/gateway/control-plane.md`` §2): the data-plane keys
(``rsk_...``) an admin key or a dashboard session manages.

What is known and what is inferred: the docs name the fields below in prose, but the full
schema was never captured. Every field is optional in the replies and unknown fields are
kept (``model_extra``). Inferred: the ``id`` field (the paths take a key id), the list's
OpenAI-style page (``data``, ``has_more``, ``last_id``; ``limit`` and ``after``), the shape of
``model_limits`` (model id to budget) and the names ``effective_*`` beyond the pattern the
docs give. The weight-profile default, cache switch and PII-redaction policy of a key are
documented without field names: send them with ``extra_body``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Dict, List, Literal, Optional

from pydantic import ConfigDict, Field, field_validator

from .base import RequestModel, ResponseModel
from .money import Amount, to_decimal
from .pages import CursorPage
from .secrets import Secret

__all__ = [
    "Key",
    "KeyCreateParams",
    "KeyCreated",
    "KeyListParams",
    "KeyPage",
    "KeyStatus",
    "KeyUpdateParams",
    "ModelLimit",
    "ModelLimitParams",
    "ResolvedLimits",
]

KeyStatus = Literal["active", "suspended"]
"""A key's status: ``suspended`` keys are refused (403) at inference."""

_API_VERSION = re.compile(r"\A\d{4}-(0[1-9]|1[0-2])\Z")


class ModelLimit(ResponseModel):
    """A per-model budget on a key: cost, tokens and requests (the shape is inferred)."""

    max_cost_usd: Optional[str] = None
    """The most the key may spend on the model, in USD (a decimal string)."""
    max_tokens: Optional[int] = None
    """The most tokens the key may use on the model."""
    max_requests: Optional[int] = None
    """The most requests the key may send to the model."""


class ModelLimitParams(RequestModel):
    """A per-model budget to set on a key; amounts as decimal strings."""

    max_cost_usd: Optional[Amount] = None
    """The most the key may spend on the model, in USD."""
    max_tokens: Optional[int] = Field(default=None, ge=1)
    """The most tokens the key may use on the model (at least 1)."""
    max_requests: Optional[int] = Field(default=None, ge=1)
    """The most requests the key may send to the model (at least 1)."""


class Key(ResponseModel):
    """An inference key as the gateway shows it: never with its plaintext.

    ``spend_cap_usd`` is a decimal string (``None``: unlimited, the key-level cap counts
    every request the key ever made); :attr:`spend_cap` is the same as a ``Decimal``.
    """

    id: Optional[str] = None
    """The key's id, for ``get``, ``update``, ``delete`` and ``limits``."""
    name: Optional[str] = None
    """Its label."""
    status: Optional[str] = None
    """``active`` or ``suspended`` (a suspended key is refused with 403)."""
    rpm_limit: Optional[int] = None
    """Requests per minute (the gateway's default when unset: 100)."""
    rpd_limit: Optional[int] = None
    """Requests per day, reset at midnight UTC (the gateway's default when unset: 10,000)."""
    tpm_limit: Optional[int] = None
    """Tokens per minute (keys without one are not TPM-throttled today)."""
    spend_cap_usd: Optional[str] = None
    """Lifetime USD cap, a decimal string (``None``: unlimited)."""
    default_model: Optional[str] = None
    """The model used when a request names none."""
    default_params: Optional[Dict[str, Any]] = None
    """Parameters used when a request leaves them out (the request's own win)."""
    allowed_models: Optional[List[str]] = None
    """The model allow-list; empty allows every model."""
    model_limits: Optional[Dict[str, ModelLimit]] = None
    """Budgets per model id: cost, tokens, requests."""
    org_id: Optional[str] = None
    """The org whose shared balance and limits the key draws on."""
    team_id: Optional[str] = None
    """The team whose limits the key inherits."""
    routing_policy: Optional[Dict[str, Any]] = None
    """The key's retry, fallback and budget policy for non-streaming chat (early access)."""
    routing_policy_template_id: Optional[str] = None
    """An org-scoped policy template used instead of ``routing_policy``."""
    api_version: Optional[str] = None
    """The contract version the key is pinned to, ``YYYY-MM`` (the ``X-Mesh-Version`` header
    wins)."""
    fixed_provider: Optional[str] = None
    """The one provider the key's requests go to."""

    @property
    def spend_cap(self) -> Optional[Decimal]:
        """``spend_cap_usd`` as a ``Decimal`` (``None``: no cap)."""
        return to_decimal(self.spend_cap_usd)


class KeyCreated(Key):
    """The reply to creating a key: the key, plus its plaintext in ``key``, returned this
    once (the gateway keeps only a hash).

    ``key`` is a :class:`pydantic.SecretStr`: it shows as ``'**********'`` in a repr, a log
    line or a dump; ``created.key.get_secret_value()`` is the ``rsk_...`` token.
    """

    model_config = ConfigDict(hide_input_in_errors=True)

    key: Secret
    """The ``rsk_...`` token, shown this once (a secret: ``key.get_secret_value()``)."""


class _KeyFields(RequestModel):
    """The settable fields of a key, shared by create and update."""

    name: Optional[str] = None
    """A label for the key."""
    rpm_limit: Optional[int] = Field(default=None, ge=1, le=1000)
    """Requests per minute, at most 1,000 (the gateway's default when unset: 100)."""
    rpd_limit: Optional[int] = Field(default=None, ge=1, le=1_000_000)
    """Requests per day (UTC), at most 1,000,000 (default when unset: 10,000)."""
    tpm_limit: Optional[int] = Field(default=None, ge=1)
    """Tokens per minute (keys without one are not TPM-throttled today)."""
    spend_cap_usd: Optional[Amount] = None
    """Lifetime USD cap as a decimal (``None`` or unset: unlimited)."""
    default_model: Optional[str] = Field(default=None, min_length=1)
    """The model used when a request names none."""
    default_params: Optional[Dict[str, Any]] = None
    """Parameters used when a request leaves them out (the request's own win)."""
    allowed_models: Optional[List[str]] = None
    """The model allow-list; empty allows every model."""
    model_limits: Optional[Dict[str, ModelLimitParams]] = None
    """Budgets per model id: cost, tokens, requests."""
    org_id: Optional[str] = None
    """Attach the key to an org: it draws on the org's shared balance and inherits its limits."""
    team_id: Optional[str] = None
    """Attach the key to a team: it inherits the team's limits."""
    routing_policy: Optional[Dict[str, Any]] = None
    """Retry, fallback and budget policy for non-streaming chat (early access; values are
    clamped)."""
    routing_policy_template_id: Optional[str] = None
    """An org-scoped policy template (a key without an org gets 422)."""
    api_version: Optional[str] = None
    """A contract pin like ``"2026-09"``; ``None`` clears it (on update)."""
    fixed_provider: Optional[str] = None
    """Pin the key to one provider; a model it does not serve is refused."""

    @field_validator("api_version")
    @classmethod
    def _api_version(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not _API_VERSION.match(value):
            raise ValueError("must look like '2026-09'")
        return value


class KeyCreateParams(_KeyFields):
    """The body of ``POST /v1/keys``: every field optional; unset fields take the gateway's
    defaults (RPM 100, RPD 10,000, no spend cap, every model)."""


class KeyUpdateParams(_KeyFields):
    """The body of ``PATCH /v1/keys/{key_id}``: only the fields you set change; set one to
    ``None`` to clear it (``api_version=None`` removes the pin)."""


class KeyListParams(RequestModel):
    """The query of ``GET /v1/keys`` (OpenAI-style paging; inferred)."""

    limit: Optional[int] = Field(default=None, ge=1)
    """The most keys on one page (at least 1)."""
    after: Optional[str] = None
    """The id of the last key of the previous page: this page starts after it."""


class KeyPage(CursorPage[Key]):
    """One page of keys."""


class ResolvedLimits(ResponseModel):
    """``GET /v1/keys/{key_id}/limits``: the key's own limits and the ``effective_*`` ones
    after minimum-wins across key, team member, org member, team and organization.

    The docs name the raw fields and the ``effective_`` prefix; the effective names below
    follow that pattern (inferred). The org, team and member context that produced them was
    not captured: it is kept as sent, in ``model_extra``.
    """

    key_id: Optional[str] = None
    """The key these limits are for."""
    rpm_limit: Optional[int] = None
    """The key's own requests per minute."""
    rpd_limit: Optional[int] = None
    """The key's own requests per day."""
    tpm_limit: Optional[int] = None
    """The key's own tokens per minute."""
    spend_cap_usd: Optional[str] = None
    """The key's own USD cap, a decimal string."""
    effective_rpm_limit: Optional[int] = None
    """The requests per minute in force: the lowest of every scope's limit."""
    effective_rpd_limit: Optional[int] = None
    """The requests per day in force: the lowest of every scope's limit."""
    effective_tpm_limit: Optional[int] = None
    """The tokens per minute in force: the lowest of every scope's limit."""
    effective_spend_cap_usd: Optional[str] = None
    """The USD cap in force: the lowest of every scope's cap."""
