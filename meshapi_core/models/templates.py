"""Prompt templates: ``/v1/templates`` CRUD (``docs/gateway/api.md`` §14).

A template is a named system prompt and base messages with ``{{ name }}`` slots, plus a
default model and parameters. Chat uses one by name or id: ``template=`` and ``variables=`` of
:class:`~meshapi_core.models.chat.ChatCompletionParams`. The request's own settings win over
the key's defaults, which win over the template's.

The names meshapi 0.1.11 uses are aliases of the same classes: ``CreateTemplateParams``,
``UpdateTemplateParams`` and ``TemplateSummary``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from pydantic import ConfigDict, Field

from .base import RequestModel, ResponseModel, _Model

__all__ = [
    "CreateTemplateParams",
    "Template",
    "TemplateCreateParams",
    "TemplateListParams",
    "TemplateMessage",
    "TemplateSummary",
    "TemplateUpdateParams",
    "UpdateTemplateParams",
]


class TemplateMessage(_Model):
    """A base message of a template: ``role`` and text ``content``, which may hold
    ``{{ name }}`` slots. Other keys are kept, both ways.

    >>> TemplateMessage(role="user", content="Hello {{ name }}").content
    'Hello {{ name }}'
    """

    model_config = ConfigDict(extra="allow", defer_build=True)

    role: str
    content: str


class TemplateCreateParams(RequestModel):
    """The body of ``POST /v1/templates``; only ``name`` is required (unique per owner, or
    the gateway answers ``409 conflict``).

    >>> TemplateCreateParams(name="support", system="You help {{ customer }}.",
    ...                      variables=["customer"]).to_json_dict()
    {'name': 'support', 'system': 'You help {{ customer }}.', 'variables': ['customer']}
    """

    name: str = Field(min_length=1)
    description: Optional[str] = None
    system: Optional[str] = None
    """The system prompt; ``{{ name }}`` slots are filled from a chat's ``variables``."""
    messages: Optional[List[TemplateMessage]] = None
    model: Optional[str] = None
    """The model used when neither the request nor the key names one."""
    params: Optional[Dict[str, Any]] = None
    """Default parameters (``temperature``, ``max_tokens``, ``stop``...)."""
    variables: Optional[List[str]] = None
    """The slot names, for documentation: the gateway does not check them."""
    team_id: Optional[str] = None


class TemplateUpdateParams(RequestModel):
    """The body of ``PATCH /v1/templates/{id}``: only the fields you set change."""

    name: Optional[str] = Field(default=None, min_length=1)
    description: Optional[str] = None
    system: Optional[str] = None
    messages: Optional[List[TemplateMessage]] = None
    model: Optional[str] = None
    params: Optional[Dict[str, Any]] = None
    variables: Optional[List[str]] = None
    team_id: Optional[str] = None


class TemplateListParams(RequestModel):
    """The filters of ``GET /v1/templates`` (newer deployments): a team, or, for org
    admins and owners, one member's templates."""

    team_id: Optional[str] = None
    member_owner: Optional[str] = None


class Template(ResponseModel):
    """A stored prompt template. Global templates (``is_global``) are read-only.

    >>> Template(id="7f0c", name="support").org_id is None
    True
    """

    id: str
    name: str
    owner: Optional[str] = None
    org_id: Optional[str] = None
    team_id: Optional[str] = None
    is_global: Optional[bool] = None
    description: Optional[str] = None
    system: Optional[str] = None
    messages: Optional[List[Dict[str, Any]]] = None
    model: Optional[str] = None
    params: Optional[Dict[str, Any]] = None
    variables: Optional[List[str]] = None
    creator_name: Optional[str] = None
    creator_email: Optional[str] = None
    created_at: Optional[str] = None
    """ISO 8601, as the gateway sends it."""
    updated_at: Optional[str] = None


CreateTemplateParams = TemplateCreateParams
"""The name meshapi 0.1.11 gives :class:`TemplateCreateParams`."""
UpdateTemplateParams = TemplateUpdateParams
"""The name meshapi 0.1.11 gives :class:`TemplateUpdateParams`."""
TemplateSummary = Template
"""The name meshapi 0.1.11 gives :class:`Template`."""
