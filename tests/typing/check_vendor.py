"""Checked by ``mypy --strict`` in ``scripts/lint``, never run: meshapi 0.1.11's call shapes
are typed as truthfully as ours (the programs in ``tests/compat/vendor/`` are the right uses).
Every ``type: ignore`` marks a mistake mypy must catch."""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel

from meshapi import (
    AsyncMeshAPI,
    ChatCompletionParams,
    CreateTemplateParams,
    MeshAPI,
    MeshAPIConfig,
    MeshAPIError,
    RagResource,
    StreamInterruptedError,
    UpdateTemplateParams,
)
from meshapi_core.errors import Seconds
from meshapi_core.models.parsed import ParsedChatCompletion


def keyword_first_arguments(client: MeshAPI, params: ChatCompletionParams) -> None:
    client.chat.completions.create(params=params)
    client.chat.completions.create(params=CreateTemplateParams(name="x"))  # type: ignore[call-overload]
    client.models.get(model_id="openai/gpt-4o-mini")
    client.models.get(model="openai/gpt-4o-mini")  # type: ignore[call-arg]
    client.models.list(free=True, type="text", provider="openai")
    client.models.list(type="txt")  # type: ignore[arg-type]
    client.templates.create(params=CreateTemplateParams(name="x"))
    client.templates.create(params=UpdateTemplateParams(name="x"))  # type: ignore[call-overload]
    client.templates.update(template_id="t", params=UpdateTemplateParams(model="m"))
    client.rag.list(10, 0)
    client.rag.list("10")  # type: ignore[call-overload]


class Country(BaseModel):
    capital: str


async def parse_as_in_0_1_12(
    client: MeshAPI, aclient: AsyncMeshAPI, params: ChatCompletionParams
) -> None:
    country: Country = client.chat.completions.parse(params, response_format=Country)
    country = client.chat.completions.parse(params=params, response_format=Country)
    country = await aclient.chat.completions.parse(params, Country)
    value: Any = client.chat.completions.parse(params, {"type": "object"})
    print(client.chat.completions.parse(params, Country).choices)  # type: ignore[attr-defined]
    client.chat.completions.parse(params, 3)  # type: ignore[call-overload]
    whole: ParsedChatCompletion[None] = client.chat.completions.parse(params)
    print(country.capital, value, whole)


async def async_forms(client: AsyncMeshAPI, params: ChatCompletionParams) -> None:
    await client.chat.completions.create(params=params)
    page = await client.rag.list(10, 0)
    print(page.total, page.files)
    await client.templates.get(template_id="t")


def errors_and_config() -> None:
    err = MeshAPIError("m", status=429, error_code="rate_limit_exceeded", request_id="r")
    waited: Optional[Seconds] = err.retry_after_seconds
    print(waited, err.details[0], err.provider_error)
    MeshAPIError("m", 429)  # type: ignore[call-arg]
    cut: StreamInterruptedError = MeshAPIError.stream_interrupted("reset")
    wait = cut.retry_after_seconds
    wait + "s"  # type: ignore[operator]
    config = MeshAPIConfig(base_url="https://api.meshapi.ai", token="rsk_...")
    RagResource(config)
    RagResource("https://api.meshapi.ai")  # type: ignore[arg-type]
    MeshAPIConfig(base_url="https://api.meshapi.ai")  # type: ignore[call-arg]
