"""The README's curl examples of the JSON API, run as written against a live server."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from enhancer.api.tokens import make_token
from enhancer.models import Job, JobStatus

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "<!-- json-api-curl-example:"
EXAMPLE_ADDRESS = "https://desk.example.com"
EXAMPLE_TOKEN = "edk_your_token"


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
    send, listing, usage = [part for part in block.split("\n\n") if part.strip()]
    sent = run(send)
    job = Job.objects.get()
    assert [photo["id"] for photo in sent["photos"]] == [job.pk] and sent["batch_id"] is None
    assert job.user == alice and job.status == JobStatus.QUEUED
    listed = run(listing)
    assert [photo["id"] for photo in listed["items"]] == [job.pk] and listed["next"] is None
    assert run(usage)["total"] == 0
