"""``client.templates``: prompt templates (``/v1/templates``), with a data-plane key or a
dashboard session. Chat with one through ``template=`` and ``variables=`` of
``client.chat.completions.create``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Tuple, Union, overload

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


def _one(args: Tuple[Any, ...], method: str, most: int) -> Any:
    """The params object or dict among a method's positional arguments, if given (the
    methods that also take it as ``params=`` read their positional arguments as ``*args``)."""
    if len(args) > 1:
        given = len(args) + most - 1
        plural = "s" if most > 1 else ""
        raise TypeError(
            f"{method}() takes at most {most} positional argument{plural} ({given} given)"
        )
    return args[0] if args else None


class AsyncTemplates(AsyncResource):
    """Prompt templates: a system prompt and messages with ``{{ name }}`` slots.

    >>> t = await client.templates.create(name="support",   # doctest: +SKIP
    ...     system="You help {{ customer }}.", model="openai/gpt-4o-mini")
    >>> await client.chat.completions.create(template="support",   # doctest: +SKIP
    ...     variables={"customer": "Ada"}, messages=[{"role": "user", "content": "Hi"}])
    """

    @overload
    async def create(
        self,
        params: Union[TemplateCreateParams, TemplateCreateParamsDict],
        /,
        **options: Unpack[RequestOptions],
    ) -> Template: ...
    @overload
    async def create(
        self, *, params: TemplateCreateParams, **options: Unpack[RequestOptions]
    ) -> Template: ...
    @overload
    async def create(self, **kwargs: Unpack[TemplateCreateArgs]) -> Template: ...
    async def create(self, *args: Any, **kwargs: Any) -> Template:
        """Store a template; ``name`` must be new among yours (else ``409 conflict``).

        Takes a :class:`~meshapi.types.TemplateCreateParams` (also as ``params=``, as
        meshapi 0.1.11 spelled it), a dict of its fields, or its fields as keywords, where
        ``params={...}`` is the template's default parameters."""
        return await self._request(TEMPLATES_CREATE, _one(args, "create", 1), kwargs)

    async def list(
        self,
        params: Union[TemplateListParams, TemplateListParamsDict, None] = None,
        **kwargs: Unpack[TemplateListArgs],
    ) -> List[Template]:
        """Your templates, then the global ones (filter by ``team_id`` or ``member_owner``)."""
        return await self._request(TEMPLATES_LIST, params, kwargs)

    async def get(self, template_id: str, **options: Unpack[RequestOptions]) -> Template:
        """One template by its id (a UUID); raises ``NotFoundError``."""
        return await self._request(TEMPLATES_GET, kwargs=options, path={"template_id": template_id})

    @overload
    async def update(
        self,
        template_id: str,
        params: Union[TemplateUpdateParams, TemplateUpdateParamsDict, None] = None,
        /,
        **kwargs: Unpack[TemplateUpdateArgs],
    ) -> Template: ...
    @overload
    async def update(
        self, template_id: str, *, params: TemplateUpdateParams, **options: Unpack[RequestOptions]
    ) -> Template: ...
    async def update(self, template_id: str, *args: Any, **kwargs: Any) -> Template:
        """Change the fields you pass, and only those (``PATCH``); global templates are
        read-only (``PermissionDeniedError``).

        Takes the template's id, then a :class:`~meshapi.types.TemplateUpdateParams` (also
        as ``params=``, as meshapi 0.1.11 spelled it), a dict of its fields, or its fields
        as keywords, where ``params={...}`` is the template's default parameters."""
        return await self._request(
            TEMPLATES_UPDATE,
            _one(args, "update", 2),
            kwargs,
            path={"template_id": template_id},
        )

    async def delete(self, template_id: str, **options: Unpack[RequestOptions]) -> None:
        """Delete a template (the gateway answers ``204 No Content``)."""
        return await self._request(
            TEMPLATES_DELETE, kwargs=options, path={"template_id": template_id}
        )
