"""Every error shape of ``docs/gateway/errors.md`` becomes the right MeshAPIError."""

from __future__ import annotations

import json

import pytest

from meshapi_core import errors as e
from meshapi_core.errors import error_from_response, parse_retry_after


def envelope(code: str, message: str = "m", **extra: object) -> bytes:
    return json.dumps(
        {"error": {"code": code, "message": message, **extra}, "request_id": "req_B"}
    ).encode()


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "context_window_exceeded", e.BadRequestError),
        (401, "unauthorized", e.AuthenticationError),
        (402, "spend_limit_exceeded", e.PaymentRequiredError),
        (403, "forbidden", e.PermissionDeniedError),
        (404, "model_not_found", e.NotFoundError),
        (409, "conflict", e.ConflictError),
        (422, "validation_error", e.ValidationError),
        (429, "rate_limit_exceeded", e.RateLimitError),
        (500, "internal_error", e.ServerError),
        (502, "upstream_error", e.ServerError),
        (503, "provider_not_available", e.ServerError),
        (504, "gateway_timeout", e.ServerError),
        (418, "teapot", e.BadRequestError),
    ],
)
def test_envelope_maps_to_family(status: int, code: str, cls: type) -> None:
    err = error_from_response(status, {"x-request-id": "req_H"}, envelope(code, "Oops."))
    assert type(err) is cls
    assert isinstance(err, e.MeshAPIError)
    assert (err.status, err.error_code, err.message) == (status, code, "Oops.")
    assert err.request_id == "req_B"  # the body wins over the header


def test_envelope_fields() -> None:
    body = envelope(
        "validation_error",
        details=[{"type": "missing", "loc": ["body", "messages"], "msg": "Field required"}],
        provider_code="bad_thing",
        retry_after_seconds=5,
    )
    err = error_from_response(422, {}, body)
    assert err.details == [
        {"type": "missing", "loc": ["body", "messages"], "msg": "Field required"}
    ]
    assert err.provider_code == "bad_thing"
    assert err.retry_after_seconds == 5.0


def test_request_id_inside_error_and_from_header() -> None:
    nested = json.dumps({"error": {"code": "forbidden", "message": "no", "request_id": "req_N"}})
    assert error_from_response(403, {}, nested.encode()).request_id == "req_N"
    bare = json.dumps({"error": {"code": "forbidden", "message": "no"}}).encode()
    assert error_from_response(403, {"x-request-id": "req_H"}, bare).request_id == "req_H"


def test_retry_after_header_beats_body() -> None:
    body = envelope("rate_limit_exceeded", retry_after_seconds=5)
    err = error_from_response(429, {"retry-after": "7"}, body)
    assert isinstance(err, e.RateLimitError)
    assert err.retry_after_seconds == 7.0
    assert error_from_response(429, {}, body).retry_after_seconds == 5.0


def test_fastapi_detail_string_and_list() -> None:
    err = error_from_response(404, {"x-request-id": "req_1"}, b'{"detail": "Model not found"}')
    assert isinstance(err, e.NotFoundError)
    assert (err.error_code, err.message, err.request_id) == (
        "not_found",
        "Model not found",
        "req_1",
    )
    items = [{"loc": ["body", "x"], "msg": "bad", "type": "value_error"}]
    err = error_from_response(422, {}, json.dumps({"detail": items}).encode())
    assert isinstance(err, e.ValidationError)
    assert (err.error_code, err.details) == ("validation_error", items)


def test_anthropic_envelope() -> None:
    body = b'{"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}'
    err = error_from_response(400, {}, body)
    assert isinstance(err, e.BadRequestError)
    assert (err.error_code, err.message) == ("invalid_request_error", "bad")


def test_html_pages_from_proxies_and_the_edge() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    err = error_from_response(502, {"content-type": "text/html"}, page)
    assert isinstance(err, e.ServerError)
    assert err.error_code == "upstream_error"
    assert "502 Bad Gateway" in err.message
    assert err.request_id is None
    err = error_from_response(
        413, {"content-type": "text/html"}, b"<html><body>too big</body></html>"
    )
    assert isinstance(err, e.BadRequestError)
    assert err.error_code == "request_too_large"


def test_malformed_and_empty_bodies() -> None:
    err = error_from_response(500, {}, b'{"error": {"code": ')
    assert isinstance(err, e.ServerError)
    assert "non-JSON" in err.message
    assert error_from_response(503, {}, b"").message == "HTTP 503 with an empty body"
    err = error_from_response(400, {}, b"[1, 2]")
    assert "unknown shape" in err.message


