"""The gateway's signals, end to end on every transport: ``meta`` on replies, streams, pages
and raw responses (cross-model fallback, cache hits, BYOK fallback, the provider, the API
version), deprecation warnings for a retiring API version, and the request options that
ask for them (``memories``, ``skip_cache``, ``refresh``)."""

from __future__ import annotations

import inspect
import logging
import warnings
from typing import Any, Iterator, List

import pytest

from meshapi import DeprecationNotice, ResponseMeta
from meshapi._observe import _warned
from meshapi.testing import faults
from meshapi.testing.pytest_plugin import GatewayFixture

from .conftest import Api, Runner, in_thread

CHAT = "/v1/chat/completions"
MESSAGES = [{"role": "user", "content": "Say hello."}]
FALLBACK = {
    "model": "mesh/unavailable/openai/gpt-4o",
    "models": ["mesh/unavailable/openai/gpt-4o-mini", "anthropic/claude-haiku-4.5"],
    "messages": MESSAGES,
}


async def resolve(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def chunks_of(api: Api, **kwargs: Any) -> Any:
    """The stream's meta before its first chunk, and its chunks."""
    stream = api.client.chat.completions.stream(**kwargs)
    if api.is_sync:
        with stream:
            return stream.meta, list(stream)
    async with stream:
        return stream.meta, [chunk async for chunk in stream]


@pytest.fixture(autouse=True)
def fresh_warnings() -> Iterator[None]:
    """Each test is a fresh process as far as deprecation warnings go."""
    _warned.clear()
    yield
    _warned.clear()


# -- meta everywhere -------------------------------------------------------------------------


def test_replies_streams_pages_and_raw_responses_carry_meta(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    async def scenario(api: Api) -> Any:
        c = api.client
        reply = await resolve(c.chat.completions.create(model="auto", messages=MESSAGES))
        stream_meta, _ = await chunks_of(api, model="auto", messages=MESSAGES)
        models = await resolve(c.models.list())
        page = await resolve(c.batches.list(limit=2))
        raw = await resolve(c.models.with_raw_response.get("mesh/echo"))
        return reply, stream_meta, models, page, raw, await resolve(raw.parse())

    reply, stream_meta, models, page, raw, parsed = run(scenario)
    ids = [r.request_id for r in meshapi_gateway.gateway.requests]
    assert reply.meta.request_id == reply.request_id == ids[0]
    assert reply.meta.api_version == "2026-08" and reply.meta.deprecation is None
    assert isinstance(stream_meta, ResponseMeta)
    assert stream_meta.request_id == ids[1]
    assert stream_meta.model == "openai/gpt-4o-mini"  # x-resolved-model-id of model="auto"
    assert [m.meta.request_id for m in models[:2]] == [ids[2], ids[2]]
    assert page.meta.request_id == ids[3] and page.meta.api_version == "2026-08"
    assert raw.meta.request_id == ids[4] == parsed.meta.request_id


# -- cross-model fallback ----------------------------------------------------------------------


def test_a_fallback_names_the_model_that_served_and_the_one_asked_for(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    async def scenario(api: Api) -> Any:
        completions = api.client.chat.completions
        reply = await resolve(completions.create(**FALLBACK))
        raw = await resolve(completions.with_raw_response.create(**FALLBACK, skip_cache=True))
        held = completions.with_streaming_response.create(**FALLBACK, skip_cache=True)
        if api.is_sync:
            with held as response:
                streaming_meta = response.meta  # from the head, before the body is read
                parsed = response.parse()
        else:
            async with held as response:
                streaming_meta = response.meta
                parsed = await response.parse()
        stream_meta, chunks = await chunks_of(api, **FALLBACK)
        return reply, raw.meta, (streaming_meta, parsed.meta), stream_meta, chunks

    reply, raw_meta, (streaming_meta, parsed_meta), stream_meta, chunks = run(scenario)
    assert reply.model == "anthropic/claude-haiku-4.5"
    meta = reply.meta
    assert meta.routing_attempts == 3
    assert meta.routing_fallback is True  # another provider served
    assert meta.fallback_model == meta.model == "anthropic/claude-haiku-4.5"
    assert meta.fallback_from == "mesh/unavailable/openai/gpt-4o"
    assert meta.fell_back and meta.byok_fallback is None
    assert (raw_meta.routing_attempts, raw_meta.fallback_from) == (3, meta.fallback_from)
    assert raw_meta.request_id != meta.request_id
    assert streaming_meta == parsed_meta
    assert (streaming_meta.routing_attempts, streaming_meta.fallback_from) == (
        3,
        meta.fallback_from,
    )
    # A stream carries no routing headers (streaming.md §2); its chunks name the model.
    assert stream_meta.routing_attempts is None and stream_meta.fallback_model is None
    assert not stream_meta.fell_back
    assert {chunk.model for chunk in chunks} == {"anthropic/claude-haiku-4.5"}


def test_no_fallback_no_routing_signals_and_all_unavailable_is_an_error(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        completions = api.client.chat.completions
        plain = await resolve(
            completions.create(model="openai/gpt-4o-mini", models=["a/b"], messages=MESSAGES)
        )
        try:
            await resolve(
                completions.create(model="mesh/unavailable/x", models=["nope/y"], messages=MESSAGES)
            )
        except Exception as error:
            return plain, error
        raise AssertionError("no error")

    plain, error = run(scenario)
    assert plain.meta.routing_attempts is None and not plain.meta.fell_back
    assert plain.meta.fallback_from is None
    assert (error.status, error.error_code) == (502, "all_models_failed")


# -- the response cache ---------------------------------------------------------------------


def test_a_repeated_request_is_a_cache_hit_unless_opted_out(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    params = {"model": "openai/gpt-4o-mini", "messages": MESSAGES}

    async def scenario(api: Api) -> List[Any]:
        create = api.client.chat.completions.create
        return [
            await resolve(create(**params)),
            await resolve(create(**params)),  # the same again: from the cache
            await resolve(create(**params, user="someone")),  # user is not in the key
            await resolve(create(**params, skip_cache=True)),
            await resolve(create(**params, memories=["brand-voice", "facts"])),
            await resolve(create(**params, cache=False)),
        ]

    first, hit, hit_too, skipped, remembered, uncached = run(scenario)
    assert first.meta.cache_hit is None  # the gateway sends nothing on a miss
    assert hit.meta.cache_hit is True and hit_too.meta.cache_hit is True
    assert hit.id == first.id and hit.request_id != first.request_id
    assert hit.choices[0].message.content == first.choices[0].message.content
    for reply in (skipped, remembered, uncached):
        assert reply.meta.cache_hit is None and reply.id != first.id
    sent = [r for r in meshapi_gateway.gateway.requests if r.path == CHAT]
    assert sent[3].headers["x-mesh-cache"] == "no-store"
    assert sent[4].headers["x-mem-id"] == "brand-voice,facts"
    assert "x-mesh-cache" not in sent[0].headers and "x-mem-id" not in sent[0].headers


def test_streams_memories_and_scripted_replies_are_not_cached(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    meshapi_gateway.gateway.script_reply("scripted", times=1)
    params = {"model": "openai/gpt-4o-mini", "messages": MESSAGES}

    async def scenario(api: Api) -> Any:
        create = api.client.chat.completions.create
        scripted = await resolve(create(**params))
        fresh = await resolve(create(**params))
        await chunks_of(api, **params, memories="brand-voice")
        again = await resolve(create(**params))
        return scripted, fresh, again

    scripted, fresh, again = run(scenario)
    assert scripted.choices[0].message.content == "scripted"
    assert scripted.meta.cache_hit is None and fresh.meta.cache_hit is None
    assert fresh.choices[0].message.content != "scripted"
    assert again.meta.cache_hit is True and again.id == fresh.id
    streamed = [r for r in meshapi_gateway.gateway.requests if r.json and r.json.get("stream")]
    assert streamed[0].headers["x-mem-id"] == "brand-voice"


# -- what the emulator does not decide: BYOK fallback, the provider, hostile values ---------


def test_byok_fallback_and_the_served_provider(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    served = faults.Headers(
        {"X-BYOK-Fallback-Triggered": "true", "X-Mesh-Served-Provider": "azure"}
    )
    meshapi_gateway.gateway.inject(served, route=CHAT, times=2)

    async def scenario(api: Api) -> Any:
        reply = await resolve(api.client.chat.completions.create(**FALLBACK))
        stream_meta, _ = await chunks_of(api, model="openai/gpt-4o-mini", messages=MESSAGES)
        return reply.meta, stream_meta

    meta, stream_meta = run(scenario)
    assert meta.byok_fallback is True and meta.provider == "azure" and meta.fell_back
    assert stream_meta.byok_fallback is True and stream_meta.provider == "azure"


def test_hostile_signal_headers_read_as_none(run: Runner, meshapi_gateway: GatewayFixture) -> None:
    hostile = faults.Headers(
        [
            ("X-Mesh-Routing-Attempts", "9" * 400),
            ("X-Mesh-Routing-Fallback", "true"),
            ("X-Mesh-Routing-Fallback", "false"),
            ("X-Mesh-Routing-Model", "a b c"),
            ("X-Cache", "HIT"),
            ("X-Cache", "HIT"),
            ("Deprecation", "@" + "9" * 30),
            ("Link", "<" * 5_000),
        ]
    )
    meshapi_gateway.gateway.inject(hostile, route=CHAT)

    async def scenario(api: Api) -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            reply = await resolve(
                api.client.chat.completions.create(model="openai/gpt-4o-mini", messages=MESSAGES)
            )
        return reply.meta, [str(w.message) for w in caught if w.category is DeprecationWarning]

    meta, caught = run(scenario)
    assert meta.routing_attempts is None and meta.routing_fallback is None
    assert meta.fallback_model is None and meta.cache_hit is True  # repeats of one value
    assert meta.deprecation == DeprecationNotice()
    assert caught == ["MeshAPI: POST /v1/chat/completions (API version 2026-08) is deprecated"]


# -- deprecation -------------------------------------------------------------------------------


def test_a_deprecated_api_version_warns_once_per_endpoint_and_logs(
    run: Runner, meshapi_gateway: GatewayFixture, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario(api: Api) -> Any:
        c = api.client
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            first = await resolve(c.chat.completions.create(model="auto", messages=MESSAGES))
            await resolve(c.chat.completions.create(model="auto", messages=MESSAGES))
            stream_meta, _ = await chunks_of(api, model="auto", messages=MESSAGES)
            await resolve(c.models.list())
            await resolve(c.models.list())
        return first.meta, stream_meta, [w for w in caught if w.category is DeprecationWarning]

    with caplog.at_level(logging.WARNING, logger="meshapi"):
        meta, stream_meta, caught = run(scenario, api_version="2026-07")
    notice = meta.deprecation
    assert meta.api_version == "2026-07" and notice is not None
    assert (notice.since.isoformat(), notice.sunset.isoformat()) == (  # type: ignore[union-attr]
        "2026-09-01T00:00:00+00:00",
        "2027-03-01T00:00:00+00:00",
    )
    assert notice.info == "https://developers.meshapi.ai/docs/reference/api-versioning"
    assert stream_meta.deprecation == notice
    assert [str(w.message) for w in caught] == [
        f"MeshAPI: {endpoint} (API version 2026-07) is deprecated since 2026-09-01 and will "
        "stop working on 2027-03-01; see https://developers.meshapi.ai/docs/reference/"
        "api-versioning"
        for endpoint in ("POST /v1/chat/completions", "GET /v1/models")
    ]
    assert {w.filename for w in caught} == {__file__}  # the caller's line, not the SDK's
    logged = [r.getMessage() for r in caplog.records if r.name == "meshapi"]
    assert logged == [str(w.message) for w in caught]


def test_a_deprecation_made_an_error_raises_and_closes_the_stream(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    # the body must still be arriving when the warning is raised, or it could be reused
    meshapi_gateway.gateway.inject(faults.Stall(after_events=1), route=CHAT)
    server = meshapi_gateway.server

    async def scenario(api: Api) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)  # python -W error::...
            with pytest.raises(DeprecationWarning) as raised:
                await chunks_of(api, model="auto", messages=MESSAGES)
        return str(raised.value), await in_thread(server.wait_for_closed_connections, 1)

    message, closed = run(scenario, api_version="2026-07")
    assert message.startswith("MeshAPI: POST /v1/chat/completions (API version 2026-07)")
    assert closed, "the stream's connection stayed open after the warning was raised"


def test_a_deprecated_endpoint_names_its_successor(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    retiring = faults.Headers(
        {
            "Deprecation": "@1788220800",
            "Link": '<https://api.meshapi.ai/v1/models?page=2>; rel="successor-version"',
        }
    )
    meshapi_gateway.gateway.inject(retiring, route="/v1/models", times=None)

    async def scenario(api: Api) -> Any:
        with pytest.warns(DeprecationWarning, match="GET /v1/models") as caught:
            models = await resolve(api.client.models.list())
        messages = [str(w.message) for w in caught if w.category is DeprecationWarning]
        return models[0].meta.deprecation, messages

    notice, caught = run(scenario)
    assert notice.successor == "https://api.meshapi.ai/v1/models?page=2"
    assert caught == [
        "MeshAPI: GET /v1/models (API version 2026-08) is deprecated since 2026-09-01; its "
        "successor: https://api.meshapi.ai/v1/models?page=2"
    ]


def test_a_current_version_raises_no_warning(run: Runner) -> None:
    async def scenario(api: Api) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            return await resolve(api.client.models.list())

    assert run(scenario, api_version="2026-09")[0].meta.deprecation is None


# -- refresh ----------------------------------------------------------------------------------


def test_refresh_reads_usage_fresh_and_is_refused_elsewhere(
    run: Runner, meshapi_gateway: GatewayFixture
) -> None:
    async def scenario(api: Api) -> Any:
        c = api.client
        summary = await resolve(c.usage.summary(refresh=True))
        try:
            await resolve(c.models.list(refresh=True))
        except Exception as error:
            return summary, error
        raise AssertionError("no error")

    summary, error = run(scenario)
    assert summary.meta.request_id is not None
    sent = [r for r in meshapi_gateway.gateway.requests]
    assert [(r.path, r.query) for r in sent] == [("/v1/usage", {"refresh": ["true"]})]
    assert type(error).__name__ == "InvalidArgumentError" and error.param == "refresh"
