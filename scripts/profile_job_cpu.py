#!/usr/bin/env python
"""CPU per job of the task cluster's work, measured in one process (docs/benchmarks.md).

Creates N jobs (as the form does), then runs their whole life in this process against the fake
HitPaw with `--job-seconds 0`: the ticker's claims, the batch task as django-q2 runs it (its
package signed and pickled, then loaded, the result saved as a Success row; `--no-broker` skips
that; as many earlier results kept as `save_limit` says, as in a cluster that has run a while),
every step (fetch, submit, poll, download) and its timeline writes. Prints the process CPU
(`time.process_time`) per job, the SQL queries per job, and with `--profile` the top of cProfile.
CPU time, not wall time: other load on the machine barely moves it.

    .venv/bin/python scripts/profile_job_cpu.py --jobs 200                       # SQLite in a temp folder
    .venv/bin/python scripts/profile_job_cpu.py --jobs 200 --database postgres://postgres@127.0.0.1:5432/NAME
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.fake_hitpaw import FakeHitPaw  # noqa: E402

API_KEY = "bench-key"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--database", default="", help="a DATABASE_URL (default: SQLite in a temp folder)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument(
        "--no-broker", action="store_true", help="run batches directly, not as django-q2 does"
    )
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions by cumulative time")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--queries", type=int, default=0, help="print the N most frequent query shapes")
    parser.add_argument("--filter", default="", help="only functions whose file:line(name) matches")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="profile-job-cpu-"))
    with FakeHitPaw(api_key=API_KEY, keep_alive=True, job_seconds=0) as fake:
        os.environ.update(
            DATABASE_URL=args.database or f"sqlite:///{workdir / 'db.sqlite3'}",
            DJANGO_SETTINGS_MODULE="hitpaw_site.settings",
            DJANGO_SECRET_KEY="profile-" + os.urandom(16).hex(),
            HITPAW_API_KEY=API_KEY,
            HITPAW_BASE_URL=fake.url,
            ENHANCER_MEDIA_ROOT=str(workdir / "media"),
            ENHANCER_ALLOW_PRIVATE_URLS="true",
            ENHANCER_SUBMISSIONS_PER_MINUTE="1000000",
            ENHANCER_BATCH_SIZE=str(args.batch_size),
            ENHANCER_LOG_LEVEL="WARNING",
            NO_PROXY="127.0.0.1,localhost",
        )
        os.environ.pop("REDIS_URL", None)
        import django

        django.setup()
        from django.core.management import call_command

        if args.database:
            call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
        from enhancer.hitpaw.catalogue import seed_catalogue
        from enhancer.models import EnhanceModel

        if not EnhanceModel.objects.exists():  # flushed: the migration's seed is gone
            seed_catalogue(EnhanceModel)
        run(args, fake.url)


def run(args: argparse.Namespace, fake_url: str) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from enhancer.jobs import intake, scheduler
    from enhancer.models import EnhanceModel, Job, JobStatus

    user = get_user_model().objects.create_user("profiler", password="x")
    model = EnhanceModel.objects.get(name="general_2x")
    for index in range(args.jobs):
        intake.create_jobs(user, [f"{fake_url}/images/64x48.png?photo={index}"], model)

    run_batch = scheduler.run_batch if args.no_broker else as_django_q_runs_it
    keep_results_as_a_running_cluster_has()
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        started_cpu, started = time.process_time(), time.monotonic()
        if profiler:
            profiler.enable()
        rounds = 0
        while Job.objects.exclude(status__in=[JobStatus.COMPLETED, JobStatus.FAILED]).exists():
            tokens = claim_due()
            for token in tokens:
                run_batch(token)
            rounds += 1
            if rounds > 50:
                break
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - started_cpu, time.monotonic() - started
    done = Job.objects.filter(status=JobStatus.COMPLETED).count()
    print(f"{connection.vendor}: {done} of {args.jobs} jobs completed in {rounds} rounds")
    print(f"CPU {cpu:.2f} s = {cpu / args.jobs * 1000:.1f} ms per job; wall {wall:.2f} s")
    print(f"SQL queries (main thread): {len(queries)} = {len(queries) / args.jobs:.1f} per job")
    if args.queries:
        import collections
        import re

        shapes = collections.Counter(re.sub(r"\b(IN|VALUES) \(.*", r"\1 (...)", sql)[:150] for sql in queries)
        for shape, count in shapes.most_common(args.queries):
            print(f"{count / args.jobs:6.2f} per job  {shape}")
    if profiler:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.filter, args.profile)


def keep_results_as_a_running_cluster_has() -> None:
    """A cluster that has run a while keeps `save_limit` successful tasks; so does this run."""
    from django.utils import timezone
    from django_q.conf import Conf
    from django_q.models import Success

    now = timezone.now()
    Success.objects.bulk_create(
        Success(
            id=os.urandom(16).hex(),
            name=f"earlier-{index}",
            func="enhancer.tasks.advance_batch",
            args=(os.urandom(16).hex(),),
            kwargs={},
            result=8,
            group="enhancer",
            started=now,
            stopped=now,
            success=True,
        )
        for index in range(max(Conf.SAVE_LIMIT, 0))
    )


def claim_due() -> list[str]:
    from django.conf import settings

    from enhancer.jobs import claims

    return claims.claim_due_jobs(settings.ENHANCER_MAX_CLAIM_PER_TICK, settings.ENHANCER_BATCH_SIZE)


def as_django_q_runs_it(token: str) -> None:
    """What one batch costs through django-q2: enqueue, load, run in this thread, save the result.

    Jobs run one after another in this thread (not the poll threads), so cProfile sees them.
    """
    from django.utils import timezone
    from django_q.brokers import get_broker
    from django_q.monitor import save_task
    from django_q.signing import SignedPackage
    from django_q.tasks import async_task

    from enhancer.jobs import scheduler
    from enhancer.models import Job

    broker = get_broker()
    async_task("enhancer.tasks.advance_batch", token, group="enhancer", broker=broker)
    package = broker.dequeue()[0]
    ack_id, task = package[0], SignedPackage.loads(package[1])
    job_ids = list(Job.objects.filter(lease_token=token).values_list("pk", flat=True))
    for job_id in job_ids:
        scheduler.advance_while_due(job_id, token)
    task.update(result=len(job_ids), success=True, stopped=timezone.now())
    save_task(task, broker)
    broker.acknowledge(ack_id)


if __name__ == "__main__":
    main()
