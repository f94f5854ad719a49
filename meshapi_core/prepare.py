"""From an endpoint and a call's arguments to the call machine: the one pure function.

:func:`prepare_call` is the whole road from ``client.batches.get("batch_1")`` to the
:class:`~meshapi_core.calls.Call` that an engine drives: it checks the client's credential
against the endpoint's realms, fills and encodes the path, binds the params (object, dict or
keywords) and encodes them as the endpoint sends them, builds the request with the client's
headers and the call's options, and picks the reply decoder and the retry rules. No facade
code encodes a body or a query; nothing here does I/O.

A multipart form (``Send.MULTIPART``, or files given to an endpoint whose declaration names
file fields) is encoded by :mod:`~meshapi_core.multipart` from the params' fields and the
files the facade has checked on disk (:class:`~meshapi_core.uploads.FilePart`); its boundary
comes from the runtime. A call whose body cannot be sent twice (a one-shot stream) is never
retried, whatever its endpoint's retry class. A body larger than the endpoint's
``max_request_size`` (the gateway's 32 MiB) is refused here, before anything is sent; one of
unknown length is bounded as it is sent.

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

from dataclasses import replace
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
    Union,
)

import pydantic

from .calls import Call, Runtime
from .config import NO_OPTIONS, CallOptions, ClientConfig
from .endpoint import SSE, Endpoint, RetryClass, Send
from .errors import InvalidArgumentError
from .http import Body, StreamedBody
from .models.base import RequestModel
from .params import bind, encode_json, encode_query

# Files, forms and secrets load with the first call that has them: a chat completion does not.
if TYPE_CHECKING:
    from .uploads import FilePart, Upload

__all__ = ["bind_params", "collect_uploads", "prepare_call"]

Files = Mapping[str, Sequence["FilePart"]]
"""Checked files by form field name (a field may carry several, e.g. ``reference_images``)."""

R = TypeVar("R")

_JSON = "application/json"


def bind_params(
    endpoint: Endpoint[Any, Any], params: Any, fields: Optional[Mapping[str, Any]]
) -> Optional[pydantic.BaseModel]:
    """The endpoint's params model from whichever form the caller used, checked.

    Also refuses a ``stream`` setting in the params that the endpoint contradicts (a
    ``stream=True`` sent to a whole-reply endpoint would be a stream silently read as one
    reply); ``create(..., stream=True)`` as a keyword is the method's choice of endpoint,
    made before this.
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
            "stream_options is for a stream (.stream(...), or create(..., stream=True)): a "
            "whole reply has no chunks to configure",
            param="stream_options",
        )
    wanted = getattr(bound, "stream", None)
    if wanted is not None:
        if wanted and not streams:
            raise InvalidArgumentError(
                "stream=True in the params is not accepted here: this call returns the whole "
                "reply. Call .stream(...) to iterate over the reply as it arrives (chat "
                "completions, responses and messages also take create(..., stream=True) as a "
                "keyword).",
                param="stream",
            )
        if not wanted and streams:
            raise InvalidArgumentError(
                "stream=False is not accepted by .stream(...); call .create(...) for the "
                "whole reply.",
                param="stream",
            )
    return bound


def collect_uploads(
    endpoint: Endpoint[Any, Any], bound: Optional[pydantic.BaseModel]
) -> Dict[str, List[Upload]]:
    """The files among the params' fields the endpoint declares as file fields
    (``endpoint.files``), by field name: what the facade must check on disk before the call
    is prepared. Fields holding a reference (a URL, base64) are left to the JSON body.
    """
    found: Dict[str, List[Upload]] = {}
    if bound is None or not endpoint.files:
        return found
    from .uploads import is_upload, to_upload

    for name in endpoint.files:
        value = getattr(bound, name, None)
        items = value if isinstance(value, list) else [value]
        uploads = [to_upload(v, name) for v in items if v is not None and is_upload(v)]
        if uploads:
            if len(uploads) != len([v for v in items if v is not None]):
                raise InvalidArgumentError(
                    f"{name}: mix files and references (URLs, base64) in separate calls; "
                    "a form sends files, a JSON body sends references",
                    param=name,
                )
            found[name] = uploads
    return found


