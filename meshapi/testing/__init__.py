"""A local MeshAPI gateway emulator, for developing and testing offline.

What it speaks, and how to use it, is in ``docs/testing.md``. Three layers, each usable alone:
:class:`Gateway` (the Sans-IO core: ``gateway.handle(GatewayRequest) -> ResponsePlan``, plus
credentials, scripts, faults from :mod:`meshapi.testing.faults` and the request log),
:class:`GatewayServer` (HTTP/1.1 on 127.0.0.1, in a task, a thread or a process, over TLS
with ``tls=True``) and :class:`InProcessTransport` / :class:`AsyncInProcessTransport` (the
SDK's transport protocols served straight from a gateway, no sockets).

A sync session, with httpx:

>>> import httpx
>>> from meshapi.testing import Gateway, GatewayServer
>>> gateway = Gateway()
>>> gateway.script_reply("Hello from the emulator.")
>>> with GatewayServer(gateway).run_in_thread() as base_url:
...     response = httpx.post(
...         base_url + "/v1/chat/completions",
...         headers={"Authorization": f"Bearer {gateway.token}"},
...         json={"model": "mesh/echo", "messages": [{"role": "user", "content": "hi"}]},
...     )
>>> response.status_code, response.json()["choices"][0]["message"]["content"]
(200, 'Hello from the emulator.')
>>> gateway.last_request.json["model"]
'mesh/echo'

With pytest, the ``meshapi_gateway`` fixture (from :mod:`meshapi.testing.pytest_plugin`)
runs a fresh emulator for each test:

.. code-block:: python

    # test_example.py -- runnable as is once the plugin is enabled
    import httpx

    from meshapi.testing import faults


    def test_retry_after_is_sent(meshapi_gateway):
        meshapi_gateway.gateway.inject(faults.Status(429, retry_after=3))
        response = httpx.get(
            meshapi_gateway.url("/v1/models"),
            headers={"Authorization": f"Bearer {meshapi_gateway.token}"},
        )
        assert response.status_code == 429
        assert response.headers["retry-after"] == "3"
        assert response.json()["error"]["code"] == "rate_limit_exceeded"


    def test_stream_is_closed_on_break(meshapi_gateway):
        meshapi_gateway.gateway.script_reply(chunks=1000)
        server = meshapi_gateway.server
        closed_before = server.closed_connections
        with httpx.Client() as client:
            with client.stream(
                "POST",
                meshapi_gateway.url("/v1/chat/completions"),
                headers={"Authorization": f"Bearer {meshapi_gateway.token}"},
                json={"model": "mesh/echo", "stream": True,
                      "messages": [{"role": "user", "content": "go"}]},
            ) as response:
                for _line in response.iter_lines():
                    break
        assert server.wait_for_closed_connections(closed_before + 1, timeout=5)

The plugin is registered by the ``pytest11`` entry point when the package is installed;
otherwise see :func:`meshapi.testing.pytest_plugin.ensure_registered`.
"""

from __future__ import annotations

from . import faults
from ._gateway.catalog import make_model
from ._gateway.clock import Clock, FakeClock, SystemClock
from ._gateway.dispatcher import MAX_BODY_BYTES, Gateway
from ._gateway.inference import AUTO_MODEL, UNAVAILABLE_PREFIX
from ._gateway.injection import Injection
from ._gateway.log import RecordedRequest
from ._gateway.plan import (
    CloseConnection,
    GatewayRequest,
    Pause,
    ResetConnection,
    ResponsePlan,
    StallForever,
    Step,
    Write,
)
from ._gateway.versions import BASELINE_VERSION, DEPRECATED_VERSION, LATEST_VERSION, VERSIONS
from ._servers.http import GatewayServer
from ._servers.inprocess import (
    AsyncInProcessStream,
    AsyncInProcessTransport,
    InProcessStream,
    InProcessTransport,
)

__all__ = [
    "AUTO_MODEL",
    "BASELINE_VERSION",
    "DEPRECATED_VERSION",
    "LATEST_VERSION",
    "MAX_BODY_BYTES",
    "UNAVAILABLE_PREFIX",
    "VERSIONS",
    "AsyncInProcessStream",
    "AsyncInProcessTransport",
    "Clock",
    "CloseConnection",
    "FakeClock",
    "Gateway",
    "GatewayRequest",
    "GatewayServer",
    "InProcessStream",
    "InProcessTransport",
    "Injection",
    "Pause",
    "RecordedRequest",
    "ResetConnection",
    "ResponsePlan",
    "StallForever",
    "Step",
    "SystemClock",
    "Write",
    "faults",
    "make_model",
]
