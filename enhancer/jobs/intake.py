"""Create jobs from what a user asked for, and wake the ticker. Views call this; it never calls HitPaw.

Every rule about whether a submission may be taken lives here (today: the team-wide pause;
uploads, batches and budgets add theirs), and every refusal is one `SubmissionRefused` with a
plain message for the form.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from enhancer.coins import budgets
from enhancer.hitpaw import pricing
from enhancer.hitpaw.client import STAGING_TYPES
from enhancer.jobs import hitpaw_links, lifecycle, pacing, pauses
from enhancer.media import storage
from enhancer.media.uploads import UploadRefused, store_upload
from enhancer.models import Batch, EnhanceModel, Job, JobStatus, SubmissionPause, TeamBudget, UserBudget

log = logging.getLogger(__name__)

MSG_PAUSED = "Submissions are paused for the whole team right now. See the notice above."
MSG_CANCELED = "Canceled before it was sent to HitPaw. No coins were charged."
MSG_TOO_LATE_TO_CANCEL = "This photo was already sent to HitPaw, so it can no longer be canceled."
MSG_NOT_STAGEABLE = (
    "HitPaw's upload service takes JPG, PNG, WebP and BMP photos only (this site has no public "
    "address HitPaw could fetch other kinds from). Save it as a JPG and upload it again."
)
MSG_NO_STORED_COPY = "We no longer keep a copy of that photo. Please upload it again."
MSG_NOTHING_TO_RETRY = "There is nothing to try again: no photo here has failed."
MSG_ONLY_PAID_TO_RETRY = (
    "HitPaw already took (and charged for) these photos, so sending them again would charge again. "
    "Open each one and choose Resume: it fetches the result HitPaw has, at no cost."
)

# Ended without a result and safe to send again at the user's word. A job that needs review is
# left to an admin: HitPaw may have taken (and charged for) it already.
RETRYABLE_STATUSES = (JobStatus.FAILED, JobStatus.TIMED_OUT)
MSG_WAITING_TURN = (
    "Waiting its turn: at most {rate} photos a minute are sent to HitPaw, so this one starts a little later."
)


class SubmissionRefused(Exception):
    """A submission we will not take, with a message for the person who made it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AlreadySubmitted(SubmissionRefused):
    """The same form was sent again (a double click, a resent POST): its photos are on their way.

    `job` is the first photo that form made: its page (or its batch's) is the answer.
    """

    def __init__(self, job: Job) -> None:
        super().__init__("These photos were sent already.")
        self.job = job


def create_jobs(
    user,
    img_urls: list[str],
    model: EnhanceModel,
    *,
    exif: bool = False,
    dpi: int | None = None,
    submission_token: str = "",
    sent_by_api: bool = False,
) -> list[Job]:
    """Queue one job per link (several make one batch); the ticker picks them up within about a second.

    `submission_token` is the form's own: the same form sent again raises `AlreadySubmitted`.
    `sent_by_api`: a script sent it (the HitPaw-shaped API), shown so on its pages.
    """
    _sent_before(user, submission_token)
    with _one_per_form(user, submission_token), transaction.atomic():
        check_limits(user, model, len(img_urls), submission_token=submission_token)
        batch = Batch.objects.create(user=user, model=model) if len(img_urls) > 1 else None
        pacer = pacing.Pacer()
        jobs = [
            _new_job(
                user,
                url,
                model,
                exif=exif,
                dpi=dpi,
                turn=pacer.next_turn(user),
                batch=batch,
                position=position,
                submission_token="" if position else submission_token,
                sent_by_api=sent_by_api,
            )
            for position, url in enumerate(img_urls)
        ]
        lifecycle.record_received(jobs)
    return jobs


def _sent_before(user, submission_token: str) -> None:
    """Raise `AlreadySubmitted` when this person's form with this token made photos already."""
    if not submission_token:
        return
    first = Job.objects.filter(user=user, submission_token=submission_token).first()
    if first is not None:
        raise AlreadySubmitted(first)


@contextmanager
def _one_per_form(user, submission_token: str):
    """Two sends of one form at once: the unique token lets one through; the other finds its photos."""
    try:
        yield
    except IntegrityError:
        _sent_before(user, submission_token)
        raise


