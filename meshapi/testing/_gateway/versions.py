"""Contract versions, and the headers that retire one.

``2026-08`` is the baseline served without a header or pin, ``2026-09`` the latest, and
``2026-07`` an older one still served but deprecated, so that retirement can be tested:
every response it serves (pinned by ``X-Mesh-Version`` or by the key) carries the headers
the gateway documents for it (``docs/gateway/api.md`` §0, ``errors.md`` §4):
``Deprecation`` (RFC 9745, ``@<seconds>``), ``Sunset`` (RFC 8594, an HTTP-date) and a
``Link`` to read about it (``rel="deprecation"``). The real gateway emits none today.
"""

from __future__ import annotations

from typing import Dict, Tuple

BASELINE_VERSION = "2026-08"
"""The version served to a request without ``X-Mesh-Version`` or a pinned key."""
LATEST_VERSION = "2026-09"
"""The newest version the emulator serves."""
DEPRECATED_VERSION = "2026-07"
"""A version still served, but deprecated: its responses carry ``Deprecation``/``Sunset``."""
VERSIONS = (DEPRECATED_VERSION, BASELINE_VERSION, LATEST_VERSION)
"""Every version the emulator serves, oldest first; ``X-Mesh-Version`` takes one of them."""

RETIRING: Dict[str, Tuple[Tuple[str, str], ...]] = {
    DEPRECATED_VERSION: (
        ("deprecation", "@1788220800"),  # 2026-09-01T00:00:00Z
        ("sunset", "Mon, 01 Mar 2027 00:00:00 GMT"),
        (
            "link",
            '<https://developers.meshapi.ai/docs/reference/api-versioning>; rel="deprecation"',
        ),
    ),
}
SUNSET_ON = {DEPRECATED_VERSION: "2027-03-01"}


def version_headers(version: str) -> Tuple[Tuple[str, str], ...]:
    """The headers announcing ``version``'s retirement, on every response it serves (none for
    a version that is not retiring)."""
    return RETIRING.get(version, ())
