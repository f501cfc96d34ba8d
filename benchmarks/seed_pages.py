"""Seed a benchmark database with a team's last 90 days: people, jobs, batches, timelines and charges.

Run by benchmarks/bench_pages.py inside `manage.py shell` on a freshly migrated database, the one
shortcut the benchmarks take past the app's doors: sending 100,000 photos through the form would
take hours. It uses only the models' public API (`create_user`, `bulk_create`, `bulk_update`), so a
rename of a field breaks it loudly. `bulk_create` stamps `auto_now` times with the present, so the
back-dated times are written after it by `bulk_update`. Seeded from a fixed number: two runs build
the same data. What bench_pages.py needs (people, their jobs and batches) goes to the JSON file named
by BENCH_SEED_OUT; BENCH_SEED_JOBS says how many jobs.
"""

from __future__ import annotations

import json
import os
import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from enhancer.models import Batch, CoinCharge, EnhanceModel, Job, JobEvent, JobStatus

DAYS = 90
PEOPLE = ["ana", "ben", "chen", "dara", "eli", "fatima", "goran", "hana"]  # staff
REVIEWER, ADMIN = "rita", "adam"
PASSWORD = "bench-pages-not-secret"
# How much each person sends, relative to the others: a few heavy users, a long tail.
WEIGHTS = [30, 20, 12, 10, 8, 6, 4, 3, 4, 3]
BIG_BATCH = 500
SMALL_BATCHES = 40
CATEGORIES = ["shoes", "rings", "bags", "watches", "shirts", "lamps", "chairs", "plates", "hats", "belts"]
# Terminal statuses for jobs older than ten minutes, by share (some of the newest are still working).
ENDINGS = [
    (JobStatus.COMPLETED, 86),
    (JobStatus.FAILED, 6),
    (JobStatus.TIMED_OUT, 2),
    (JobStatus.NEEDS_REVIEW, 1),
    (JobStatus.CANCELED, 5),
]
WORKING = [JobStatus.QUEUED, JobStatus.CONVERTING, JobStatus.DOWNLOADING]
MESSAGES = {
    JobStatus.QUEUED: "Waiting to start.",
    JobStatus.COMPLETED: "Done.",
    JobStatus.FAILED: "HitPaw could not enhance this photo.",
    JobStatus.TIMED_OUT: "HitPaw took too long; no more coins will be spent on it.",
    JobStatus.NEEDS_REVIEW: "We sent the photo to HitPaw but do not know whether it took it.",
    JobStatus.CANCELED: "Canceled before it was sent.",
}
COINS_PER_MEGAPIXEL = 3  # a plausible price: the pages only add coins up
CHUNK = 2000


def seed(jobs: int, seed_number: int = 11) -> dict:
    rng = random.Random(seed_number)
    now = timezone.now()
    people = make_people()
    models = list(EnhanceModel.objects.filter(enabled=True))
    original = default_storage.save("originals/bench.png", ContentFile(b"\x89PNG bench original"))
    result = default_storage.save("results/bench-enhanced.png", ContentFile(b"\x89PNG bench result"))
    with transaction.atomic():  # one transaction: SQLite would otherwise sync every chunk to disk
        rows = build_jobs(rng, jobs, now, list(people.values()), models, original, result)
        create_back_dated(Job, rows, ["created_at", "updated_at"])
        plan = make_batches(rng, rows, {user.pk: name for name, user in people.items()})
        retries = retry_some([job for job in rows if job.batch_id == plan["big_batch"]])
        create_back_dated(Job, retries, ["created_at", "updated_at"])
        rows += retries
        create_back_dated(JobEvent, build_events(rows), ["at"])
        create_back_dated(CoinCharge, build_charges(rows), ["at"])
    by_person: dict[int, list[int]] = {}
    for job in rows:
        by_person.setdefault(job.user_id, []).append(job.pk)
    plan["password"] = PASSWORD
    plan["people"] = list(people)
    plan["jobs"] = {
        name: rng.sample(by_person[user.pk], min(200, len(by_person[user.pk])))
        for name, user in people.items()
    }
    plan["counts"] = {
        "jobs": Job.objects.count(),
        "events": JobEvent.objects.count(),
        "charges": CoinCharge.objects.count(),
        "batches": Batch.objects.count(),
    }
    return plan