def create_upload_jobs(
    user,
    files: list,
    model: EnhanceModel,
    *,
    exif: bool = False,
    dpi: int | None = None,
    submission_token: str = "",
) -> tuple[list[Job], list[str]]:
    """Check and store each uploaded photo, then queue it straight for sending (nothing to fetch).

    Returns the jobs and, in plain words, why any file was left out. Every photo is checked against
    the model's limits here, before a coin could be spent. If no file is usable, nothing is queued.
    The same form sent again raises `AlreadySubmitted`, before any file is stored.
    """
    _sent_before(user, submission_token)
    if pauses.current() is not None:
        raise SubmissionRefused(MSG_PAUSED)
    kind, scale = model.kind, model.scale
    kept, problems = [], []
    for uploaded in files:
        try:
            stored = store_upload(
                uploaded,
                max_bytes=settings.ENHANCER_MAX_IMAGE_BYTES,
                max_pixels=pricing.max_input_pixels(kind),
            )
        except UploadRefused as refused:
            problems.append(refused.message)
            continue
        info = stored.info
        problem = pricing.limit_problem(kind, info.width, info.height, scale)
        if not problem and not _stageable(info.extension):
            problem = MSG_NOT_STAGEABLE
        if problem:
            storage.discard(stored.name)
            problems.append(f"“{stored.filename}”: {problem}")
            continue
        kept.append(stored)
    if not kept:
        raise SubmissionRefused(" ".join(problems))
    try:
        jobs = _save_upload_jobs(user, kept, model, exif=exif, dpi=dpi, submission_token=submission_token)
    except (SubmissionRefused, IntegrityError):
        for stored in kept:
            storage.discard(stored.name)
        raise
    return jobs, problems


def _save_upload_jobs(user, kept: list, model: EnhanceModel, *, exif, dpi, submission_token) -> list[Job]:
    kind, scale = model.kind, model.scale
    with _one_per_form(user, submission_token), transaction.atomic():
        need = sum(_estimate(stored.info.width, stored.info.height, kind, scale) for stored in kept)
        check_limits(user, model, len(kept), need=need, submission_token=submission_token)
        batch = Batch.objects.create(user=user, model=model) if len(kept) > 1 else None
        pacer = pacing.Pacer()
        jobs = [
            _new_job(
                user,
                "https://upload.invalid/",  # replaced below by the link HitPaw fetches our copy from
                model,
                exif=exif,
                dpi=dpi,
                turn=pacer.next_turn(user),
                batch=batch,
                position=position,
                submission_token="" if position else submission_token,
                **_uploaded_fields(
                    stored.name,
                    stored.filename,
                    (stored.info.extension, stored.info.width, stored.info.height),
                    kind,
                    scale,
                ),
            )
            for position, stored in enumerate(kept)
        ]
        for job in jobs:
            job.img_url = _own_link(job)
            job.save(update_fields=["img_url"])
        lifecycle.record_received(jobs)
    return jobs


def enhance_stored_upload(
    user,
    old: Job,
    model: EnhanceModel,
    *,
    exif: bool = False,
    dpi: int | None = None,
    submission_token: str = "",
) -> Job:
    """Enhance again a photo uploaded before, from the copy we keep: no link to fetch it from, and
    no need to upload it again. Checked against the chosen model's limits before a coin is spent."""
    _sent_before(user, submission_token)
    if not (old.upload_name and old.original.name and old.original_width and old.original_height):
        raise SubmissionRefused(MSG_NO_STORED_COPY)
    width, height = old.original_width, old.original_height
    problem = pricing.limit_problem(model.kind, width, height, model.scale)
    if problem:
        raise SubmissionRefused(problem)
    size = (old.extension, width, height)
    fields = _uploaded_fields(old.original.name, old.upload_name, size, model.kind, model.scale)
    with _one_per_form(user, submission_token), transaction.atomic():
        check_limits(user, model, 1, need=fields["estimated_coins"], submission_token=submission_token)
        job = _new_job(
            user,
            "https://upload.invalid/",  # replaced below by the link HitPaw fetches our copy from
            model,
            exif=exif,
            dpi=dpi,
            turn=pacing.Pacer().next_turn(user),
            submission_token=submission_token,
            **fields,
        )
        job.img_url = _own_link(job)
        job.save(update_fields=["img_url"])
        lifecycle.record_received([job])
    return job


