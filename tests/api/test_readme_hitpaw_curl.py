"""The README's curl example of HitPaw's API served by the desk, run as written against a live server."""

import pytest

from enhancer.api.tokens import make_token
from enhancer.models import Job
from tests.support.readme import curl_commands, run_json

MARKER = "<!-- hitpaw-curl-example:"
EXAMPLE_JOB = "desk-123"


@pytest.mark.django_db(transaction=True)
def test_the_readme_curl_calls_work_as_written(live_server, alice, catalogue):
    _, token = make_token(alice, "readme")
    enhance, status = curl_commands(MARKER, live_server.url, token)
    taken = run_json(enhance)
    job = Job.objects.get()
    assert taken["job_id"] == taken["data"]["job_id"] == f"desk-{job.pk}"
    assert taken["consume_coins"] == 10
    assert job.sent_by_api and job.user == alice
    answer = run_json(status.replace(EXAMPLE_JOB, taken["job_id"]))
    assert (answer["code"], answer["status"], answer["res_url"]) == (200, "CONVERTING", "")
