"""The job pipeline as plain functions: fetch the original, submit, poll, download the result.

`advance(job_id, token, client)` runs the one step a claimed job is due for, then hands the
job back with its next due time (or ends it). Runs the same under the cluster or in a test.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from enhancer.hitpaw.backoff import jittered_backoff
from enhancer.hitpaw.client import HitPawClient
from enhancer.hitpaw.errors import CODE_RATE_LIMITED, CODE_TASK_MISSING, HitPawError
from enhancer.hitpaw.statuses import FAILURE_MESSAGES, GENERIC_FAILURE
from enhancer.jobs import claims, pauses
from enhancer.jobs.sources import result_fetch_allows_private, submission_url
from enhancer.media.fetcher import FetchError, fetch_image
from enhancer.models import Job, JobStatus

log = logging.getLogger(__name__)

MSG_CRASHED_MID_SUBMIT = (
    "The app stopped while sending this photo to HitPaw, so we do not know whether HitPaw took it "
    "(and charged for it). It will not be sent again automatically: an admin should check the "
    "HitPaw dashboard, then resubmit or close this job."
)
MSG_TIMED_OUT = "HitPaw did not finish this photo in time, so we stopped waiting. You can try again."
MSG_TIMED_OUT_BEFORE_SUBMIT = (
    "We could not send this photo to HitPaw in time, so we stopped trying. You can try again."
)
MSG_PAUSED = "Waiting: new submissions are paused for the whole team until an admin resumes them."


def advance(job_id: int, token: str, client: HitPawClient) -> None:
    """Run the step the job is due for, if we still hold its lease."""
    if not claims.renew(job_id, token):
        return
    job = Job.objects.get(pk=job_id)
    if job.status == JobStatus.SUBMITTING and job.submit_started_at is not None:
        _needs_review(job, token, MSG_CRASHED_MID_SUBMIT)
        return
    if _past_deadline(job):
        message = MSG_TIMED_OUT if job.submitted_at else MSG_TIMED_OUT_BEFORE_SUBMIT
        _end(job, token, JobStatus.TIMED_OUT, message)
        return
    step = STEPS.get(job.status)
    if step is None:
        claims.update(job.pk, token, **claims.release_fields())
        return
    step(job, token, client)


def fetch_original(job: Job, token: str, client: HitPawClient) -> None:
    """Download the user's photo, check it, store our copy, and learn its extension."""
    if job.status == JobStatus.QUEUED and not claims.transition(
        job.pk, token, JobStatus.FETCHING, "Fetching your photo."
    ):
        return
    try:
        fetched = fetch_image(
            job.img_url,
            max_bytes=settings.ENHANCER_MAX_IMAGE_BYTES,
            allow_private=settings.ENHANCER_ALLOW_PRIVATE_URLS,
            connect_timeout=settings.ENHANCER_CONNECT_TIMEOUT,
            read_timeout=settings.ENHANCER_READ_TIMEOUT,
            total_seconds=settings.ENHANCER_FETCH_SECONDS,
        )
    except FetchError as error:
        _retry_or_fail(job, token, error.message, transient=error.transient)
        return
    info = fetched.info
    name = _store(f"originals/job-{job.pk}{info.extension}", fetched.content)
    claims.transition(
        job.pk,
        token,
        JobStatus.SUBMITTING,
        "Sending to HitPaw.",
        original=name,
        original_width=info.width,
        original_height=info.height,
        extension=info.extension,
        attempts=0,
        **claims.release_fields(timezone.now()),
    )


def submit(job: Job, token: str, client: HitPawClient) -> None:
    """Send the photo to HitPaw once. A lost answer goes to an admin, never out again."""
    pause = pauses.current()
    if pause is not None:
        claims.update(job.pk, token, message=MSG_PAUSED, **claims.release_fields(_later(30)))
        return
    if not claims.start_submission(job.pk, token):
        return
    try:
        submission = client.submit(
            submission_url(job), job.model_name, job.extension, exif=job.exif, dpi=job.dpi
        )
    except HitPawError as error:
        if error.outcome_unknown:
            _needs_review(job, token, error.message, error.code)
        elif error.account_problem:
            pauses.pause(error.message, error.code)
            _end(job, token, JobStatus.FAILED, error.message, error.code)
        else:
            # HitPaw refused, so nothing is in flight. Rate limits cost nothing to wait out: they
            # are retried until the job's deadline; other refusals a bounded number of times.
            rate_limited = error.http_status == 429 or error.code == CODE_RATE_LIMITED
            _retry_or_fail(
                job,
                token,
                error.message,
                transient=error.transient,
                code=error.code,
                retry_after=error.retry_after,
                limit=math.inf if rate_limited else None,
                submit_started_at=None,
            )
        return
    moved = claims.transition(
        job.pk,
        token,
        JobStatus.CONVERTING,
        "HitPaw is enhancing your photo.",
        hitpaw_job_id=submission.job_id,
        coins=submission.coins,
        submitted_at=timezone.now(),
        attempts=0,
        error_code=None,
        **claims.release_fields(_later(settings.ENHANCER_POLL_INTERVAL_SECONDS)),
    )
    if not moved:
        # Our lease ran out mid-call and the job went to review: keep what HitPaw told us for the admin.
        Job.objects.filter(pk=job.pk, hitpaw_job_id="").update(
            hitpaw_job_id=submission.job_id, coins=submission.coins
        )
        log.warning("Job %s: HitPaw accepted it as %s after its lease ran out", job.pk, submission.job_id)


