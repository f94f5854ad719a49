"""The call machine: one logical call, across as many attempts as the policy allows.

Theory of operation. A :class:`Call` is a small state machine in the style of h11: the
adapter asks it what to do next and reports what happened, and the machine never does any
of it itself::

    adapter                          Call
    -------                          ----
    action = call.next_action()  ->  Send(request)
    response = transport.send()
    call.receive_response(resp)  ->  (decides: success, final error, or retry)
    action = call.next_action()  ->  Sleep(1.5)      (a retry, after a wait)
    transport.sleep(1.5)
    action = call.next_action()  ->  Send(request)   (same Idempotency-Key)
    ...
    action = call.next_action()  ->  Done(value)  or  Fail(error)

The loop that runs this is a few lines in each driver (sync and async differ only by
``await``); every decision lives here, once. Time comes from an injected clock and jitter from
an injected random source, so tests of retries are exact and take no real time.

One failure is answered apart from the policy's retries: a request that a reused keep-alive
connection lost before any byte of a response (:class:`~meshapi_core.errors.StaleConnectionError`)
is sent again at once (``Sleep(0.0)``), once, even by a call that is never retried (a stream),
as long as its body can be sent again; it does not count as one of the policy's retries.

The deadline bounds the whole call: no attempt is given a timeout longer than the time left,
no wait is started that would end past the deadline, and when it passes the call fails with
:class:`~meshapi_core.errors.APITimeoutError` (or the last error, if the wait that would have
followed it is what does not fit).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Generic, Optional, Tuple, TypeVar, Union

from pydantic import SecretStr

from .errors import APITimeoutError, MeshAPIError, error_from_response, not_a_stream, redact
from .http import Request, Response
from .retry import RetryPolicy

__all__ = ["Call", "Done", "Fail", "Runtime", "Send", "Sleep"]

T = TypeVar("T")


@dataclass(frozen=True)
class Runtime:
    """The outside world, injected: clocks, randomness and fresh idempotency keys.

    ``clock`` is monotonic seconds (for deadlines), ``wall_clock`` Unix seconds (to read an
    HTTP-date ``Retry-After``), ``random`` a float in [0, 1) (for jitter).
    """

    clock: Callable[[], float]
    wall_clock: Callable[[], float]
    random: Callable[[], float]
    new_idempotency_key: Callable[[], str]


@dataclass
class Send:
    """Send ``request`` (attempt number ``attempt``, from 0) and report the outcome."""

    __slots__ = ("attempt", "request")

    request: Request
    attempt: int


@dataclass
class Sleep:
    """Wait ``seconds`` before the next attempt."""

    __slots__ = ("seconds",)

    seconds: float


@dataclass
class Done(Generic[T]):
    """The call succeeded with ``value``."""

    __slots__ = ("value",)

    value: T


@dataclass
class Fail:
    """The call failed for good; raise ``error``."""

    __slots__ = ("error",)

    error: MeshAPIError


Action = Union[Send, Sleep, Done[T], Fail]
"""What :meth:`Call.next_action` returns. Actions are messages from the machine to its
driver, read once; they are slotted rather than frozen, as one or two are made per call."""


class _SendNext:
    """Marks that the next action is a fresh attempt, to be built when it is asked for."""


_SEND_NEXT = _SendNext()


class Call(Generic[T]):
    """Drives one logical call: attempts, waits, and the final result or error.

    ``decode`` turns a 2xx :class:`Response` into the result (and may raise a
    :class:`MeshAPIError`, e.g. for an in-band error). ``retryable`` is false for calls that
    must never be repeated after an answer may have been given (streams); ``replayable`` is
    false for a request that cannot be sent twice at all (a body read from a one-shot
    stream). ``deadline`` is in seconds from the start, or ``None``.
    ``secrets`` are the call's own (its credential, the secrets among its params), taken out
    of every error it fails with, in case a server echoed one (:meth:`redact`).
    ``endpoint`` names what is called (``"POST /v1/chat/completions"``, its path template,
    for reports such as a deprecation warning) and ``model`` the model its params asked for,
    if any (a reply's ``meta.fallback_from``); the machine decides nothing from either.
    """

    endpoint = ""
    model: Optional[str] = None

    def __init__(
        self,
        request: Request,
        *,
        decode: Callable[[Response], T],
        policy: RetryPolicy,
        runtime: Runtime,
        retryable: bool = True,
        replayable: bool = True,
        deadline: Optional[float] = None,
        secrets: Tuple[SecretStr, ...] = (),
        endpoint: str = "",
        model: Optional[str] = None,
    ) -> None:
        if endpoint:
            self.endpoint = endpoint
        if model is not None:
            self.model = model
        self._request = request
        self._secrets = secrets
        self._decode = decode
        self._policy = policy
        self._runtime = runtime
        self._retryable = retryable and replayable
        self._replayable = replayable
        self._replays = 0
        self._started = runtime.clock()
        self._deadline = None if deadline is None else self._started + deadline
        self._attempt = 0
        self._next: Union[Action[T], _SendNext, None] = _SEND_NEXT

    @property
    def attempts(self) -> int:
        """How many attempts have been started."""
        return self._attempt

    def next_action(self) -> Action[T]:
        """What the adapter must do now. Call once per reported outcome (or after a Sleep)."""
        action = self._next
        if action is None:
            raise RuntimeError("Call.next_action() called before the last Send was answered")
        if isinstance(action, _SendNext):
            action = self._send()  # built now, so its timeout reflects the time left now
        self._next = _SEND_NEXT if isinstance(action, Sleep) else None
        return action

    def receive_response(self, response: Response) -> None:
        """Report the response to the last :class:`Send`."""
        if 200 <= response.status < 300:
            try:
                self._next = Done(self._decode(response))
            except MeshAPIError as decode_error:
                self._next = Fail(self.redact(decode_error))
            return
        status_error = error_from_response(
            response.status, response.headers, response.body, now=self._runtime.wall_clock()
        )
        self._next = self._retry_or_fail(status_error)

    def receive_error(self, error: MeshAPIError) -> None:
        """Report that the last :class:`Send` failed without a response."""
        self._next = self._retry_or_fail(error)

    def open_stream(self) -> Request:
        """The request of a call that gets one attempt only (a stream); raises instead if the
        deadline has already passed."""
        action = self.next_action()
        if isinstance(action, Fail):
            raise action.error
        assert isinstance(action, Send), action
        return action.request

    def stream_refused(self, response: Response, expected: str) -> MeshAPIError:
        """The error a stream request was answered with instead of a stream: an error
        status, or a 2xx whose body is not ``expected`` (an in-band error, usually)."""
        if 200 <= response.status < 300:
            self._next = None
            return self.redact(
                not_a_stream(response.status, response.headers, response.body, expected)
            )
        self.receive_response(response)
        action = self.next_action()
        assert isinstance(action, Fail), action
        return action.error

    def redact(self, error: MeshAPIError) -> MeshAPIError:
        """``error`` with this call's secrets taken out of all it shows (in place): what a
        server sent may echo the token or a provider key back."""
        if self._secrets:
            redact(error, [secret.get_secret_value() for secret in self._secrets])
        return error

    def time_left(self) -> Optional[float]:
        """Seconds before the call's deadline, or ``None`` without one."""
        return self._time_left()

    def _send(self) -> Union[Send, Fail]:
        left = self._time_left()
        if left is not None and left <= 0:
            return Fail(_deadline_error(self._deadline_seconds()))
        request = self._request
        if left is not None:
            request = replace(request, timeout=request.timeout.capped(left))
        self._attempt += 1
        return Send(request, self._attempt - 1)

    def _retry_or_fail(self, error: MeshAPIError) -> Union[Sleep, Fail]:
        left = self._time_left()
        if self._replayable and self._policy.replays_at_once(error, self._replays):
            if left is not None and left <= 0:
                return Fail(self.redact(error))
            self._replays += 1  # nothing was answered: not one of the policy's retries
            return Sleep(0.0)
        if not self._retryable:
            return Fail(self.redact(error))
        wait = self._policy.delay_before_retry(
            self._attempt - 1 - self._replays, error, random=self._runtime.random
        )
        if wait is None:
            return Fail(self.redact(error))
        if left is not None and wait >= left:
            return Fail(self.redact(error))
        return Sleep(wait)

    def _time_left(self) -> Optional[float]:
        if self._deadline is None:
            return None
        return self._deadline - self._runtime.clock()

    def _deadline_seconds(self) -> float:
        assert self._deadline is not None
        return self._deadline - self._started


def _deadline_error(seconds: float) -> MeshAPIError:
    return APITimeoutError(f"The call's deadline of {seconds:g} s passed")