def _multipart(
    bound: Optional[pydantic.BaseModel], files: Files, runtime: Runtime
) -> Tuple[Union[bytes, StreamedBody], str]:
    from .multipart import boundary_from, content_type_for, encode_multipart, form_fields

    data: Dict[str, Any] = {}
    if bound is not None:
        data = bound.model_dump(mode="json", exclude_unset=True, by_alias=True, exclude=set(files))
        extra = getattr(bound, "extra_body", None)
        if extra:
            data.update(extra)
    parts = [part for group in files.values() for part in group]
    boundary = boundary_from(runtime.new_idempotency_key())
    return encode_multipart(form_fields(data), parts, boundary), content_type_for(boundary)


def _within_limit(
    endpoint: Endpoint[Any, Any], body: Optional[Body], files: Optional[Files]
) -> Optional[Body]:
    """``body`` if the gateway accepts a body that large (``endpoint.max_request_size``);
    one of unknown length (a one-shot stream) bounded as it is sent."""
    limit = endpoint.max_request_size
    if limit is None or body is None:
        return body
    size = len(body) if isinstance(body, bytes) else body.length
    if size is None:
        assert isinstance(body, StreamedBody)
        return replace(body, limit=limit)
    if size <= limit:
        return body
    raise InvalidArgumentError(
        f"The request body of {endpoint.method} {endpoint.path} would be {size:,} bytes: the "
        f"gateway refuses bodies over {limit:,} bytes ({limit / 2**20:g} MiB) with 413, so it "
        "was not sent. Send less (a smaller file, or a URL to it where the endpoint takes one).",
        param=next(iter(files), None) if files else None,
    )


def prepare_call(
    endpoint: Endpoint[Any, R],
    config: ClientConfig,
    runtime: Runtime,
    *,
    params: Any = None,
    fields: Optional[Mapping[str, Any]] = None,
    path: Optional[Mapping[str, Any]] = None,
    options: CallOptions = NO_OPTIONS,
    files: Optional[Files] = None,
) -> Call[R]:
    """The call machine for one call of ``endpoint``; see the module docs.

    ``params`` is a params model or a dict of its fields, ``fields`` the same given as
    keywords (one or the other), ``path`` the path parameters by name, ``files`` the checked
    files of a multipart form by field name.
    """
    config.check_realm(endpoint.method, endpoint.path, endpoint.realms)
    if options is not NO_OPTIONS:
        options.check_endpoint(endpoint.label, endpoint.options)
    url_path = endpoint.path_for(path or {})
    bound = bind_params(endpoint, params, fields)
    query = None
    body: Optional[Body] = None
    content_type = None
    if endpoint.send is Send.MULTIPART or files:
        body, content_type = _multipart(bound, files or {}, runtime)
    elif bound is not None:
        if endpoint.send is Send.QUERY:
            query = encode_query(bound)
        elif endpoint.send is Send.JSON:
            flag = endpoint.stream.flag if endpoint.stream is not None else None
            body = encode_json(bound, flag)
            content_type = _JSON
    body = _within_limit(endpoint, body, files)
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
    secrets = config.secrets  # what the call's errors leave out, should a server echo it
    if isinstance(bound, RequestModel):
        secrets += bound._secret_values()
    return Call(
        request,
        decode=endpoint.reply.decode,
        policy=config.retry_policy(options),
        runtime=runtime,
        retryable=endpoint.retry is not RetryClass.NEVER,
        replayable=not isinstance(body, StreamedBody) or body.replayable,
        deadline=options.deadline if options.deadline is not None else config.deadline,
        secrets=secrets,
        endpoint=endpoint.label,
        model=getattr(bound, "model", None),
    )
