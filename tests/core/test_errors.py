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
    assert err.details == [{"[redacted]": ["got [redacted]"], "n": 1}]
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


# --- meshapi 0.1.11's error, field by field -------------------------------------------------


def test_provider_error_is_its_own_field_and_details_always_a_list() -> None:
    upstream = {"type": "server_error", "message": "overloaded"}
    err = error_from_response(502, {}, envelope("upstream_error", provider_error=upstream))
    assert err.provider_error == upstream
    assert err.details == []
    both = error_from_response(
        400, {}, envelope("invalid_request", details=[{"loc": ["x"]}], provider_error=upstream)
    )
    assert (both.details, both.provider_error) == ([{"loc": ["x"]}], upstream)
    structured = error_from_response(
        400, {}, envelope("model_not_available_on_pinned_provider", details={"provider": "p"})
    )
    assert structured.details == [{"provider": "p"}]  # one object: its one item
    assert (
        error_from_response(400, {}, envelope("bad", provider_error="text")).provider_error is None
    )
    assert error_from_response(503, {}, b"").details == []
    assert e.APIConnectionError("refused").details == []


def test_constructed_as_the_vendor_constructed_it() -> None:
    err = e.MeshAPIError(
        "Rate limit exceeded.",
        status=429,
        error_code="rate_limit_exceeded",
        request_id="req_1",
        details=None,
        provider_error={"code": "x"},
        retry_after_seconds=5,
    )
    assert (err.status, err.error_code, err.request_id) == (429, "rate_limit_exceeded", "req_1")
    assert (err.details, err.provider_error, err.retry_after_seconds) == ([], {"code": "x"}, 5)
    assert e.MeshAPIError("m", status=400, error_code="c", request_id="r", details=[1]).details == [
        1
    ]
    with pytest.raises(TypeError):
        e.MeshAPIError("m", 400)  # type: ignore[misc]  # keywords only, as in 0.1.11


def test_stream_interrupted_as_the_vendor_made_it() -> None:
    err = e.MeshAPIError.stream_interrupted("connection reset")
    assert isinstance(err, e.StreamInterruptedError)
    assert (err.message, err.status, err.error_code, err.details) == (
        "Stream interrupted: connection reset",
        0,
        "stream_interrupted",
        [],
    )
    assert e.MeshAPIError.stream_interrupted(OSError("gone")).message == "Stream interrupted: gone"


def test_whole_seconds_read_and_compare_as_the_vendor_int() -> None:
    err = error_from_response(429, {"retry-after": "3"}, envelope("rate_limit_exceeded"))
    wait = err.retry_after_seconds
    assert wait is not None and isinstance(wait, float) and isinstance(wait, e.Seconds)
    assert (str(wait), repr(wait), f"{wait}", f"{wait}s", format(wait)) == (
        "3",
        "3",
        "3",
        "3s",
        "3",
    )
    assert (f"{wait:d}", f"{wait:>4}", f"{wait:03d}", f"{wait:x}", f"{wait:,}") == (
        "3",
        "   3",
        "003",
        "3",
        "3",
    )
    assert (f"{wait:.1f}", f"{wait:e}", f"{wait:%}") == ("3.0", "3.000000e+00", "300.000000%")
    assert ("%d" % wait, "%s" % wait) == ("3", "3")  # noqa: UP031  # as 0.1.11 code wrote it
    assert wait == 3 == wait and wait == 3.0 and wait < 4 and not wait > 3
    assert hash(wait) == hash(3) and {3: "found"}[wait] == "found" and wait in {3}
    assert wait + 0.5 == 3.5 and type(wait * 2) is float and int(wait) == 3 and round(wait) == 3
    assert json.loads(json.dumps({"wait": wait})) == {"wait": 3}  # written 3.0: the same number
    half = e.Seconds(1.5)
    assert (str(half), repr(half), f"{half}", f"{half:.2f}") == ("1.5", "1.5", "1.5", "1.50")
    with pytest.raises(ValueError):
        f"{half:d}"  # not a whole number: float's formats only
    assert str(e.Seconds(86_400)) == "86400" and bool(e.Seconds(0)) is False


def test_whole_seconds_survive_pickling_and_copies() -> None:
    import copy
    import pickle

    err = e.RateLimitError("slow", status=429, retry_after_seconds=2)
    again = pickle.loads(pickle.dumps(err))
    assert (
        isinstance(again.retry_after_seconds, e.Seconds) and str(again.retry_after_seconds) == "2"
    )
    assert str(copy.deepcopy(err.retry_after_seconds)) == "2"
