"""What users of other SDKs expect on day one, in the core: reasons in error messages, the
error's status code and body, request ids on replies, call events, and retries for tests."""

from __future__ import annotations

import doctest
import json
import warnings
from typing import Any, Dict, List, Optional

import pytest

from meshapi_core import errors as e
from meshapi_core import retry
from meshapi_core.errors import (
    APIConnectionError,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
    error_from_frame,
    error_from_response,
    with_problems,
)
from meshapi_core.events import (
    RequestEvent,
    ResponseEvent,
    ResponseInfo,
    RetryEvent,
    StreamEndEvent,
    describe_failure,
)
from meshapi_core.models.base import ResponseModel, stamp_request_id
from meshapi_core.models.catalog import ModelInfo
from meshapi_core.models.chat import ChatCompletion
from meshapi_core.retry import RetryPolicy


def test_doctests() -> None:
    assert doctest.testmod(e).failed == 0
    assert doctest.testmod(retry).failed == 0


# -- errors ------------------------------------------------------------------------------------


def problem(loc: List[Any], msg: str) -> Dict[str, Any]:
    return {"type": "x", "loc": loc, "msg": msg}


def test_a_422_names_the_field_in_its_message() -> None:
    body = json.dumps(
        {
            "error": {
                "code": "validation_error",
                "message": "Request validation failed.",
                "details": [problem(["body", "messages"], "Field required")],
            },
            "request_id": "req_1",
        }
    ).encode()
    err = error_from_response(422, {}, body)
    assert type(err) is UnprocessableEntityError
    assert err.message == "Request validation failed. messages: Field required"
    assert str(err) == (
        "Request validation failed. messages: Field required "
        "(status 422, code validation_error, request req_1)"
    )


def test_fastapi_detail_lists_name_their_fields_too() -> None:
    body = json.dumps(
        {"detail": [problem(["body", "temperature"], "Input should be less than or equal to 2")]}
    ).encode()
    err = error_from_response(422, {}, body)
    assert "temperature: Input should be less than or equal to 2" in str(err)


def test_the_problems_shown_are_bounded() -> None:
    details = [problem(["body", f"field_{i}"], "x" * 10_000) for i in range(1000)]
    text = with_problems("Request validation failed.", details)
    assert len(text) < 500
    assert "field_0: " in text
    assert "field_3" not in text
    assert text.endswith("(and 997 more)")


@pytest.mark.parametrize(
    "details", [None, {"provider": "openai"}, ["a string"], [{"loc": ["body"]}], []]
)
def test_details_that_are_not_problems_leave_the_message_alone(details: Any) -> None:
    assert with_problems("Model not available.", details) == "Model not available."


def test_problems_without_a_location_and_messages_without_a_full_stop() -> None:
    assert with_problems("Bad", [{"msg": "nope"}]) == "Bad: nope"
    assert with_problems("Bad.", [problem(["query", "limit"], "too big")]) == "Bad. limit: too big"


def test_status_code_and_body_next_to_the_other_fields() -> None:
    payload = {"error": {"code": "rate_limit_exceeded", "message": "Slow down."}, "request_id": "r"}
    err = error_from_response(429, {"retry-after": "2", "x-request-id": "r"}, json.dumps(payload).encode())
    assert isinstance(err, RateLimitError)
    assert err.status_code == err.status == 429
    assert err.body == payload
    assert err.headers["retry-after"] == "2"
    html = error_from_response(502, {"content-type": "text/html"}, b"<html><title>Bad gateway</title></html>")
    assert html.status_code == 502
    assert html.body == "<html><title>Bad gateway</title></html>"
    empty = error_from_response(503, {}, b"")
    assert empty.body is None
    frame = {"error": {"code": "upstream_error", "message": "Provider failed"}}
    assert error_from_frame(frame, {}).body == frame
    assert APIConnectionError("refused").status_code == 0


def test_the_old_name_is_the_same_class_and_warns_from_meshapi() -> None:
    assert e.ValidationError is UnprocessableEntityError
    import meshapi

    with pytest.warns(DeprecationWarning, match="UnprocessableEntityError"):
        old = meshapi.ValidationError
    assert old is UnprocessableEntityError
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert meshapi.UnprocessableEntityError is UnprocessableEntityError
    assert "ValidationError" not in meshapi.__all__
    assert "UnprocessableEntityError" in meshapi.__all__


# -- request ids on replies ----------------------------------------------------------------------


class WithOwnRequestId(ResponseModel):
    request_id: Optional[str] = None
    answer: str = ""


