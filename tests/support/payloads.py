"""Where the client tests point, and the vendor payloads recorded in tests/data/."""

import json
from pathlib import Path

BASE = "https://api.hitpaw.test"
SUBMIT = f"{BASE}/api/photo-enhancer"
STATUS = f"{BASE}/api/task-status"
KEY = "sk-test-4c1d9e7f"
JOB_ID = "f5007c0b-e902-4070-8c75-f337d896168f"
DATA = Path(__file__).resolve().parent.parent / "data"


def payload(name: str):
    """A recorded vendor answer, e.g. `payload("submit_ok")`."""
    return json.loads((DATA / f"{name}.json").read_text())
