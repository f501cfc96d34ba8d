"""Against the fake HitPaw server that records every charge: the usage page, its chart and its CSV equal it."""

import csv
import io
import re

import pytest

from enhancer.hitpaw.client import HitPawClient
from enhancer.jobs import intake, pipeline
from enhancer.models import Job
from tests.support.jobs import step


@pytest.fixture
def desk(settings, fake, monkeypatch):
    settings.ENHANCER_ALLOW_PRIVATE_URLS = True
    monkeypatch.setattr(pipeline, "BACKOFF_BASE_SECONDS", 0.01)
    fake.reset()
    return HitPawClient("test-key", fake.url, retry_submissions=False)


def run_to_the_end(job: Job, client: HitPawClient) -> Job:
    for _ in range(30):
        if job.is_terminal:
            return job
        job = step(job, client)
    raise AssertionError(f"job {job.pk} stuck at {job.status}")


@pytest.mark.django_db(transaction=True)
def test_usage_totals_chart_and_csv_equal_what_hitpaw_charged(desk, fake, alice_client, alice, catalogue):
    urls = [
        fake.image_url(64, 48),  # 10 coins
        fake.image_url(1000, 1000),  # 4x: 16 MP out, 30 coins
        fake.image_url(64, 48, fault="submit_429:1"),  # refused once (no charge), then charged
    ]
    jobs = intake.create_jobs(alice, urls[:1], catalogue["general_2x"])
    jobs += intake.create_jobs(alice, urls[1:2], catalogue["general_4x"])
    jobs += intake.create_jobs(alice, urls[2:], catalogue["general_2x"])
    for job in jobs:
        run_to_the_end(job, desk)

    charged = sum(job["coins"] for job in fake.stats()["jobs"].values())
    page = alice_client.get("/usage/", {"range": "today"}).content.decode()
    rows = list(
        csv.DictReader(
            io.StringIO(alice_client.get("/usage/coins.csv", {"range": "today"}).content.decode("utf-8-sig"))
        )
    )
    chart = [int(c) for c in re.findall(r'data-coins="(\d+)"', page)]

    assert fake.stats()["charges"] == 3
    assert charged == 10 + 30 + 10
    assert int(re.search(r"data-range-total>(\d+)<", page).group(1)) == charged
    assert sum(chart) == charged
    assert sum(int(row["Coins"]) for row in rows) == charged
    assert sorted(row["HitPaw job number"] for row in rows) == sorted(fake.stats()["jobs"])