def test_a_stamped_reply_knows_its_request_id_and_stays_equal_and_dumps_alike() -> None:
    reply = ChatCompletion.model_validate({"id": "c"})
    same = ChatCompletion.model_validate({"id": "c"})
    assert reply.request_id is None
    stamp_request_id(reply, "req_1")
    assert reply.request_id == "req_1"
    assert reply == same
    assert reply.model_dump() == same.model_dump()
    assert "req_1" not in reply.model_dump_json()
    assert reply.model_copy().request_id == "req_1"
    assert reply.choices == [] and same.request_id is None


def test_a_body_request_id_field_wins_and_no_warning_is_raised() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")

        class Declared(ResponseModel):
            request_id: Optional[str] = None

    own = WithOwnRequestId.model_validate({"request_id": "req_body", "answer": "a"})
    stamp_request_id(own, "req_header")
    assert own.request_id == "req_body"
    assert own.model_dump() == {"request_id": "req_body", "answer": "a"}
    assert Declared(request_id="x").request_id == "x"
    extra = ChatCompletion.model_validate({"id": "c", "request_id": "req_extra"})
    stamp_request_id(extra, "req_header")
    assert extra.request_id == "req_extra"


def test_each_model_of_a_list_is_stamped_and_none_stamps_nothing() -> None:
    models = [ModelInfo(id="a/b"), ModelInfo(id="c/d")]
    stamp_request_id(models, "req_2")
    assert [m.request_id for m in models] == ["req_2", "req_2"]
    stamp_request_id(models[0], None)
    assert models[0].request_id == "req_2"
    stamp_request_id("not a model", "req_3")  # nothing to stamp, no error


# -- events ---------------------------------------------------------------------------------------

URL = "https://api.meshapi.ai/v1/chat/completions?x=1"


def test_event_messages() -> None:
    assert RequestEvent("POST", URL, 2).message() == "Sending POST /v1/chat/completions (attempt 2)"
    ok = ResponseEvent("POST", URL, 1, 200, 0.25, {"x-request-id": "req_1"})
    assert ok.message() == "POST /v1/chat/completions -> 200 [req_1, 0.25 s]"
    assert ok.request_id == "req_1"
    err = error_from_response(503, {}, b'{"error": {"code": "upstream_error", "message": "m"}}')
    bad = ResponseEvent("POST", URL, 2, 503, 1.0, {}, err)
    assert bad.message() == "POST /v1/chat/completions -> 503 upstream_error [1 s, attempt 2]"
    lost = ResponseEvent("GET", URL, 1, 0, 0.01, error=APIConnectionError("refused"))
    assert lost.message() == "GET /v1/chat/completions failed (APIConnectionError: refused) [0.01 s]"
    retry_event = RetryEvent("POST", URL, 1, 0.5, err, 503, "upstream_error")
    assert retry_event.reason == "HTTP 503 upstream_error"
    assert retry_event.path == "/v1/chat/completions"
    end = StreamEndEvent("POST", URL, 200, 12, 1.5, True, {"x-request-id": "req_9"})
    assert end.message() == "Stream POST /v1/chat/completions ended, complete, after 12 events [req_9, 1.5 s]"
    early = StreamEndEvent("POST", URL, 200, 3, 0.1, False)
    assert "closed early" in early.message()
    cut = StreamEndEvent("POST", URL, 200, 3, 0.1, False, error=ServerError("boom"))
    assert "interrupted (ServerError: boom)" in cut.message()
    info = ResponseInfo("GET", URL, 200, {"x-request-id": "r"}, 0.1, 1)
    assert info.request_id == "r"


def test_failure_reasons_are_bounded() -> None:
    reason = describe_failure(APIConnectionError("x" * 10_000))
    assert len(reason) < 250
    assert describe_failure(None) == "unknown failure"
    assert describe_failure(None, 429) == "HTTP 429"


# -- retries for tests ------------------------------------------------------------------------------


def test_for_testing_keeps_every_decision_and_drops_every_wait() -> None:
    fast, normal = RetryPolicy.for_testing(), RetryPolicy()
    errors = [
        ServerError("busy", status=503),
        RateLimitError("slow", status=429, retry_after_seconds=30),
        RateLimitError("never", status=429, retry_after_seconds=3600),
        ServerError("job", status=500, error_code="provider_job_failed"),
        APIConnectionError("refused"),
    ]
    for attempt in range(5):
        for error in errors:
            wait = normal.delay_before_retry(attempt, error, random=lambda: 0.5)
            quick = fast.delay_before_retry(attempt, error, random=lambda: 0.5)
            assert (quick is None) == (wait is None)
            assert quick in (None, 0.0)
    assert RetryPolicy.for_testing(max_retries=1).max_retries == 1
    with pytest.raises(ValueError, match="wait_scale"):
        RetryPolicy(wait_scale=-1)
