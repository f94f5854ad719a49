"""What the first call of a never-used resource costs, beyond the same call made again.

Resources and their models load on first use, so ``import meshapi`` stays cheap however large
the API grows; the price is paid by the first call of each resource (its modules, its models'
schemas). This measures that price: in a fresh interpreter per resource, a client on the
emulator's in-process transport (no sockets) makes one chat completion (so the engine itself
is warm), then the resource's call twice; the figure is the first call's time minus the
second's, the emulator's own time to answer left out of both. Run ``python -m bench.first_call`` for a JSON object of milliseconds per resource.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Dict

CASES: Dict[str, str] = {
    "embeddings.create": "client.embeddings.create(model='openai/text-embedding-3-small', input='hi')",
    "responses.create": "client.responses.create(model='openai/gpt-4o-mini', input='hi')",
    "batches.list": "client.batches.list()",
    "templates.list": "client.templates.list()",
    "moderations.create": "client.moderations.create(input='hello')",
    "web.search": "client.web.search(query='mesh')",
    "messages.create": (
        "client.messages.create(model='anthropic/claude-haiku-4.5', max_tokens=16, "
        "messages=[{'role': 'user', 'content': 'hi'}])"
    ),
    "usage.summary": "client.usage.summary()",
}

_PROGRAM = """
import time
from meshapi import MeshAPI
from meshapi.testing import Gateway, InProcessTransport
gateway = Gateway()
served = [0.0]
handle = gateway.handle
def timed(request):
    start = time.perf_counter()
    try:
        return handle(request)
    finally:
        served[0] += time.perf_counter() - start
gateway.handle = timed
client = MeshAPI(base_url="http://127.0.0.1", token=gateway.token,
                 transport=InProcessTransport(gateway))
client.chat.completions.create(model="mesh/echo", messages=[{"role": "user", "content": "hi"}])
served[0] = 0.0
t0 = time.perf_counter()
CALL
t1 = time.perf_counter()
first, served[0] = t1 - t0 - served[0], 0.0
CALL
second = time.perf_counter() - t1 - served[0]
print(first - second)
"""


def first_call_ms(call: str) -> float:
    """Milliseconds the first ``call`` takes beyond the second, in a fresh interpreter."""
    program = _PROGRAM.replace("CALL", call)
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    return float(out.stdout) * 1000


def main() -> None:
    """Print ``{resource: milliseconds}`` as JSON."""
    print(json.dumps({name: first_call_ms(call) for name, call in CASES.items()}))


if __name__ == "__main__":
    main()
