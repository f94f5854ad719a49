"""The credential has one place, and secrets stay secret, on every transport.

- A client's credential is its ``token``: a header that carries one (``Authorization``,
  ``x-api-key``, ``Sec-WebSocket-Protocol``...) in ``extra_headers``, ``default_headers`` or
  ``with_options(headers=)`` is refused, in any case, before anything is sent; a
  ``credential=`` setting that contradicts the token's form is refused; ``Bearer <token>``
  is read as the token.
- A provider's key is a ``SecretStr`` from the method's first line on: no frame of an error's
  traceback holds it in plain text (what Sentry records by default), and a server that echoes
  it, or the client's token, back does not get it into the error.
"""

from __future__ import annotations

import inspect
import traceback
from typing import Any, Callable, Dict, Iterator, List, Set, Tuple

import anyio
import pytest

from meshapi import AsyncMeshAPIAdmin, InvalidArgumentError, MeshAPIAdmin, MeshAPIError
from meshapi_core.errors import MAX_MESSAGE

from ._server import Conn, RawServer, Seen, response
from .conftest import PARAMS, TOKEN, Api, backend_of, make_client, run
from .test_safety import COMPLETION, nothing_sent, reachable

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


# -- provider keys: never a plain string in a frame, never echoed into an error -----------------


def shown(value: Any, depth: int = 0) -> Iterator[str]:
    """The texts an error reporter records for a local variable: strings as they are, bytes
    decoded, containers walked (a few levels), anything else by its ``repr`` (what Sentry's
    serializer does)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, (bytes, bytearray)):
        yield bytes(value).decode("utf-8", "replace")
    elif isinstance(value, dict) and depth < 6:
        for key, item in value.items():
            yield from shown(key, depth + 1)
            yield from shown(item, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)) and depth < 6:
        for item in value:
            yield from shown(item, depth + 1)
    else:
        try:
            yield repr(value)
        except Exception:  # pragma: no cover - a repr that fails shows nothing
            return


def frame_texts(error: BaseException) -> Iterator[Tuple[str, str]]:
    """``(where, text)`` for every local variable of every frame of ``error``'s traceback,
    and of the exceptions chained to it."""
    seen: Set[int] = set()
    linked: Any = error
    while linked is not None and id(linked) not in seen:
        seen.add(id(linked))
        for frame, _ in traceback.walk_tb(linked.__traceback__):
            where = f"{frame.f_code.co_filename}:{frame.f_code.co_name}"
            for name, value in frame.f_locals.items():
                for text in shown(value):
                    yield f"{where} {name}", text
        linked = linked.__cause__ or linked.__context__


def assert_secrets_absent(error: BaseException, *secrets: str) -> None:
    frames = list(frame_texts(error))
    assert frames, "no frame was walked"
    for where, text in frames:
        for secret in secrets:
            assert secret not in text, f"{secret[:12]}... in the locals of {where}"
    for obj in reachable(error):
        for secret in secrets:
            if isinstance(obj, str):
                assert secret not in obj, f"{secret[:12]}... in {obj[:200]!r}"
            elif isinstance(obj, (bytes, bytearray)):
                assert secret.encode() not in obj


Call = Callable[[Any], Any]
REFUSED_LOCALLY: Dict[str, Call] = {
    "aws-bad-region": lambda c: c.provider_keys.add(
        "aws", access_key_id="AKIAABCDEFGHIJKLMNOP", secret_access_key=SECRET, region="nowhere"
    ),
    "aws-dict": lambda c: c.provider_keys.add(
        "aws", {"access_key_id": "bad id", "secret_access_key": SECRET, "region": "eu-west-1"}
    ),
    "azure-http": lambda c: c.provider_keys.add(
        "azure", api_key=SECRET, endpoint="http://example.openai.azure.com"
    ),
    "vertex-dict": lambda c: c.provider_keys.add(
        "vertex",
        service_account_json={"type": "service_account", "private_key": SERVICE_KEY},
        projct_id="typo",
    ),
    "update-typo": lambda c: c.provider_keys.update("openai", api_key=SECRET, organisation="o"),
    "bad-option": lambda c: c.provider_keys.add("openai", api_key=SECRET, max_retries=-1),
    "raw-view": lambda c: c.provider_keys.with_raw_response.add(
        "openai", api_key=SECRET, allow_fallback="sometimes"
    ),
}


async def call(client: Any, method: Call) -> Any:
    result = method(client)
    if inspect.isawaitable(result):
        result = await result
    return result


def on_admin(kind: str, url: str, scenario: Callable[[Any], Any], **options: Any) -> Any:
    async def main() -> Any:
        client = make_admin(kind, url, **options)
        try:
            return await scenario(client)
        finally:
            if isinstance(client, MeshAPIAdmin):
                client.close()
            else:
                await client.aclose()

    return anyio.run(main, backend=backend_of(kind))


@pytest.mark.parametrize("case", list(REFUSED_LOCALLY))
def test_no_frame_holds_a_provider_key_when_a_call_is_refused(kind: str, case: str) -> None:
    async def scenario(client: Any) -> MeshAPIError:
        with pytest.raises(MeshAPIError) as info:
            await call(client, REFUSED_LOCALLY[case])
        return info.value

    with RawServer(nothing_sent) as server:
        error = on_admin(kind, server.url, scenario)
        assert server.seen == []
    assert isinstance(error, InvalidArgumentError)
    assert_secrets_absent(error, SECRET, SERVICE_KEY, "MIIEvSECRETKEY", ADMIN_TOKEN)


def echo_json(seen: Seen, conn: Conn) -> bool:
    """A 400 that repeats what it was sent, the way a careless validator does."""
    sent = seen.body.decode()
    body = (
        '{"error": {"code": "invalid_provider_key", "message": "Key ' + SECRET + ' (sent as '
        + sent.replace('"', "'") + ') was refused for ' + ADMIN_TOKEN + '", "details": '
        + sent + ', "provider_code": "' + SECRET + '"}, "request_id": "req_' + SECRET + '"}'
    )  # fmt: skip
    conn.send(response(400, body.encode(), {"Content-Type": "application/json",
                                             "X-Echo": SECRET}))  # fmt: skip
    return True


def echo_text(seen: Seen, conn: Conn) -> bool:
    body = f"bad key {SECRET} for {ADMIN_TOKEN}"
    conn.send(response(502, body.encode(), {"Content-Type": "text/plain"}))
    return True


def echo_cut(seen: Seen, conn: Conn) -> bool:
    """The secret straddles the point where the SDK shortens a gateway's message."""
    message = "x" * (MAX_MESSAGE - 10) + SECRET
    body = '{"error": {"code": "bad", "message": "' + message + '"}}'
    conn.send(response(400, body.encode(), {"Content-Type": "application/json"}))
    return True


