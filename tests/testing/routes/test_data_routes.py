"""The emulator's batches, catalog search, template filters and documented error triggers,
Sans-IO (``Gateway.handle``) on a fake clock: every status, shape and trigger that
docs/testing.md promises."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

import pytest

from meshapi.testing import FakeClock, Gateway, faults
from meshapi.testing._gateway.codes import ERROR_CODES

from .._helpers import chat_body, gw_request

CHAT_MODEL = "openai/gpt-4o-mini"


def make() -> Tuple[Gateway, FakeClock]:
    clock = FakeClock()
    return Gateway(clock=clock, seed=3), clock


def send(
    gateway: Gateway,
    method: str,
    target: str,
    body: Any = None,
    token: Optional[str] = None,
) -> Tuple[int, Any, Dict[str, str]]:
    plan = gateway.handle(gw_request(method, target, token or gateway.token, body))
    raw = plan.read_body()
    return plan.status, json.loads(raw) if raw else None, dict(plan.headers)


def batch_body(*items: Dict[str, Any], **extra: Any) -> Dict[str, Any]:
    return {"requests": list(items), **extra}


def item(custom_id: str, content: str = "What is 2+2?", model: str = CHAT_MODEL) -> Dict[str, Any]:
    return {
        "custom_id": custom_id,
        "body": {"model": model, "messages": [{"role": "user", "content": content}]},
    }


# --- batches ------------------------------------------------------------------------------


def test_a_batch_moves_through_its_statuses_on_the_clock() -> None:
    gateway, clock = make()
    status, batch, _ = send(
        gateway, "POST", "/v1/batches", batch_body(item("a"), item("b", "Count to 3."))
    )
    assert status == 200
    assert batch["id"].startswith("batch_") and batch["object"] == "batch"
    assert batch["endpoint"] == "/v1/chat/completions" and batch["completion_window"] == "24h"
    assert batch["provider"] == "openai" and batch["expires_at"] == batch["created_at"] + 86_400
    seen: List[str] = []
    for _ in range(6):
        seen.append(send(gateway, "GET", f"/v1/batches/{batch['id']}")[1]["status"])
        clock.advance(1)
    assert seen == [
        "validating",
        "in_progress",
        "in_progress",
        "in_progress",
        "finalizing",
        "completed",
    ]
    done = send(gateway, "GET", f"/v1/batches/{batch['id']}")[1]
    assert done["request_counts"] == {"total": 2, "completed": 2, "failed": 0}
    assert done["completed_at"] == done["created_at"] + 5 and done["usage_synced"] is True
    assert done["errors_detail"] is None
    results = {r["custom_id"]: r for r in done["results"]}
    assert results["a"]["response"]["status_code"] == 200
    assert results["a"]["response"]["body"]["choices"][0]["message"]["content"] == "2 + 2 = 4."
    assert results["b"]["response"]["body"]["choices"][0]["message"]["content"] == "1, 2, 3."
    assert results["a"]["error"] is None


def test_failed_requests_are_data_and_all_failed_is_a_failed_batch() -> None:
    gateway, clock = make()
    bad = {"custom_id": "bad", "body": {"model": CHAT_MODEL, "temperature": 9, "messages": []}}
    mixed = send(gateway, "POST", "/v1/batches", batch_body(item("ok"), bad))[1]
    failed = send(gateway, "POST", "/v1/batches", batch_body(bad))[1]
    clock.advance(5)
    mixed = send(gateway, "GET", f"/v1/batches/{mixed['id']}")[1]
    failed = send(gateway, "GET", f"/v1/batches/{failed['id']}")[1]
    assert mixed["status"] == "completed" and failed["status"] == "failed"
    assert mixed["request_counts"] == {"total": 2, "completed": 1, "failed": 1}
    assert mixed["errors_detail"][0]["custom_id"] == "bad"
    assert mixed["errors_detail"][0]["code"] == "validation_error"


def test_hold_expires_and_cancel() -> None:
    gateway, clock = make()
    held = send(
        gateway, "POST", "/v1/batches", batch_body(item("a"), metadata={"emulator": "hold"})
    )[1]
    other = send(
        gateway, "POST", "/v1/batches", batch_body(item("a"), metadata={"emulator": "hold"})
    )[1]
    clock.advance(3600)
    assert send(gateway, "GET", f"/v1/batches/{held['id']}")[1]["status"] == "in_progress"
    status, cancelled, _ = send(gateway, "POST", f"/v1/batches/{held['id']}/cancel")
    assert (status, cancelled["status"]) == (200, "cancelled")
    assert send(gateway, "POST", f"/v1/batches/{held['id']}/cancel")[1]["status"] == "cancelled"
    clock.advance(86_400)
    expired = send(gateway, "GET", f"/v1/batches/{other['id']}")[1]
    assert expired["status"] == "expired" and expired["results"] is None
    status, body, _ = send(gateway, "POST", f"/v1/batches/{other['id']}/cancel")
    assert (status, body["error"]["code"]) == (409, "conflict")


def test_batch_limit_not_implemented_and_other_refusals() -> None:
    gateway, clock = make()
    for n in range(10):
        assert send(gateway, "POST", "/v1/batches", batch_body(item(f"q{n}")))[0] == 200
    status, body, headers = send(gateway, "POST", "/v1/batches", batch_body(item("x")))
    assert (status, body["error"]["code"]) == (429, "batch_limit_exceeded")
    assert headers["retry-after"] == "60" and body["error"]["retry_after_seconds"] == 60
    clock.advance(5)  # all ten finish: room again
    assert send(gateway, "POST", "/v1/batches", batch_body(item("x")))[0] == 200
    cases = [
        (batch_body(item("x", model="mesh/echo")), 501, "not_implemented"),
        (batch_body(item("x", model="nope/none")), 404, "model_not_found"),
        (batch_body(item("x", model="mesh/error/gateway_timeout")), 504, "gateway_timeout"),
        (batch_body(item("x"), item("y", model="mesh/echo")), 400, "bad_request"),
        (batch_body(item("x"), item("x")), 422, "validation_error"),
        (batch_body(), 422, "validation_error"),
        (batch_body(item("x"), completion_window="1h"), 422, "validation_error"),
        ({"requests": [{"custom_id": "x"}]}, 422, "validation_error"),
    ]
    for request_body, want_status, want_code in cases:
        status, body, _ = send(gateway, "POST", "/v1/batches", request_body)
        assert (status, body["error"]["code"]) == (want_status, want_code), request_body


def test_batches_are_private_and_listed_newest_first() -> None:
    gateway, _ = make()
    ids = [send(gateway, "POST", "/v1/batches", batch_body(item("a")))[1]["id"] for _ in range(3)]
    other = gateway.add_key(owner="usr_other")
    assert send(gateway, "GET", f"/v1/batches/{ids[0]}", token=other)[0] == 404
    assert send(gateway, "GET", "/v1/batches", token=other)[1]["data"] == []
    page = send(gateway, "GET", "/v1/batches?limit=2")[1]
    assert [b["id"] for b in page["data"]] == ids[::-1][:2]
    assert (page["has_more"], page["first_id"], page["last_id"]) == (True, ids[2], ids[1])
    rest = send(gateway, "GET", f"/v1/batches?limit=2&after={ids[1]}")[1]
    assert [b["id"] for b in rest["data"]] == [ids[0]] and rest["has_more"] is False
    assert send(gateway, "GET", "/v1/batches?after=batch_unknown")[1]["data"] == []
    for bad in ("0", "101", "x"):
        status, body, _ = send(gateway, "GET", f"/v1/batches?limit={bad}")
        assert (status, body["error"]["details"][0]["loc"]) == (422, ["query", "limit"])
    assert send(gateway, "GET", "/v1/batches", token=gateway.jwt)[0] == 403


# --- catalog search -----------------------------------------------------------------------


SEARCHED = (
    "anthropic/claude-haiku-4.5",
    "google/gemini-2.5-flash",
    "mesh/echo",
    "openai/gpt-4o-mini",
    "openai/text-embedding-3-small",
)
"""The catalog the search tests run on: these five models, whatever the default adds."""


def search_catalog() -> Gateway:
    gateway, _ = make()
    for model in gateway.models:
        if model["id"] not in SEARCHED:
            gateway.remove_model(model["id"])
    return gateway


def search(gateway: Gateway, query: str) -> Tuple[int, Any]:
    status, body, _ = send(gateway, "GET", f"/v1/models/search{query}")
    return status, body


def test_search_is_not_a_model_id() -> None:
    gateway = search_catalog()
    status, page = search(gateway, "")
    assert status == 200
    assert sorted(page) == ["brands", "facets", "items", "limit", "offset", "total"]
    assert (page["total"], page["limit"], page["offset"]) == (5, 20, 0)
    assert [m["id"] for m in page["items"]] == sorted(m["id"] for m in gateway.models)


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("?q=GPT", ["openai/gpt-4o-mini"]),
        ("?q=flash%20google", ["google/gemini-2.5-flash"]),
        ("?free=true", ["mesh/echo"]),
        ("?free=0&output_modality=embedding", ["openai/text-embedding-3-small"]),
        (
            "?brand=anthropic&brand=google",
            ["anthropic/claude-haiku-4.5", "google/gemini-2.5-flash"],
        ),
        (
            "?input_modality=image&sort=name&order=desc",
            ["openai/gpt-4o-mini", "google/gemini-2.5-flash", "anthropic/claude-haiku-4.5"],
        ),
        (
            "?sort=context_length&limit=2",
            ["openai/text-embedding-3-small", "openai/gpt-4o-mini"],
        ),
        ("?sort=price&output_modality=text&order=desc&limit=1", ["anthropic/claude-haiku-4.5"]),
        ("?offset=4", ["openai/text-embedding-3-small"]),
        ("?discounted=true", []),
    ],
)
def test_search_filters_and_sorts(query: str, ids: List[str]) -> None:
    gateway = search_catalog()
    status, page = search(gateway, query)
    assert status == 200, page
    assert [m["id"] for m in page["items"]] == ids


def test_search_brands_and_facets() -> None:
    gateway, _ = make()
    gateway.add_model("openai/gpt-4o-discounted", brand="OpenAI", pricing={"discount_pct": "10"})
    page = search(gateway, "?brand=OpenAI&discounted=true")[1]
    assert [m["id"] for m in page["items"]] == ["openai/gpt-4o-discounted"]
    assert page["brands"] == ["OpenAI"]
    assert page["facets"]["brand"] == {"OpenAI": 1}
    assert page["facets"]["output_modality"] == {"text": 1}


@pytest.mark.parametrize(
    "query",
    [
        "?sort=cost",
        "?order=up",
        "?limit=0",
        "?limit=101",
        "?limit=many",
        "?offset=-1",
        "?free=maybe",
        "?sort=price",
        "?sort=price&output_modality=text&output_modality=image",
        "?sort=price&output_modality=audio",
    ],
)
def test_bad_search_parameters(query: str) -> None:
    gateway, _ = make()
    status, body = search(gateway, query)
    assert (status, body["error"]["code"]) == (400, "invalid_search_parameter")
    assert body["request_id"].startswith("req_")


def test_a_bare_model_id_gets_fastapis_detail() -> None:
    gateway, _ = make()
    status, body, headers = send(gateway, "GET", "/v1/models/gpt-4o")
    assert (status, body) == (404, {"detail": "Model 'gpt-4o' not found"})
    assert headers["content-type"] == "application/json"
    assert send(gateway, "GET", "/v1/models/nope/none")[1]["error"]["code"] == "model_not_found"


# --- templates ----------------------------------------------------------------------------


def test_template_list_filters() -> None:
    gateway, _ = make()
    send(gateway, "POST", "/v1/templates", {"name": "a", "team_id": "team_1"})
    send(gateway, "POST", "/v1/templates", {"name": "b"})
    gateway.add_template("shared", is_global=True)
    names = lambda q: [t["name"] for t in send(gateway, "GET", f"/v1/templates{q}")[1]]  # noqa: E731
    assert names("") == ["a", "b", "shared"]
    assert names("?team_id=team_1") == ["a"]
    owner = send(gateway, "GET", "/v1/templates")[1][0]["owner"]
    assert names(f"?member_owner={owner}") == ["a", "b"]
    assert names("?member_owner=usr_nobody") == []


# --- documented error triggers --------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_every_documented_code_has_a_model_trigger(code: str) -> None:
    gateway, _ = make()
    documented = ERROR_CODES[code]
    status, body, headers = send(
        gateway, "POST", "/v1/chat/completions", chat_body("hi", model=f"mesh/error/{code}")
    )
    assert status == documented.status
    assert body["error"]["code"] == code and body["request_id"] == headers["x-request-id"]
    assert body["error"].get("provider_code") == documented.provider_code
    if status == 429:
        assert headers["retry-after"] == str(documented.retry_after)
        assert body["error"]["retry_after_seconds"] == documented.retry_after
    if code == "validation_error":
        assert body["error"]["details"][0]["loc"] == ["body", "messages"]


@pytest.mark.parametrize(
    "code", ["context_window_exceeded", "rate_limit_exceeded", "not_implemented"]
)
def test_the_error_fault_answers_any_route(code: str) -> None:
    gateway, _ = make()
    gateway.inject(faults.Error(code), route="/v1/templates")
    status, body, _ = send(gateway, "GET", "/v1/templates")
    assert (status, body["error"]["code"]) == (ERROR_CODES[code].status, code)
    gateway.inject(faults.Error(code, nested_request_id=True))
    status, body, headers = send(gateway, "GET", "/v1/models")
    assert "request_id" not in body and body["error"]["request_id"] == headers["x-request-id"]
    with pytest.raises(ValueError, match="not a documented"):
        faults.Error("no_such_code")


def test_status_fault_carries_provider_code_and_details() -> None:
    gateway, _ = make()
    gateway.inject(
        faults.Status(
            400, code="invalid_request", provider_code="invalid_request", details={"param": "top_p"}
        )
    )
    body = send(gateway, "GET", "/v1/models")[1]
    assert body["error"] == {
        "code": "invalid_request",
        "message": "HTTP 400",
        "provider_code": "invalid_request",
        "details": {"param": "top_p"},
    }
