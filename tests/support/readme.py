"""The README's examples, as a reader would copy them: its fenced blocks and its curl commands."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLE_ADDRESS = "https://desk.example.com"
EXAMPLE_TOKEN = "edk_your_token"


def readme_block(marker: str) -> str:
    """The fenced block right after `marker` in the README."""
    after = README.read_text().split(marker, 1)[1]
    found = re.search(r"```\w*\n(.*?)```", after, re.S)
    assert found, f"no code block after {marker} in the README"
    return found.group(1)


def curl_commands(marker: str, address: str, token: str) -> list[str]:
    """The block's commands (separated by blank lines), pointed at `address` with `token`."""
    block = readme_block(marker).replace(EXAMPLE_ADDRESS, address).replace(EXAMPLE_TOKEN, token)
    return [part for part in block.split("\n\n") if part.strip()]


def run_json(command: str) -> dict:
    """Run a shell command as written and read its output as JSON."""
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(done.stdout)
