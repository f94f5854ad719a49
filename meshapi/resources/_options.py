"""The per-call keyword options every method accepts."""

from __future__ import annotations

from typing import Any, Mapping, Optional, TypedDict, Union

from meshapi_core.config import CallOptions
from meshapi_core.http import Timeout


class RequestOptions(TypedDict, total=False):
    """Keyword options of every call; each overrides the client's setting for that call.

    - ``timeout``: seconds (or a :class:`~meshapi_core.http.Timeout`) for each attempt;
    - ``max_retries``: retries after the first attempt (``0`` turns them off);
    - ``deadline``: seconds for the whole call, waits and retries included;
    - ``extra_headers`` / ``extra_query``: sent as given (e.g. ``{"X-Mesh-Cache": "no-store"}``);
    - ``idempotency_key``: your own key, instead of a fresh one per call.
    """

    timeout: Union[Timeout, float, None]
    max_retries: int
    deadline: float
    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, Any]
    idempotency_key: str


def call_options(options: RequestOptions) -> CallOptions:
    """The core's :class:`CallOptions` for the keyword options of one call."""
    if not options:
        return _NONE
    unknown = set(options) - set(RequestOptions.__annotations__)
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
    max_retries: Optional[int] = options.get("max_retries")
    if max_retries is not None and (isinstance(max_retries, bool) or max_retries < 0):
        raise ValueError(f"max_retries must be 0 or more, not {max_retries!r}")
    deadline = options.get("deadline")
    if deadline is not None and not deadline > 0:
        raise ValueError(f"deadline must be a positive number of seconds, not {deadline!r}")
    return CallOptions(**options)


_NONE = CallOptions()
