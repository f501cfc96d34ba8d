"""Job, batch and usage pages stay fast with many photos: their query count does not grow with them."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from enhancer.jobs import ledger
from enhancer.models import JobEvent, JobStatus
from tests.support.batches import make_batch
from tests.support.finished import finished_job
from tests.support.jobs import make_job


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def charged_jobs(user, catalogue, count, start=0):
    models = list(catalogue.values())
    for n in range(start, start + count):
        job = finished_job(user, models[n % len(models)], img_url=f"https://photos.example.com/{n}.png")
        ledger.record_charge(job, f"hp-{n}", 10)


def test_the_job_page_makes_as_many_queries_for_a_long_timeline_among_many_photos(
    alice_client, alice, catalogue
):
    job = finished_job(alice, catalogue["general_2x"])
    charged_jobs(alice, catalogue, 2)
    few = queries_for(alice_client, f"/jobs/{job.pk}/")

    charged_jobs(alice, catalogue, 40, start=2)
    JobEvent.objects.bulk_create(
        JobEvent(job=job, status=JobStatus.CONVERTING, message=f"Still enhancing ({n}).") for n in range(30)
    )

    assert queries_for(alice_client, f"/jobs/{job.pk}/") == few


def test_the_batch_page_makes_as_many_queries_for_thirty_photos_as_for_three(alice_client, alice, general_2x):
    statuses = [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CONVERTING]
    small, _ = make_batch(alice, general_2x, statuses)
    big, _ = make_batch(alice, general_2x, statuses * 10, names=[f"big-{n}" for n in range(30)])

    assert queries_for(alice_client, f"/batches/{big.pk}/") == queries_for(
        alice_client, f"/batches/{small.pk}/"
    )


def test_the_usage_page_makes_as_many_queries_for_forty_charges_as_for_two(alice_client, alice, catalogue):
    charged_jobs(alice, catalogue, 2)
    make_job(JobStatus.FAILED, user=alice)
    few = queries_for(alice_client, "/usage/")

    charged_jobs(alice, catalogue, 40, start=2)

    assert queries_for(alice_client, "/usage/") == few
