"""Prompt templates (``docs/gateway/api.md`` §14): CRUD with a data-plane key or a dashboard
session. The list is a bare JSON array; delete answers ``204 No Content``."""

from __future__ import annotations

from typing import List

from ..endpoint import DATA_OR_DASHBOARD, EMPTY, JSON, Endpoint
from ..models.templates import (
    Template,
    TemplateCreateParams,
    TemplateListParams,
    TemplateUpdateParams,
)

__all__ = [
    "TEMPLATES_CREATE",
    "TEMPLATES_DELETE",
    "TEMPLATES_GET",
    "TEMPLATES_LIST",
    "TEMPLATES_UPDATE",
]

TEMPLATES_LIST: Endpoint[TemplateListParams, List[Template]] = Endpoint(
    "GET", "/v1/templates", DATA_OR_DASHBOARD, JSON(List[Template]), TemplateListParams
)
"""``GET /v1/templates``, called by ``templates.list``."""
TEMPLATES_CREATE: Endpoint[TemplateCreateParams, Template] = Endpoint(
    "POST", "/v1/templates", DATA_OR_DASHBOARD, JSON(Template), TemplateCreateParams
)
"""``POST /v1/templates``, called by ``templates.create``."""
TEMPLATES_GET: Endpoint[None, Template] = Endpoint(
    "GET", "/v1/templates/{template_id}", DATA_OR_DASHBOARD, JSON(Template)
)
"""``GET /v1/templates/{template_id}``, called by ``templates.get``."""
TEMPLATES_UPDATE: Endpoint[TemplateUpdateParams, Template] = Endpoint(
    "PATCH", "/v1/templates/{template_id}", DATA_OR_DASHBOARD, JSON(Template), TemplateUpdateParams
)
"""``PATCH /v1/templates/{template_id}``, called by ``templates.update``."""
TEMPLATES_DELETE: Endpoint[None, None] = Endpoint(
    "DELETE", "/v1/templates/{template_id}", DATA_OR_DASHBOARD, EMPTY
)
"""``DELETE /v1/templates/{template_id}``, called by ``templates.delete``."""
