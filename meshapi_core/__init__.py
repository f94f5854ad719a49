"""The MeshAPI protocol, with no I/O: requests built, responses and SSE decoded, retries decided.

This package imports pydantic and the standard library only. It never opens a socket, never
sleeps and never reads a clock or a random source it was not handed. Transports
(``meshapi_httpx``, ``meshapi_aiohttp``, or your own, see :mod:`meshapi_core.transport`) move
the bytes; the facade (``meshapi``) wires the two together.

Modules, from the wire up:

- :mod:`~meshapi_core.http`: the request and response values a transport exchanges;
- :mod:`~meshapi_core.sse`: the incremental event-stream decoder;
- :mod:`~meshapi_core.errors`: the exception family and how responses map onto it;
- :mod:`~meshapi_core.models`: request and response models;
- :mod:`~meshapi_core.endpoints`: every endpoint's HTTP shape, declared once;
- :mod:`~meshapi_core.config`: validated client settings and request building;
- :mod:`~meshapi_core.retry`: the retry policy;
- :mod:`~meshapi_core.calls`: the call machine that runs a call across attempts;
- :mod:`~meshapi_core.streams`: the stream machine, SSE events to typed chunks;
- :mod:`~meshapi_core.uploads`, :mod:`~meshapi_core.multipart`: file arguments and forms,
  encoded without reading the files; :mod:`~meshapi_core.external`: requests to signed URLs
  and media hosts; :mod:`~meshapi_core.polling`: waiting for long jobs;
  :mod:`~meshapi_core.downloads`: when a byte body is complete.
"""

from .version import __version__

__all__ = ["__version__"]
