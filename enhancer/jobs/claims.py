"""Claims on jobs and named leases, all by conditional updates, so no step ever runs twice.

A job is handed out by setting `lease_token`; every later write about it names that token, so a
worker whose lease ran out (and whose job someone else took) changes nothing. Every time here is
the database's clock (`Now()`), never a host's own: with several worker hosts, a host whose clock
runs fast must not steal live leases.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import F, Q
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Now

from enhancer.jobs import lifecycle, timing
from enhancer.models import ACTIVE_STATUSES, Job, JobStatus, Lease

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations  # a dev tool, for mypy only


class DatabaseClock(TypedDict):
    db_now: datetime  # the database's clock when the job was read


if TYPE_CHECKING:
    StepJob = WithAnnotations[Job, DatabaseClock]  # a job read for a step (`pipeline.job_for_step`)

# A lease taken or renewed this recently is still whole: renewing it again would only cost a write.
FRESH_LEASE_SLACK = timedelta(seconds=2)
# Time a step may need beyond its own bound before its lease must still hold: the read of the job,
# the last write, a slow database.
STEP_MARGIN_SECONDS = 10


def longest_step_seconds() -> float:
    """The longest one step may take: a submission, or a download with the storing of its file."""
    return timing.longest_step_seconds(
        connect=settings.ENHANCER_CONNECT_TIMEOUT,
        read=settings.ENHANCER_READ_TIMEOUT,
        fetch=settings.ENHANCER_FETCH_SECONDS,
        result_fetch=settings.ENHANCER_RESULT_FETCH_SECONDS,
        max_image_bytes=settings.ENHANCER_MAX_IMAGE_BYTES,
        max_result_bytes=settings.ENHANCER_MAX_RESULT_BYTES,
    )


def new_token() -> str:
    return uuid.uuid4().hex


def db_now() -> Now:
    """The database's clock, as an expression for updates and filters."""
    return Now()


def db_now_plus(seconds: float) -> CombinedExpression:
    """The database's clock, `seconds` from now, as an expression for updates and filters."""
    return Now() + timedelta(seconds=seconds)


def lease_free() -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lt=Now())


def _lease_fields(token: str) -> dict:
    """A fresh lease. A claim is no stall: the job may wait in the queue; `start_step` counts."""
    return {"lease_token": token, "lease_until": db_now_plus(settings.ENHANCER_LEASE_SECONDS)}


def claim_due_jobs(limit: int, batch_size: int, max_batches: int | None = None) -> list[str]:
    """Claim up to `limit` due jobs in at most `max_batches` batches; one token per claimed batch.

    Paid results due for saving come first and in batches of their own, so they never wait
    behind polls in a queue or a batch.
    """
    # SQLite's clock has millisecond precision: a job due "now" by a host's clock is due here too.
    due = (
        Job.objects.filter(status__in=ACTIVE_STATUSES, due_at__lte=db_now_plus(0.001))
        .filter(lease_free())
        .order_by("due_at")
    )
    downloads = list(due.filter(status=JobStatus.DOWNLOADING).values_list("pk", flat=True)[:limit])
    others = list(
        due.exclude(status=JobStatus.DOWNLOADING).values_list("pk", flat=True)[: limit - len(downloads)]
    )
    tokens: list[str] = []
    for ids in (downloads, others):
        for start in range(0, len(ids), batch_size):
            if max_batches is not None and len(tokens) >= max_batches:
                return tokens
            token = new_token()
            claimed = (
                Job.objects.filter(pk__in=ids[start : start + batch_size], status__in=ACTIVE_STATUSES)
                .filter(lease_free())
                .update(**_lease_fields(token))
            )
            if claimed:
                tokens.append(token)
    return tokens


def claim_job(job_id: int) -> str | None:
    """Claim one active job now, whether due or not (tests, admin actions)."""
    token = new_token()
    claimed = (
        Job.objects.filter(pk=job_id, status__in=ACTIVE_STATUSES)
        .filter(lease_free())
        .update(**_lease_fields(token))
    )
    return token if claimed else None


def renew(job_id: int, token: str) -> bool:
    """Extend our lease before a step; False if it ran out and may be someone else's now."""
    renewed = Job.objects.filter(pk=job_id, lease_token=token, lease_until__gte=db_now()).update(
        lease_until=db_now_plus(settings.ENHANCER_LEASE_SECONDS)
    )
    return bool(renewed)


