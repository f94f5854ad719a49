"""The gateway's signals read from response headers (``meshapi_core.meta``), and the request
options that ask for them (``memories``, ``skip_cache``, ``refresh``): every header the
gateway documents, each hostile value a server could send, and the options' checks."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meshapi_core.calls import Runtime
from meshapi_core.config import CallOptions, ClientConfig, split_options
from meshapi_core.endpoints.chat import CHAT_COMPLETIONS, CHAT_COMPLETIONS_STREAM
from meshapi_core.endpoints.models import MODELS_LIST
from meshapi_core.endpoints.orgs import ORGS_USAGE
from meshapi_core.endpoints.usage import USAGE_EVENTS, USAGE_RATE_LIMITS, USAGE_SUMMARY
from meshapi_core.errors import InvalidArgumentError
from meshapi_core.events import ResponseEvent, ResponseInfo
from meshapi_core.meta import (
    EMPTY_META,
    MAX_ROUTING_ATTEMPTS,
    MAX_TEXT,
    DeprecationNotice,
    ResponseMeta,
)
from meshapi_core.models.base import copy_stamp, stamp_response
from meshapi_core.models.catalog import ModelInfo
from meshapi_core.models.chat import ChatCompletion
from meshapi_core.prepare import prepare_call

META_HEADERS = (
    "x-request-id",
    "x-mesh-version",
    "mesh-version",
    "x-resolved-model-id",
    "x-mesh-served-provider",
    "x-mesh-routing-attempts",
    "x-mesh-routing-fallback",
    "x-mesh-routing-model",
    "x-byok-fallback-triggered",
    "x-cache",
    "deprecation",
    "sunset",
    "link",
)


def meta(**headers: str) -> ResponseMeta:
    return ResponseMeta.from_headers({k.replace("_", "-"): v for k, v in headers.items()})


# -- every documented header -----------------------------------------------------------------


def test_every_documented_header_is_typed() -> None:
    found = ResponseMeta.from_headers(
        {
            "x-request-id": "req_01J",
            "x-mesh-version": "2026-09",
            "x-mesh-served-provider": "azure",
            "x-mesh-routing-attempts": "3",
            "x-mesh-routing-fallback": "true",
            "x-mesh-routing-model": "anthropic/claude-haiku-4.5",
            "x-byok-fallback-triggered": "true",
            "x-cache": "HIT",
        },
        requested_model="openai/gpt-4o",
    )
    assert found == ResponseMeta(
        request_id="req_01J",
        api_version="2026-09",
        model="anthropic/claude-haiku-4.5",
        provider="azure",
        routing_attempts=3,
        routing_fallback=True,
        fallback_model="anthropic/claude-haiku-4.5",
        fallback_from="openai/gpt-4o",
        byok_fallback=True,
        cache_hit=True,
    )
    assert found.fell_back


def test_absent_headers_are_none_and_nothing_fell_back() -> None:
    assert ResponseMeta.from_headers({}) is EMPTY_META
    plain = meta(x_request_id="req_1", content_type="application/json")
    assert plain.request_id == "req_1"
    assert plain.api_version is None and plain.model is None and plain.cache_hit is None
    assert plain.deprecation is None and not plain.fell_back


def test_older_deployments_version_header_and_the_auto_routers_model() -> None:
    assert meta(mesh_version="2026-08").api_version == "2026-08"
    assert meta(x_mesh_version="2026-09", mesh_version="2026-08").api_version == "2026-09"
    assert meta(x_resolved_model_id="openai/gpt-4o-mini").model == "openai/gpt-4o-mini"
    both = meta(x_resolved_model_id="openai/gpt-4o-mini", x_mesh_routing_model="a/b")
    assert both.model == "a/b" and both.fallback_model == "a/b"


def test_fallback_from_is_the_requested_model_only_when_another_served() -> None:
    headers = {"x-mesh-routing-model": "a/b"}
    assert ResponseMeta.from_headers(headers, "c/d").fallback_from == "c/d"
    assert ResponseMeta.from_headers(headers, "a/b").fallback_from is None
    assert ResponseMeta.from_headers(headers, None).fallback_from is None
    assert ResponseMeta.from_headers({"x-cache": "HIT"}, "c/d").fallback_from is None
    odd: Any = 42  # a params model whose "model" is not a string
    assert ResponseMeta.from_headers(headers, odd).fallback_from is None


def test_provider_fallback_alone_and_byok_fallback_alone_fell_back() -> None:
    assert meta(x_mesh_routing_fallback="true").fell_back
    assert meta(x_byok_fallback_triggered="True").fell_back
    assert not meta(x_mesh_routing_fallback="false", x_mesh_routing_attempts="1").fell_back


# -- hostile values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2", 2),
        (" 2 ", 2),
        ("2, 2", 2),  # one value, repeated
        ("2, 3", None),  # repeats that disagree
        ("0", None),
        ("-1", None),
        ("1.5", None),
        ("abc", None),
        ("", None),
        ("\u0663", None),  # an Arabic-Indic digit: not ASCII
        (str(MAX_ROUTING_ATTEMPTS), MAX_ROUTING_ATTEMPTS),
        (str(MAX_ROUTING_ATTEMPTS + 1), None),
        ("9" * 5_000, None),  # huge: never converted
        ("1e3", None),
    ],
)
def test_routing_attempts_reads_a_bounded_int_or_none(value: str, expected: Optional[int]) -> None:
    assert meta(x_mesh_routing_attempts=value).routing_attempts == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("false", False),
        ("0", False),
        ("true, true", True),
        ("true, false", None),
        ("maybe", None),
        ("", None),
    ],
)
def test_flags_read_a_bool_or_none(value: str, expected: Optional[bool]) -> None:
    assert meta(x_mesh_routing_fallback=value).routing_fallback is expected
    assert meta(x_byok_fallback_triggered=value).byok_fallback is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("HIT", True), ("hit", True), ("HIT, HIT", True), ("MISS", False), ("HIT, MISS", None),
     ("Hit from cloudfront", None), ("", None)],
)  # fmt: skip
def test_cache_hit(value: str, expected: Optional[bool]) -> None:
    assert meta(x_cache=value).cache_hit is expected


@pytest.mark.parametrize(
    "value",
    ["", " ", "a b", "a/b, c/d", "x" * (MAX_TEXT + 1), "caf\u00e9", "line\nbreak", "tab\there"],
)
def test_names_that_are_not_names_read_none(value: str) -> None:
    found = meta(x_mesh_routing_model=value, x_mesh_version=value, x_mesh_served_provider=value)
    assert (found.fallback_model, found.api_version, found.provider) == (None, None, None)
    assert not found.fell_back


def test_a_name_of_the_longest_length_is_kept() -> None:
    name = "m/" + "x" * (MAX_TEXT - 2)
    assert meta(x_mesh_routing_model=name).fallback_model == name


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(META_HEADERS),
        st.text(max_size=300) | st.binary(max_size=80).map(lambda b: b.decode("latin-1")),
    ),
    st.none() | st.text(max_size=40),
)
def test_any_header_values_give_a_typed_meta_and_never_raise(
    headers: Dict[str, str], requested: Optional[str]
) -> None:
    found = ResponseMeta.from_headers(headers, requested)
    for text in (found.request_id, found.api_version, found.model, found.provider):
        assert text is None or (0 < len(text) <= MAX_TEXT and text.isprintable())
    assert found.routing_attempts is None or 1 <= found.routing_attempts <= MAX_ROUTING_ATTEMPTS
    for flag in (found.routing_fallback, found.byok_fallback, found.cache_hit):
        assert flag is None or isinstance(flag, bool)
    notice = found.deprecation
    if notice is not None:
        for moment in (notice.since, notice.sunset):
            assert moment is None or moment.tzinfo is not None
        assert isinstance(notice.describe("GET /v1/models"), str)
    assert isinstance(found.fell_back, bool)


# -- deprecation --------------------------------------------------------------------------------

SEPT_1 = datetime(2026, 9, 1, tzinfo=timezone.utc)
MARCH_1 = datetime(2027, 3, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("deprecation", "since"),
    [
        ("@1788220800", SEPT_1),  # RFC 9745
        ("Tue, 01 Sep 2026 00:00:00 GMT", SEPT_1),  # its drafts: an HTTP-date
        ("true", None),  # older drafts: no date
        ("@-1", None),
        ("@99999999999999", None),  # past the year 9999
        ("@" + "9" * 40, None),
        ("soon", None),
    ],
)
def test_deprecation_dates(deprecation: str, since: Optional[datetime]) -> None:
    notice = DeprecationNotice.from_headers({"deprecation": deprecation})
    assert notice is not None and notice.since == since


def test_sunset_alone_is_a_notice_and_deprecation_false_is_none() -> None:
    notice = DeprecationNotice.from_headers({"sunset": "Mon, 01 Mar 2027 00:00:00 GMT"})
    assert notice == DeprecationNotice(sunset=MARCH_1)
    assert DeprecationNotice.from_headers({"deprecation": "false"}) is None
    assert DeprecationNotice.from_headers({"link": '<https://a>; rel="deprecation"'}) is None
    overflow = DeprecationNotice.from_headers({"sunset": "Fri, 31 Dec 99999 23:59:59 GMT"})
    assert overflow == DeprecationNotice()


@pytest.mark.parametrize(
    ("link", "successor", "info"),
    [
        ('<https://api.example/v2>; rel="successor-version"', "https://api.example/v2", None),
        ("<https://docs.example/d>; rel=deprecation", None, "https://docs.example/d"),
        ('<https://docs.example/s>; rel="sunset"', None, "https://docs.example/s"),
        (
            '<https://docs.example/d>; rel="deprecation", <https://api.example/v2>; '
            'title="next, and better"; rel="successor-version"',
            "https://api.example/v2",
            "https://docs.example/d",
        ),
        ('<https://a.example/x>; rel="deprecation successor-version"', "https://a.example/x",
         "https://a.example/x"),
        ('<https://a.example/x>; REL="Successor-Version"', "https://a.example/x", None),
        ("<https://a.example/x>", None, None),  # no relation
        ('<https://a.example/a b>; rel="successor-version"', None, None),  # a space: not a URI
        ("<" + "x" * (MAX_TEXT + 1) + '>; rel="successor-version"', None, None),
        ('<<<>>>; rel="successor-version"', None, None),
        ("garbage", None, None),
    ],
)  # fmt: skip
def test_links_name_the_successor_and_the_notice(
    link: str, successor: Optional[str], info: Optional[str]
) -> None:
    notice = DeprecationNotice.from_headers({"deprecation": "true", "link": link})
    assert notice is not None
    assert (notice.successor, notice.info) == (successor, info)


def test_a_huge_link_header_is_read_in_linear_time() -> None:
    link = "<" * 200_000 + ", " + '<;rel="' * 50_000
    notice = DeprecationNotice.from_headers({"deprecation": "true", "link": link})
    assert notice == DeprecationNotice()


def test_the_sentence_names_dates_successor_and_details() -> None:
    notice = DeprecationNotice(SEPT_1, MARCH_1, "https://api.example/v2", "https://d.example")
    assert notice.describe("GET /v1/models") == (
        "GET /v1/models is deprecated since 2026-09-01 and will stop working on 2027-03-01; "
        "its successor: https://api.example/v2; see https://d.example"
    )
    assert DeprecationNotice().describe("GET /v1/models") == "GET /v1/models is deprecated"


# -- where meta is found -----------------------------------------------------------------------


def test_a_stamped_reply_reads_its_meta_once_and_stays_equal() -> None:
    reply = ChatCompletion.model_validate({"id": "c", "meta": {"theirs": 1}})
    same = ChatCompletion.model_validate({"id": "c", "meta": {"theirs": 1}})
    assert reply.meta is EMPTY_META and reply.request_id is None
    stamp_response(reply, {"x-request-id": "req_1", "x-cache": "HIT"}, "m/x")
    assert reply.meta is reply.meta  # parsed once, then kept
    assert reply.meta.cache_hit is True and reply.request_id == "req_1"
    assert reply == same and reply.model_dump() == same.model_dump()
    assert reply.model_extra == {"meta": {"theirs": 1}}  # a body field named meta stays there
    assert reply.model_copy().meta.cache_hit is True
    assert reply.choices == [] and same.meta is EMPTY_META


def test_restamping_drops_the_parsed_meta_and_lists_are_stamped_item_by_item() -> None:
    reply = ChatCompletion.model_validate({"id": "c"})
    stamp_response(reply, {"x-cache": "HIT"})
    assert reply.meta.cache_hit is True
    stamp_response(reply, {"x-request-id": "req_2"})
    assert reply.meta.cache_hit is None and reply.meta.request_id == "req_2"
    models = [ModelInfo(id="a/b"), ModelInfo(id="c/d")]
    stamp_response(models, {"x-mesh-version": "2026-09"})
    assert [m.meta.api_version for m in models] == ["2026-09", "2026-09"]
    parsed = ModelInfo(id="a/b")
    copy_stamp(models[0], parsed)
    assert parsed.meta.api_version == "2026-09"
    stamp_response("not a model", {"x-cache": "HIT"})  # nothing to stamp, no error


def test_events_and_raw_infos_read_meta_from_their_headers() -> None:
    headers = {"x-request-id": "req_3", "x-cache": "HIT"}
    event = ResponseEvent("POST", "https://h/v1/chat/completions", 1, 200, 0.1, headers)
    assert event.meta.cache_hit is True and event.meta.request_id == "req_3"
    info = ResponseInfo("GET", "https://h/v1/models", 200, headers, 0.1, 1)
    assert info.meta.request_id == "req_3"
    failed = ResponseEvent("GET", "https://h/v1/models", 1, 0, 0.1)
    assert failed.meta is EMPTY_META


# -- the options that ask for signals --------------------------------------------------------

CONFIG = ClientConfig.create(base_url="https://api.meshapi.ai", token="rsk_test")
RUNTIME = Runtime(lambda: 0.0, lambda: 0.0, lambda: 0.5, lambda: "key")
CHAT = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}


def request_of(endpoint: Any, params: Any = None, **options: Any) -> Any:
    _, checked = split_options(options)
    call = prepare_call(endpoint, CONFIG, RUNTIME, params=params, options=checked)
    return call.next_action().request  # type: ignore[union-attr]


def test_memories_and_skip_cache_become_headers() -> None:
    request = request_of(CHAT_COMPLETIONS, CHAT, memories=["brand-voice", "mem_01J"])
    assert request.header("x-mem-id") == "brand-voice,mem_01J"
    assert request.header("x-mesh-cache") is None
    request = request_of(CHAT_COMPLETIONS_STREAM, CHAT, memories="one", skip_cache=True)
    assert request.header("x-mem-id") == "one"
    assert request.header("x-mesh-cache") == "no-store"
    request = request_of(MODELS_LIST, skip_cache=True)  # any endpoint may skip the cache
    assert request.header("x-mesh-cache") == "no-store"
    plain = request_of(CHAT_COMPLETIONS, CHAT, skip_cache=False, memories=[])
    assert plain.header("x-mesh-cache") is None and plain.header("x-mem-id") is None


def test_refresh_becomes_a_query_on_usage_reads() -> None:
    assert request_of(USAGE_SUMMARY, {}, refresh=True).url.endswith("/v1/usage?refresh=true")
    url = request_of(USAGE_EVENTS, {"limit": 5}, refresh=True, extra_query={"x": 1}).url
    assert url.endswith("?refresh=true&x=1")
    assert "refresh" not in request_of(USAGE_SUMMARY, {}, refresh=False).url
    admin = ClientConfig.create(base_url="https://api.meshapi.ai", token="eyJa.b.c")
    call = prepare_call(ORGS_USAGE, admin, RUNTIME, options=CallOptions.create({"refresh": True}))
    assert call.next_action().request.url.endswith("/v1/orgs/current/usage?refresh=true")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"memories": 5}, "memories must be a memory slug or a list of them, not int"),
        ({"memories": ["a b"]}, "'a b' is not a memory slug"),
        ({"memories": ["a,b"]}, "'a,b' is not a memory slug"),
        ({"memories": [""]}, "'' is not a memory slug"),
        ({"memories": [None]}, "None is not a memory slug"),
        ({"memories": [f"m{i}" for i in range(17)]}, "at most 16 per call"),
        ({"skip_cache": "yes"}, "skip_cache must be True or False, not 'yes'"),
        ({"refresh": 1}, "refresh must be True or False, not 1"),
    ],
)
def test_bad_option_values_are_refused_naming_the_option(
    options: Dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=message) as caught:
        CallOptions.create(options)
    assert caught.value.param == next(iter(options))


def test_an_option_of_other_endpoints_is_refused_before_sending() -> None:
    with pytest.raises(InvalidArgumentError, match="refresh is taken by usage reads only, "
                       "not by POST /v1/chat/completions"):  # fmt: skip
        request_of(CHAT_COMPLETIONS, CHAT, refresh=True)
    with pytest.raises(InvalidArgumentError, match="memories is taken by chat completions"):
        request_of(USAGE_SUMMARY, {}, memories=["a"])
    with pytest.raises(InvalidArgumentError, match="not by GET /v1/usage/rate-limits"):
        request_of(USAGE_RATE_LIMITS, {}, refresh=True)


def test_the_call_knows_its_endpoint_and_requested_model() -> None:
    call = prepare_call(CHAT_COMPLETIONS, CONFIG, RUNTIME, params=CHAT)
    assert (call.endpoint, call.model) == ("POST /v1/chat/completions", "openai/gpt-4o-mini")
    assert prepare_call(MODELS_LIST, CONFIG, RUNTIME).model is None