def test_non_string_fields_do_not_leak_through() -> None:
    body = json.dumps({"error": {"code": 42, "message": "x", "provider_code": 1}, "request_id": 7})
    err = error_from_response(400, {}, body.encode())
    assert err.error_code == "invalid_request"
    assert err.request_id is None
    assert err.provider_code is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "5"}, 5.0),
        ({"retry-after": " 2.5 "}, 2.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "bad", "retry-after": "3"}, 3.0),
        ({"retry-after": "-1"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "inf"}, 86400.0),
        ({"retry-after": "1e308"}, 86400.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"}, 10.0),
        ({"retry-after": "Wednesday, 21-Oct-15 07:28:10 GMT"}, 10.0),
        ({"retry-after": "Wed Oct 21 07:28:10 2015"}, 10.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:27:00 GMT"}, 0.0),
        ({"retry-after": "Wed, 45 Oct 2015 07:28:10 GMT"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=1445412480.0) == expected


def test_http_date_needs_a_clock() -> None:
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"}) is None


def test_frame_error_uses_header_request_id_when_frame_has_none() -> None:
    err = e.error_from_frame(
        {"error": {"code": "upstream_error", "message": "boom"}}, {"x-request-id": "req_S"}
    )
    assert (err.error_code, err.request_id, err.status) == ("upstream_error", "req_S", 0)
    err = e.error_from_frame(
        {"error": {"code": "rate_limit_exceeded", "message": "x"}, "request_id": "req_F"},
        {"x-request-id": "req_S"},
    )
    assert isinstance(err, e.RateLimitError)
    assert err.request_id == "req_F"


def test_str_and_repr_name_the_facts() -> None:
    err = error_from_response(
        429, {"x-request-id": "req_9"}, envelope("rate_limit_exceeded", "Slow.")
    )
    assert str(err) == "Slow. (status 429, code rate_limit_exceeded, request req_B)"
    assert repr(err).startswith("RateLimitError(")


def test_stream_timeout_is_both_a_timeout_and_an_interruption() -> None:
    err = e.StreamTimeoutError("slow", request_id="req_1")
    assert isinstance(err, e.StreamInterruptedError)
    assert isinstance(err, e.APITimeoutError)
    assert err.error_code == "stream_interrupted"
    assert err.response_started


# -- a secret a server echoes is taken out again (issue 18, item 4) ------------------------------

SECRET = "sk-live-0123456789abcdef"


def test_redact_takes_a_secret_out_of_everything_an_error_shows() -> None:
    body = json.dumps(
        {
            "error": {
                "code": f"bad_{SECRET}",
                "message": f"Key {SECRET} refused",
                "details": {SECRET: [f"got {SECRET}"], "n": 1},
                "provider_code": SECRET,
            },
            "request_id": f"req_{SECRET}",
        }
    ).encode()
    err = error_from_response(400, {"x-echo": f"<{SECRET}>", "x-other": "ok"}, body)
    assert e.redact(err, [SECRET]) is err
    texts = [str(err), repr(err), err.message, *map(str, err.args), repr(err.body)]
    texts += [repr(err.details), repr(dict(err.headers)), err.error_code, str(err.request_id)]
    texts += [str(err.provider_code)]
    for text in texts:
        assert SECRET not in text
    assert err.message == "Key [redacted] refused"
    assert err.details == {"[redacted]": ["got [redacted]"], "n": 1}
    assert err.headers == {"x-echo": "<[redacted]>", "x-other": "ok"}


def test_redact_finds_a_secret_that_shortening_cut() -> None:
    for room in range(1, len(SECRET)):
        message = "x" * (e.MAX_MESSAGE - room) + SECRET + " and more"
        err = error_from_response(400, {}, envelope("bad", message))
        e.redact(err, [SECRET])
        kept = SECRET[: min(room, len(SECRET))]
        if room >= 4:
            assert kept not in err.message, room
        assert err.message.count("...") == 1
    text = error_from_response(502, {}, b"key " + SECRET.encode() * 20)
    assert SECRET[:4] not in e.redact(text, [SECRET]).message


def test_redact_leaves_words_alone_for_a_short_or_empty_secret() -> None:
    err = error_from_response(400, {}, envelope("bad", "a key is missing"))
    assert e.redact(err, ["", "key"]).message == "a key is missing"
    assert e.redact(err, []).message == "a key is missing"
