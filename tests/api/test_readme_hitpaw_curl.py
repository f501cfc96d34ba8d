"""The README's curl example of HitPaw's API served by the desk, run as written against a live server."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from enhancer.api.tokens import make_token
from enhancer.models import Job

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "<!-- hitpaw-curl-example:"
EXAMPLE_ADDRESS = "https://desk.example.com"
EXAMPLE_TOKEN = "edk_your_token"
EXAMPLE_JOB = "desk-123"


def readme_block(marker: str) -> str:
    """The fenced block right after `marker` in the README."""
    after = README.read_text().split(marker, 1)[1]
    return re.search(r"```\w*\n(.*?)```", after, re.S).group(1)


def run(command: str) -> dict:
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(done.stdout)


@pytest.mark.django_db(transaction=True)
def test_the_readme_curl_calls_work_as_written(live_server, alice, catalogue):
    _, token = make_token(alice, "readme")
    block = readme_block(MARKER).replace(EXAMPLE_ADDRESS, live_server.url).replace(EXAMPLE_TOKEN, token)
    enhance, status = [part for part in block.split("\n\n") if part.strip()]
    taken = run(enhance)
    job = Job.objects.get()
    assert taken["job_id"] == taken["data"]["job_id"] == f"desk-{job.pk}"
    assert taken["consume_coins"] == 10
    assert job.sent_by_api and job.user == alice
    answer = run(status.replace(EXAMPLE_JOB, taken["job_id"]))
    assert (answer["code"], answer["status"], answer["res_url"]) == (200, "CONVERTING", "")