def echo_unauthorized(seen: Seen, conn: Conn) -> bool:
    body = '{"error": {"code": "unauthorized", "message": "Unknown key ' + ADMIN_TOKEN + '."}}'
    conn.send(response(401, body.encode(), {"Content-Type": "application/json"}))
    return True


ECHOES = {"json": echo_json, "text": echo_text, "cut": echo_cut, "401": echo_unauthorized}
SENT: Dict[str, Call] = {
    "add": lambda c: c.provider_keys.add("openai", api_key=SECRET),
    "update": lambda c: c.provider_keys.update("openai", {"api_key": SECRET}),
    "raw": lambda c: c.provider_keys.with_raw_response.add("openai", api_key=SECRET),
}


@pytest.mark.parametrize("how", list(SENT))
@pytest.mark.parametrize("echo", list(ECHOES))
def test_a_secret_a_server_echoes_is_not_repeated_in_the_error(
    kind: str, echo: str, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="meshapi")
    hooked: List[Any] = []

    async def scenario(client: Any) -> MeshAPIError:
        with pytest.raises(MeshAPIError) as info:
            await call(client, SENT[how])
        return info.value

    with RawServer(ECHOES[echo]) as server:
        error = on_admin(kind, server.url, scenario, event_hooks={"response": [hooked.append]})
        (seen,) = server.seen
    assert SECRET in seen.body.decode()  # sent in clear, in the body only
    assert error.status in (400, 401, 502)
    texts = [str(error), repr(error), error.message, *map(str, error.args)]
    texts += [repr(error.body), repr(error.details), repr(dict(error.headers))]
    texts += [r.getMessage() for r in caplog.records]
    texts += [repr(e) for e in hooked] + [e.message() for e in hooked]
    assert hooked and caplog.records
    for text in texts:
        assert SECRET not in text and ADMIN_TOKEN not in text
        assert SECRET[:8] not in text  # nor what is left of it where a message was cut
    assert "[redacted]" in error.message
    assert_secrets_absent(error, SECRET, ADMIN_TOKEN)


def test_the_frame_walk_finds_a_secret_where_there_is_one() -> None:
    """The checks above can fail: a plain string in a frame's locals is found."""

    def leaky(key: str) -> None:
        raise MeshAPIError("failed")

    with pytest.raises(MeshAPIError) as info:
        leaky(SECRET)
    with pytest.raises(AssertionError):
        assert_secrets_absent(info.value, SECRET)


@pytest.mark.parametrize("which", ["connect", "speech", "transcription"])
@pytest.mark.parametrize("echo", ["json", "text"])
def test_a_refused_handshake_does_not_repeat_an_echoed_token(
    kind: str, which: str, echo: str
) -> None:
    from .test_websocket import OPENERS

    def refuse(seen: Seen, conn: Conn) -> bool:
        if echo == "json":
            body = '{"error": {"code": "unauthorized", "message": "Unknown key ' + TOKEN + '"}}'
            kind_of = "application/json"
        else:
            body = f"no session for {seen.header('sec-websocket-protocol')}"
            kind_of = "text/plain"
        conn.send(response(401, body.encode(), {"Content-Type": kind_of}))
        return False

    async def scenario(api: Api) -> MeshAPIError:
        with pytest.raises(MeshAPIError) as info:
            await api.call(OPENERS[which])
        return info.value

    with RawServer(refuse) as server:
        error = run(kind, server.url, scenario)
        assert TOKEN in (server.seen[0].header("sec-websocket-protocol") or "")
    assert error.status == 401 and "[redacted]" in error.message
    for obj in reachable(error):
        if isinstance(obj, str):
            assert TOKEN not in obj, obj[:200]