def make_people() -> dict:
    """Eight staff, a reviewer and an admin, in the roles' groups, all with the same password."""
    users = {}
    for name in [*PEOPLE, REVIEWER, ADMIN]:
        user = get_user_model().objects.create_user(name, password=PASSWORD, is_staff=name == ADMIN)
        role = "admins" if name == ADMIN else "reviewers" if name == REVIEWER else "staff"
        user.groups.add(Group.objects.get(name=role))
        users[name] = user
    return users


def build_jobs(rng, count, now, owners, models, original: str, result: str) -> list[Job]:
    start = now - timedelta(days=DAYS)
    times = sorted(start + timedelta(seconds=rng.uniform(0, DAYS * 86400)) for _ in range(count))
    statuses, weights = zip(*ENDINGS, strict=True)
    rows = []
    for n, created in enumerate(times):
        user = rng.choices(owners, WEIGHTS)[0]
        model = rng.choice(models)
        recent = now - created < timedelta(minutes=10)
        status = rng.choice(WORKING) if recent and rng.random() < 0.5 else rng.choices(statuses, weights)[0]
        rows.append(job_row(rng, n, created, status, user, model, original, result))
    return rows


def job_row(rng, n, created, status, user, model, original: str, result: str) -> Job:
    width, height = rng.choice([(1200, 900), (2000, 1500), (3000, 2000), (800, 600), (4000, 3000)])
    estimate = max(1, round(width * height * model.scale**2 / 1_000_000 * COINS_PER_MEGAPIXEL))
    sent = status not in (JobStatus.QUEUED, JobStatus.CANCELED) and not (
        status == JobStatus.FAILED and rng.random() < 0.5  # half the failures never reached HitPaw
    )
    submitted = created + timedelta(seconds=rng.uniform(1, 5)) if sent else None
    finished = None
    if status in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.TIMED_OUT, JobStatus.NEEDS_REVIEW):
        finished = created + timedelta(seconds=rng.uniform(15, 90))
    category = rng.choice(CATEGORIES)
    job = Job(
        user=user, model=model, model_name=model.name, extension=".jpg",
        img_url=f"https://shop.example.com/catalog/{category}/item-{n}.jpg",
        status=status, message=MESSAGES.get(status, "HitPaw is enhancing your photo."),
        hitpaw_job_id=f"hp-bench-{n}" if sent else "", coins=estimate if sent else None,
        estimated_coins=estimate, original_width=width, original_height=height,
        error_code=110402 if status == JobStatus.FAILED and sent else None,
        created_at=created, updated_at=finished or submitted or created, submitted_at=submitted,
        finished_at=finished, deadline_at=created + timedelta(hours=1),
    )  # fmt: skip
    if status == JobStatus.COMPLETED:
        job.original, job.result = original, result
        job.result_width, job.result_height = width * model.scale, height * model.scale
    return job


def create_back_dated(model, rows: list, time_fields: list[str]) -> None:
    """Insert `rows`, then write back the times `bulk_create` replaced with the present."""
    times = [[getattr(row, name) for name in time_fields] for row in rows]
    model.objects.bulk_create(rows, batch_size=CHUNK)
    for row, values in zip(rows, times, strict=True):
        for name, value in zip(time_fields, values, strict=True):
            setattr(row, name, value)
    model.objects.bulk_update(rows, time_fields, batch_size=CHUNK)


