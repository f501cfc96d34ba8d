"""Benchmark: how many `converting` jobs one real task cluster keeps polling on time.

    .venv/bin/python scripts/bench_polling.py --jobs 500 --seconds 60 [--workers 4] [--interval 5]
        [--database sqlite|postgres] [--broker orm|redis] [--warmup 10] [--latency 0]
        [--env NAME=VALUE ...] [--quiet-wait 120] [--keep]

It builds everything fresh and throws it away afterwards: a temporary folder with its own SQLite file
(or the PostgreSQL database `enhance_bench` on 127.0.0.1:5432, user postgres, dropped and recreated),
Redis db 7 flushed when `--broker redis`, `manage.py migrate`, and the fake HitPaw server from
tests/support/fake_hitpaw.py on loopback. It really submits N images to the fake with
`fault=status_never` (they stay CONVERTING forever, so every job is polled for the whole run), inserts
the N jobs as `converting`, starts `manage.py qcluster` in its own session (with the tests' runner from
tests/support/cluster.py), kicks the ticker, spreads the jobs' first `due_at` over one interval, waits
`--warmup` seconds and measures for `--seconds` (the fake answers in about a millisecond; `--latency`
makes each status call take that long, as a distant API would):

- polls/s: the fake's `status_calls` delta over the window (needed: jobs / interval);
- lateness: per job, (time between its last poll before and its last poll within the window) divided by
  the polls in between, minus the interval (from `Job.updated_at`/`poll_count`, which only a finished
  poll writes); median and p95 over jobs. A job with no poll in the window counts as starved;
- backlog, sampled every 2 s: the oldest unclaimed due job's age and the broker's queue length;
- errors: jobs no longer `converting`, cluster log lines with ERROR/Traceback, failed django-q tasks;
- connections set up in the window: TCP connections the fake HitPaw accepted, and on PostgreSQL new
  database sessions (`pg_stat_database.sessions`), each per status call: near 0 when clients and
  database connections are kept (the fake keeps connections unless `--no-keep-alive`);
- peak RSS: the sum of VmRSS over the cluster's process group, read from /proc every 0.5 s (shared pages
  count once per process, so it overstates a little).

It prints a markdown table row (and details), then stops the cluster (SIGTERM to the group, SIGKILL after
10 s) and the fake, and leaves nothing running. Only loopback traffic.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from scripts.benchkit import (  # noqa: E402
    PG_ADMIN_URL,
    Meter,
    drop_postgres,
    fresh_postgres,
    machine_busy_ticks,
    percentile,
    postgres_meter,
    read_processes,
    step,
    wait_for_quiet,
)
from tests.support.fake_hitpaw import FakeHitPaw  # noqa: E402

if TYPE_CHECKING:  # imported for real once Django is set up: it reads the app's models
    from tests.support.cluster import QCluster

API_KEY = "bench-key"
PG_BENCH_DB = "enhance_bench"
REDIS_BENCH_URL = "redis://127.0.0.1:6379/7"
STOP_GRACE_SECONDS = 10
MIGRATE_TIMEOUT = 180
TICKER_START_TIMEOUT = 60
SUBMIT_THREADS = 8
OTHER_LOAD_WARNING = 0.3  # of one core
LOG_ERROR_RE = re.compile(r"\bERROR\b|Traceback")
HEADER = (
    "| database + broker | jobs | interval | workers | polls/s (needed) | lateness median | lateness p95 "
    "| starved jobs | oldest due (max) | queue (max) | errors: jobs / log / tasks | peak RSS |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    wait_for_quiet(args.quiet_wait)
    workdir = Path(tempfile.mkdtemp(prefix="enhance-bench-"))
    fake = FakeHitPaw(api_key=API_KEY, keep_alive=args.keep_alive)
    cluster: QCluster | None = None
    try:
        env = bench_env(args, workdir)
        step(f"migrating a fresh database ({env['DATABASE_URL']})")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=PROJECT_DIR, env=env, check=True, timeout=MIGRATE_TIMEOUT,
        )  # fmt: skip
        fake.start()
        env["HITPAW_BASE_URL"] = fake.url
        step(f"fake HitPaw at {fake.url}")
        os.environ.update(env)
        import django

        django.setup()
        job_ids = create_jobs(fake, args.jobs, args.latency)
        log_path = workdir / "qcluster.log"
        cluster = start_cluster(env, log_path)
        start_ticker(args.interval)
        schedule_first_polls(job_ids, args.interval)
        step(f"warming up for {args.warmup:.0f} s")
        meters = [Meter(pgids=(cluster.process.pid,)), Meter(pgids=(fake.process.pid,)), server_meter(args)]
        watch(meters, args.warmup)
        step(f"measuring for {args.seconds:.0f} s")
        for meter in meters:
            meter.start_window()
        before = snapshot(fake, job_ids, args.database)
        samples = watch(meters, args.seconds)
        after = snapshot(fake, job_ids, args.database)
        result = summarize(args, before, after, samples, meters, log_path, job_ids)
        print_result(args, result)
        return 0
    finally:
        if cluster is not None:
            step("stopping the cluster")
            cluster.stop()
        fake.stop()
        cleanup(args, workdir)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--interval", type=float, default=5)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument(
        "--latency", type=float, default=0, metavar="SECONDS",
        help="make every status call take this long at the fake (fault status_slow), as a distant API would",
    )  # fmt: skip
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--broker", choices=("orm", "redis"), default="orm")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE",
        help="extra setting for the cluster, e.g. ENHANCER_MAX_CLAIM_PER_TICK=800 (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--quiet-wait", type=float, default=120, metavar="SECONDS",
        help="first wait up to this long for the machine to be under 20%% busy (other load skews results)",
    )  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the temp folder and the bench database")
    parser.add_argument(
        "--keep-alive", action=argparse.BooleanOptionalAction, default=True,
        help="the fake keeps HTTP connections open between calls, as a real API does",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.seconds <= 0 or args.interval <= 0 or args.warmup < 0 or args.latency < 0:
        parser.error("--jobs, --seconds and --interval must be positive")
    for item in args.env:
        if "=" not in item:
            parser.error(f"--env wants NAME=VALUE, got {item!r}")
    return args


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


# --- setup -------------------------------------------------------------------------------------------


def bench_env(args: argparse.Namespace, workdir: Path) -> dict[str, str]:
    """The environment shared by migrate, this process's Django and the cluster."""
    env = dict(os.environ)
    for name in ("DJANGO_TEST_DB_NAME", "REDIS_URL"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=fresh_database(args.database, workdir),
        HITPAW_API_KEY=API_KEY,
        ENHANCER_MEDIA_ROOT=str(workdir / "media"),
        ENHANCER_POLL_INTERVAL_SECONDS=str(args.interval),
        ENHANCER_WORKERS=str(args.workers),
        DJANGO_SETTINGS_MODULE="hitpaw_site.settings",
        NO_PROXY="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    if args.broker == "redis":
        import redis

        redis.Redis.from_url(REDIS_BENCH_URL).flushdb()
        env["REDIS_URL"] = REDIS_BENCH_URL
    env.update(item.split("=", 1) for item in args.env)
    return env


def fresh_database(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    return fresh_postgres(PG_BENCH_DB)


def create_jobs(fake: FakeHitPaw, count: int, latency: float) -> list[int]:
    """Submit `count` never-ending images to the fake, then store them as converting jobs (not yet due)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from enhancer.hitpaw.client import HitPawClient
    from enhancer.models import EnhanceModel, Job, JobStatus

    faults = ["status_never"] + ([f"status_slow:{latency:g}"] if latency else [])
    step(f"submitting {count} images to the fake (fault={','.join(faults)})")
    img_url = fake.image_url(64, 48, "png", fault=faults)
    clients = [HitPawClient(API_KEY, fake.url) for _ in range(SUBMIT_THREADS)]
    with ThreadPoolExecutor(SUBMIT_THREADS) as pool:
        submissions = list(
            pool.map(
                lambda i: clients[i % SUBMIT_THREADS].submit(img_url, "general_2x", ".png"), range(count)
            )
        )
    user = get_user_model().objects.create_user("bench", password=None)
    model = EnhanceModel.objects.get(name="general_2x")
    now = timezone.now()
    jobs = [
        Job(
            user=user, img_url=img_url, model=model, model_name=model.name, extension=".png",
            status=JobStatus.CONVERTING, message="HitPaw is enhancing your photo.",
            hitpaw_job_id=submission.job_id, coins=submission.coins, submitted_at=now,
            deadline_at=now + timedelta(days=1), due_at=None,
        )
        for submission in submissions
    ]  # fmt: skip
    Job.objects.bulk_create(jobs, batch_size=500)
    return list(Job.objects.filter(user=user).order_by("pk").values_list("pk", flat=True))


def start_cluster(env: dict[str, str], log_path: Path) -> QCluster:
    from tests.support.cluster import QCluster

    step("starting manage.py qcluster")
    return QCluster(env, log_path, grace_seconds=STOP_GRACE_SECONDS).start()


def start_ticker(interval: float) -> None:
    """Kick the ticker and wait until it holds its lease."""
    from django.db import close_old_connections

    from enhancer import tasks
    from enhancer.jobs import claims, scheduler

    tasks.kick()
    deadline = time.monotonic() + TICKER_START_TIMEOUT
    while not claims.lease_is_held(scheduler.TICKER):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the ticker did not start within {TICKER_START_TIMEOUT} s")
        time.sleep(0.2)
        close_old_connections()
    step("ticker is running")


def schedule_first_polls(job_ids: list[int], interval: float) -> None:
    """Make the jobs due one after another across the next interval, as a steady state would."""
    from django.utils import timezone

    from enhancer.models import Job

    now = timezone.now()
    jobs = [
        Job(pk=pk, due_at=now + timedelta(seconds=interval * i / len(job_ids)))
        for i, pk in enumerate(job_ids)
    ]
    Job.objects.bulk_update(jobs, ["due_at"], batch_size=500)


# --- measuring ---------------------------------------------------------------------------------------


def server_meter(args: argparse.Namespace) -> Meter:
    """The database and broker servers this configuration uses (SQLite lives inside the cluster)."""
    names = (b"redis-server",) if args.broker == "redis" else ()
    return Meter(names=names) if args.database == "sqlite" else postgres_meter(names)


def watch(meters: list[Meter], seconds: float) -> list[tuple[float, int]]:
    """Wait `seconds`, sampling the process groups every 0.5 s and the backlog every 2 s."""
    samples: list[tuple[float, int]] = []
    end = time.monotonic() + seconds
    next_backlog = time.monotonic()
    while (now := time.monotonic()) < end:
        processes = read_processes()
        for meter in meters:
            meter.sample(processes)
        if now >= next_backlog:
            samples.append(backlog())
            next_backlog = now + 2
        time.sleep(min(0.5, max(end - time.monotonic(), 0)))
    processes = read_processes()
    for meter in meters:
        meter.sample(processes)
    return samples


def backlog() -> tuple[float, int]:
    """Age of the oldest due job nobody has claimed, and the broker's queue length."""
    from django.db import close_old_connections
    from django.db.models import Min
    from django.utils import timezone
    from django_q.brokers import get_broker

    from enhancer.jobs import claims
    from enhancer.models import ACTIVE_STATUSES, Job

    close_old_connections()
    now = timezone.now()
    oldest = (
        Job.objects.filter(status__in=ACTIVE_STATUSES, due_at__lte=now)
        .filter(claims.lease_free())
        .aggregate(oldest=Min("due_at"))["oldest"]
    )
    age = (now - oldest).total_seconds() if oldest else 0.0
    return age, get_broker().queue_size() or 0


def database_sessions(kind: str) -> int:
    """Sessions ever opened on the bench database (PostgreSQL counts them; SQLite has none): -1 if unknown."""
    if kind != "postgres":
        return -1
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        row = admin.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = %s", [PG_BENCH_DB]
        ).fetchone()
    return int(row[0]) if row else -1


def snapshot(fake: FakeHitPaw, job_ids: list[int], database: str = "sqlite") -> dict:
    """The fake's counters and each job's (poll_count, updated_at), at one moment."""
    from django.db import close_old_connections

    from enhancer.models import Job

    close_old_connections()
    stats = fake.stats()
    at = time.monotonic()
    busy, total = machine_busy_ticks()
    own = os.times()
    rows = Job.objects.filter(pk__in=job_ids).values_list("hitpaw_job_id", "poll_count", "updated_at")
    jobs = {hitpaw_id: (count, updated) for hitpaw_id, count, updated in rows}
    polls = {job_id: job["status_polls"] for job_id, job in stats["jobs"].items()}
    return {
        "at": at,
        "busy": busy,
        "total": total,
        "own_cpu": own.user + own.system,
        "status_calls": stats["status_calls"],
        "connections": stats["connections"],
        "db_sessions": database_sessions(database),
        "jobs": jobs,
        "fake_polls": polls,
    }


def summarize(args, before, after, samples, meters, log_path: Path, job_ids: list[int]) -> dict:
    from django_q.models import Failure

    from enhancer.models import Job, JobStatus

    window = after["at"] - before["at"]
    busy_cores = (after["busy"] - before["busy"]) / (after["total"] - before["total"]) * os.cpu_count()
    lateness, starved = [], 0
    for hitpaw_id, (count0, updated0) in before["jobs"].items():
        count1, updated1 = after["jobs"][hitpaw_id]
        fake_polls = after["fake_polls"][hitpaw_id] - before["fake_polls"][hitpaw_id]
        if count1 == count0 or fake_polls == 0:
            starved += 1
            continue
        achieved = (updated1 - updated0).total_seconds() / (count1 - count0)
        lateness.append(achieved - args.interval)
    log_text = log_path.read_text(errors="replace")
    polls = max(after["status_calls"] - before["status_calls"], 1)
    return {
        "http_connections": after["connections"] - before["connections"],
        "db_sessions": after["db_sessions"] - before["db_sessions"] if before["db_sessions"] >= 0 else None,
        "polls": polls,
        "polls_per_second": (after["status_calls"] - before["status_calls"]) / window,
        "needed_per_second": args.jobs / args.interval,
        "lateness_median": statistics.median(lateness) if lateness else float("nan"),
        "lateness_p95": percentile(lateness, 95),
        "lateness_max": max(lateness, default=float("nan")),
        "starved": starved,
        "oldest_due_max": max((age for age, _ in samples), default=0.0),
        "queue_max": max((size for _, size in samples), default=0),
        "jobs_off": Job.objects.filter(pk__in=job_ids).exclude(status=JobStatus.CONVERTING).count(),
        "log_errors": sum(1 for line in log_text.splitlines() if LOG_ERROR_RE.search(line)),
        "failed_tasks": Failure.objects.count(),
        "peak_rss_mb": meters[0].peak_rss_kb / 1024,
        "cluster_cpu": meters[0].cpu_seconds() / window,
        "fake_cpu": meters[1].cpu_seconds() / window,
        "servers_cpu": meters[2].cpu_seconds() / window,
        "machine_busy": (after["busy"] - before["busy"]) / (after["total"] - before["total"]),
        "window": window,
        "own_cpu": (after["own_cpu"] - before["own_cpu"]) / window,
        "other_cpu": max(
            0.0,
            busy_cores
            - (after["own_cpu"] - before["own_cpu"] + sum(meter.cpu_seconds() for meter in meters)) / window,
        ),
    }


def print_result(args: argparse.Namespace, r: dict) -> None:
    setup = f"{'SQLite' if args.database == 'sqlite' else 'PostgreSQL'} + {args.broker.upper()}"
    extras = args.env + ([f"HitPaw latency {args.latency:g} s"] if args.latency else [])
    if extras:
        setup += " (" + ", ".join(extras) + ")"
    print(HEADER)
    print(
        f"| {setup} | {args.jobs:,} | {args.interval:g} s | {args.workers} "
        f"| {r['polls_per_second']:.0f} ({r['needed_per_second']:.0f}) "
        f"| {r['lateness_median']:.2f} s | {r['lateness_p95']:.2f} s | {r['starved']} "
        f"| {r['oldest_due_max']:.1f} s | {r['queue_max']} "
        f"| {r['jobs_off']} / {r['log_errors']} / {r['failed_tasks']} | {r['peak_rss_mb']:.0f} MB |"
    )
    print(
        f"\nwindow {r['window']:.1f} s after {args.warmup:g} s warm-up; worst job lateness "
        f"{r['lateness_max']:.2f} s; CPU in the window: task cluster {r['cluster_cpu']:.0%} of one core, "
        f"database/broker servers {r['servers_cpu']:.0%}, fake HitPaw {r['fake_cpu']:.0%}, this script "
        f"{r['own_cpu']:.0%}, anything else {r['other_cpu']:.0%}; machine busy {r['machine_busy']:.0%} "
        f"of {os.cpu_count()} CPUs"
    )
    sessions = (
        "n/a (SQLite)"
        if r["db_sessions"] is None
        else f"{r['db_sessions']} ({r['db_sessions'] / r['polls']:.3f} per poll)"
    )
    print(
        f"connections set up in the window, for {r['polls']} status calls: HTTP to HitPaw "
        f"{r['http_connections']} ({r['http_connections'] / r['polls']:.3f} per poll), new database sessions {sessions}"
    )
    if r["other_cpu"] > OTHER_LOAD_WARNING:
        print("WARNING: other processes competed for the CPUs during the window; rerun on a quiet machine")


# --- teardown ----------------------------------------------------------------------------------------


def cleanup(args: argparse.Namespace, workdir: Path) -> None:
    if args.keep:
        step(f"kept {workdir}" + (f" and database {PG_BENCH_DB}" if args.database == "postgres" else ""))
        return
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: BLE001 - Django may never have been set up
        pass
    if args.database == "postgres":
        drop_postgres(PG_BENCH_DB)
    if args.broker == "redis":
        import redis

        redis.Redis.from_url(REDIS_BENCH_URL).flushdb()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
