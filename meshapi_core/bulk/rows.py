"""Rows in, records out: the JSONL of a bulk job, read and written without I/O.

An input line is one JSON object, one request, with an ``id``:

- ``{"id": "q1", "body": {...}}``: a chat completion (``POST /v1/chat/completions``);
- ``{"id": "q2", "url": "/v1/responses", "body": {...}}``: a Responses call, and
  ``"url": "/v1/embeddings"`` an embeddings call;
- ``{"id": "q3", "template": "summary", "variables": {"text": "..."}}``: a chat completion of
  the gateway's prompt template ``summary`` with these variables (a ``body`` may add fields);
- the line format of OpenAI's batch files is read as it is: ``custom_id`` for ``id``, and a
  ``method`` of ``POST``.

The job's ``defaults`` (``{"model": "openai/gpt-4o-mini"}``) fill the fields a row's body
leaves out. A line that is not such an object becomes an error record (``InvalidRowError``);
a blank line is skipped.

An output line is one JSON object for one input row, in the order replies arrive (sort by
``line`` for the input's order)::

    {"id": "q1", "line": 1, "attempts": 1, "response": {...the reply...}}
    {"id": "q2", "line": 2, "attempts": 3, "error": {"type": "RateLimitError", "status": 429,
     "code": "rate_limit_exceeded", "message": "...", "request_id": "req_..."}}

Every row of a job is sent with the ``Idempotency-Key`` :func:`idempotency_key` derives from
the job's id and the row's line, so a row sent again after a crash carries the key it had.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from ..errors import MeshAPIError

__all__ = [
    "KINDS",
    "MAX_ID_LENGTH",
    "BadRow",
    "InvalidRowError",
    "Row",
    "encode_record",
    "error_record",
    "estimate_tokens",
    "idempotency_key",
    "parse_row",
    "reply_record",
    "usage_of",
]

KINDS: Dict[str, str] = {
    "/v1/chat/completions": "chat",
    "/v1/responses": "responses",
    "/v1/embeddings": "embeddings",
}
"""The endpoints a row may call (its ``url``), and the kind each is."""
MAX_ID_LENGTH = 512
"""The longest ``id`` a row may have, in characters."""

RowId = Union[str, int]


class InvalidRowError(MeshAPIError):
    """An input line that is not a row: not a JSON object, no usable ``id``, an unknown
    ``url``, a ``body`` that is not an object (``invalid_row``). It becomes the row's error
    record; nothing is sent for it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_code="invalid_row")


@dataclass(frozen=True)
class Row:
    """One request of a job: where it is in the input, its id, what it calls, and the
    tokens it is expected to cost (its prompt, estimated, and the reply expected)."""

    line: int
    """Its line number in the input (from 1)."""
    offset: int
    """The byte offset of its line in the input."""
    id: RowId
    kind: str
    """``chat``, ``responses`` or ``embeddings``."""
    body: Dict[str, Any]
    prompt_tokens: int
    """The prompt's tokens, estimated from its text (about four characters a token)."""
    max_output: Optional[int]
    """The reply's ceiling the body sets (``max_tokens`` and the like), if any."""

    @property
    def url(self) -> str:
        """The endpoint the row calls."""
        return next(url for url, kind in KINDS.items() if kind == self.kind)

    @property
    def model(self) -> Optional[str]:
        """The model its body names, if any."""
        model = self.body.get("model")
        return model if isinstance(model, str) else None


@dataclass(frozen=True)
class BadRow:
    """An input line that is not a row, and why (its error record says so)."""

    line: int
    offset: int
    id: Optional[RowId]
    error: InvalidRowError


def _row_id(value: Any) -> Optional[RowId]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH):
        return value
    return None


def parse_row(
    text: Union[str, bytes], line: int, offset: int, defaults: Optional[Mapping[str, Any]] = None
) -> Union[Row, BadRow, None]:
    """The row on input line ``line`` (at byte ``offset``), a :class:`BadRow`, or ``None``
    for a blank line.

    >>> row = parse_row('{"id": "q1", "body": {"messages": [{"role": "user", "content": "Hi"}]}}',
    ...                 1, 0, {"model": "mesh/echo"})
    >>> row.id, row.kind, row.body["model"], row.prompt_tokens
    ('q1', 'chat', 'mesh/echo', 8)
    >>> parse_row('{"body": {}}', 2, 80).error.message
    "line 2: a row needs an 'id' (a string of 1 to 512 characters, or an integer)"
    """
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if not text.strip():
            return None
        value = json.loads(text)
    except (UnicodeDecodeError, ValueError) as error:
        reason = "not UTF-8" if isinstance(error, UnicodeDecodeError) else "not JSON"
        return BadRow(line, offset, None, InvalidRowError(f"line {line}: {reason}"))
    if not isinstance(value, dict):
        return BadRow(line, offset, None, InvalidRowError(f"line {line}: not a JSON object"))

    def bad(problem: str, row_id: Optional[RowId] = None) -> BadRow:
        return BadRow(line, offset, row_id, InvalidRowError(f"line {line}: {problem}"))

    row_id = _row_id(value.get("id", value.get("custom_id")))
    if row_id is None:
        return bad(
            f"a row needs an 'id' (a string of 1 to {MAX_ID_LENGTH} characters, or an integer)"
        )
    url = value.get("url", "/v1/chat/completions")
    kind = KINDS.get(url) if isinstance(url, str) else None
    if kind is None:
        return bad(f"'url' must be one of {', '.join(KINDS)}, not {str(url)[:80]!r}", row_id)
    method = value.get("method", "POST")
    if method != "POST":
        return bad(f"'method' must be POST, not {str(method)[:20]!r}", row_id)
    body = value.get("body", {} if "template" in value else None)
    if not isinstance(body, dict):
        return bad("'body' must be a JSON object (the request's fields)", row_id)
    body = {**(defaults or {}), **body}
    if "template" in value:
        if kind != "chat" or not isinstance(value["template"], str):
            return bad("'template' must be a template's name or id, for a chat completion", row_id)
        variables = value.get("variables", {})
        if not isinstance(variables, dict):
            return bad("'variables' must be a JSON object", row_id)
        body["template"] = value["template"]
        body["variables"] = variables
        body.setdefault("messages", [])
    ceiling = next(
        (body[name] for name in ("max_tokens", "max_completion_tokens", "max_output_tokens")
         if isinstance(body.get(name), int) and not isinstance(body.get(name), bool)),
        None,
    )  # fmt: skip
    prompt = _prompt_tokens(kind, body)
    return Row(line, offset, row_id, kind, body, prompt, ceiling)


