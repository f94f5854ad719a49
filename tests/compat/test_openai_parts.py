"""The pieces of openai-python compatibility, one by one: strict schemas and parsing,
replies sent back, errors by openai's names, client settings, models, and the streaming
response's reading of a body (split anywhere, bounded, read once).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Literal, Optional, Union

import anyio
import httpx
import pydantic
import pytest
from pydantic import BaseModel, Field

from meshapi import (
    APIError,
    APIResponseValidationError,
    AsyncMeshAPI,
    BadRequestError,
    ChatCompletion,
    ConflictError,
    ContentFilterFinishReasonError,
    InternalServerError,
    InvalidArgumentError,
    LengthFinishReasonError,
    MeshAPI,
    MeshAPIError,
    ModelList,
    ResponseDecodeError,
    ResponseTooLargeError,
    ServerError,
    SpeechParams,
    StreamInterruptedError,
    pydantic_function_tool,
    pydantic_response_format,
    to_strict_json_schema,
)
from meshapi.testing import Gateway, InProcessTransport, faults
from meshapi.testing.pytest_plugin import GatewayFixture
from meshapi_core.errors import error_from_response
from meshapi_core.models.chat import ChatMessage
from meshapi_core.structured import parse_chat_completion, text_format_for, tool_parsers

# --- strict schemas ------------------------------------------------------------------------


class Address(BaseModel):
    street: str
    city: Optional[str] = None


class Cat(BaseModel):
    kind: Literal["cat"] = "cat"
    lives: int


class Dog(BaseModel):
    kind: Literal["dog"] = "dog"
    good: bool


class Person(BaseModel):
    """Someone."""

    name: str
    home: Address = Field(description="Where they live")
    previous: List[Address] = []
    pet: Union[Cat, Dog] = Field(discriminator="kind")
    nickname: Optional[str] = None


def closed_everywhere(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "object":
            assert node["additionalProperties"] is False
            assert node["required"] == list(node.get("properties", {}))
        assert "oneOf" not in node and "discriminator" not in node
        assert not ("$ref" in node and len(node) > 1), node
        assert node.get("default", "unset") is not None
        for value in node.values():
            closed_everywhere(value)
    elif isinstance(node, list):
        for value in node:
            closed_everywhere(value)


def test_a_model_becomes_a_strict_schema() -> None:
    schema = to_strict_json_schema(Person)
    closed_everywhere(schema)
    assert sorted(schema["$defs"]) == ["Address", "Cat", "Dog"]  # $defs kept
    assert schema["required"] == ["name", "home", "previous", "pet", "nickname"]
    # a $ref with a description beside it is replaced by what it names
    home = schema["properties"]["home"]
    assert home["description"] == "Where they live" and home["type"] == "object"
    assert home["properties"]["city"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert schema["properties"]["previous"]["items"] == {"$ref": "#/$defs/Address"}
    assert {o["$ref"] for o in schema["properties"]["pet"]["anyOf"]} == {
        "#/$defs/Cat",
        "#/$defs/Dog",
    }
    assert to_strict_json_schema(Person) == schema  # a fresh dict, the same each time
    adapter = to_strict_json_schema(pydantic.TypeAdapter(List[Address]))
    assert adapter["items"] == {"$ref": "#/$defs/Address"}
    with pytest.raises(InvalidArgumentError):
        to_strict_json_schema(dict)  # type: ignore[arg-type]


def test_the_forms_a_schema_is_sent_in() -> None:
    fmt = pydantic_response_format(Person, name="person", description="who")
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "person" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["description"] == "who"
    assert text_format_for(Person)["name"] == "Person"
    tool = pydantic_function_tool(Person)
    assert tool.model is Person
    assert tool == {
        "type": "function",
        "function": {
            "name": "Person",
            "parameters": to_strict_json_schema(Person),
            "strict": True,
            "description": "Someone.",
        },
    }
    assert tool_parsers([tool, {"type": "function", "function": {"name": "x", "strict": True}},
                         {"type": "function", "function": {"name": "y"}}]) == {
        "Person": Person,
        "x": json,
    }  # fmt: skip


# --- parsing a reply -----------------------------------------------------------------------


def completion(message: Dict[str, Any], finish: str = "stop") -> ChatCompletion:
    return ChatCompletion.model_validate(
        {"id": "c", "choices": [{"index": 0, "message": message, "finish_reason": finish}]}
    )


def test_what_parse_refuses_to_parse() -> None:
    with pytest.raises(LengthFinishReasonError) as cut:
        parse_chat_completion(completion({"content": '{"na'}, "length"), Address)
    assert cut.value.completion.choices[0].message.content == '{"na'
    with pytest.raises(ContentFilterFinishReasonError):
        parse_chat_completion(completion({"content": None}, "content_filter"), Address)
    with pytest.raises(ResponseDecodeError) as bad:
        parse_chat_completion(completion({"content": '{"city": "secret-value"}'}), Address)
    assert "Address" in str(bad.value) and "street" in str(bad.value)
    assert "secret-value" not in str(bad.value)  # the reply's own text is not repeated
    assert isinstance(bad.value, APIResponseValidationError)


def test_tool_calls_are_parsed_as_their_tools_ask() -> None:
    calls = [
        {"id": f"c{i}", "type": "function", "function": {"name": name, "arguments": args}}
        for i, (name, args) in enumerate(
            [("Address", '{"street": "Main", "city": null}'), ("x", '{"a": 1}'), ("y", "{}")]
        )
    ]
    strict_x = {"type": "function", "function": {"name": "x", "strict": True}}
    parsers = tool_parsers([pydantic_function_tool(Address), strict_x])
    parsed = parse_chat_completion(completion({"content": None, "tool_calls": calls}), None, parsers)
    got = [c.function.parsed_arguments for c in parsed.choices[0].message.tool_calls or []]
    assert got == [Address(street="Main"), {"a": 1}, None]
    with pytest.raises(ResponseDecodeError, match="arguments of Address"):
        empty = {**calls[0], "function": {"name": "Address", "arguments": "{}"}}
        parse_chat_completion(completion({"content": None, "tool_calls": [empty]}), None, parsers)


def test_a_parsed_message_goes_back_without_its_parsed_values() -> None:
    calls = [{"id": "c", "type": "function",
              "function": {"name": "Address", "arguments": '{"street":"Main"}'}}]  # fmt: skip
    parsed = parse_chat_completion(
        completion({"role": "assistant", "content": '{"street":"A"}', "tool_calls": calls}),
        Address,
        tool_parsers([pydantic_function_tool(Address)]),
    )
    message = parsed.choices[0].message
    assert message.parsed == Address(street="A")
    sent = ChatMessage.model_validate(message).to_dict()
    assert sent == {"role": "assistant", "content": '{"street":"A"}', "tool_calls": calls}


# --- errors --------------------------------------------------------------------------------


def test_openai_error_names_are_the_family() -> None:
    assert APIError is MeshAPIError
    assert InternalServerError is ServerError
    assert APIResponseValidationError is ResponseDecodeError
    conflict = error_from_response(409, {}, b'{"error": {"code": "conflict", "message": "x"}}')
    assert type(conflict) is ConflictError and isinstance(conflict, BadRequestError)
    html = error_from_response(502, {"x-request-id": "r"}, b"<html><title>Bad</title></html>")
    assert isinstance(html, InternalServerError)
    assert html.response.status_code == 502 and html.response.text.startswith("<html>")
    with pytest.raises(ResponseDecodeError):
        html.response.json()
    assert html.response.headers == {"x-request-id": "r"}


# --- client settings -----------------------------------------------------------------------


def test_settings_by_openai_names(meshapi_gateway: GatewayFixture) -> None:
    url, token = meshapi_gateway.base_url, meshapi_gateway.token
    with pytest.raises(InvalidArgumentError, match=r"max_retrys \(did you mean max_retries\?\)"):
        MeshAPI(api_key=token, base_url=url, max_retrys=1)  # type: ignore[call-arg]
    with pytest.raises(InvalidArgumentError, match=r"did you mean http_client\?"):
        MeshAPI(api_key=token, base_url=url, htp_client=None)  # type: ignore[call-arg]
    with pytest.raises(InvalidArgumentError, match=r"unknown settings a_b, zzz$"):
        MeshAPI(api_key=token, base_url=url, zzz=1, a_b=2)  # type: ignore[call-arg]
    mine, other = httpx.Client(), httpx.Client()
    with pytest.raises(TypeError, match="not both"):
        MeshAPI(api_key=token, base_url=url, http_client=mine, httpx_client=other)
    unlimited = MeshAPI(api_key=token, base_url=url, timeout=httpx.Timeout(None))
    assert unlimited.config.timeout.read is None and unlimited.config.timeout.idle is None
    client = MeshAPI(api_key=token, base_url=url, default_query={"a": "1"})
    derived = client.copy(default_query={"b": True}, default_headers={"x-b": "2"})
    derived.models.list()
    request = meshapi_gateway.gateway.last_request
    assert request is not None
    assert request.query == {"a": ["1"], "b": ["true"]} and request.headers["x-b"] == "2"
    with pytest.raises(TypeError):  # a client's credential and gateway are fixed when made
        client.copy(api_key=meshapi_gateway.admin_token)  # type: ignore[call-arg]
    for each in (client, unlimited):
        each.close()
    mine.close()
    other.close()


def test_async_close_is_awaitable(meshapi_gateway: GatewayFixture) -> None:
    async def main() -> bool:
        client = AsyncMeshAPI(api_key=meshapi_gateway.token, base_url=meshapi_gateway.base_url)
        await client.models.list()
        await client.close()
        with pytest.raises(MeshAPIError):  # closed: refused, not sent
            await client.models.list()
        return True

    assert anyio.run(main)


def test_replies_have_to_dict_and_to_json(meshapi_gateway: GatewayFixture) -> None:
    client = MeshAPI(api_key=meshapi_gateway.token, base_url=meshapi_gateway.base_url)
    models = client.models.list()
    assert isinstance(models, ModelList) and isinstance(models, list)
    assert models.data is models and isinstance(client.models.free(), ModelList)
    assert client.models.retrieve(models[0].id) == client.models.get(models[0].id)
    model = models[0]
    assert json.loads(model.to_json()) == model.to_dict(mode="json")
    assert "\n" not in model.to_json(indent=None)
    assert None not in model.to_dict(exclude_unset=False, exclude_none=True).values()
    params = SpeechParams(input="hi", chunked=False)
    assert params.to_dict() == {"input": "hi", "stream": False}  # the wire's names
    assert params.to_dict(use_api_names=False) == {"input": "hi", "chunked": False}
    client.close()


# --- the streaming response ----------------------------------------------------------------


def local(gateway: Gateway, **settings: Any) -> MeshAPI:
    return MeshAPI(
        base_url="http://127.0.0.1",
        token=gateway.token,
        transport=InProcessTransport(gateway),
        **settings,
    )


def test_lines_and_text_split_anywhere() -> None:
    gateway = Gateway()
    body = "first\r\nsécond\r\n\r\nthird\rfourth\nlast ✓"
    for size in (1, 2, 3, 7, len(body.encode())):
        client = local(gateway)
        gateway.inject(
            faults.Status(200, body=body, content_type="text/plain"), faults.SplitWrites(size)
        )
        with client.models.with_streaming_response.list() as response:
            lines = list(response.iter_lines())
        assert lines == ["first", "sécond", "", "third", "fourth", "last ✓"], size
        gateway.inject(
            faults.Status(200, body=body, content_type="text/plain"), faults.SplitWrites(size)
        )
        with client.models.with_streaming_response.list() as response:
            assert "".join(response.iter_text()) == body
        client.close()


def test_a_line_longer_than_max_event_size_is_refused() -> None:
    gateway = Gateway()
    client = local(gateway, max_event_size=1000)
    gateway.inject(faults.Status(200, body="x" * 5000, content_type="text/plain"))
    with client.models.with_streaming_response.list() as response:  # noqa: SIM117
        with pytest.raises(ResponseTooLargeError) as too_long:
            list(response.iter_lines())
    assert too_long.value.error_code == "event_too_large"
    client.close()


def test_a_body_is_read_once() -> None:
    gateway = Gateway()
    client = local(gateway)
    with client.models.with_streaming_response.get("openai/gpt-4o-mini") as response:
        model = response.parse()
        assert model.id == "openai/gpt-4o-mini" and model.request_id == response.request_id
        assert response.parse() is model  # kept
        assert json.loads(response.read())["id"] == model.id  # kept too
        assert b"".join(response.iter_bytes(5)) == response.read()
        assert response.is_closed
    with client.models.with_streaming_response.get("openai/gpt-4o-mini") as response:
        assert next(iter(response.iter_bytes(3)))
        with pytest.raises(RuntimeError, match="already read"):
            response.parse()
    with client.chat.completions.with_streaming_response.stream(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
    ) as streamed:
        assert list(streamed.iter_bytes())
        with pytest.raises(RuntimeError, match="already read"):
            streamed.parse()
    client.close()


def test_the_head_comes_after_retries_and_an_error_is_raised_on_entering() -> None:
    gateway = Gateway()
    client = local(gateway, retry=__import__("meshapi").RetryPolicy.for_testing())
    gateway.inject(faults.Status(503), times=2)
    with client.models.with_streaming_response.list() as response:
        assert (response.status_code, response.attempts, response.retries_taken) == (200, 3, 2)
        assert len(response.parse()) > 1
    gateway.inject(faults.Status(404))
    with pytest.raises(MeshAPIError) as refused, client.models.with_streaming_response.list():
        pytest.fail("entered")  # pragma: no cover
    assert refused.value.status == 404
    client.close()


def test_a_list_method_parses_to_its_page_and_pages_on(meshapi_gateway: GatewayFixture) -> None:
    client = MeshAPI(api_key=meshapi_gateway.token, base_url=meshapi_gateway.base_url)
    with client.models.with_streaming_response.search(limit=2) as response:
        page = response.parse()
    assert len(page.data) == 2 and page.has_more
    assert [m.id for m in page][:2] == [m.id for m in page.data]  # the next pages are fetched
    client.close()


def test_methods_of_several_calls_have_no_streaming_twin(meshapi_gateway: GatewayFixture) -> None:
    client = MeshAPI(api_key=meshapi_gateway.token, base_url=meshapi_gateway.base_url)
    for resource, name in [(client.batches, "wait"), (client.rag, "upload_file")]:
        with pytest.raises(AttributeError, match="several HTTP calls"):
            getattr(resource.with_streaming_response, name)
        assert callable(getattr(resource.with_raw_response, name))
    with pytest.raises(AttributeError, match="WebSocket"):
        client.realtime.with_streaming_response.connect  # type: ignore[attr-defined]  # noqa: B018
    client.close()


def test_an_unread_body_is_closed_with_the_block(meshapi_gateway: GatewayFixture) -> None:
    client = MeshAPI(api_key=meshapi_gateway.token, base_url=meshapi_gateway.base_url)
    server = meshapi_gateway.server
    with client.audio.with_streaming_response.synthesize_stream(input="long " * 200) as response:
        assert response.headers["content-type"] == "audio/mpeg"
    assert response.is_closed
    # an unread body cannot go back to the pool: its connection is closed, not kept
    assert server.wait_for_closed_connections(1)
    client.close()


def test_a_cut_download_leaves_no_file(meshapi_gateway: GatewayFixture, tmp_path: Path) -> None:
    client = MeshAPI(api_key=meshapi_gateway.token, base_url=meshapi_gateway.base_url)
    meshapi_gateway.gateway.inject(faults.Drop(after_bytes=1000))
    target = tmp_path / "cut.mp3"
    with client.audio.speech.with_streaming_response.create(input="hello " * 50) as response:  # noqa: SIM117
        with pytest.raises(StreamInterruptedError):
            response.stream_to_file(target)
    assert list(tmp_path.iterdir()) == []
    client.close()


def test_create_stream_true_through_the_views(meshapi_gateway: GatewayFixture) -> None:
    client = MeshAPI(api_key=meshapi_gateway.token, base_url=meshapi_gateway.base_url)
    messages: List[Any] = [{"role": "user", "content": "Count to 3."}]
    raw = client.chat.completions.with_raw_response.create(
        model="openai/gpt-4o-mini", messages=messages, stream=True
    )
    assert raw.headers["content-type"].startswith("text/event-stream")
    with raw.parse() as stream:
        assert "".join(stream.text()) == "1, 2, 3."
    with client.chat.completions.with_streaming_response.create(
        model="openai/gpt-4o-mini", messages=messages, stream=True
    ) as response:
        assert response.parse().final().choices[0].message.content == "1, 2, 3."
    client.close()
