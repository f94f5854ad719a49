"""Every name ``meshapi`` and ``meshapi.types`` export resolves, lazily, to what it names."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import meshapi
import meshapi.types


@pytest.mark.parametrize("module", [meshapi, meshapi.types], ids=lambda m: m.__name__)
def test_every_exported_name_resolves(module: object) -> None:
    names = module.__all__  # type: ignore[attr-defined]
    assert len(names) == len(set(names))
    for name in names:
        assert getattr(module, name) is not None, name


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        meshapi.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


def test_importing_meshapi_loads_no_resource_and_no_model_of_other_areas() -> None:
    code = (
        "import sys\n"
        "from meshapi import MeshAPI, AsyncMeshAPI, ChatCompletionParams, ChatMessage, MeshAPIError\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('meshapi', 'meshapi_core')))\n"
        "print('\\n'.join(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    assert "meshapi_core.models.chat" in out
    assert not [m for m in out if ".resources" in m or m.startswith("meshapi_core.endpoints")]
    assert not [
        m
        for m in out
        if m.startswith("meshapi_core.models.")
        and m not in ("meshapi_core.models.chat", "meshapi_core.models.base")
    ]


# A blocking client's first chat completion, over its own httpx transport, against a server in
# the same process; then the modules it loaded.
_FIRST_CREATE = """
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLY = json.dumps({"id": "c1", "object": "chat.completion", "model": "m", "choices": [
    {"index": 0, "message": {"role": "assistant", "content": "Hi!"}, "finish_reason": "stop"}
]}).encode()

class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["content-length"]))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(REPLY)))
        self.end_headers()
        self.wfile.write(REPLY)

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
before = set(sys.modules)

from meshapi import ChatCompletionParams, ChatMessage, MeshAPI

client = MeshAPI(base_url="http://127.0.0.1:%d" % server.server_port, token="rsk_test")
reply = client.chat.completions.create(
    ChatCompletionParams(model="m", messages=[ChatMessage(role="user", content="hi")])
)
assert reply.choices[0].message.content == "Hi!"
client.close()
server.shutdown()
print("\\n".join(sorted(set(sys.modules) - before)))
"""

# What a first create never needs: the async transports, streams, pages, raw responses, files
# and forms, secrets, the reply's header signals, proxies (none in the environment), other
# areas' models; each loads with the first call that uses it.
_NOT_ON_THE_FIRST_CREATE = (
    "asyncio",
    "anyio._backends._asyncio",
    "meshapi_httpx._async",
    "meshapi_httpx._pool",
    "meshapi_aiohttp",
    "meshapi._async.engine",
    "meshapi._sync.streams",
    "meshapi._sync.pages",
    "meshapi._sync.raw",
    "meshapi_core.accumulate",
    "meshapi_core.events",
    "meshapi_core.meta",
    "meshapi_core.models.pages",
    "meshapi_core.models.parsed",
    "meshapi_core.models.responses",
    "meshapi_core.models.secrets",
    "meshapi_core.multipart",
    "meshapi_core.paging",
    "meshapi_core.proxies",
    "meshapi_core.sse",
    "meshapi_core.streams",
    "meshapi_core.uploads",
    "pkgutil",
)


def test_a_first_create_loads_only_what_it_uses() -> None:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_CREATE], check=True, capture_output=True, text=True, env=env
    ).stdout.split()
    assert "meshapi._sync.resources.chat" in out and "meshapi_httpx._sync" in out
    assert sorted(set(out) & set(_NOT_ON_THE_FIRST_CREATE)) == []