def _text_length(value: Any, budget: int = 10_000) -> int:
    """The characters of the strings in ``value`` (a JSON value), walking at most
    ``budget`` values."""
    total, stack, seen = 0, [value], 0
    while stack and seen < budget:
        item = stack.pop()
        seen += 1
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            stack.extend(v for k, v in item.items() if k not in ("type", "role"))
        elif isinstance(item, list):
            stack.extend(item)
    return total


def _prompt_tokens(kind: str, body: Mapping[str, Any]) -> int:
    if kind == "chat":
        parts: Any = [body.get("messages"), body.get("variables"), body.get("tools")]
        messages = body.get("messages")
        framing = 4 * (len(messages) if isinstance(messages, list) else 1) + 3
    else:
        parts = [body.get("input"), body.get("instructions")]
        framing = 1
    return framing + math.ceil(_text_length(parts) / 4)


def estimate_tokens(row: Row, expected_output: float) -> int:
    """The tokens ``row`` is expected to use against a TPM limit: its prompt, and the
    reply's expected size (``expected_output``, the mean of the replies so far) within
    the ceiling its body sets. An embeddings call has no reply tokens.

    >>> row = parse_row('{"id": 1, "body": {"messages": [], "max_tokens": 50}}', 1, 0)
    >>> estimate_tokens(row, 200.0), estimate_tokens(row, 20.0)
    (53, 23)
    """
    if row.kind == "embeddings":
        return row.prompt_tokens
    output = expected_output if row.max_output is None else min(row.max_output, expected_output)
    return row.prompt_tokens + math.ceil(output)


def idempotency_key(job_id: str, line: int, row_id: Optional[RowId] = None) -> str:
    """The ``Idempotency-Key`` of input line ``line`` of job ``job_id`` (or, given
    ``row_id``, of the row with that id, wherever it is): the same on every attempt and
    every run of the job.

    >>> idempotency_key("5f0c2a9e", 12)
    'bulk-5f0c2a9e-12'
    >>> idempotency_key("5f0c2a9e", 12, "q1")
    'bulk-5f0c2a9e-id-0941b034936815b0b3366547'
    """
    if row_id is None:
        return f"bulk-{job_id}-{line}"
    digest = hashlib.sha256(json.dumps(row_id).encode()).hexdigest()[:24]
    return f"bulk-{job_id}-id-{digest}"


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_record(record: Mapping[str, Any]) -> bytes:
    """One output line: compact JSON and a newline, UTF-8."""
    return (_ENCODER.encode(record) + "\n").encode("utf-8")


def reply_record(row_id: Optional[RowId], line: int, attempts: int, reply: Any) -> Dict[str, Any]:
    """The record of a row answered with ``reply`` (the reply's JSON)."""
    return {"id": row_id, "line": line, "attempts": attempts, "response": reply}


def error_record(
    row_id: Optional[RowId], line: int, attempts: int, error: MeshAPIError
) -> Dict[str, Any]:
    """The record of a row that ended with ``error``: its type, status, code, message and
    request id (never a header or a credential).

    >>> error_record("q1", 3, 1, InvalidRowError("line 3: not JSON"))["error"]
    {'type': 'InvalidRowError', 'status': 0, 'code': 'invalid_row', 'message': 'line 3: not \
JSON', 'request_id': None}
    """
    return {
        "id": row_id,
        "line": line,
        "attempts": attempts,
        "error": {
            "type": type(error).__name__,
            "status": error.status,
            "code": error.error_code,
            "message": error.message,
            "request_id": error.request_id,
        },
    }


def _int(value: Any) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def usage_of(reply: Mapping[str, Any]) -> Tuple[Optional[int], Optional[int], Optional[int]]:
    """A reply's prompt, output and total tokens (chat, Responses and embeddings spell
    them differently)."""
    usage = reply.get("usage")
    if not isinstance(usage, dict):
        return None, None, None
    prompt = _int(usage.get("prompt_tokens", usage.get("input_tokens")))
    output = _int(usage.get("completion_tokens", usage.get("output_tokens")))
    total = _int(usage.get("total_tokens"))
    if total is None and (prompt is not None or output is not None):
        total = (prompt or 0) + (output or 0)
    return prompt, output, total
