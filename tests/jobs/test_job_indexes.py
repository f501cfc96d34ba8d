"""The job table keeps few indexes (each of a job's ~10 updates writes an entry in every one), yet
the frequent lookups of the workers and pages still find their rows through an index, not by
reading every job: a batch task's jobs by its token, a batch's photos, a person's history."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enhancer.jobs import lifecycle, scheduler
from enhancer.models import Batch, Job, JobStatus
from tests.support.jobs import default_model

pytestmark = pytest.mark.django_db

JOBS = 3000
PEOPLE = 30


@pytest.fixture
def many_jobs():
    """3,000 jobs of 30 people, a few in batches and a few claimed, with the table's statistics."""
    model = default_model()
    people = [get_user_model().objects.create(username=f"person{n}") for n in range(PEOPLE)]
    batches = [Batch.objects.create(user=people[n], model=model) for n in range(5)]
    now = timezone.now()
    Job.objects.bulk_create(
        Job(
            user=people[n % PEOPLE],
            model=model,
            model_name=model.name,
            img_url=f"https://photos.example/{n}.png",
            status=JobStatus.COMPLETED,
            deadline_at=lifecycle.new_deadline(now),
            batch=batches[(n // 100) % 5] if n % 100 == 0 else None,
            lease_token=f"token{n // 8}" if n % 50 < 8 else "",
        )
        for n in range(JOBS)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return people, batches


def plan(sql: str, params=()) -> str:
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def reads_every_job(query_plan: str) -> bool:
    if connection.vendor == "sqlite":
        return re.search(r"\bSCAN enhancer_job\b", query_plan) is not None
    return "Seq Scan on enhancer_job" in query_plan


def test_a_batch_task_finds_its_jobs_through_an_index(many_jobs):
    with CaptureQueriesContext(connection) as queries:
        assert scheduler.run_batch("no-such-token") == 0
    lookup = next(query["sql"] for query in queries if "lease_token" in query["sql"])

    assert not reads_every_job(plan(lookup))


def test_a_batchs_photos_are_found_through_an_index(many_jobs):
    _, batches = many_jobs
    photos = Job.objects.filter(batch=batches[2]).order_by("position", "pk")

    assert photos.count() == 6
    assert not reads_every_job(plan(*photos.query.sql_with_params()))


def test_a_persons_history_is_read_through_an_index(many_jobs):
    people, _ = many_jobs
    page = Job.objects.filter(user=people[7]).order_by("-created_at", "-pk")[:50]

    assert len(page) == 50
    assert not reads_every_job(plan(*page.query.sql_with_params()))
