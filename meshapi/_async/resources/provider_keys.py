"""``client.provider_keys``: your own upstream credentials (BYOK), one set per provider.

Each provider's fields are checked before anything is sent, and its secrets never appear in
a repr, a log line or an error (they are ``SecretStr``; only the request body holds them).
``add`` and ``update`` turn them into ``SecretStr`` on their first line, so no frame below
holds one as a plain string (see :class:`~meshapi_core.models.secrets.SecretFields`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Union, overload

from meshapi_core.endpoints.provider_keys import (
    PROVIDER_KEYS_ADD,
    PROVIDER_KEYS_LIST,
    PROVIDER_KEYS_REMOVE,
    PROVIDER_KEYS_TEST,
    PROVIDER_KEYS_UPDATE,
    for_provider,
)
from meshapi_core.models.provider_keys import (
    PROVIDERS,
    AwsProviderKeyParams,
    AwsProviderKeyUpdateParams,
    AzureFoundryProviderKeyParams,
    AzureFoundryProviderKeyUpdateParams,
    AzureProviderKeyParams,
    AzureProviderKeyUpdateParams,
    OpenAIProviderKeyParams,
    OpenAIProviderKeyUpdateParams,
    Provider,
    ProviderKey,
    ProviderKeyTestResult,
    VertexProviderKeyParams,
    VertexProviderKeyUpdateParams,
)
from meshapi_core.models.secrets import SecretFields

from ..pages import AsyncPaginator
from ..resource import AsyncResource

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from meshapi.types import (
        AwsProviderKeyArgs,
        AwsProviderKeyParamsDict,
        AwsProviderKeyUpdateArgs,
        AwsProviderKeyUpdateParamsDict,
        AzureFoundryProviderKeyArgs,
        AzureFoundryProviderKeyParamsDict,
        AzureFoundryProviderKeyUpdateArgs,
        AzureFoundryProviderKeyUpdateParamsDict,
        AzureProviderKeyArgs,
        AzureProviderKeyParamsDict,
        AzureProviderKeyUpdateArgs,
        AzureProviderKeyUpdateParamsDict,
        OpenAIProviderKeyArgs,
        OpenAIProviderKeyParamsDict,
        OpenAIProviderKeyUpdateArgs,
        OpenAIProviderKeyUpdateParamsDict,
        RequestOptions,
        VertexProviderKeyArgs,
        VertexProviderKeyParamsDict,
        VertexProviderKeyUpdateArgs,
        VertexProviderKeyUpdateParamsDict,
    )

__all__ = ["AsyncProviderKeys"]


class AsyncProviderKeys(AsyncResource):
    """Provider keys: ``add``, ``test``, ``update``, ``remove`` per provider (``aws``,
    ``azure``, ``azure-foundry``, ``openai``, ``vertex``), and ``list``.

    >>> await admin.provider_keys.add("openai", api_key="sk-...", allow_fallback=False)
    ... # doctest: +SKIP
    >>> await admin.provider_keys.test("openai")   # doctest: +SKIP
    """

    _secret_fields = SecretFields.of(*(model for pair in PROVIDERS.values() for model in pair))

    def list(self, **options: Unpack[RequestOptions]) -> AsyncPaginator[ProviderKey]:
        """The providers you hold keys for (never their secrets)."""
        return self._list(PROVIDER_KEYS_LIST, kwargs=options)

    @overload
    async def add(
        self,
        provider: Literal["aws"],
        params: Union[AwsProviderKeyParams, AwsProviderKeyParamsDict],
        /,
        **options: Unpack[RequestOptions],
    ) -> ProviderKey: ...
    @overload
    async def add(
        self, provider: Literal["aws"], /, **kwargs: Unpack[AwsProviderKeyArgs]
    ) -> ProviderKey: ...
    @overload
    async def add(
        self,
        provider: Literal["azure"],
        params: Union[AzureProviderKeyParams, AzureProviderKeyParamsDict],
        /,
        **options: Unpack[RequestOptions],
    ) -> ProviderKey: ...
    @overload
    async def add(
        self, provider: Literal["azure"], /, **kwargs: Unpack[AzureProviderKeyArgs]
    ) -> ProviderKey: ...
    @overload
    async def add(
        self,
        provider: Literal["azure-foundry"],
        params: Union[AzureFoundryProviderKeyParams, AzureFoundryProviderKeyParamsDict],
        /,
        **options: Unpack[RequestOptions],
    ) -> ProviderKey: ...
    @overload
    async def add(
        self, provider: Literal["azure-foundry"], /, **kwargs: Unpack[AzureFoundryProviderKeyArgs]
    ) -> ProviderKey: ...
    @overload
    async def add(
        self,
        provider: Literal["openai"],
        params: Union[OpenAIProviderKeyParams, OpenAIProviderKeyParamsDict],
        /,
        **options: Unpack[RequestOptions],
    ) -> ProviderKey: ...
    @overload
    async def add(
        self, provider: Literal["openai"], /, **kwargs: Unpack[OpenAIProviderKeyArgs]
    ) -> ProviderKey: ...
    @overload
    async def add(
        self,
        provider: Literal["vertex"],
        params: Union[VertexProviderKeyParams, VertexProviderKeyParamsDict],
        /,
        **options: Unpack[RequestOptions],
    ) -> ProviderKey: ...
    @overload
    async def add(
        self, provider: Literal["vertex"], /, **kwargs: Unpack[VertexProviderKeyArgs]
    ) -> ProviderKey: ...
    async def add(self, provider: Provider, params: Any = None, /, **kwargs: Any) -> ProviderKey:
        """Store your key for ``provider``, its fields checked first (``aws``:
        ``access_key_id``, ``secret_access_key``, ``region``; ``azure``: ``api_key``,
        ``endpoint``; ``azure-foundry``: ``api_key``, ``endpoint``; ``openai``: ``api_key``;
        ``vertex``: ``service_account_json``), plus ``allow_fallback``."""
        params, kwargs = self._conceal(params, kwargs)
        return await self._request(for_provider(PROVIDER_KEYS_ADD, provider), params, kwargs)

    @overload
    async def update(
        self,
        provider: Literal["aws"],
        params: Union[AwsProviderKeyUpdateParams, AwsProviderKeyUpdateParamsDict, None] = None,
        /,
        **kwargs: Unpack[AwsProviderKeyUpdateArgs],
    ) -> ProviderKey: ...
    @overload
    async def update(
        self,
        provider: Literal["azure"],
        params: Union[AzureProviderKeyUpdateParams, AzureProviderKeyUpdateParamsDict, None] = None,
        /,
        **kwargs: Unpack[AzureProviderKeyUpdateArgs],
    ) -> ProviderKey: ...
    @overload
    async def update(
        self,
        provider: Literal["azure-foundry"],
        params: Union[
            AzureFoundryProviderKeyUpdateParams, AzureFoundryProviderKeyUpdateParamsDict, None
        ] = None,
        /,
        **kwargs: Unpack[AzureFoundryProviderKeyUpdateArgs],
    ) -> ProviderKey: ...
    @overload
    async def update(
        self,
        provider: Literal["openai"],
        params: Union[
            OpenAIProviderKeyUpdateParams, OpenAIProviderKeyUpdateParamsDict, None
        ] = None,
        /,
        **kwargs: Unpack[OpenAIProviderKeyUpdateArgs],
    ) -> ProviderKey: ...
    @overload
    async def update(
        self,
        provider: Literal["vertex"],
        params: Union[
            VertexProviderKeyUpdateParams, VertexProviderKeyUpdateParamsDict, None
        ] = None,
        /,
        **kwargs: Unpack[VertexProviderKeyUpdateArgs],
    ) -> ProviderKey: ...
    async def update(self, provider: Provider, params: Any = None, /, **kwargs: Any) -> ProviderKey:
        """Change the stored key for ``provider``: only the fields you pass are sent (e.g.
        ``allow_fallback=False`` for strict isolation)."""
        params, kwargs = self._conceal(params, kwargs)
        return await self._request(for_provider(PROVIDER_KEYS_UPDATE, provider), params, kwargs)

    async def test(
        self, provider: Provider, /, **options: Unpack[RequestOptions]
    ) -> ProviderKeyTestResult:
        """Ask the gateway to try the stored key for ``provider`` against the provider."""
        return await self._request(for_provider(PROVIDER_KEYS_TEST, provider), kwargs=options)

    async def remove(self, provider: Provider, /, **options: Unpack[RequestOptions]) -> None:
        """Delete the stored key for ``provider``; its traffic goes back to the gateway's
        own credentials."""
        return await self._request(for_provider(PROVIDER_KEYS_REMOVE, provider), kwargs=options)
