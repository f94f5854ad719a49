"""What the deterministic models answer, and the script that overrides them.

Without a script the text is a pure function of the model, the prompt and the ``seed``
(``docs/testing.md``, "Replies"): ``mesh/echo`` repeats the last user message; other models
do simple arithmetic and counting (up to 100), else a sentence hashed from model, prompt and
seed. It streams one word a delta; ``max_tokens`` caps the deltas (``finish_reason:
"length"``). A script (:meth:`Gateway.script_reply <meshapi.testing.Gateway.script_reply>`)
queues exact replies or tool calls; a scripted tool call answers only a request with
``tools``.
"""

from __future__ import annotations

import hashlib
import operator
import random
import re
import threading
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

_VOCABULARY = (
    "amber", "bright", "calm", "delta", "ember", "field", "granite", "harbor", "iris", "juniper",
    "kestrel", "lantern", "meadow", "north", "orbit", "pebble", "quartz", "river", "signal",
    "timber", "umber", "valley", "willow", "xenon", "yarrow", "zephyr",
)  # fmt: skip

_NUMBER = r"(-?\d{1,18}(?:\.\d{1,9})?)"
_ARITHMETIC = re.compile(_NUMBER + r"\s*([-+*/x\u00d7])\s*" + _NUMBER)
_OPERATIONS: Dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "x": operator.mul,
    "\u00d7": operator.mul,
}
_COUNT = re.compile(r"\bcount (?:from 1 )?to (\d{1,3})\b", re.IGNORECASE)


@dataclass(frozen=True)
class ToolCallReply:
    """A scripted tool call: function ``name`` and its ``arguments`` (a JSON string)."""

    name: str
    arguments: str
    call_id: Optional[str] = None


@dataclass(frozen=True)
class ScriptedReply:
    """One queued reply: ``text`` or ``tool_call``, for ``model`` (``None``: any model)."""

    text: Optional[str] = None
    tool_call: Optional[ToolCallReply] = None
    model: Optional[str] = None
    chunks: Optional[int] = None
    finish_reason: Optional[str] = None


class _Entry:
    def __init__(self, reply: ScriptedReply, times: Optional[int]) -> None:
        self.reply = reply
        self.remaining = times


class ReplyScript:
    """A FIFO of scripted replies; each entry answers ``times`` requests (``None``: all)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: List[_Entry] = []

    def add(self, reply: ScriptedReply, times: Optional[int]) -> None:
        """Queue ``reply`` for the next ``times`` matching requests."""
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for every request)")
        with self._lock:
            self._entries.append(_Entry(reply, times))

    def take(self, model: str, has_tools: bool) -> Optional[ScriptedReply]:
        """The first queued reply that fits this request, consuming one use of it."""
        with self._lock:
            for entry in self._entries:
                reply = entry.reply
                if reply.model is not None and reply.model != model:
                    continue
                if reply.tool_call is not None and not has_tools:
                    continue
                if entry.remaining is not None:
                    entry.remaining -= 1
                    if entry.remaining == 0:
                        self._entries.remove(entry)
                return reply
        return None

    def clear(self) -> None:
        """Drop every queued reply."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


