"""Seed a benchmark database with a team's last 90 days: people, jobs, batches, timelines and charges.

Called by scripts/bench_pages.py once Django is set up on a freshly migrated database. Jobs, events
and charges are written by COPY (PostgreSQL) or plain `executemany` (SQLite) in one transaction (100,000 jobs in well under a
minute), carrying the times we give them: jobs spread over 90 days, ids in time order as in real
use. Seeded from a fixed number, so two runs build the same data.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import DateTimeField, FileField
from django.utils import timezone

from enhancer.hitpaw import pricing
from enhancer.models import Batch, CoinCharge, EnhanceModel, Job, JobEvent, JobStatus

DAYS = 90
PEOPLE = ["ana", "ben", "chen", "dara", "eli", "fatima", "goran", "hana"]  # staff
REVIEWER, ADMIN = "rita", "adam"
# How much each person sends, relative to the others: a few heavy users, a long tail.
WEIGHTS = [30, 20, 12, 10, 8, 6, 4, 3, 4, 3]
BIG_BATCH = 500
SMALL_BATCHES = 40
CATEGORIES = ["shoes", "rings", "bags", "watches", "shirts", "lamps", "chairs", "plates", "hats", "belts"]
# Terminal statuses for jobs older than a day, by share (the rest of the newest jobs are still working).
ENDINGS = [
    (JobStatus.COMPLETED, 86),
    (JobStatus.FAILED, 6),
    (JobStatus.TIMED_OUT, 2),
    (JobStatus.NEEDS_REVIEW, 1),
    (JobStatus.CANCELED, 5),
]
WORKING = [JobStatus.QUEUED, JobStatus.CONVERTING, JobStatus.DOWNLOADING]
CHUNK = 5000
BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass
class Seeded:
    """What the load test needs to know about the seeded data."""

    people: dict[str, int] = field(default_factory=dict)  # username -> user id
    sessions: dict[str, str] = field(default_factory=dict)  # username -> session key
    jobs: dict[str, list[int]] = field(default_factory=dict)  # username -> a sample of their job ids
    batches: dict[str, int] = field(default_factory=dict)  # username -> one of their batch ids
    big_batch: int = 0
    big_batch_owner: str = ""
    counts: dict[str, int] = field(default_factory=dict)


@contextlib.contextmanager
def times_as_given(*models):
    """Let `auto_now`/`auto_now_add` fields keep the values we set (for back-dated rows)."""
    saved = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def seed(jobs: int, seed_number: int = 11) -> Seeded:
    """`jobs` jobs over the last 90 days for ten people, with batches, timelines and the ledger."""
    rng = random.Random(seed_number)
    now = timezone.now()
    people = make_people()
    models = list(EnhanceModel.objects.filter(enabled=True))
    original, result = stored_pictures()
    # One transaction: SQLite would otherwise commit (and sync to disk) every few hundred rows.
    with times_as_given(Batch), transaction.atomic():
        job_rows = build_jobs(rng, jobs, now, people, models, original, result)
        info = make_batches(rng, job_rows, {user.pk: name for name, user in people.items()})
        number(job_rows)
        job_rows += number(
            retry_some([job for job in job_rows if job.batch_id == info.big_batch]), len(job_rows)
        )
        insert(Job, job_rows)
        insert(JobEvent, number(list(build_events(job_rows))))
        insert(CoinCharge, number(list(build_charges(job_rows))))
    info.people = {name: user.pk for name, user in people.items()}
    info.sessions = {name: session_for(user) for name, user in people.items()}
    by_person: dict[int, list[int]] = {}
    for job in job_rows:
        by_person.setdefault(job.user_id, []).append(job.pk)
    info.jobs = {
        name: rng.sample(by_person[user.pk], min(200, len(by_person[user.pk])))
        for name, user in people.items()
    }
    info.counts = {
        "jobs": Job.objects.count(),
        "events": JobEvent.objects.count(),
        "charges": CoinCharge.objects.count(),
        "batches": Batch.objects.count(),
    }
    return info


def make_people() -> dict[str, object]:
    """Eight staff, a reviewer and an admin, in the roles' groups; no passwords (they log in by session)."""
    users = {}
    for name in [*PEOPLE, REVIEWER, ADMIN]:
        user = get_user_model().objects.create_user(name, password=None, is_staff=name == ADMIN)
        role = "admins" if name == ADMIN else "reviewers" if name == REVIEWER else "staff"
        user.groups.add(Group.objects.get(name=role))
        users[name] = user
    return users


def stored_pictures() -> tuple[str, str]:
    """One small original and result in storage that every finished job points at (pages stat them)."""
    original = default_storage.save("originals/bench.png", ContentFile(b"\x89PNG bench original"))
    result = default_storage.save("results/bench-enhanced.png", ContentFile(b"\x89PNG bench result"))
    return original, result


def build_jobs(rng, count, now, people, models, original, result) -> list[Job]:
    owners = list(people.values())
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