def poll(job: Job, token: str, client: HitPawClient) -> None:
    """Ask HitPaw how the job is doing; errors back off, unknown statuses keep polling."""
    try:
        status = client.status(job.hitpaw_job_id)
    except HitPawError as error:
        if error.code == CODE_TASK_MISSING or not (error.transient or error.outcome_unknown):
            _end(job, token, JobStatus.FAILED, error.message, error.code)
        else:
            delay = max(_backoff(job.attempts), error.retry_after or 0)
            claims.update(job.pk, token, attempts=job.attempts + 1, **claims.release_fields(_later(delay)))
        return
    polled = {"poll_count": job.poll_count + 1, "vendor_status": status.status[:40], "attempts": 0}
    if status.is_completed and status.res_url:
        claims.transition(
            job.pk,
            token,
            JobStatus.DOWNLOADING,
            "Saving the enhanced photo.",
            res_url=status.res_url,
            **polled,
            **claims.release_fields(timezone.now()),
        )
    elif status.is_failed:
        message = FAILURE_MESSAGES.get(status.status, GENERIC_FAILURE)
        _end(job, token, JobStatus.FAILED, message, **polled)
    else:
        next_poll = _later(settings.ENHANCER_POLL_INTERVAL_SECONDS)
        claims.update(job.pk, token, **polled, **claims.release_fields(next_poll))


def download_result(job: Job, token: str, client: HitPawClient) -> None:
    """Copy the result into our own storage (HitPaw deletes it after 8 days)."""
    try:
        fetched = fetch_image(
            job.res_url,
            max_bytes=settings.ENHANCER_MAX_RESULT_BYTES,
            allow_private=result_fetch_allows_private(job.res_url),
            connect_timeout=settings.ENHANCER_CONNECT_TIMEOUT,
            read_timeout=settings.ENHANCER_READ_TIMEOUT,
            total_seconds=settings.ENHANCER_FETCH_SECONDS,
        )
    except FetchError as error:
        message = f"The enhanced photo could not be saved: {error.message}"
        # The photo is paid for: a few tries (a fresh link can take a moment to appear) before giving up.
        _retry_or_fail(job, token, message, transient=True, limit=3)
        return
    info = fetched.info
    name = _store(f"results/job-{job.pk}{info.extension}", fetched.content)
    _end(
        job,
        token,
        JobStatus.COMPLETED,
        "Done.",
        result=name,
        result_width=info.width,
        result_height=info.height,
    )


STEPS = {
    JobStatus.QUEUED: fetch_original,
    JobStatus.FETCHING: fetch_original,
    JobStatus.SUBMITTING: submit,
    JobStatus.CONVERTING: poll,
    JobStatus.DOWNLOADING: download_result,
}


def _past_deadline(job: Job) -> bool:
    """Downloads finish even late: the photo is done and paid for. Paused jobs wait."""
    if job.status == JobStatus.DOWNLOADING or timezone.now() < job.deadline_at:
        return False
    return not (job.status == JobStatus.SUBMITTING and pauses.current())


def _retry_or_fail(
    job: Job,
    token: str,
    message: str,
    *,
    transient: bool,
    code: int | None = None,
    retry_after: float | None = None,
    limit: float | None = None,
    **fields,
) -> None:
    """Try the step again later with backoff, unless it cannot help or we tried enough."""
    # HitPaw's own messages may promise a retry: say it once, and never on a failed job.
    message = message.removesuffix(" We will try again shortly.")
    attempts = job.attempts + 1
    if transient and attempts < (limit or settings.ENHANCER_MAX_STEP_ATTEMPTS):
        delay = max(_backoff(job.attempts), retry_after or 0)
        claims.update(
            job.pk,
            token,
            attempts=attempts,
            message=f"{message} Trying again shortly.",
            error_code=code,
            **fields,
            **claims.release_fields(_later(delay)),
        )
        return
    _end(job, token, JobStatus.FAILED, message, code, attempts=attempts, **fields)


def _needs_review(job: Job, token: str, message: str, code: int | None = None) -> None:
    log.warning("Job %s needs review: outcome of its submission is unknown", job.pk)
    _end(job, token, JobStatus.NEEDS_REVIEW, message, code)


def _end(job: Job, token: str, status: str, message: str, code: int | None = None, **fields) -> None:
    claims.transition(
        job.pk,
        token,
        status,
        message,
        error_code=code,
        finished_at=timezone.now(),
        **fields,
        **claims.release_fields(),
    )


def _store(name: str, content: bytes) -> str:
    """Save under the job's own name, replacing what an interrupted earlier try left there."""
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def _backoff(attempts: int) -> float:
    return jittered_backoff(
        attempts, settings.ENHANCER_BACKOFF_BASE_SECONDS, settings.ENHANCER_BACKOFF_MAX_SECONDS
    )


def _later(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)
