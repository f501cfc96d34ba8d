"""Two task clusters with their tickers, standing in for two worker hosts, on one PostgreSQL and one Redis.

Each `manage.py qcluster` (and the `manage.py runticker` beside it) has its own environment (its number of workers) and its own log, and both
share the database, the Redis queue and the media folder, as worker hosts do. Both must keep the
same django-q2 cluster name: with Redis it is the queue's key, so differently named clusters would
not share work. What an operator relies on: a ticker on every host at once, no photo handed out
twice, the photos spread over both, and when one host dies (SIGKILL, mid-flight) the other takes
over its jobs, finishing every photo without paying HitPaw twice.

We kill the host once every photo has been sent: a photo caught mid-send goes to an admin, never
out again (tests/system/test_crash_recovery.py covers that), and here every one must complete.
"""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest
from django.conf import settings
from django_q.brokers import get_broker

from enhancer.jobs import intake
from enhancer.models import TERMINAL_STATUSES, CoinCharge, Job, JobStatus
from enhancer.ops import health
from tests.support.cluster import Cluster, describe_jobs
from tests.support.images import image_size

SCALE_OUT = "postgresql" in settings.DATABASES["default"]["ENGINE"] and "redis" in settings.Q_CLUSTER

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not SCALE_OUT, reason="needs PostgreSQL and Redis: run scripts/test-scale-out.sh"),
]

JOBS = 40
WORKERS = {"host-a": 3, "host-b": 4}
# Enough status polls that photos are still at HitPaw when the ticking host dies.
POLLS = 16
START_SECONDS = 60
SENT_SECONDS = 60
FINISH_SECONDS = 90
LOG_TAIL_LINES = 40

TICKER_STARTED = "Ticker started on"
ACCEPTED_LINE = re.compile(r"Job (\d+): HitPaw accepted it as HitPaw job", re.MULTILINE)


@pytest.fixture
def hosts(settings, tmp_path, catalogue, fake):
    """Two clusters and their tickers (not started) on this test's database, Redis and media folder.

    Tasks left in the queue by an earlier run are dropped.
    """
    settings.ENHANCER_ALLOW_PRIVATE_URLS = True
    get_broker().purge_queue()
    clusters = {
        name: Cluster(
            fake.url,
            settings.MEDIA_ROOT,
            tmp_path / f"{name}.log",
            ENHANCER_WORKERS=workers,
        )
        for name, workers in WORKERS.items()
    }
    yield clusters
    for cluster in clusters.values():
        cluster.kill()


def log_of(cluster: Cluster) -> str:
    try:
        return cluster.log_path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def sent_by(cluster: Cluster) -> set[int]:
    """The jobs this cluster sent to HitPaw, from its log."""
    return {int(pk) for pk in ACCEPTED_LINE.findall(log_of(cluster))}


def wait_for(condition, timeout: float, what: str, clusters: dict[str, Cluster], job_ids) -> None:
    """Poll `condition`; on timeout fail with the jobs' states and both clusters' logs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    logs = "\n".join(
        f"--- {name} (last {LOG_TAIL_LINES} lines):\n{cluster.log_tail(LOG_TAIL_LINES)}"
        for name, cluster in clusters.items()
    )
    raise AssertionError(
        f"Timed out after {timeout:.0f} s waiting for {what}.\n{describe_jobs(job_ids)}\n{logs}"
    )


def unique_url(fake, n: int) -> str:
    """Each job its own img_url (the fake ignores unknown parameters), so HitPaw's charges count per job."""
    return f"{fake.image_url(64, 48, 'png', polls=POLLS)}&n={n}"


def test_two_hosts_tick_at_once_share_the_work_and_survive_losing_one(hosts, fake, alice, general_2x):
    for cluster in hosts.values():
        cluster.start()

    def both_up_and_ticking() -> bool:
        ticking = all(TICKER_STARTED in log_of(cluster) for cluster in hosts.values())
        return ticking and health.clusters()["clusters_alive"] == 2

    wait_for(both_up_and_ticking, START_SECONDS, "both clusters and their tickers to start", hosts, [])
    urls = [unique_url(fake, n) for n in range(JOBS)]
    job_ids = [job.pk for job in intake.create_jobs(alice, urls, general_2x)]

    def every_photo_sent() -> bool:
        return not Job.objects.filter(pk__in=job_ids, hitpaw_job_id="").exists()

    wait_for(every_photo_sent, SENT_SECONDS, "every photo to be sent to HitPaw", hosts, job_ids)
    both_alive = health.clusters()
    victim, survivor = "host-a", "host-b"
    hosts[victim].kill()
    in_flight = Counter(
        Job.objects.filter(pk__in=job_ids)
        .exclude(status__in=TERMINAL_STATUSES)
        .values_list("status", flat=True)
    )

    wait_for(
        lambda: not Job.objects.filter(pk__in=job_ids).exclude(status__in=TERMINAL_STATUSES).exists(),
        FINISH_SECONDS,
        "every job to finish",
        hosts,
        job_ids,
    )
    finished = Job.objects.in_bulk(job_ids)
    stats = fake.stats()
    sent = {name: sent_by(cluster) for name, cluster in hosts.items()}
    sent_counts = {name: len(jobs) for name, jobs in sent.items()}
    print(
        f"\ntwo clusters: {victim} killed with {dict(in_flight)} in flight; photos sent by each: {sent_counts}"
    )

    # Both clusters ran, as the System page shows them.
    assert both_alive["clusters_alive"] == 2, both_alive
    # (a) Both hosts ticked at once (their claims are the guard; (b) shows no photo went out twice).
    assert all(TICKER_STARTED in log_of(cluster) for cluster in hosts.values())
    # (b) The work spread over both: each sent photos to HitPaw, and no photo was sent by both.
    assert sent[victim] and sent[survivor], sent
    assert sent[victim] | sent[survivor] == set(job_ids) and not sent[victim] & sent[survivor]
    # (c) The survivor finished every job, the killed host's too, and HitPaw charged each photo once.
    assert in_flight[JobStatus.CONVERTING] + in_flight[JobStatus.DOWNLOADING] > 0, in_flight
    assert {job.status for job in finished.values()} == {JobStatus.COMPLETED}, describe_jobs(job_ids)
    assert stats["submit_calls"] == JOBS
    assert sorted(stats["charges_by_img_url"].values()) == [1] * JOBS
    assert all(image_size(job.result.read()) == (128, 96) for job in finished.values())
    charges = Counter(CoinCharge.objects.filter(job_id__in=job_ids).values_list("job_id", flat=True))
    assert charges == Counter(job_ids)  # one ledger entry per job
    assert all(job.coins == stats["jobs"][job.hitpaw_job_id]["coins"] for job in finished.values())