def job_row(rng, n: int, created: datetime, status: str, user, model, original: str, result: str) -> Job:
    width, height = rng.choice([(1200, 900), (2000, 1500), (3000, 2000), (800, 600), (4000, 3000)])
    estimate = pricing.estimate_coins(model.kind, pricing.output_megapixels(width, height, model.scale))
    sent = status not in (JobStatus.QUEUED, JobStatus.CANCELED) and not (
        status == JobStatus.FAILED and rng.random() < 0.5  # half the failures never reached HitPaw
    )
    submitted = created + timedelta(seconds=rng.uniform(1, 5)) if sent else None
    finished = None
    if status in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.TIMED_OUT, JobStatus.NEEDS_REVIEW):
        finished = created + timedelta(seconds=rng.uniform(15, 90))
    category = rng.choice(CATEGORIES)
    job = Job(
        user=user, user_id=user.pk, model=model, model_name=model.name, extension=".jpg",
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


MESSAGES = {
    JobStatus.QUEUED: "Waiting to start.",
    JobStatus.COMPLETED: "Done.",
    JobStatus.FAILED: "HitPaw could not enhance this photo.",
    JobStatus.TIMED_OUT: "HitPaw took too long; no more coins will be spent on it.",
    JobStatus.NEEDS_REVIEW: "We sent the photo to HitPaw but do not know whether it took it.",
    JobStatus.CANCELED: "Canceled before it was sent.",
}


def make_batches(rng, jobs: list[Job], names: dict[int, str]) -> Seeded:
    """One batch of ~500 photos and smaller ones of 3 to 40, made of jobs not yet saved."""
    info = Seeded()
    by_owner: dict[int, list[Job]] = {}
    for job in jobs[:-2000] or jobs:  # finished batches, not the newest minutes
        by_owner.setdefault(job.user_id, []).append(job)
    heavy = max(by_owner, key=lambda owner: len(by_owner[owner]))
    groups = [(heavy, BIG_BATCH)] + [
        (rng.choice(list(by_owner)), rng.randint(3, 40)) for _ in range(SMALL_BATCHES)
    ]
    taken: set[int] = set()
    for owner, size in groups:
        pool = by_owner[owner]
        first = rng.randrange(max(len(pool) - size, 1))
        members = [job for job in pool[first : first + size] if id(job) not in taken]
        if not members:
            continue
        head = members[0]
        batch = Batch.objects.create(user_id=owner, model_id=head.model_id, created_at=head.created_at)
        for position, job in enumerate(members):
            job.batch_id, job.position = batch.pk, position
            job.model_id, job.model_name = head.model_id, head.model_name
            taken.add(id(job))
        info.batches.setdefault(names[owner], batch.pk)
        if size == BIG_BATCH:
            info.big_batch, info.big_batch_owner = batch.pk, names[owner]
    return info


def retry_some(members: list[Job]) -> list[Job]:
    """A few failed photos of the big batch were tried again (the page shows the latest try only)."""
    return [
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
            created_at=job.created_at + timedelta(hours=1),
            updated_at=job.created_at + timedelta(hours=1),
            submitted_at=job.created_at + timedelta(hours=1),
            finished_at=job.created_at + timedelta(hours=1),
            deadline_at=job.created_at + timedelta(hours=2),
            batch_id=job.batch_id,
            position=job.position,
            retry_of_id=job.pk,
        )  # fmt: skip
        for job in [job for job in members if job.status == JobStatus.FAILED][:10]
    ]


def build_events(jobs: list[Job]):
    """Each job's timeline: taken, sent (if it was), and how it ended."""
    for job in jobs:
        yield JobEvent(job_id=job.pk, status=JobStatus.QUEUED, message="Waiting to start.", at=job.created_at)
        if job.submitted_at:
            yield JobEvent(
                job_id=job.pk, status=JobStatus.CONVERTING, message="HitPaw is enhancing your photo.",
                at=job.submitted_at,
            )  # fmt: skip
        if job.finished_at or job.status == JobStatus.CANCELED:
            yield JobEvent(
                job_id=job.pk, status=job.status, message=job.message,
                at=job.finished_at or job.created_at + timedelta(seconds=1),
            )  # fmt: skip


def build_charges(jobs: list[Job]):
    """One ledger entry per job HitPaw accepted, at the time it was sent."""
    for job in jobs:
        if job.hitpaw_job_id:
            yield CoinCharge(
                job_id=job.pk, user_id=job.user_id, model_id=job.model_id, hitpaw_job_id=job.hitpaw_job_id,
                coins=job.coins or 0, estimated_coins=job.estimated_coins, at=job.submitted_at,
            )  # fmt: skip


def number(rows: list, after: int = 0) -> list:
    """Give unsaved rows their ids (1, 2, ... after `after`), so related rows can point at them."""
    for n, row in enumerate(rows, start=after + 1):
        row.pk = n
    return rows


def insert(model, rows: list) -> None:
    """Write `rows` by COPY on PostgreSQL, one executemany per chunk on SQLite: `bulk_create` costs
    several times more per row, and took 90 s for 100,000 jobs on PostgreSQL.

    Values are read from the instances as they are (times adapted for the database, files by name),
    so `auto_now` fields keep the times we gave them. PostgreSQL's id sequence is moved past them.
    """
    fields = model._meta.concrete_fields
    table, quote = model._meta.db_table, connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    adapt = connection.ops.adapt_datetimefield_value
    kinds = [(f.attname, isinstance(f, DateTimeField), isinstance(f, FileField)) for f in fields]

    def values(chunk):
        for row in chunk:
            yield tuple(
                adapt(value) if is_time else (value.name or "") if is_file else plain(value)
                for name, is_time, is_file in kinds
                for value in (getattr(row, name),)
            )

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
                for row in values(rows):
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {quote(table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
            for start in range(0, len(rows), CHUNK):
                cursor.executemany(sql, list(values(rows[start : start + CHUNK])))
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)


def plain(value):
    """A status as its stored text (psycopg would write an Enum by its name)."""
    return value.value if isinstance(value, Enum) else value


def session_for(user) -> str:
    """A logged-in session for `user`, as the login page would store it; its key is the cookie."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key