def _uploaded_fields(name: str, filename: str, size: tuple[str, int, int], kind: str, scale: int) -> dict:
    """An upload starts where a fetched link would be once fetched: checked, stored, estimated."""
    extension, width, height = size
    return {
        "status": JobStatus.SUBMITTING,
        "message": "Sending to HitPaw.",
        "original": name,
        "upload_name": filename,
        "extension": extension,
        "original_width": width,
        "original_height": height,
        "estimated_coins": _estimate(width, height, kind, scale),
    }


def _estimate(width: int, height: int, kind: str, scale: int) -> int:
    return pricing.estimate_coins(kind, pricing.output_megapixels(width, height, scale))


def _stageable(extension: str) -> bool:
    """Without a public address an upload is staged on HitPaw's storage, which takes a few types only."""
    return hitpaw_links.public_address_reachable() or extension.lower() in STAGING_TYPES


def _own_link(job: Job) -> str:
    """The signed link to our copy: on a reachable PUBLIC_BASE_URL, else on this machine's own
    address (the pipeline then stages the photo on HitPaw's storage and sends that link instead)."""
    if hitpaw_links.public_address_reachable():
        return hitpaw_links.submission_url(job)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(settings.SANDBOX_BASE_URL))
    return hitpaw_links.original_link(job, origin)


def retry_failed(batch: Batch) -> list[Job]:
    """Send again only the batch's photos that failed or took too long; each new try replaces its old one."""
    return retry_jobs(batch.current_jobs())


def retry_jobs(jobs, *, include_paid: bool = False) -> list[Job]:
    """Queue a new try of each job in `jobs` that ended in failure and has not been tried again yet.

    A photo HitPaw took (a job number, or a charge) is resumed, not sent again: a new try of it is a
    second charge, made only when the person chose it knowing its price (`include_paid`).
    """
    if pauses.current() is not None:
        raise SubmissionRefused(MSG_PAUSED)
    with transaction.atomic():
        # Read whole, then sorted here: an EXISTS over this outer join would lock its nullable side.
        failed = list(
            jobs.select_for_update(of=("self",))
            .filter(status__in=RETRYABLE_STATUSES, retries__isnull=True)
            .select_related("model")
        )
        if not include_paid:
            unpaid = [old for old in failed if not old.hitpaw_job_id and old.coins is None]
            if failed and not unpaid:
                raise SubmissionRefused(MSG_ONLY_PAID_TO_RETRY)
            failed = unpaid
        if not failed:
            raise SubmissionRefused(MSG_NOTHING_TO_RETRY)
        for (user, model), (tries, need) in _count_by_user_and_model(failed).items():
            check_limits(user, model, tries, need=need)
        pacer = pacing.Pacer()
        retries = [
            _new_job(
                old.user,
                old.img_url,
                old.model,
                exif=old.exif,
                dpi=old.dpi,
                turn=pacer.next_turn(old.user),
                batch=old.batch,
                position=old.position,
                retry_of=old,
                **_retry_upload_fields(old),
            )
            for old in failed
        ]
        for job in retries:
            if job.upload_name:
                job.img_url = _own_link(job)
                job.save(update_fields=["img_url"])
        lifecycle.record_received(retries)
    return retries


def cancel(job: Job) -> None:
    """Stop a job that has not been sent to HitPaw yet; refuse once the coin-spending call has begun.

    One conditional update: the pipeline marks the submission as begun with another, so exactly
    one of the two wins. Clearing the lease makes the worker's next write (which needs it) a no-op.
    """
    not_sent = Q(
        status__in=(JobStatus.QUEUED, JobStatus.FETCHING, JobStatus.SUBMITTING),
        submit_started_at__isnull=True,
    )
    canceled = lifecycle.move(
        job.pk,
        JobStatus.CANCELED,
        MSG_CANCELED,
        only_if=not_sent,
        lease_token="",
        lease_until=None,
        due_at=None,
        finished_at=timezone.now(),
    )
    if not canceled:
        raise SubmissionRefused(MSG_TOO_LATE_TO_CANCEL)


