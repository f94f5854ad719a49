"""The replies of ``.parse()``: a chat completion or a response whose output was read into
your pydantic model (see :mod:`meshapi_core.structured`).

Each is the ordinary reply with the parsed values added, so everything else reads as usual:
``completion.choices[0].message.parsed`` is a ``MyModel`` (``None`` when the model refused:
``message.refusal`` says why), ``tool_calls[i].function.parsed_arguments`` the arguments of
a tool made from a model, and ``response.output_parsed`` the output of
``responses.parse``. A parsed message goes back into a conversation as it is (its parsed
values are not sent).
"""

from __future__ import annotations

from typing import Generic, List, Optional, TypeVar

from pydantic import Field

from .chat import ChatCompletion, Choice, FunctionCall, ResponseMessage, ToolCall
from .responses import ResponsesResponse

__all__ = [
    "ParsedChatCompletion",
    "ParsedChatCompletionMessage",
    "ParsedChoice",
    "ParsedFunction",
    "ParsedFunctionToolCall",
    "ParsedResponse",
]

T = TypeVar("T")


class ParsedFunction(FunctionCall):
    """A called function, with its ``arguments`` read as its tool asks: the tool's model
    (a tool from ``pydantic_function_tool``), the JSON value (another strict tool), or
    ``None``."""

    parsed_arguments: Optional[object] = None
    """The arguments read as the tool asks: its model's instance, the JSON value, or ``None``."""


class ParsedFunctionToolCall(ToolCall):
    """A tool call of a parsed reply."""

    function: ParsedFunction
    """The function called, with its arguments parsed."""


class ParsedChatCompletionMessage(ResponseMessage, Generic[T]):
    """The assistant's message, its content read into your model as ``parsed``."""

    parsed: Optional[T] = None
    """The content read into your model (``None`` when the model refused: see ``refusal``)."""
    tool_calls: Optional[List[ParsedFunctionToolCall]] = None  # type: ignore[assignment]
    """The tools the model called, each with its arguments parsed."""


class ParsedChoice(Choice, Generic[T]):
    """One choice of a parsed completion."""

    message: ParsedChatCompletionMessage[T] = Field(default_factory=ParsedChatCompletionMessage)
    """The assistant's message, with its content parsed."""


class ParsedChatCompletion(ChatCompletion, Generic[T]):
    """What ``chat.completions.parse`` returns: the completion, each choice's message
    parsed."""

    choices: List[ParsedChoice[T]] = Field(default_factory=list)  # type: ignore[assignment]
    """The alternatives, each with its message parsed."""


class ParsedResponse(ResponsesResponse, Generic[T]):
    """What ``responses.parse`` returns: the response, its output text read into your model
    as ``output_parsed``."""

    output_parsed: Optional[T] = None
    """The output text read into your model (``None`` without output text, e.g. a refusal)."""
