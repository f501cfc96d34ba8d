"""Two task clusters, standing in for two worker hosts, on one PostgreSQL database and one Redis.

Each `manage.py qcluster` has its own environment (its number of workers) and its own log, and both
share the database, the Redis queue and the media folder, as worker hosts do. Both must keep the
same django-q2 cluster name: with Redis it is the queue's key, so differently named clusters would
not share work. What an operator relies on: one ticker at a time across the hosts, the photos
spread over both, and when the ticking host dies (SIGKILL, mid-flight) the other takes over its
ticker and its jobs, finishing every photo without paying HitPaw twice.

We kill the host once every photo has been sent: a photo caught mid-send goes to an admin, never
out again (tests/system/test_crash_recovery.py covers that), and here every one must complete.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import datetime
from itertools import pairwise

import pytest
from django.conf import settings
from django.db.models.functions import Now
from django_q.brokers import get_broker
from django_q.models import Schedule

from enhancer.jobs import intake, scheduler
from enhancer.models import TERMINAL_STATUSES, CoinCharge, Job, JobStatus, Lease
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
# Longer than the run before the kill: the ticker that starts first is the one we kill.
TICKER_RUN_SECONDS = 120
START_SECONDS = 60
SENT_SECONDS = 60
FINISH_SECONDS = 90
LOG_TAIL_LINES = 40

TICKER_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO enhancer\.jobs\.scheduler: "
    r"Ticker (\w+): (started|stopped)",
    re.MULTILINE,
)
ACCEPTED_LINE = re.compile(r"Job (\d+): HitPaw accepted it as HitPaw job", re.MULTILINE)


@pytest.fixture
def hosts(settings, tmp_path, catalogue, fake):
    """Two clusters (not started) on this test's database, Redis and media folder.

    No watchdog schedule: the surviving host must take over the ticker by itself (the watchdog, a
    once-a-minute django-q2 schedule, is only the backstop). Tasks left in the queue by an earlier
    run are dropped.
    """
    settings.ENHANCER_ALLOW_PRIVATE_URLS = True
    Schedule.objects.filter(func="enhancer.tasks.watchdog").delete()
    get_broker().purge_queue()
    clusters = {
        name: Cluster(
            fake.url,
            settings.MEDIA_ROOT,
            tmp_path / f"{name}.log",
            ENHANCER_WORKERS=workers,
            ENHANCER_BATCH_SIZE=4,
            ENHANCER_TICKER_RUN_SECONDS=TICKER_RUN_SECONDS,
        )
        for name, workers in WORKERS.items()
    }
    yield clusters
    for cluster in clusters.values():
        cluster.stop()


def log_of(cluster: Cluster) -> str:
    try:
        return cluster.log_path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def tickers_in(cluster: Cluster) -> dict[str, list[datetime | None]]:
    """Each ticker that ran in this cluster: its lease holder -> [started, stopped (None: never)]."""
    tickers: dict[str, list[datetime | None]] = {}
    for at, holder, what in TICKER_LINE.findall(log_of(cluster)):
        moment = datetime.strptime(at, "%Y-%m-%d %H:%M:%S,%f")
        tickers.setdefault(holder, [None, None])[0 if what == "started" else 1] = moment
    return tickers


def sent_by(cluster: Cluster) -> set[int]:
    """The jobs this cluster sent to HitPaw, from its log."""
    return {int(pk) for pk in ACCEPTED_LINE.findall(log_of(cluster))}


def ticker_holder() -> str:
    """Who holds the ticker lease now ("" for nobody)."""
    lease = Lease.objects.filter(name=scheduler.TICKER, until__gte=Now()).first()
    return lease.holder if lease else ""


def whose_ticker(holder: str, clusters: dict[str, Cluster]) -> str | None:
    return next((name for name, cluster in clusters.items() if holder in tickers_in(cluster)), None)


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


def test_two_clusters_share_the_work_under_one_ticker_and_survive_losing_the_ticking_one(
    hosts, fake, alice, general_2x
):
    for cluster in hosts.values():
        cluster.start()

    def both_up_and_one_ticking() -> bool:
        return health.clusters()["clusters_alive"] == 2 and whose_ticker(ticker_holder(), hosts) is not None

    wait_for(both_up_and_one_ticking, START_SECONDS, "both clusters to start and one to tick", hosts, [])
    urls = [unique_url(fake, n) for n in range(JOBS)]
    job_ids = [job.pk for job in intake.create_jobs(alice, urls, general_2x)]

    def every_photo_sent() -> bool:
        return not Job.objects.filter(pk__in=job_ids, hitpaw_job_id="").exists()

    wait_for(every_photo_sent, SENT_SECONDS, "every photo to be sent to HitPaw", hosts, job_ids)
    both_alive = health.clusters()
    dead_ticker = ticker_holder()
    victim = whose_ticker(dead_ticker, hosts)
    [survivor] = set(hosts) - {victim}
    hosts[victim].kill()
    killed_at = time.monotonic()
    in_flight = Counter(
        Job.objects.filter(pk__in=job_ids)
        .exclude(status__in=TERMINAL_STATUSES)
        .values_list("status", flat=True)
    )

    def survivor_ticks() -> bool:
        return whose_ticker(ticker_holder(), hosts) == survivor

    wait_for(
        survivor_ticks,
        4 * scheduler.lease_hold_seconds(),
        f"{survivor} to take over the ticker",
        hosts,
        job_ids,
    )
    takeover_seconds = time.monotonic() - killed_at
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
    tickers = {
        holder: (name, *times)
        for name, cluster in hosts.items()
        for holder, times in tickers_in(cluster).items()
    }
    sent_counts = {name: len(jobs) for name, jobs in sent.items()}
    print(
        f"\ntwo clusters: {victim} (ticking) killed with {dict(in_flight)} in flight; "
        f"photos sent by each: {sent_counts}; {survivor} ticking {takeover_seconds:.1f} s after the kill"
    )

    # Both clusters ran, as the System page shows them.
    assert both_alive["clusters_alive"] == 2, both_alive
    # (a) One ticker at a time across both hosts: no two tickers' runs overlap in their logs.
    # The killed ticker never said it stopped: the next one started only once its lease ran out.
    assert tickers[dead_ticker][0] == victim and tickers[dead_ticker][2] is None
    runs = sorted(tickers.items(), key=lambda run: run[1][1])
    for (before, (_, _, stopped)), (_, (_, started, _)) in pairwise(runs):
        assert before == dead_ticker or (stopped and stopped <= started), f"two tickers at once: {runs}"
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
    # (d) The survivor's ticker took over once the dead one's lease ran out (at most one hold after
    # the kill), within one more hold; its watch checks every quarter hold.
    assert takeover_seconds <= 2 * scheduler.lease_hold_seconds() + 2, takeover_seconds
