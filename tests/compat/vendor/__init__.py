"""Programs written for meshapi 0.1.11 (the vendor's SDK), as its users wrote them.

Each is a small program, run unchanged against the emulator by ``tests/compat/test_vendor.py``
(the async ones on asyncio and on trio) and checked by ``mypy --strict`` (``scripts/lint``).
They read the gateway's address and key from ``MESHAPI_BASE_URL`` and ``MESHAPI_TOKEN``.
"""
