"""The job pipeline as plain functions: fetch the original, submit, poll, download the result.

`advance(job_id, token, client)` runs the one step a claimed job is due for, then hands the
job back with its next due time (or ends it). Runs the same under the cluster or in a test.
Coins are money: a photo over HitPaw's limits is refused before any request, the coin-spending
call is made at most once per submission, and a paid result is retried for days, not seconds.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Now

from enhancer.coins import budgets, ledger
from enhancer.hitpaw import pricing
from enhancer.hitpaw.backoff import jittered_backoff
from enhancer.hitpaw.client import STAGED_FILE_DAYS, STAGING_TYPES, HitPawClient, Submission
from enhancer.hitpaw.errors import CODE_RATE_LIMITED, CODE_TASK_MISSING, HitPawError
from enhancer.hitpaw.statuses import FAILURE_MESSAGES, GENERIC_FAILURE, RESULT_LINK_DAYS
from enhancer.jobs import claims, lifecycle, pauses
from enhancer.jobs.hitpaw_links import needs_staging, result_fetch_allows_private, submission_url
from enhancer.media import storage
from enhancer.media.fetcher import FetchError, fetch_image
from enhancer.media.thumbnails import make_thumbnail, thumbnail_name
from enhancer.models import Job, JobStatus

if TYPE_CHECKING:
    from enhancer.jobs.claims import StepJob

log = logging.getLogger(__name__)

# Tuning, fixed here rather than set by an operator (tests shorten it with monkeypatch): a step that
# failed for a passing reason (a timeout, a 5xx) is tried at most MAX_STEP_ATTEMPTS times, waiting
# from BACKOFF_BASE_SECONDS and doubling up to BACKOFF_MAX_SECONDS (jittered); a paid result's
# download, retried for days, backs off up to DOWNLOAD_BACKOFF_MAX_SECONDS.
MAX_STEP_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 120.0
DOWNLOAD_BACKOFF_MAX_SECONDS = 3600.0
# "The task does not exist" this many polls in a row ends a job (HitPaw may lag just after accepting).
MISSING_TASK_POLLS = 3

MSG_CRASHED_MID_SUBMIT = (
    "The app lost track of this photo while sending it to HitPaw (it stopped, or could not record "
    "HitPaw's answer), so we do not know whether HitPaw took it (and charged for it). It will not "
    "be sent again automatically: an admin should check the HitPaw dashboard, then record HitPaw's "
    "job (which resumes it), resubmit or close this job."
)
MSG_UNRECORDED = (
    "HitPaw accepted this photo (and charged for it), but the app could not finish recording it. "
    "Resume looks for it at HitPaw and saves the result; sending it again would charge again."
)
MSG_TIMED_OUT = (
    "HitPaw did not finish this photo in time, so we stopped waiting. HitPaw keeps it for 8 days: "
    "Resume checks on it again without paying again."
)
MSG_TIMED_OUT_BEFORE_SUBMIT = (
    "We could not send this photo to HitPaw in time, so we stopped trying. You can try again."
)
MSG_PAUSED = "Waiting: new submissions are paused for the whole team until an admin resumes them."
MSG_ACCEPTED_LATE = "HitPaw accepted the photo after all; it is enhancing it."
MSG_SAVING_RETRY = "Saving the result — retrying"
MSG_STALLED = (
    "This step stopped unexpectedly {count} times in a row (the app may have run out of memory or "
    "storage), so we stopped trying."
)
MSG_STALLED_PAID = " HitPaw has this photo and may have charged for it: an admin should check it."
MSG_RESULT_GONE = (
    "HitPaw no longer has this photo's result (it says the job does not exist), so it cannot be "
    "saved. HitPaw charged for it: an admin can check the HitPaw dashboard."
)
MSG_RESULT_DAYS_OVER = (
    "HitPaw keeps a result for 8 days after the photo was sent, and those days are over, so it "
    "can no longer be saved."
)
MSG_NO_LINK_YET = "HitPaw has not given the enhanced photo's link yet."
MSG_NOT_STAGEABLE = (
    "HitPaw's upload service takes JPG, PNG, WebP and BMP photos only, and this site has no public "
    "address for HitPaw to fetch other kinds from. Save the photo as a JPG and upload it again."
)
# How long the signed upload link HitPaw gives may be used: one PUT, made right away.
STAGING_LINK_SECONDS = 900
# A staged copy is used up to a day before HitPaw deletes it (7 days after it was staged).
STAGED_MARGIN_SECONDS = 86400
# Room left on a lease when recording a paid submission stops being retried.
RECORD_MARGIN_SECONDS = 5
# A result link HitPaw gave this recently is used as it is; an older one is asked for again first.
FRESH_LINK_SECONDS = 60


def job_for_step(job_id: int) -> StepJob | None:
    """The job with its model and `db_now` (the database's clock, for its lease and deadlines), or None."""
    return Job.objects.select_related("model").annotate(db_now=Now()).filter(pk=job_id).first()


def advance(job_id: int, token: str, client: HitPawClient) -> bool:
    """Run the step the job is due for, if we still hold its lease.

    True when the step kept the job, due at once, under `token` (fetched: send it; done at HitPaw:
    save it): the caller runs the next step now, or hands it back (`claims.hand_back`). False when
    the job was handed back, ended, or is no longer ours.
    """
    job = job_for_step(job_id)
    if job is None or not claims.hold_for_step(job, token):
        return False
    if job.stalled_claims >= claims.MAX_STALLED_STEPS:
        _give_up_stalled(job, token)
        return False
    if not claims.start_step(job.pk, token):
        return False
    if job.status == JobStatus.SUBMITTING and job.submit_started_at is not None:
        _needs_review(job, token, MSG_UNRECORDED if job.hitpaw_job_id else MSG_CRASHED_MID_SUBMIT)
        return False
    if _past_deadline(job):
        if job.status == JobStatus.CONVERTING:
            return poll(job, token, client, last_chance=True)  # it may have finished just now
        message = MSG_TIMED_OUT if job.submitted_at else MSG_TIMED_OUT_BEFORE_SUBMIT
        _end(job, token, JobStatus.TIMED_OUT, message)
        return False
    step = STEPS.get(job.status)
    if step is None:
        claims.update(job.pk, token, **claims.release_fields())
        return False
    return step(job, token, client)


def fetch_original(job: StepJob, token: str, client: HitPawClient) -> bool:
    """Download the user's photo, check it against the model's limits, store our copy, estimate its coins.

    Kept for its submission when stored (True).
    """
    if job.status == JobStatus.QUEUED and not claims.transition(
        job.pk, token, JobStatus.FETCHING, "Fetching your photo."
    ):
        return False
    kind, scale = job.model.kind, job.model.scale
    try:
        fetched = fetch_image(
            job.img_url,
            max_bytes=settings.ENHANCER_MAX_IMAGE_BYTES,
            max_pixels=pricing.max_input_pixels(kind),
            allow_private=settings.ENHANCER_ALLOW_PRIVATE_URLS,
            connect_timeout=settings.ENHANCER_CONNECT_TIMEOUT,
            read_timeout=settings.ENHANCER_READ_TIMEOUT,
            total_seconds=settings.ENHANCER_FETCH_SECONDS,
        )
    except FetchError as error:
        _retry_or_fail(job, token, error.message, transient=error.transient)
        return False
    with fetched:
        info = fetched.info
        size = {"original_width": info.width, "original_height": info.height}
        problem = pricing.limit_problem(kind, info.width, info.height, scale)
        if problem:
            _end(job, token, JobStatus.FAILED, problem, **size)  # nothing sent, nothing charged
            return False
        name = storage.store(fetched.path, "originals", f"job-{job.pk}", info.extension)
        make_thumbnail(name, fetched.path)  # here on the worker, never in a page's request
    estimate = pricing.estimate_coins(kind, pricing.output_megapixels(info.width, info.height, scale))
    moved = claims.transition(
        job.pk,
        token,
        JobStatus.SUBMITTING,
        "Sending to HitPaw.",
        original=name,
        extension=info.extension,
        estimated_coins=estimate,
        attempts=0,
        **size,
        **claims.keep_fields(),
    )
    if not moved:
        storage.discard(name)  # our lease ran out: whoever holds the job now stores its own copy
        storage.discard(thumbnail_name(name))
    return moved


def submit(job: StepJob, token: str, client: HitPawClient) -> bool:
    """Send the photo to HitPaw once. A lost answer goes to an admin, never out again."""
    if pauses.in_force():
        claims.update(job.pk, token, message=MSG_PAUSED, **claims.release_fields(_later(30)))
        return False
    if job.original_width and job.original_height:
        problem = pricing.limit_problem(
            job.model.kind, job.original_width, job.original_height, job.model.scale
        )
        if problem:
            _end(job, token, JobStatus.FAILED, problem)
            return False
    if needs_staging(job) and not _staged(job, token, client):
        return False  # handed back to try again, or ended: nothing sent, nothing charged
    # Marked as begun with a fresh lease just before the coin-spending call, so the call cannot
    # outlive it; in the same transaction as the budget check at the photo's real price, whose
    # locks put photos sent at once one after the other.
    with transaction.atomic():
        over_budget = budgets.before_sending(job)
        started = over_budget is None and claims.start_submission(job.pk, token)
    if over_budget:
        _end(job, token, JobStatus.FAILED, over_budget)  # nothing sent, nothing charged
        return False
    if not started:
        return False
    sent_at = time.monotonic()  # our lease, renewed just above, runs from about now
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
        return False
    # Said at once, before any write that could fail: an admin can always find what was charged.
    log.info(
        "Job %s: HitPaw accepted it as HitPaw job %s for %s coins",
        job.pk,
        submission.job_id,
        submission.coins,
    )
    _record_submission(job, token, submission, sent_at)
    return False  # polled after an interval


def _staged(job: StepJob, token: str, client: HitPawClient) -> bool:
    """Put an uploaded photo on HitPaw's own storage (presign-put, then PUT), for HitPaw to read.

    For an office HitPaw cannot reach. Free, and safe to repeat: a failure is retried like any
    passing step's, and a copy staged earlier and still kept is used as it is.
    """
    if job.staged_url and job.staged_until and job.db_now < job.staged_until:
        return True
    content_type = STAGING_TYPES.get(job.extension.lower())
    if content_type is None or not job.original.name:  # only uploads are staged, from our copy
        _end(job, token, JobStatus.FAILED, MSG_NOT_STAGEABLE)
        return False
    try:
        slot = client.presign_put(f"photo-{job.pk}{job.extension}", content_type, STAGING_LINK_SECONDS)
        with storage.open_stream(job.original.name) as stream:
            client.put_file(
                slot.upload_url,
                stream,
                stream.size,
                content_type,
                max_bytes=settings.ENHANCER_MAX_IMAGE_BYTES,
            )
    except HitPawError as error:
        _retry_or_fail(
            job,
            token,
            error.message,
            transient=error.transient,
            code=error.code,
            retry_after=error.retry_after,
        )
        return False
    except OSError:
        log.warning("Job %s: could not read its stored photo to stage it", job.pk, exc_info=True)
        _retry_or_fail(job, token, "Our copy of the photo could not be read.", transient=True)
        return False
    kept_for = STAGED_FILE_DAYS * 86400 - STAGED_MARGIN_SECONDS
    if not claims.update(job.pk, token, staged_url=slot.access_url, staged_until=_later(kept_for)):
        return False  # our lease ran out: whoever holds the job now stages it again
    job.staged_url = slot.access_url
    return True


def _record_submission(job: StepJob, token: str, submission: Submission, sent_at: float) -> None:
    """Record an accepted (paid) submission: HitPaw's job number first, alone, then the rest.

    Each write is retried until the lease taken at `sent_at` (`time.monotonic()`) is nearly gone: a
    database fail-over must not lose a paid job. With the number on the row, whatever happens next
    (our lease runs out, the job goes to review) leaves a job that can be resumed, never resent.
    Every commit is on disk when it returns, so a power cut after it loses nothing; one during the
    call leaves the job marked as being sent, so it goes to review, as after a crash.
    """
    record_until = sent_at + settings.ENHANCER_LEASE_SECONDS - RECORD_MARGIN_SECONDS
    numbered = False
    attempt = 0
    while True:
        try:
            numbered = numbered or _record_job_number(job, submission)
            moved = claims.transition(
                job.pk,
                token,
                JobStatus.CONVERTING,
                "HitPaw is enhancing your photo.",
                hitpaw_job_id=submission.job_id,
                coins=submission.coins,
                submitted_at=claims.db_now(),
                deadline_at=_paid_call_deadline(),
                attempts=0,
                error_code=None,
                then=ledger.charge_writer(job, submission.job_id, submission.coins),
                **claims.release_fields(_later(settings.ENHANCER_POLL_INTERVAL_SECONDS)),
            )
            if not moved:
                _adopt_late_acceptance(job, submission)
            return
        except DatabaseError:
            attempt += 1
            log.warning(
                "Job %s: could not record HitPaw job %s (try %d)",
                job.pk,
                submission.job_id,
                attempt,
                exc_info=True,
            )
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()  # reopened on the next query
            wait = jittered_backoff(attempt - 1, 0.5, 10)
            if time.monotonic() + wait >= record_until:
                break
            time.sleep(wait)
    log.error(
        "Job %s: gave up recording HitPaw job %s (%s coins, its number %s); it will go to review",
        job.pk,
        submission.job_id,
        submission.coins,
        "recorded" if numbered else "not recorded",
    )


def _record_job_number(job: StepJob, submission: Submission) -> bool:
    """Write HitPaw's job number (and its price) on the row, before anything else about the answer.

    Not under our lease: even a job that went to review meanwhile keeps the number it was paid under.
    Never over another number (a deliberate resubmission's).
    """
    Job.objects.filter(
        pk=job.pk, status__in=[JobStatus.SUBMITTING, JobStatus.NEEDS_REVIEW], hitpaw_job_id=""
    ).update(hitpaw_job_id=submission.job_id, coins=submission.coins, updated_at=claims.db_now())
    return True


def _paid_call_deadline():
    """The job's deadline, counted from the paid call, by the database's clock."""
    return claims.db_now_plus(settings.ENHANCER_JOB_DEADLINE_SECONDS)


def _adopt_late_acceptance(job: StepJob, submission: Submission) -> None:
    """Our lease ran out mid-call, and the job went (or is going) to review: HitPaw has it, so poll it."""
    adopted = lifecycle.move(
        job.pk,
        JobStatus.CONVERTING,
        MSG_ACCEPTED_LATE,
        # Not yet numbered, or numbered by this very answer (written first, above).
        only_if=Q(status__in=[JobStatus.SUBMITTING, JobStatus.NEEDS_REVIEW])
        & Q(hitpaw_job_id__in=["", submission.job_id]),
        hitpaw_job_id=submission.job_id,
        coins=submission.coins,
        submitted_at=claims.db_now(),
        deadline_at=_paid_call_deadline(),
        finished_at=None,
        attempts=0,
        error_code=None,
        then=ledger.charge_writer(job, submission.job_id, submission.coins),
        **claims.release_fields(claims.db_now()),
    )
    if adopted:
        log.warning(
            "Job %s: HitPaw accepted it as %s after its lease ran out; polling it", job.pk, submission.job_id
        )
    else:
        ledger.record_charge(job, submission.job_id, submission.coins)  # HitPaw charged it all the same
        log.error(
            "Job %s: HitPaw accepted it as %s (%s coins) but the job had moved on; an admin should check",
            job.pk,
            submission.job_id,
            submission.coins,
        )


def poll(job: StepJob, token: str, client: HitPawClient, *, last_chance: bool = False) -> bool:
    """Ask HitPaw how the job is doing. The job is paid for, so only HitPaw's word ends it early.

    Kept for its download when HitPaw says it is done (True).
    """
    try:
        status = client.status(job.hitpaw_job_id)
    except HitPawError as error:
        if last_chance:
            _end(job, token, JobStatus.TIMED_OUT, MSG_TIMED_OUT)
        else:
            _poll_failed(job, token, error)
        return False
    polled: dict[str, Any] = {
        "poll_count": job.poll_count + 1,
        "vendor_status": status.status[:40],
        "attempts": 0,
    }
    if status.is_completed and status.res_url:
        return claims.transition(
            job.pk,
            token,
            JobStatus.DOWNLOADING,
            "Saving the enhanced photo.",
            res_url=status.res_url,
            res_url_at=claims.db_now(),
            error_code=None,
            **polled,
            **claims.keep_fields(),
        )
    if status.is_failed:
        message = FAILURE_MESSAGES.get(status.status, GENERIC_FAILURE)
        _end(job, token, JobStatus.FAILED, message, **polled)
    elif last_chance:
        _end(job, token, JobStatus.TIMED_OUT, MSG_TIMED_OUT, **polled)
    else:
        next_poll = _later(settings.ENHANCER_POLL_INTERVAL_SECONDS)
        claims.update(job.pk, token, error_code=None, **polled, **claims.release_fields(next_poll))
    return False


def _poll_failed(job: StepJob, token: str, error: HitPawError) -> None:
    """A status call failed: wait and ask again, until the deadline, unless HitPaw keeps saying the task is gone."""
    if error.code == CODE_TASK_MISSING:
        # HitPaw may not know a job for a moment after accepting it: a few answers in a row end it.
        seen = job.attempts + 1 if job.error_code == CODE_TASK_MISSING else 1
        if seen >= MISSING_TASK_POLLS:
            _end(job, token, JobStatus.FAILED, error.message, error.code, attempts=seen)
            return
        message, attempts = job.message, seen
    elif error.transient or error.outcome_unknown:
        message, attempts = job.message, job.attempts + 1
    else:
        # A bad or rotated key, or a bare refusal: the photo is paid for and HitPaw may still finish
        # it, so it waits (and new submissions pause) until the key is fixed or the deadline passes.
        if error.account_problem:
            pauses.pause(error.message, error.code)
        message = f"Waiting: {error.message} We keep checking on this photo until it is done."
        attempts = job.attempts + 1
    delay = max(_backoff(attempts - 1), error.retry_after or 0)
    claims.update(
        job.pk,
        token,
        attempts=attempts,
        message=message,
        error_code=error.code,
        **claims.release_fields(_later(delay)),
    )


def download_result(job: StepJob, token: str, client: HitPawClient) -> bool:
    """Copy the result into our own storage (HitPaw deletes it after 8 days).

    A retry (or a link no longer fresh) first asks HitPaw for the result's link again: its links
    are signed and expire, so an old one would be refused however often it is tried.
    """
    res_url = job.res_url
    if _link_may_have_lapsed(job):
        res_url = _fresh_result_link(job, token, client)
        if not res_url:
            return False  # ended, or handed back to try again later
    try:
        fetched = fetch_image(
            res_url,
            max_bytes=settings.ENHANCER_MAX_RESULT_BYTES,
            max_pixels=pricing.max_output_pixels(job.model.kind),
            allow_private=result_fetch_allows_private(res_url),
            connect_timeout=settings.ENHANCER_CONNECT_TIMEOUT,
            read_timeout=settings.ENHANCER_READ_TIMEOUT,
            total_seconds=settings.ENHANCER_RESULT_FETCH_SECONDS,
        )
    except FetchError as error:
        _retry_download(job, token, error.message)
        return False
    with fetched:
        info = fetched.info
        name = storage.store(fetched.path, "results", f"job-{job.pk}", info.extension)
        make_thumbnail(name, fetched.path)
    finished = _end(
        job,
        token,
        JobStatus.COMPLETED,
        "Done.",
        result=name,
        result_width=info.width,
        result_height=info.height,
    )
    if not finished:
        storage.discard(name)  # a stale worker: the job's own result (if any) stays untouched
        storage.discard(thumbnail_name(name))
    return False


def _link_may_have_lapsed(job: StepJob) -> bool:
    """True for a retry, or a link HitPaw gave longer ago than a freshly polled one."""
    if job.attempts or not job.res_url:
        return True
    return job.res_url_at is not None and job.db_now - job.res_url_at > _seconds(FRESH_LINK_SECONDS)


def _fresh_result_link(job: StepJob, token: str, client: HitPawClient) -> str:
    """Ask HitPaw for the result's link now; empty when the job was ended or handed back instead.

    HitPaw no longer knowing the job ends it (nothing left to save). Any other failed status call
    falls back on the link we have: the files may be served while the API is not.
    """
    try:
        status = client.status(job.hitpaw_job_id)
    except HitPawError as error:
        if error.code == CODE_TASK_MISSING:
            _end(job, token, JobStatus.FAILED, MSG_RESULT_GONE, error.code)
        elif not job.res_url:
            _retry_download(job, token, error.message)
        return "" if error.code == CODE_TASK_MISSING else job.res_url
    if status.is_failed:
        message = FAILURE_MESSAGES.get(status.status, GENERIC_FAILURE)
        _end(job, token, JobStatus.FAILED, message, vendor_status=status.status[:40])
        return ""
    if not (status.is_completed and status.res_url):
        if not job.res_url:
            _retry_download(job, token, MSG_NO_LINK_YET)
        return job.res_url
    if status.res_url != job.res_url and not claims.update(
        job.pk, token, res_url=status.res_url, res_url_at=claims.db_now()
    ):
        return ""  # our lease ran out: the job is someone else's now
    return status.res_url


def _retry_download(job: StepJob, token: str, problem: str) -> None:
    """The photo is paid for and HitPaw keeps it 8 days from the paid call: back off over hours till then."""
    paid_at = job.submitted_at or job.res_url_at or job.db_now
    give_up_at = paid_at + _seconds(min(settings.ENHANCER_RESULT_RETRY_SECONDS, RESULT_LINK_DAYS * 86400))
    attempts = job.attempts + 1
    if job.db_now < give_up_at:
        delay = jittered_backoff(job.attempts, BACKOFF_BASE_SECONDS, DOWNLOAD_BACKOFF_MAX_SECONDS)
        claims.update(
            job.pk,
            token,
            attempts=attempts,
            message=f"{MSG_SAVING_RETRY} (try {attempts}): {problem}",
            **claims.release_fields(_later(delay)),
        )
        return
    kept_until = paid_at + _seconds(RESULT_LINK_DAYS * 86400)
    if job.db_now < kept_until:
        message = (
            f"The enhanced photo could not be saved: {problem} An admin can retry the download until "
            f"{kept_until:%b %d, %H:%M} UTC, while HitPaw still keeps it."
        )
    else:
        message = f"The enhanced photo could not be saved: {problem} {MSG_RESULT_DAYS_OVER}"
    _end(job, token, JobStatus.FAILED, message, attempts=attempts)


STEPS: dict[str, Callable[[StepJob, str, HitPawClient], bool]] = {
    JobStatus.QUEUED: fetch_original,
    JobStatus.FETCHING: fetch_original,
    JobStatus.SUBMITTING: submit,
    JobStatus.CONVERTING: poll,
    JobStatus.DOWNLOADING: download_result,
}


def _past_deadline(job: StepJob) -> bool:
    """Downloads finish even late: the photo is done and paid for. Paused jobs wait."""
    if job.status == JobStatus.DOWNLOADING or job.db_now < job.deadline_at:
        return False
    return not (job.status == JobStatus.SUBMITTING and pauses.current())


def _give_up_stalled(job: StepJob, token: str) -> None:
    """A step that keeps dying (not a fetch error: a crash, a kill) is not retried forever."""
    count = job.stalled_claims
    log.error(
        "Job %s: its %s step stopped %d times in a row without a word; giving up", job.pk, job.status, count
    )
    message = MSG_STALLED.format(count=count)
    if job.hitpaw_job_id or job.submit_started_at:
        _end(job, token, JobStatus.NEEDS_REVIEW, message + MSG_STALLED_PAID)
    else:
        _end(job, token, JobStatus.FAILED, message + " You can try again.")


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
    if transient and attempts < (limit or MAX_STEP_ATTEMPTS):
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


def _end(job: Job, token: str, status: str, message: str, code: int | None = None, **fields) -> bool:
    return claims.transition(
        job.pk,
        token,
        status,
        message,
        error_code=code,
        finished_at=claims.db_now(),
        **fields,
        **claims.release_fields(),
    )


def _backoff(attempts: int) -> float:
    return jittered_backoff(attempts, BACKOFF_BASE_SECONDS, BACKOFF_MAX_SECONDS)


def _later(seconds: float):
    """`seconds` from now by the database's clock."""
    return claims.db_now_plus(seconds)


def _seconds(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)
