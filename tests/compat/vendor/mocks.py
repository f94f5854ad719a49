"""An application's own test, as meshapi 0.1.11's users wrote them: the SDK's call replaced
by a mock that raises a ``MeshAPIError`` made by hand (and ``stream_interrupted``), and the
application's handling checked. The gateway is never reached."""

from __future__ import annotations

import os
from typing import Iterator
from unittest import mock

from meshapi import ChatCompletionParams, ChatMessage, MeshAPI, MeshAPIError

BASE_URL = os.environ["MESHAPI_BASE_URL"]
TOKEN = os.environ["MESHAPI_TOKEN"]


def answer(client: MeshAPI, question: str) -> str:
    """The application: a reply, or what to tell the user."""
    params = ChatCompletionParams(
        model="openai/gpt-4o-mini", messages=[ChatMessage(role="user", content=question)]
    )
    try:
        text = ""
        for chunk in client.chat.completions.stream(params):
            if chunk.choices:
                text += chunk.choices[0].delta.content or ""
        return text
    except MeshAPIError as e:
        if e.error_code == "rate_limit_exceeded":
            return f"Busy: try again in {e.retry_after_seconds} seconds (request {e.request_id})"
        if e.error_code == "stream_interrupted":
            return f"Cut off: {e} (status {e.status}, details {e.details})"
        return f"Failed [{e.status}] {e.error_code}: {e.provider_error or e.details}"


def broken_stream(params: ChatCompletionParams) -> Iterator[object]:
    raise MeshAPIError.stream_interrupted("connection reset by peer")
    yield  # a generator, as the SDK's stream was


def main() -> None:
    client = MeshAPI(base_url=BASE_URL, token=TOKEN)
    limited = MeshAPIError(
        "Rate limit exceeded.",
        status=429,
        error_code="rate_limit_exceeded",
        request_id="req_01HZDEF",
        retry_after_seconds=5,
    )
    with mock.patch.object(client.chat.completions, "stream", side_effect=limited):
        print(answer(client, "Hello?"))
    with mock.patch.object(client.chat.completions, "stream", side_effect=broken_stream):
        print(answer(client, "Hello?"))
    upstream = MeshAPIError(
        "Upstream or server error",
        status=502,
        error_code="upstream_error",
        request_id="",
        details=[{"provider": "openai"}],
        provider_error={"type": "server_error", "message": "overloaded"},
    )
    with mock.patch.object(client.chat.completions, "stream", side_effect=upstream):
        print(answer(client, "Hello?"))
    invalid = MeshAPIError(
        "Bad request body", status=422, error_code="validation_error", request_id="r"
    )
    print(
        invalid.details, invalid.provider_error, invalid.retry_after_seconds, repr(invalid.status)
    )
    client.close()


if __name__ == "__main__":
    main()
