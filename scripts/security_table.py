#!/usr/bin/env python3
"""Render the bad-input battery's results into docs/security.md.

Reads what the last full run of tests/web/test_bad_input_battery.py observed
(test-artifacts/security-battery.json) and rewrites the part of docs/security.md between its
`<!-- battery:start -->` and `<!-- battery:end -->` markers. `--print` writes the Markdown to
stdout instead. A partial run (`-k`) is refused: the table lists every case or none.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path

from doc_blocks import fill_block

ROOT = Path(__file__).resolve().parent.parent
ARTIFACT = ROOT / "test-artifacts" / "security-battery.json"
DOC = ROOT / "docs" / "security.md"
START, END = "<!-- battery:start -->", "<!-- battery:end -->"
RUN = ".venv/bin/python -m pytest -p no:cacheprovider tests/web/test_bad_input_battery.py"
SHOWN = 90  # characters of an input shown in the table


def text(value: str, limit: int | None = None) -> str:
    """Safe inside a Markdown table: markup escaped, no pipes or line breaks, long input cut."""
    value = value.replace("\n", " ⏎ ")
    if limit and len(value) > limit:
        value = value[:limit] + "…"
    return html.escape(value, quote=False).replace("|", "&#124;")


def render(results: dict) -> str:
    rows = results["rows"]
    lines = [
        START,
        "",
        f"Observed on {results['generated_at']} ({results['database']}), {len(rows)} cases, with a "
        f"{results['cap_bytes'] // (1024 * 1024)} MB size cap (the default is 50 MB). In every row no "
        "coin was charged, HitPaw was not called, nothing was stored, and no connection was made but "
        "to the app's own database and Redis and, where a link is served, to the loopback server "
        "standing in for the public site.",
        "",
        "| # | Input | Where | Outcome: the message staff see |",
        "|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['number']} | {text(row['name'])}: <code>{text(row['input'], SHOWN)}</code> "
            f"| {row['kind']} | {text(row['outcome'])}: {text(row['message'], 200)} |"
        )
    return "\n".join([*lines, "", END])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="write the Markdown to stdout only")
    args = parser.parse_args(argv)
    try:
        results = json.loads(ARTIFACT.read_text())
    except FileNotFoundError:
        print(f"{ARTIFACT} is missing: run `{RUN}` first.", file=sys.stderr)
        return 1
    if len(results["rows"]) != results["cases_total"]:
        print(
            f"The last run covered {len(results['rows'])} of {results['cases_total']} cases: "
            f"run the whole battery (`{RUN}`) first.",
            file=sys.stderr,
        )
        return 1
    block = render(results)
    if args.print:
        print(block)
        return 0
    return fill_block(DOC, START, END, block, ROOT)


if __name__ == "__main__":
    sys.exit(main())
