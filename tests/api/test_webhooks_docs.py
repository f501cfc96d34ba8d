"""docs/webhooks.md's Python example runs and verifies what the desk sends (and refuses a forgery)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from enhancer.models.webhooks import new_secret
from enhancer.webhooks.sender import signed_headers

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def test_the_python_example_verifies_a_signed_delivery():
    block = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(block, str(DOC), "exec"), namespace)
    secret, body = new_secret(), '{"type":"ping","data":{}}'
    headers = signed_headers(secret, "msg_1", body, datetime.now(UTC))
    assert namespace["verified_event"](secret, body, headers) == {"type": "ping", "data": {}}
    assert namespace["verified_event"](new_secret(), body, headers) is None
    assert namespace["verified_event"](secret, body.replace("ping", "pong"), headers) is None