def hold_for_step(job: StepJob, token: str) -> bool:
    """Before a step: True while `token` holds the job's lease, renewed unless it outlasts any step.

    `job` was read with `db_now` (the database's clock). A lease with room for the longest step (and
    a margin) left is kept without a write; one that waited longer (in the broker's queue, say) gets
    a full lease again. A lease shorter than the longest step (a warned misconfiguration) is renewed
    unless it is fresh.
    """
    until: datetime | None = job.lease_until
    if job.lease_token != token or until is None or until < job.db_now:
        return False
    whole = timedelta(seconds=settings.ENHANCER_LEASE_SECONDS) - FRESH_LEASE_SLACK
    enough = timedelta(seconds=longest_step_seconds() + STEP_MARGIN_SECONDS)
    if until - job.db_now >= min(whole, enough):
        return True
    return renew(job.pk, token)


def update(job_id: int, token: str, **fields) -> bool:
    """Write fields only while we hold the job's lease."""
    fields["updated_at"] = db_now()
    return bool(Job.objects.filter(pk=job_id, lease_token=token).update(**fields))


def start_submission(job_id: int, token: str) -> bool:
    """Mark the coin-spending call as begun; True for exactly one caller, ever, per submission.

    Only while our lease has at least `margin` seconds left, and the same write renews it in full,
    so the call cannot outlive it (one write, not a renewal and then this).
    """
    margin = settings.ENHANCER_LEASE_SECONDS / 2
    ours = Job.objects.filter(
        pk=job_id,
        lease_token=token,
        lease_until__gte=db_now_plus(margin),
        status=JobStatus.SUBMITTING,
        submit_started_at__isnull=True,
    )
    values = {
        "submit_started_at": db_now(),
        "updated_at": db_now(),
        "lease_until": db_now_plus(settings.ENHANCER_LEASE_SECONDS),
    }
    return bool(ours.update(**values))


def transition(job_id: int, token: str, status: str, message: str = "", **fields) -> bool:
    """Move a job to `status` (recording the step and its time) while we hold its lease."""
    return lifecycle.move(job_id, status, message, only_if={"lease_token": token}, **fields)


def keep_fields() -> dict:
    """Fields that keep the job, due now, under a fresh lease for its next step in the same thread.

    The step that writes them has finished, so no stall is pending; the next step counts its own
    start. If this worker dies, the ticker takes the job once the lease runs out.
    """
    return {
        "lease_until": db_now_plus(settings.ENHANCER_LEASE_SECONDS),
        "due_at": db_now(),
        "stalled_claims": 0,
    }


# A step that starts this many times and never finishes (a crash, a kill) is not started again.
MAX_STALLED_STEPS = 5


def start_step(job_id: int, token: str) -> bool:
    """Count a step as started, while we hold the job's lease: a stall unless it finishes.

    Every way a step ends (handed back, kept for the next step, moved on) resets the count, so
    a count above zero at the next start says the last run died. Counted here, never at the claim:
    a batch still waiting in a busy queue has run nothing, so a backlog never looks like a crash.
    """
    return bool(
        Job.objects.filter(pk=job_id, lease_token=token).update(stalled_claims=F("stalled_claims") + 1)
    )


def hand_back(job_id: int, token: str) -> bool:
    """Hand a job we kept back to the ticker, due now (its worker will not run its next step)."""
    return update(job_id, token, **release_fields(db_now()))


def release_fields(due_at=None) -> dict:
    """Fields that hand the job back to the ticker, due again at `due_at` (None: never)."""
    return {"lease_token": "", "lease_until": None, "due_at": due_at, "stalled_claims": 0}


def acquire_lease(name: str, holder: str, seconds: float) -> bool:
    """Take or renew a named lease; True when `holder` has it for the next `seconds`."""
    Lease.objects.get_or_create(name=name)
    return bool(
        Lease.objects.filter(name=name)
        .filter(Q(until__isnull=True) | Q(until__lt=Now()) | Q(holder=holder))
        .update(holder=holder, until=db_now_plus(seconds))
    )


def release_lease(name: str, holder: str) -> None:
    Lease.objects.filter(name=name, holder=holder).update(until=None, holder="")


def lease_is_held(name: str) -> bool:
    return Lease.objects.filter(name=name, until__gte=Now()).exists()
