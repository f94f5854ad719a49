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
    """Who speaks, as in a chat message."""
    content: str
    """The text, which may hold ``{{ name }}`` slots."""


class TemplateCreateParams(RequestModel):
    """The body of ``POST /v1/templates``; only ``name`` is required (unique per owner, or
    the gateway answers ``409 conflict``).

    >>> TemplateCreateParams(name="support", system="You help {{ customer }}.",
    ...                      variables=["customer"]).to_json_dict()
    {'name': 'support', 'system': 'You help {{ customer }}.', 'variables': ['customer']}
    """

    name: str = Field(min_length=1)
    """The template's name, unique among yours (required; chat finds it by name)."""
    description: Optional[str] = None
    """What the template is for."""
    system: Optional[str] = None
    """The system prompt; ``{{ name }}`` slots are filled from a chat's ``variables``."""
    messages: Optional[List[TemplateMessage]] = None
    """Base messages, placed before the request's own."""
    model: Optional[str] = None
    """The model used when neither the request nor the key names one."""
    params: Optional[Dict[str, Any]] = None
    """Default parameters (``temperature``, ``max_tokens``, ``stop``...)."""
    variables: Optional[List[str]] = None
    """The slot names, for documentation: the gateway does not check them."""
    team_id: Optional[str] = None
    """The team the template belongs to."""


class TemplateUpdateParams(RequestModel):
    """The body of ``PATCH /v1/templates/{id}``: only the fields you set change."""

    name: Optional[str] = Field(default=None, min_length=1)
    """A new name, unique among yours."""
    description: Optional[str] = None
    """A new description."""
    system: Optional[str] = None
    """A new system prompt, with ``{{ name }}`` slots."""
    messages: Optional[List[TemplateMessage]] = None
    """New base messages."""
    model: Optional[str] = None
    """A new default model."""
    params: Optional[Dict[str, Any]] = None
    """New default parameters."""
    variables: Optional[List[str]] = None
    """New slot names (for documentation only)."""
    team_id: Optional[str] = None
    """Move the template to this team."""


class TemplateListParams(RequestModel):
    """The filters of ``GET /v1/templates`` (newer deployments): a team, or, for org
    admins and owners, one member's templates."""

    team_id: Optional[str] = None
    """Only this team's templates."""
    member_owner: Optional[str] = None
    """Only this member's templates (org admins and owners)."""


class Template(ResponseModel):
    """A stored prompt template. Global templates (``is_global``) are read-only.

    >>> Template(id="7f0c", name="support").org_id is None
    True
    """

    id: str
    """The template's UUID (works across owners, to share it)."""
    name: str
    """Its name, unique per owner."""
    owner: Optional[str] = None
    """Who owns it."""
    org_id: Optional[str] = None
    """The org it belongs to."""
    team_id: Optional[str] = None
    """The team it belongs to."""
    is_global: Optional[bool] = None
    """Whether it is a global template, seeded by the gateway's admins (read-only)."""
    description: Optional[str] = None
    """What the template is for."""
    system: Optional[str] = None
    """The system prompt, with ``{{ name }}`` slots."""
    messages: Optional[List[Dict[str, Any]]] = None
    """Base messages, placed before the request's own."""
    model: Optional[str] = None
    """The model used when neither the request nor the key names one."""
    params: Optional[Dict[str, Any]] = None
    """Default parameters (the request's and the key's win)."""
    variables: Optional[List[str]] = None
    """The slot names, for documentation: the gateway does not check them."""
    creator_name: Optional[str] = None
    """The name of whoever created it."""
    creator_email: Optional[str] = None
    """The email address of whoever created it."""
    created_at: Optional[str] = None
    """ISO 8601, as the gateway sends it."""
    updated_at: Optional[str] = None
    """ISO 8601, as the gateway sends it."""


CreateTemplateParams = TemplateCreateParams
"""The name meshapi 0.1.11 gives :class:`TemplateCreateParams`."""
UpdateTemplateParams = TemplateUpdateParams
"""The name meshapi 0.1.11 gives :class:`TemplateUpdateParams`."""
TemplateSummary = Template
"""The name meshapi 0.1.11 gives :class:`Template`."""
