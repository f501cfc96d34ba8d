"""tests/support/hitpaw_sdk.py is HitPaw's published client, unchanged: only its lost indentation is back.

The vendor's docs (a copy in tests/data/hitpaw-api-docs.txt) print the "Complete Workflow Example"
without indentation; the copy must equal that text once all whitespace is ignored.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "tests" / "data" / "hitpaw-api-docs.txt"
SDK = ROOT / "tests" / "support" / "hitpaw_sdk.py"


def without_whitespace(text: str) -> str:
    return re.sub(r"\s", "", text)


def docs_example() -> str:
    """The docs' text from the line after the example's heading sentence to the "Support" heading."""
    after = DOCS.read_text().split("Here's a complete example", 1)[1].split("\n", 1)[1]
    return after.split("\nSupport\n", 1)[0]


def test_the_sdk_is_the_docs_example_unchanged():
    assert "class HitPawAPIClient" in docs_example()
    assert without_whitespace(SDK.read_text()) == without_whitespace(docs_example())


def test_the_sdk_has_the_docs_calls():
    from tests.support.hitpaw_sdk import HitPawAPIClient

    client = HitPawAPIClient(api_key="k", base_url="http://127.0.0.1:9/hitpaw")
    assert client.headers == {"Content-Type": "application/json", "Apikey": "k"}
    assert callable(client.enhance_photo) and callable(client.wait_for_completion)