def _retry_upload_fields(old: Job) -> dict:
    """An uploaded photo is tried again from our stored copy: there is no link to fetch it from."""
    if not (old.upload_name and old.original.name and old.original_width and old.original_height):
        return {}
    size = (old.extension, old.original_width, old.original_height)
    return _uploaded_fields(old.original.name, old.upload_name, size, old.model.kind, old.model.scale)


def _check_budget(user, model: EnhanceModel, photos: int, need: int | None) -> None:
    """Refuse before any coin is spent when the photos would pass a budget; holds its lock until commit."""
    over_budget = budgets.refusal(user, model, photos, need)
    if over_budget:
        raise SubmissionRefused(over_budget)


def _count_by_user_and_model(jobs: list[Job]) -> dict:
    """(photos, coins) per person and model; each photo at its last estimate (its size is known)."""
    counts: dict = {}
    for job in jobs:
        key = (job.user, job.model)
        photos, coins = counts.get(key, (0, 0))
        counts[key] = (photos + 1, coins + budgets.estimate(job))
    return counts


def _new_job(user, url: str, model: EnhanceModel, *, exif, dpi, turn: pacing.Turn, **fields) -> Job:
    """A queued job, due at its turn (`pacing`), by the database's clock: a web host's fast clock
    delays no photo. One that waits for a later minute says so."""
    values = {"status": JobStatus.QUEUED, "message": "Waiting to start.", **fields}
    if turn.later:
        values["message"] = MSG_WAITING_TURN.format(rate=settings.ENHANCER_SUBMISSIONS_PER_MINUTE)
    return Job.objects.create(
        user=user,
        img_url=url,
        model=model,
        model_name=model.name,
        exif=exif,
        dpi=dpi,
        due_at=turn.due_at,
        deadline_at=turn.deadline_at,
        **values,
    )


def price_facts(models) -> dict:
    """What the submit page needs to estimate coins and check limits before a coin is spent.

    The same table the pipeline uses to record `estimated_coins` and to refuse an over-limit
    photo, so the page and the job agree. `None` stands for "no upper bound".
    """

    def table(rows):
        return [[None if upper == float("inf") else upper, coins] for upper, coins in rows]

    return {
        "prices": {
            "standard": table(pricing.STANDARD_PRICES),
            "generative": table(pricing.GENERATIVE_PRICES),
        },
        "limits": {kind: list(pricing.limits_for(kind)) for kind in pricing.LIMITS_MP},
        "models": {
            model.name: {"scale": model.scale, "kind": model.kind, "label": str(model)} for model in models
        },
    }


def check_limits(
    user, model: EnhanceModel, count: int, need: int | None = None, submission_token: str = ""
) -> None:
    """Refuse while the team is paused, then photos that would pass a budget. `need`: their coins
    when their sizes are known (uploads), else each counts at its model's lowest price. Call inside
    the transaction that saves the jobs. The per-minute rate refuses nothing: it decides when each
    photo is sent (`pacing`, asked after this, under the person's lock taken here).

    A form sent again is found first (`AlreadySubmitted`), under the person's lock: its own photos
    must not make it look over a limit.
    """
    _lock_person(user)
    _sent_before(user, submission_token)
    paused, budgeted = _limits_facts(user)
    if paused:
        raise SubmissionRefused(MSG_PAUSED)
    if budgeted:
        _check_budget(user, model, count, need)


def _lock_person(user) -> None:
    """Lock the person's row so two submissions at once cannot both slip under their limits.

    SQLite has no row locks (`select_for_update` does nothing there): its write transactions begin
    IMMEDIATE, holding the database's one write lock from their start, which already puts
    submissions one after the other. NO KEY UPDATE on PostgreSQL: the row is not changed, so a
    ledger entry or job of theirs being written meanwhile (whose foreign key takes a KEY SHARE lock
    on it) need not wait for this one.
    """
    people = get_user_model().objects.filter(pk=user.pk)
    list(people.select_for_update(no_key=True).values_list("pk", flat=True))


def _limits_facts(user) -> tuple[bool, bool]:
    """Whether the team is paused, and whether any budget (the team's or their own) applies; with
    none, `budgets.refusal` has nothing to check."""
    paused = SubmissionPause.objects.filter(pk=1, paused=True).exists()
    budgeted = (
        TeamBudget.objects.filter(pk=1, monthly_coins__isnull=False).exists()
        or UserBudget.objects.filter(user=user).exists()
    )
    return paused, budgeted
