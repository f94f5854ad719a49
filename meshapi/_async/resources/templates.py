"""``client.templates``: prompt templates (``/v1/templates``), with a data-plane key or a
dashboard session. Chat with one through ``template=`` and ``variables=`` of
``client.chat.completions.create``."""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Union

from meshapi_core.endpoints.templates import (
    TEMPLATES_CREATE,
    TEMPLATES_DELETE,
    TEMPLATES_GET,
    TEMPLATES_LIST,
    TEMPLATES_UPDATE,
)
from meshapi_core.models.templates import (
    Template,
    TemplateCreateParams,
    TemplateListParams,
    TemplateUpdateParams,
)

from ..resource import AsyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import (
        RequestOptions,
        TemplateCreateArgs,
        TemplateCreateParamsDict,
        TemplateListArgs,
        TemplateListParamsDict,
        TemplateUpdateArgs,
        TemplateUpdateParamsDict,
    )

__all__ = ["AsyncTemplates"]


class AsyncTemplates(AsyncResource):
    """Prompt templates: a system prompt and messages with ``{{ name }}`` slots.

    >>> t = await client.templates.create(name="support",   # doctest: +SKIP
    ...     system="You help {{ customer }}.", model="openai/gpt-4o-mini")
    >>> await client.chat.completions.create(template="support",   # doctest: +SKIP
    ...     variables={"customer": "Ada"}, messages=[{"role": "user", "content": "Hi"}])
    """

    async def create(
        self,
        params: Union[TemplateCreateParams, TemplateCreateParamsDict, None] = None,
        /,
        **kwargs: Unpack[TemplateCreateArgs],
    ) -> Template:
        """Store a template; ``name`` must be new among yours (else ``409 conflict``)."""
        return await self._request(TEMPLATES_CREATE, params, kwargs)

    async def list(
        self,
        params: Union[TemplateListParams, TemplateListParamsDict, None] = None,
        /,
        **kwargs: Unpack[TemplateListArgs],
    ) -> List[Template]:
        """Your templates, then the global ones (filter by ``team_id`` or ``member_owner``)."""
        return await self._request(TEMPLATES_LIST, params, kwargs)

    async def get(self, template_id: str, /, **options: Unpack[RequestOptions]) -> Template:
        """One template by its id (a UUID); raises ``NotFoundError``."""
        return await self._request(TEMPLATES_GET, kwargs=options, path={"template_id": template_id})

    async def update(
        self,
        template_id: str,
        params: Union[TemplateUpdateParams, TemplateUpdateParamsDict, None] = None,
        /,
        **kwargs: Unpack[TemplateUpdateArgs],
    ) -> Template:
        """Change the fields you pass, and only those (``PATCH``); global templates are
        read-only (``PermissionDeniedError``)."""
        return await self._request(
            TEMPLATES_UPDATE, params, kwargs, path={"template_id": template_id}
        )

    async def delete(self, template_id: str, /, **options: Unpack[RequestOptions]) -> None:
        """Delete a template (the gateway answers ``204 No Content``)."""
        return await self._request(
            TEMPLATES_DELETE, kwargs=options, path={"template_id": template_id}
        )
