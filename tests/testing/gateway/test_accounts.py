"""Accounts that add up: usage events, spend, the balance and the rate-limit counters come
from the requests the emulator served, per key, priced from the catalog."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator, List

import pytest

from meshapi import MeshAPI, RetryPolicy, ServerError, UnprocessableEntityError
from meshapi.testing import FakeClock, Gateway, InProcessTransport
from meshapi.testing.control import add_usage_events

CHAT = [{"role": "user", "content": "What is 2+2?"}]


def make_client(gateway: Gateway, token: str) -> MeshAPI:
    return MeshAPI(
        base_url="http://127.0.0.1",
        token=token,
        transport=InProcessTransport(gateway),
        retry=RetryPolicy.for_testing(max_retries=0),
    )


@pytest.fixture
def gateway() -> Gateway:
    return Gateway(clock=FakeClock())


@pytest.fixture
def client(gateway: Gateway) -> Iterator[MeshAPI]:
    with make_client(gateway, gateway.token) as made:
        yield made


def price(gateway: Gateway, model: str, prompt: int, completion: int) -> Decimal:
    info = next(m for m in gateway.models if m["id"] == model)["pricing"]
    return (
        Decimal(info["prompt_usd_per_1m"]) * prompt
        + Decimal(info["completion_usd_per_1m"] or 0) * completion
    ) / 1_000_000


def test_a_fresh_gateway_has_no_usage(client: MeshAPI) -> None:
    summary = client.usage.summary()
    assert (summary.total_requests, summary.total_cost) == (0, Decimal(0))
    assert list(client.usage.events()) == []
    assert client.billing.balance().balance == Decimal("25")


def test_each_request_served_is_one_event_priced_from_the_catalog(
    gateway: Gateway, client: MeshAPI
) -> None:
    raw = client.chat.completions.with_raw_response.create(model="openai/gpt-4o", messages=CHAT)
    reply = raw.parse()
    with client.chat.completions.stream(model="anthropic/claude-haiku-4.5", messages=CHAT) as s:
        streamed = s.final()
    vectors = client.embeddings.create(model="openai/text-embedding-3-small", input="one two")
    events = list(client.usage.events())  # newest first
    assert [e.model for e in events] == [
        "openai/text-embedding-3-small", "anthropic/claude-haiku-4.5", "openai/gpt-4o",
    ]  # fmt: skip
    chat = events[-1]
    assert chat.request_id == raw.request_id  # the response's x-request-id
    assert reply.usage is not None and streamed.usage is not None and vectors.usage is not None
    assert (chat.prompt_tokens, chat.completion_tokens) == (
        reply.usage.prompt_tokens,
        reply.usage.completion_tokens,
    )
    exact = price(gateway, "openai/gpt-4o", reply.usage.prompt_tokens,
                  reply.usage.completion_tokens)  # fmt: skip
    assert chat.cost == exact.quantize(Decimal("1e-6")) > 0
    assert events[1].total_tokens == streamed.usage.total_tokens
    assert events[0].prompt_tokens == vectors.usage.prompt_tokens == 2
    spent = sum((e.cost for e in events), Decimal(0))
    summary = client.usage.summary()
    assert summary.total_requests == 3 and summary.total_cost == spent  # to the micro-dollar
    assert summary.total_tokens == sum(e.total_tokens for e in events)
    assert {row["model"]: row["requests"] for row in summary.by_model} == {
        "openai/gpt-4o": 1, "anthropic/claude-haiku-4.5": 1, "openai/text-embedding-3-small": 1,
    }  # fmt: skip
    assert client.billing.balance().balance == Decimal("25") - spent
    assert [len(client.usage.attempts(e.id)) for e in events] == [1, 1, 1]


def test_keys_see_their_own_and_free_models_cost_nothing(gateway: Gateway) -> None:
    other = gateway.add_key(name="other")
    with make_client(gateway, gateway.token) as mine, make_client(gateway, other) as theirs:
        mine.chat.completions.create(model="mesh/echo", messages=CHAT)
        theirs.chat.completions.create(model="openai/gpt-4o-mini", messages=CHAT)
        theirs.chat.completions.create(model="openai/gpt-4o-mini", messages=CHAT)
        assert [e.model for e in mine.usage.events()] == ["mesh/echo"]
        assert next(iter(mine.usage.events())).cost == 0
        assert theirs.usage.summary().total_requests == 2
        for client, token in ((theirs, other), (mine, gateway.token)):
            current = client.usage.rate_limits().key.rpm.current  # reads count as requests
            sent = [r for r in gateway.requests if r.headers["authorization"] == f"Bearer {token}"]
            assert current == len(sent) >= 3


def test_compare_is_one_request_and_n_plus_one_events(client: MeshAPI) -> None:
    client.compare.create(models=["openai/gpt-4o-mini", "anthropic/claude-haiku-4.5"],
                          messages=CHAT)  # fmt: skip
    models = sorted(e.model for e in client.usage.events())
    assert models == ["anthropic/claude-haiku-4.5", "openai/gpt-4o-mini", "openai/gpt-4o-mini"]
    assert len({e.request_id for e in client.usage.events()}) == 1


def test_images_are_billed_per_image(gateway: Gateway, client: MeshAPI) -> None:
    client.images.generate(prompt="a fox", n=2)
    event = next(iter(client.usage.events()))
    assert (event.model, event.cost) == ("openai/gpt-image-1", Decimal("0.084"))


def test_failures_at_a_provider_are_error_events_and_refusals_are_not(client: MeshAPI) -> None:
    with pytest.raises(ServerError):
        client.chat.completions.create(model="mesh/error/upstream_error", messages=CHAT)
    with pytest.raises(UnprocessableEntityError):
        client.chat.completions.create(model="openai/gpt-4o-mini", messages=[])
    events = list(client.usage.events())
    assert [(e.model, e.status, e.cost) for e in events] == [
        ("mesh/error/upstream_error", "error", Decimal(0))
    ]
    summary = client.usage.summary()
    assert (summary.total_requests, summary.error_requests) == (1, 1)


def test_tokens_count_towards_the_minute(gateway: Gateway, client: MeshAPI) -> None:
    clock = gateway.clock
    assert isinstance(clock, FakeClock)
    clock.set(1_788_220_800 + 15)  # 15 s into a minute
    reply = client.chat.completions.create(model="openai/gpt-4o-mini", messages=CHAT)
    assert reply.usage is not None
    limits = client.usage.rate_limits().key
    assert limits.tpm.current == reply.usage.total_tokens and limits.tpm.limit is None
    assert (limits.rpm.current, limits.rpm.limit, limits.rpm.is_default_limit) == (2, 100, True)
    assert limits.rpm.pct == 2.0 and limits.rpm.resets_in_seconds == 45
    clock.advance(45)  # a new minute: RPM and TPM start again; RPD goes on
    limits = client.usage.rate_limits().key
    assert (limits.rpm.current, limits.tpm.current, limits.rpd.current) == (1, 0, 3)


def test_seeded_history_stays_a_documented_option(gateway: Gateway, client: MeshAPI) -> None:
    ids = add_usage_events(gateway, 6)
    events: List[object] = list(client.usage.events())
    assert len(events) == 6 and len(ids) == 6
    assert client.billing.balance().balance == Decimal("25")  # history moves no balance
    summary = client.usage.summary()
    assert (summary.total_requests, summary.error_requests) == (6, 1)


def test_a_reply_from_the_cache_is_an_event_that_costs_nothing(client: MeshAPI) -> None:
    first = client.chat.completions.create(model="openai/gpt-4o-mini", messages=CHAT)
    again = client.chat.completions.with_raw_response.create(
        model="openai/gpt-4o-mini", messages=CHAT
    )
    assert again.headers.get("x-cache") == "HIT"
    newest, oldest = list(client.usage.events())
    assert (oldest.cache_source, newest.cache_source) == (None, "gateway")
    assert oldest.cost > 0 and newest.cost == 0
    assert first.usage is not None
    assert newest.total_tokens == first.usage.total_tokens
    assert client.usage.summary().total_requests == 2
