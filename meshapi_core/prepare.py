"""From an endpoint and a call's arguments to the call machine: the one pure function.

:func:`prepare_call` is the whole road from ``client.batches.get("batch_1")`` to the
:class:`~meshapi_core.calls.Call` that an engine drives: it checks the client's credential
against the endpoint's realms, fills and encodes the path, binds the params (object, dict or
keywords) and encodes them as the endpoint sends them, builds the request with the client's
headers and the call's options, and picks the reply decoder and the retry rules. No facade
code encodes a body or a query; nothing here does I/O.

>>> from meshapi_core.calls import Runtime
>>> from meshapi_core.config import ClientConfig
>>> from meshapi_core.endpoints.models import MODELS_GET
>>> config = ClientConfig.create(base_url="https://api.meshapi.ai", token="rsk_x")
>>> runtime = Runtime(lambda: 0.0, lambda: 0.0, lambda: 0.5, lambda: "key")
>>> call = prepare_call(MODELS_GET, config, runtime, path={"model_id": "openai/gpt-4o"})
>>> call.next_action().request.url
'https://api.meshapi.ai/v1/models/openai/gpt-4o'
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, TypeVar

import pydantic

from .calls import Call, Runtime
from .config import NO_OPTIONS, CallOptions, ClientConfig
from .endpoint import SSE, Endpoint, RetryClass, Send
from .errors import InvalidArgumentError
from .params import bind, encode_json, encode_query

__all__ = ["bind_params", "prepare_call"]

R = TypeVar("R")

_JSON = "application/json"


def bind_params(
    endpoint: Endpoint[Any, Any], params: Any, fields: Optional[Mapping[str, Any]]
) -> Optional[pydantic.BaseModel]:
    """The endpoint's params model from whichever form the caller used, checked.

    Also refuses a ``stream`` setting the method contradicts: ``create(stream=True)`` is a
    mistake the caller must hear about, not a stream silently read as one reply.
    """
    model = endpoint.params
    if model is None:
        if params is not None or fields:
            names = ", ".join(sorted(fields or ())) or type(params).__name__
            raise InvalidArgumentError(
                f"{endpoint.method} {endpoint.path} takes no parameters (got {names})"
            )
        return None
    bound: pydantic.BaseModel = bind(model, params, fields)
    kind = endpoint.stream
    streams = isinstance(kind, SSE) and kind.flag == "stream"
    if not streams and getattr(bound, "stream_options", None) is not None:
        raise InvalidArgumentError(
            "stream_options is for .stream(...): a whole reply has no chunks to configure",
            param="stream_options",
        )
    wanted = getattr(bound, "stream", None)
    if wanted is not None:
        if wanted and not streams:
            raise InvalidArgumentError(
                "stream=True is not accepted here: this method returns the whole reply. "
                "Call .stream(...) instead to iterate over the reply as it arrives.",
                param="stream",
            )
        if not wanted and streams:
            raise InvalidArgumentError(
                "stream=False is not accepted by .stream(...); call .create(...) for the "
                "whole reply.",
                param="stream",
            )
    return bound


def prepare_call(
    endpoint: Endpoint[Any, R],
    config: ClientConfig,
    runtime: Runtime,
    *,
    params: Any = None,
    fields: Optional[Mapping[str, Any]] = None,
    path: Optional[Mapping[str, Any]] = None,
    options: CallOptions = NO_OPTIONS,
) -> Call[R]:
    """The call machine for one call of ``endpoint``; see the module docs.

    ``params`` is a params model or a dict of its fields, ``fields`` the same given as
    keywords (one or the other), ``path`` the path parameters by name.
    """
    config.check_realm(endpoint.method, endpoint.path, endpoint.realms)
    url_path = endpoint.path_for(path or {})
    bound = bind_params(endpoint, params, fields)
    query = None
    body = None
    content_type = None
    if bound is not None:
        if endpoint.send is Send.QUERY:
            query = encode_query(bound)
        elif endpoint.send is Send.JSON:
            flag = endpoint.stream.flag if endpoint.stream is not None else None
            body = encode_json(bound, flag)
            content_type = _JSON
        elif endpoint.send is Send.MULTIPART:
            raise InvalidArgumentError(
                f"{endpoint.method} {endpoint.path} sends a multipart form: call it through "
                "its resource method"
            )
    key = None
    if endpoint.retry is RetryClass.KEYED and endpoint.method != "GET":
        key = options.idempotency_key or runtime.new_idempotency_key()
    request = config.build_request(
        endpoint.method,
        url_path,
        accept=endpoint.accept,
        query=query,
        body=body,
        content_type=content_type,
        options=options,
        idempotency_key=key,
        stream=endpoint.stream is not None,
    )
    return Call(
        request,
        decode=endpoint.reply.decode,
        policy=config.retry_policy(options),
        runtime=runtime,
        retryable=endpoint.retry is not RetryClass.NEVER,
        deadline=options.deadline if options.deadline is not None else config.deadline,
    )