@dataclass(frozen=True)
class Completion:
    """The decided output of one chat completion: text deltas, or tool calls, each with the
    fragments its arguments stream in (``argument_deltas[i]`` for ``tool_calls[i]``)."""

    deltas: Tuple[str, ...]
    finish_reason: str
    prompt_tokens: int
    tool_calls: Tuple[ToolCallReply, ...] = ()
    argument_deltas: Tuple[Tuple[str, ...], ...] = ()

    @property
    def tool_call(self) -> Optional[ToolCallReply]:
        """The first tool call, or ``None`` for a text reply."""
        return self.tool_calls[0] if self.tool_calls else None

    @property
    def text(self) -> Optional[str]:
        """The whole reply text (``None`` for tool calls)."""
        return None if self.tool_calls else "".join(self.deltas)

    @property
    def completion_tokens(self) -> int:
        """Tokens in the reply: one per delta, or per four characters of tool arguments."""
        if self.tool_calls:
            return max(1, sum((len(call.arguments) + 3) // 4 for call in self.tool_calls))
        return len(self.deltas)


def argument_pieces(arguments: str, chunks: Optional[int] = None) -> Tuple[str, ...]:
    """A call's ``arguments`` cut into the fragments a stream delivers them in (up to three,
    or exactly ``chunks`` when a script asks)."""
    return tuple(split_even(arguments, chunks or max(1, min(3, len(arguments)))))


def split_words(text: str) -> List[str]:
    """``"Hello big world"`` -> ``["Hello", " big", " world"]``; the pieces join back."""
    if not text:
        return []
    pieces = re.findall(r"\s*\S+", text)
    tail = text[len("".join(pieces)) :]
    if tail:
        if pieces:
            pieces[-1] += tail
        else:
            pieces = [tail]
    return pieces


def split_even(text: str, count: int) -> List[str]:
    """``text`` cut into exactly ``count`` pieces of near-equal length (some may be empty)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    size, extra = divmod(len(text), count)  # the first ``extra`` pieces are one longer
    bounds = [index * size + min(index, extra) for index in range(count + 1)]
    return [text[start:end] for start, end in zip(bounds, bounds[1:])]


def generated_text(words: int) -> str:
    """``words`` words of filler (``"tok0 tok1 ..."``), for huge scripted streams."""
    return " ".join(f"tok{index}" for index in range(words))


def message_text(message: Any) -> str:
    """The text of a message's content: a string, or the ``text`` of its text parts."""
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def last_user_text(messages: List[Dict[str, Any]]) -> str:
    """The text of the last ``user`` message (``""`` if there is none)."""
    for message in reversed(messages):
        if message.get("role") == "user":
            return message_text(message)
    return ""


def _format_number(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _arithmetic(text: str) -> Optional[str]:
    match = _ARITHMETIC.search(text)
    if match is None:
        return None
    left, op, right = match.groups()
    try:
        a, b = Decimal(left), Decimal(right)
        if op == "/":
            if b == 0:
                return None
            result = (a / b).quantize(Decimal("0.000001")) if a % b else a / b
        else:
            result = _OPERATIONS[op](a, b)
    except InvalidOperation:
        return None
    return f"{left} {op} {right} = {_format_number(result)}."


def _counting(text: str) -> Optional[str]:
    match = _COUNT.search(text)
    if match is None or not 1 <= int(match.group(1)) <= 100:
        return None
    return ", ".join(str(n) for n in range(1, int(match.group(1)) + 1)) + "."


def default_reply(model: str, messages: List[Dict[str, Any]], seed: Optional[int]) -> str:
    """The unscripted reply of ``model`` to ``messages`` (see the module docstring)."""
    last = last_user_text(messages)
    if model == "mesh/echo":
        return last
    answer = _arithmetic(last) or _counting(last)
    if answer is not None:
        return answer
    prompt = "\x00".join(f"{m.get('role')}:{message_text(m)}" for m in messages)
    digest = hashlib.sha256(f"{model}\x00{seed}\x00{prompt}".encode()).digest()
    rng = random.Random(digest)
    words = [rng.choice(_VOCABULARY) for _ in range(rng.randint(6, 10))]
    return "This is a test reply: " + " ".join(words) + "."


def _prompt_tokens(messages: List[Dict[str, Any]]) -> int:
    return max(1, sum(len(message_text(m).split()) + 1 for m in messages))


def build_completion(
    model: str,
    messages: List[Dict[str, Any]],
    *,
    seed: Optional[int],
    max_tokens: Optional[int],
    scripted: Optional[ScriptedReply],
    calls: Sequence[ToolCallReply] = (),
) -> Completion:
    """Decide the reply to one chat completion request: the script's, else the tool
    ``calls`` the model decided to make (:mod:`meshapi.testing._gateway.tools`), else text."""
    prompt_tokens = _prompt_tokens(messages)
    if scripted is not None:
        calls = (scripted.tool_call,) if scripted.tool_call is not None else ()
    if calls:
        chunks = scripted.chunks if scripted is not None else None
        return Completion(
            deltas=(),
            finish_reason=(scripted and scripted.finish_reason) or "tool_calls",
            prompt_tokens=prompt_tokens,
            tool_calls=tuple(calls),
            argument_deltas=tuple(argument_pieces(call.arguments, chunks) for call in calls),
        )
    if scripted is not None:
        if scripted.text is None:
            deltas = split_words(generated_text(scripted.chunks or 1))
        elif scripted.chunks is not None:
            deltas = split_even(scripted.text, scripted.chunks)
        else:
            deltas = split_words(scripted.text)
        finish = scripted.finish_reason or "stop"
    else:
        deltas = split_words(default_reply(model, messages, seed))
        finish = "stop"
    if max_tokens is not None and len(deltas) > max_tokens:
        deltas = deltas[:max_tokens]
        finish = "length"
    return Completion(tuple(deltas), finish, prompt_tokens)
