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
    max_tokens: Optional[int] = None
    max_requests: Optional[int] = None


class ModelLimitParams(RequestModel):
    """A per-model budget to set on a key; amounts as decimal strings."""

    max_cost_usd: Optional[Amount] = None
    max_tokens: Optional[int] = Field(default=None, ge=1)
    max_requests: Optional[int] = Field(default=None, ge=1)


class Key(ResponseModel):
    """An inference key as the gateway shows it: never with its plaintext.

    ``spend_cap_usd`` is a decimal string (``None``: unlimited, the key-level cap counts
    every request the key ever made); :attr:`spend_cap` is the same as a ``Decimal``.
    """

    id: Optional[str] = None
    name: Optional[str] = None
    status: Optional[str] = None
    rpm_limit: Optional[int] = None
    rpd_limit: Optional[int] = None
    tpm_limit: Optional[int] = None
    spend_cap_usd: Optional[str] = None
    default_model: Optional[str] = None
    default_params: Optional[Dict[str, Any]] = None
    allowed_models: Optional[List[str]] = None
    model_limits: Optional[Dict[str, ModelLimit]] = None
    org_id: Optional[str] = None
    team_id: Optional[str] = None
    routing_policy: Optional[Dict[str, Any]] = None
    routing_policy_template_id: Optional[str] = None
    api_version: Optional[str] = None
    fixed_provider: Optional[str] = None

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


class _KeyFields(RequestModel):
    """The settable fields of a key, shared by create and update."""

    name: Optional[str] = None
    rpm_limit: Optional[int] = Field(default=None, ge=1, le=1000)
    """Requests per minute, at most 1,000 (the gateway's default when unset: 100)."""
    rpd_limit: Optional[int] = Field(default=None, ge=1, le=1_000_000)
    """Requests per day (UTC), at most 1,000,000 (default when unset: 10,000)."""
    tpm_limit: Optional[int] = Field(default=None, ge=1)
    """Tokens per minute (keys without one are not TPM-throttled today)."""
    spend_cap_usd: Optional[Amount] = None
    """Lifetime USD cap as a decimal (``None`` or unset: unlimited)."""
    default_model: Optional[str] = Field(default=None, min_length=1)
    default_params: Optional[Dict[str, Any]] = None
    allowed_models: Optional[List[str]] = None
    """The model allow-list; empty allows every model."""
    model_limits: Optional[Dict[str, ModelLimitParams]] = None
    org_id: Optional[str] = None
    team_id: Optional[str] = None
    routing_policy: Optional[Dict[str, Any]] = None
    routing_policy_template_id: Optional[str] = None
    api_version: Optional[str] = None
    """A contract pin like ``"2026-09"``; ``None`` clears it (on update)."""
    fixed_provider: Optional[str] = None

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
    after: Optional[str] = None


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
    rpm_limit: Optional[int] = None
    rpd_limit: Optional[int] = None
    tpm_limit: Optional[int] = None
    spend_cap_usd: Optional[str] = None
    effective_rpm_limit: Optional[int] = None
    effective_rpd_limit: Optional[int] = None
    effective_tpm_limit: Optional[int] = None
    effective_spend_cap_usd: Optional[str] = None
