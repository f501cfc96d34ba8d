#!/usr/bin/env python3
"""Render the fault-injection results into docs/reliability.md.

Reads what the last `pytest -m faults` run observed (test-artifacts/reliability.json, written by
tests/system/test_faults.py, and test-artifacts/crash-recovery.json, written by tests/system/test_crash_recovery.py)
and rewrites the part of docs/reliability.md between its `<!-- results:start -->` and
`<!-- results:end -->` markers. `--print` writes the Markdown to stdout instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from doc_blocks import fill_block

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
DOC = ROOT / "docs" / "reliability.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"

# Fault name (before any ":") -> what it stands for, in words.
MEANING = {
    "(none)": "nothing goes wrong",
    "submit_429": "HitPaw refuses the first submits: too many requests (its own error body)",
    "submit_500": "HitPaw refuses the first submit: internal error (its own error body)",
    "submit_502_gateway": "HitPaw takes the photo, then a proxy answers 502 with an HTML page",
    "submit_drop": "HitPaw takes the photo, then the connection closes without an answer",
    "submit_slow": "HitPaw takes the photo but answers after our read timeout",
    "submit_malformed": "HitPaw takes the photo but its answer is not valid JSON",
    "submit_error": "HitPaw refuses the photo with a documented error code",
    "submit_429_bare": "a rate limiter in front of HitPaw answers a bare 429 page (no HitPaw body)",
    "submit_ok_null_error": 'HitPaw accepts, and its answer also carries `"error_code": null`',
    "submit_operation_timeout": 'HitPaw takes the photo, then answers 100500007 "operation timeout"',
    "status_bad_key": "the key is rejected on status checks (rotated mid-flight), then accepted again",
    "result_down": "the result link answers 503 for 8 s: longer than the old three quick tries",
    "status_429": "status checks are refused: too many requests",
    "status_500": "status checks fail: internal error",
    "status_malformed": "status answers are not valid JSON",
    "status_unknown": "HitPaw reports a status nobody has seen before",
    "status_running_variants": "HitPaw reports WAITING, PENDING, INPUT_PREPARING, OUTPUT_SAVING",
    "status_error": "HitPaw reports ERROR",
    "status_failed": "HitPaw reports a failed status (NSFW)",
    "status_never": "HitPaw says CONVERTING forever (the job's deadline passes)",
    "status_missing": "HitPaw no longer knows the job (110400002)",
    "result_403": "the result link answers 403 (expired)",
    "result_404": "the result link answers 404",
    "result_not_image": "the result link serves text, not an image",
    "result_truncated": "the result download is cut off halfway",
    "result_huge": "the result is an endless stream (larger than our size cap)",
    "envelope_top": "success bodies carry their fields at the top level",
    "envelope_msg0": 'success bodies use `code: 0` and "msg"',
}


def cell(value) -> str:
    text = "—" if value in (None, "") else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def fault_table(rows: list[dict]) -> list[str]:
    lines = [
        "| Fault (in the image link) | What it simulates | Final status | Charges | HitPaw code | Message staff see |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        fault = row["fault"]
        label = "none" if fault == "(none)" else f"`{fault}`"
        meaning = row.get("meaning") or MEANING.get(fault.split(":")[0], "")
        lines.append(
            "| "
            + " | ".join(
                [
                    label,
                    cell(meaning),
                    cell(row["status"]),
                    cell(row["charges"]),
                    cell(row["error_code"]),
                    cell(row["message"]),
                ]
            )
            + " |"
        )
    return lines


def crash_section(crash: dict) -> list[str]:
    lines = [
        f"Kill rounds (seed {crash['seed']}, {crash['jobs']} jobs, SIGKILL of the whole cluster, then a restart):",
        "",
        "| Round | First step after the (re)start | Jobs by status at the kill | Caught mid-submission |",
        "|---|---|---|---|",
    ]
    for entry in crash["rounds"]:
        statuses = ", ".join(f"{name} {count}" for name, count in sorted(entry["statuses_at_kill"].items()))
        resumed = entry.get("resumed_after_seconds")
        lines.append(
            f"| {entry['round']} | {cell(resumed and f'{resumed} s')} | {statuses} | {entry['caught_mid_submit']} |"
        )
    final = ", ".join(f"{name} {count}" for name, count in sorted(crash["final"].items()))
    lines += [
        "",
        f"Final: {final}. {crash['caught_mid_submit']} job(s) caught mid-submission, all `needs_review` "
        f"({crash.get('review_charged', '?')} of them had been charged by HitPaw). "
        f"{crash['charged_photos']} photos charged, at most {crash['max_charges_per_photo']} charge per photo. "
        f"{crash['seconds']} s from the first start to the last job's end.",
    ]
    return lines


def render() -> str:
    faults = json.loads((ARTIFACTS / "reliability.json").read_text())
    lines = [START, "", f"Observed on {faults['generated_at']}.", "", *fault_table(faults["rows"])]
    crash_path = ARTIFACTS / "crash-recovery.json"
    if crash_path.exists():
        lines += ["", *crash_section(json.loads(crash_path.read_text()))]
    return "\n".join([*lines, "", END])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="write the Markdown to stdout only")
    args = parser.parse_args(argv)
    try:
        block = render()
    except FileNotFoundError as missing:
        print(
            f"{missing.filename} is missing: run `.venv/bin/python -m pytest -m faults` first.",
            file=sys.stderr,
        )
        return 1
    if args.print:
        print(block)
        return 0
    return fill_block(DOC, START, END, block, ROOT)


if __name__ == "__main__":
    sys.exit(main())
