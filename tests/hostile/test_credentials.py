"""The credential has one place, and secrets stay secret, on every transport.

- A client's credential is its ``token``: a header that carries one (``Authorization``,
  ``x-api-key``, ``Sec-WebSocket-Protocol``...) in ``extra_headers``, ``default_headers`` or
  ``with_options(headers=)`` is refused, in any case, before anything is sent; a
  ``credential=`` setting that contradicts the token's form is refused; ``Bearer <token>``
  is read as the token.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

from meshapi import AsyncMeshAPIAdmin, InvalidArgumentError, MeshAPIAdmin

from ._server import Conn, RawServer, Seen, response
from .conftest import PARAMS, TOKEN, Api, make_client, run
from .test_safety import COMPLETION, nothing_sent

ADMIN_TOKEN = "mak_hostile_0123456789ADMINSECRET"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlU0VDUkVU"
SECRET = "sk-provider-0123456789abcdefSECRET"
SERVICE_KEY = "-----BEGIN PRIVATE KEY-----MIIEvSECRETKEY-----END PRIVATE KEY-----"


def completion(seen: Seen, conn: Conn) -> bool:
    conn.send(response(200, COMPLETION % 1, {"Content-Type": "application/json"}))
    return True


# -- the credential is set in one place only ----------------------------------------------------

CREDENTIAL_HEADERS = ["Authorization", "AUTHORIZATION", "x-api-key", "X-Api-Key",
                      "Sec-WebSocket-Protocol", "xi-api-key"]  # fmt: skip


def with_header(where: str, kind: str, url: str, name: str) -> Callable[[], Any]:
    """What sets header ``name`` in one of the three places headers are given."""
    headers = {name: f"Bearer {ADMIN_TOKEN}"}
    if where == "default_headers":
        return lambda: make_client(kind, url, default_headers=headers)
    if where == "headers":
        return lambda: make_client(kind, url).with_options(headers=headers)
    raise AssertionError(where)


@pytest.mark.parametrize("name", CREDENTIAL_HEADERS)
@pytest.mark.parametrize("where", ["extra_headers", "default_headers", "headers"])
def test_a_credential_header_is_refused_wherever_headers_are_given(
    kind: str, where: str, name: str
) -> None:
    async def scenario(api: Api) -> InvalidArgumentError:
        with pytest.raises(InvalidArgumentError) as info:
            await api.create(extra_headers={name: f"Bearer {ADMIN_TOKEN}"})
        return info.value

    with RawServer(nothing_sent) as server:
        if where == "extra_headers":
            error = run(kind, server.url, scenario)
        else:
            with pytest.raises(InvalidArgumentError) as info:
                with_header(where, kind, server.url, name)()
            error = info.value
        assert server.seen == []
    assert error.param == where
    assert repr(name) in error.message and "token" in error.message
    for text in (str(error), repr(error)):
        assert ADMIN_TOKEN not in text and TOKEN not in text


@pytest.mark.parametrize("name", ["Authorization", "sec-websocket-protocol", "X-API-KEY"])
def test_a_session_refuses_a_credential_header_too(kind: str, name: str) -> None:
    async def scenario(api: Api) -> InvalidArgumentError:
        with pytest.raises(InvalidArgumentError) as info:
            api.client.realtime.connect(
                model="openai/gpt-realtime", extra_headers={name: f"Bearer {ADMIN_TOKEN}"}
            )
        return info.value

    with RawServer(nothing_sent) as server:
        error = run(kind, server.url, scenario)
        assert server.seen == []
    assert error.param == "extra_headers" and ADMIN_TOKEN not in str(error)


def test_other_headers_still_go_out_and_the_token_is_the_only_credential(kind: str) -> None:
    async def scenario(api: Api) -> None:
        await api.create(extra_headers={"X-Mesh-Cache": "no-store"})
        derived = api.client.with_options(headers={"X-Team": "b"})
        await api.call(lambda _: derived.chat.completions.create(PARAMS))

    with RawServer(completion) as server:
        run(kind, server.url, scenario, default_headers={"X-Team": "a"})
        first, second = server.seen
    assert first.header("x-mesh-cache") == "no-store" and first.header("x-team") == "a"
    assert second.header("x-team") == "b"
    for seen in (first, second):
        credentials = [(k, v) for k, v in seen.headers if k.lower() in ("authorization",
                       "x-api-key", "sec-websocket-protocol")]  # fmt: skip
        assert credentials == [(credentials[0][0], f"Bearer {TOKEN}")]


@pytest.mark.parametrize(
    "given", [f"Bearer {TOKEN}", f"bearer {TOKEN}", f"BEARER  {TOKEN}", f"Bearer\t{TOKEN}"]
)
def test_a_bearer_token_is_read_as_the_token(kind: str, given: str) -> None:
    async def scenario(api: Api) -> None:
        await api.create()

    with RawServer(completion) as server:
        run(kind, server.url, scenario, token=given)
        (seen,) = server.seen
    assert [v for k, v in seen.headers if k.lower() == "authorization"] == [f"Bearer {TOKEN}"]


@pytest.mark.parametrize(
    ("setting", "given"),
    [
        ("token", f"Bearer Bearer {TOKEN}"),
        ("token", f"Basic {TOKEN}"),
        ("token", f"{TOKEN} {ADMIN_TOKEN}"),
        ("token", "Bearer "),
        ("api_key", f"Token {TOKEN}"),
    ],
)
def test_a_token_with_a_scheme_or_a_space_is_refused(kind: str, setting: str, given: str) -> None:
    settings = {"token": given} if setting == "token" else {"token": None, "api_key": given}
    with pytest.raises(InvalidArgumentError) as info:
        make_client(kind, "http://127.0.0.1:1", **settings)
    assert info.value.param == setting
    assert TOKEN not in str(info.value) and ADMIN_TOKEN not in str(info.value)


def make_admin(kind: str, url: str, token: str = ADMIN_TOKEN, **options: Any) -> Any:
    """A control-plane client of ``kind``."""
    options.setdefault("max_retries", 0)
    if kind == "httpx-sync":
        return MeshAPIAdmin(base_url=url, token=token, **options)
    transport = "aiohttp" if kind.startswith("aiohttp") else "httpx"
    return AsyncMeshAPIAdmin(base_url=url, token=token, transport=transport, **options)


@pytest.mark.parametrize(
    ("client", "token", "named"),
    [
        ("admin", TOKEN, "admin"),  # the data-plane key passed off as an admin key
        ("admin", TOKEN, "dashboard"),
        ("admin", JWT, "admin"),
        ("admin", ADMIN_TOKEN, "dashboard"),
        ("data", ADMIN_TOKEN, "data"),
        ("data", JWT, "data"),
    ],
)
def test_a_credential_setting_that_contradicts_the_token_is_refused(
    kind: str, client: str, token: str, named: str
) -> None:
    make = make_admin if client == "admin" else make_client
    with RawServer(nothing_sent) as server:
        with pytest.raises(InvalidArgumentError) as info:
            make(kind, server.url, token=token, credential=named)
        assert server.seen == []
    assert info.value.param == "credential"
    assert token not in str(info.value) and token not in repr(info.value)


def test_an_opaque_token_still_takes_its_realm_from_the_setting(kind: str) -> None:
    async def scenario(api: Api) -> None:
        await api.create()

    with RawServer(completion) as server:
        run(kind, server.url, scenario, token="opaque-token", credential="data")
        assert [s.header("authorization") for s in server.seen] == ["Bearer opaque-token"]
