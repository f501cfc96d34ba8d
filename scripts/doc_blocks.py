"""Fill the generated block of a document: the text between its start and end markers."""

from __future__ import annotations

import sys
from pathlib import Path


def fill_block(doc: Path, start: str, end: str, block: str, root: Path) -> int:
    """Put `block` between `start` and `end` in `doc`; 0 on success, 1 (with a message) if they are missing."""
    text = doc.read_text()
    if start not in text or end not in text:
        print(f"{doc} has no {start} … {end} block to fill.", file=sys.stderr)
        return 1
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    doc.write_text(before + block + after)
    print(f"Updated {doc.relative_to(root)}.")
    return 0
