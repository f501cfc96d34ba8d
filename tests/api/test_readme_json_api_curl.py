"""The README's curl examples of the JSON API, run as written against a live server."""

import pytest

from enhancer.api.tokens import make_token
from enhancer.models import Job, JobStatus
from tests.support.readme import curl_commands, run_json

MARKER = "<!-- json-api-curl-example:"


@pytest.mark.django_db(transaction=True)
def test_the_readme_curl_calls_work_as_written(live_server, alice, catalogue):
    _, token = make_token(alice, "readme")
    send, listing, usage = curl_commands(MARKER, live_server.url, token)
    sent = run_json(send)
    job = Job.objects.get()
    assert [photo["id"] for photo in sent["photos"]] == [job.pk] and sent["batch_id"] is None
    assert job.user == alice and job.status == JobStatus.QUEUED
    listed = run_json(listing)
    assert [photo["id"] for photo in listed["items"]] == [job.pk] and listed["next"] is None
    assert run_json(usage)["total"] == 0
