"""History stays fast with many photos: the number of database queries does not grow with them."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from enhancer.models import JobStatus
from tests.support.jobs import make_job


def queries_for_history(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/jobs/?status=done").status_code == 200
    return len(captured.captured_queries)


def test_it_makes_as_many_queries_for_twenty_photos_as_for_two(alice_client, alice, catalogue):
    models = list(catalogue.values())
    for n in range(2):
        make_job(JobStatus.COMPLETED, user=alice, model=models[n], coins=10, original="originals/a.png")
    few = queries_for_history(alice_client)
    for n in range(40):
        make_job(JobStatus.COMPLETED, user=alice, model=models[n % 12], coins=10, original="originals/b.png")
    assert queries_for_history(alice_client) == few
