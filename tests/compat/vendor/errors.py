"""Error handling as meshapi 0.1.11 wrote it: one ``except MeshAPIError`` that branches on
``error_code`` and reads ``status``, ``request_id``, ``details``, ``provider_error`` and
``retry_after_seconds``; a stream cut short is ``stream_interrupted``."""

from __future__ import annotations

import os
from typing import Callable

from meshapi import (
    ChatCompletionParams,
    ChatMessage,
    CreateTemplateParams,
    MeshAPI,
    MeshAPIError,
)

BASE_URL = os.environ["MESHAPI_BASE_URL"]
TOKEN = os.environ["MESHAPI_TOKEN"]

PARAMS = ChatCompletionParams(
    model="mesh/echo", messages=[ChatMessage(role="user", content="one two three four")]
)


def report(action: Callable[[], object]) -> None:
    try:
        action()
        print("ok")
    except MeshAPIError as e:
        print(f"[{e.status}] {e.error_code}: {e}")
        print("  request id:", bool(e.request_id), "details:", e.details)
        if e.error_code == "rate_limit_exceeded" and e.retry_after_seconds is not None:
            print(
                f"  Retry after {e.retry_after_seconds}s, at {e.retry_after_seconds * 1000:.0f} ms"
            )
        if e.provider_error:
            print("  provider said:", e.provider_error["message"])


def stream_all(client: MeshAPI) -> str:
    text = ""
    for chunk in client.chat.completions.stream(PARAMS):
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
    return text


def main() -> None:
    client = MeshAPI(base_url=BASE_URL, token=TOKEN, max_retries=0)
    report(lambda: client.chat.completions.create(PARAMS))  # rate limited
    report(lambda: client.chat.completions.create(PARAMS))  # the provider failed
    report(lambda: stream_all(client))  # the connection drops mid-stream
    client.templates.create(CreateTemplateParams(name="hello", system="Hello {{ who }}."))
    report(
        lambda: client.chat.completions.create(
            ChatCompletionParams(
                model="mesh/echo",
                messages=[ChatMessage(role="user", content="hi")],
                template="hello",
            )
        )
    )
    report(lambda: client.models.get("no-such/model"))
    report(lambda: client.chat.completions.create(PARAMS))
    client.close()


if __name__ == "__main__":
    main()