def make_batches(rng, jobs: list[Job], names: dict[int, str]) -> dict:
    """One batch of ~500 photos and smaller ones of 3 to 40, made of finished jobs."""
    plan: dict = {"batches": {}, "big_batch": 0, "big_batch_owner": ""}
    by_owner: dict[int, list[Job]] = {}
    for job in jobs[:-2000] or jobs:  # finished batches, not the newest minutes
        by_owner.setdefault(job.user_id, []).append(job)
    heavy = max(by_owner, key=lambda owner: len(by_owner[owner]))
    groups = [(heavy, BIG_BATCH)] + [
        (rng.choice(list(by_owner)), rng.randint(3, 40)) for _ in range(SMALL_BATCHES)
    ]
    taken: set[int] = set()
    changed = []
    for owner, size in groups:
        pool = by_owner[owner]
        first = rng.randrange(max(len(pool) - size, 1))
        members = [job for job in pool[first : first + size] if job.pk not in taken]
        if not members:
            continue
        head = members[0]
        batch = Batch.objects.create(user_id=owner, model_id=head.model_id)
        Batch.objects.filter(pk=batch.pk).update(created_at=head.created_at)
        for position, job in enumerate(members):
            job.batch_id, job.position = batch.pk, position
            job.model_id, job.model_name = head.model_id, head.model_name
            taken.add(job.pk)
            changed.append(job)
        plan["batches"].setdefault(names[owner], batch.pk)
        if size == BIG_BATCH:
            plan["big_batch"], plan["big_batch_owner"] = batch.pk, names[owner]
    Job.objects.bulk_update(changed, ["batch", "position", "model", "model_name"], batch_size=CHUNK)
    return plan


def retry_some(members: list[Job]) -> list[Job]:
    """A few failed photos of the big batch were tried again (the page shows the latest try only)."""
    again = []
    for job in [job for job in members if job.status == JobStatus.FAILED][:10]:
        later = job.created_at + timedelta(hours=1)
        again.append(
            Job(
                user_id=job.user_id,
                model_id=job.model_id,
                model_name=job.model_name,
                img_url=job.img_url,
                extension=job.extension,
                status=JobStatus.COMPLETED,
                message="Done.",
                coins=job.estimated_coins,
                estimated_coins=job.estimated_coins,
                hitpaw_job_id=f"{job.hitpaw_job_id or 'hp'}-again",
                created_at=later,
                updated_at=later,
                submitted_at=later,
                finished_at=later,
                deadline_at=later + timedelta(hours=1),
                batch_id=job.batch_id,
                position=job.position,
                retry_of_id=job.pk,
            )  # fmt: skip
        )
    return again


def build_events(jobs: list[Job]) -> list[JobEvent]:
    """Each job's timeline: taken, sent (if it was), and how it ended."""
    events = []
    for job in jobs:
        events.append(
            JobEvent(job=job, status=JobStatus.QUEUED, message="Waiting to start.", at=job.created_at)
        )
        if job.submitted_at:
            events.append(
                JobEvent(job=job, status=JobStatus.CONVERTING, message="HitPaw is enhancing your photo.",
                         at=job.submitted_at)
            )  # fmt: skip
        if job.finished_at or job.status == JobStatus.CANCELED:
            ended = job.finished_at or job.created_at + timedelta(seconds=1)
            events.append(JobEvent(job=job, status=job.status, message=job.message, at=ended))
    return events


def build_charges(jobs: list[Job]) -> list[CoinCharge]:
    """One ledger entry per job HitPaw accepted, at the time it was sent."""
    return [
        CoinCharge(job=job, user_id=job.user_id, model_id=job.model_id, hitpaw_job_id=job.hitpaw_job_id,
                   coins=job.coins or 0, estimated_coins=job.estimated_coins, at=job.submitted_at)
        for job in jobs
        if job.hitpaw_job_id
    ]  # fmt: skip


if __name__ == "__main__":
    plan = seed(int(os.environ["BENCH_SEED_JOBS"]))
    with open(os.environ["BENCH_SEED_OUT"], "w") as out:
        json.dump(plan, out)
