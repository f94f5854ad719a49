"""meshapi 0.1.12's ``chat.completions.parse(params, response_format)``: the parsed value
itself, for a pydantic model, another type pydantic reads, or a JSON Schema as a dict; and
the same ``response_format`` values in openai-python's spelling, where the value is
``message.parsed`` of the completion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List

import anyio
import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from meshapi import (
    AsyncMeshAPI,
    ChatCompletion,
    ChatCompletionParams,
    ChatMessage,
    InvalidArgumentError,
    MeshAPI,
    ResponseDecodeError,
)
from meshapi.testing.pytest_plugin import GatewayFixture
from meshapi_core.structured import parse_chat_completion, parsed_value

MODEL = "openai/gpt-4o-mini"


class Country(BaseModel):
    country: str
    capital: str


class Planet(TypedDict):
    name: str
    position_from_sun: int


@dataclass
class City:
    name: str
    population: int


def params(text: str = "What is the capital of France?") -> ChatCompletionParams:
    return ChatCompletionParams(model=MODEL, messages=[ChatMessage(role="user", content=text)])


def sent_format(gateway: GatewayFixture) -> Dict[str, Any]:
    request = gateway.gateway.last_request
    assert request is not None and request.json is not None
    fmt: Dict[str, Any] = request.json["response_format"]
    return fmt


def test_a_params_object_and_a_model_give_the_models_instance(
    meshapi_client: MeshAPI, meshapi_gateway: GatewayFixture
) -> None:
    by_keyword = meshapi_client.chat.completions.parse(params(), response_format=Country)
    assert isinstance(by_keyword, Country)
    assert sent_format(meshapi_gateway)["json_schema"]["name"] == "Country"
    assert sent_format(meshapi_gateway)["json_schema"]["strict"] is True
    by_position = meshapi_client.chat.completions.parse(params(), Country)
    assert isinstance(by_position, Country)
    named = meshapi_client.chat.completions.parse(params=params(), response_format=Country)
    assert isinstance(named, Country)
    as_dict = meshapi_client.chat.completions.parse(
        {"model": MODEL, "messages": [{"role": "user", "content": "A country?"}]}, Country
    )
    assert isinstance(as_dict, Country)


def test_a_json_schema_dict_is_sent_as_it_is_and_read_as_json(
    meshapi_client: MeshAPI, meshapi_gateway: GatewayFixture
) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "moons": {"type": "integer"}},
        "required": ["name", "moons"],
        "additionalProperties": False,
    }
    out = meshapi_client.chat.completions.parse(params("Name any planet."), response_format=schema)
    assert isinstance(out, dict) and isinstance(out["name"], str)
    assert isinstance(out["moons"], int)
    assert sent_format(meshapi_gateway) == {
        "type": "json_schema",
        "json_schema": {"name": "response", "schema": schema},
    }
    whole = {"type": "json_schema", "json_schema": {"name": "planet", "schema": schema}}
    out = meshapi_client.chat.completions.parse(params("Name any planet."), whole)
    assert set(out) == {"name", "moons"}
    assert sent_format(meshapi_gateway) == whole


def test_other_types_pydantic_reads(meshapi_client: MeshAPI) -> None:
    planet = meshapi_client.chat.completions.parse(params("A planet?"), Planet)
    assert isinstance(planet, dict) and isinstance(planet["position_from_sun"], int)
    city = meshapi_client.chat.completions.parse(params("A city?"), City)
    assert isinstance(city, City) and isinstance(city.population, int)


def test_the_keyword_form_keeps_the_completion(
    meshapi_client: MeshAPI, meshapi_gateway: GatewayFixture
) -> None:
    messages: List[Dict[str, Any]] = [{"role": "user", "content": "A country?"}]
    completion = meshapi_client.chat.completions.parse(
        model=MODEL, messages=messages, response_format=Country
    )
    assert isinstance(completion.choices[0].message.parsed, Country)
    raw = meshapi_client.chat.completions.parse(
        model=MODEL,
        messages=messages,
        response_format={"type": "object", "properties": {"a": {"type": "string"}}},  # type: ignore[call-overload]
    )
    assert isinstance(raw.choices[0].message.parsed, dict)
    assert sent_format(meshapi_gateway)["json_schema"]["name"] == "response"
    without = meshapi_client.chat.completions.parse(params())
    assert without.choices[0].message.parsed is None


def test_the_async_client_too(meshapi_async_client: AsyncMeshAPI) -> None:
    async def main() -> Country:
        async with meshapi_async_client as client:
            return await client.chat.completions.parse(params(), Country)

    assert isinstance(anyio.run(main), Country)


def test_content_that_does_not_fit_raises(
    meshapi_client: MeshAPI, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.script_reply("Paris, of course.")
    with pytest.raises(ResponseDecodeError, match="not a valid Country"):
        meshapi_client.chat.completions.parse(params(), Country)


@pytest.mark.parametrize("response_format", [3, "Country", {"type": "json_schema"}])
def test_what_is_not_a_schema_is_refused_before_sending(
    meshapi_client: MeshAPI, meshapi_gateway: GatewayFixture, response_format: Any
) -> None:
    with pytest.raises(InvalidArgumentError, match="response_format"):
        meshapi_client.chat.completions.parse(params(), response_format)
    assert meshapi_gateway.gateway.requests == []


def completion(message: Dict[str, Any]) -> ChatCompletion:
    return ChatCompletion.model_validate(
        {"id": "c", "model": MODEL, "choices": [{"index": 0, "message": message}]}
    )


@pytest.mark.parametrize(
    ("message", "why"),
    [
        ({"role": "assistant", "content": None}, "no content"),
        ({"role": "assistant", "content": "", "refusal": None}, "no content"),
        ({"role": "assistant", "refusal": "I cannot help."}, "the model refused: I cannot help."),
    ],
)
def test_nothing_to_parse_raises(message: Dict[str, Any], why: str) -> None:
    def parse(reply: ChatCompletion) -> Any:
        return parse_chat_completion(reply, response_format=Country)

    with pytest.raises(ResponseDecodeError, match=why.replace(".", r"\.")):
        parsed_value(completion(message), parse=parse)
