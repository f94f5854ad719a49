"""Identifiers in the gateway's formats, drawn from the injected clock and random source.

``req_<ULID>`` request ids, ``rsk_``/``mak_`` tokens, ``chatcmpl-`` completion ids, ``call_``
tool-call ids and template UUIDs. A ULID here is 26 Crockford base-32 characters: 10 for the
millisecond timestamp, 16 of randomness. With a seeded ``random.Random`` and a fake clock every
id is reproducible.

Secrets are not ids: a credential (:meth:`IdFactory.token`) and anything else that grants
access (:meth:`IdFactory.secret`: a session token's signature, a signed URL's token) draw
their randomness from ``secrets``, never from the seeded generator, so an emulator
listening on a port never hands out a token another run could predict.
"""

from __future__ import annotations

import random
import secrets
import uuid

from .clock import Clock

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


class IdFactory:
    """Mints ids; not thread-safe by itself (the gateway calls it under its lock)."""

    def __init__(self, clock: Clock, rng: random.Random) -> None:
        self._clock = clock
        self._rng = rng

    def ulid(self) -> str:
        """A 26-character ULID-like string: timestamp then randomness."""
        return self._stamp() + "".join(self._rng.choice(CROCKFORD) for _ in range(16))

    def _stamp(self) -> str:
        millis = int(self._clock.time() * 1000) & ((1 << 48) - 1)  # 10 digits, 5 bits each
        return "".join(CROCKFORD[(millis >> shift) & 31] for shift in range(45, -1, -5))

    def request_id(self) -> str:
        """A ``req_<ULID>`` request id."""
        return "req_" + self.ulid()

    def token(self, prefix: str) -> str:
        """A credential such as ``rsk_<ULID>``, its 16 random characters from
        ``secrets`` (80 bits: unpredictable, whatever the seed)."""
        return prefix + self._stamp() + "".join(secrets.choice(CROCKFORD) for _ in range(16))

    def secret(self, length: int) -> str:
        """``length`` letters and digits from ``secrets``, for what grants access."""
        return "".join(secrets.choice(_ALNUM) for _ in range(length))

    def alnum(self, length: int) -> str:
        """``length`` random letters and digits."""
        return "".join(self._rng.choice(_ALNUM) for _ in range(length))

    def completion_id(self) -> str:
        """A ``chatcmpl-...`` id."""
        return "chatcmpl-" + self.alnum(24)

    def call_id(self) -> str:
        """A ``call_...`` tool-call id."""
        return "call_" + self.alnum(24)

    def uuid(self) -> str:
        """A random (version 4) UUID string."""
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
