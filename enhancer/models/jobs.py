"""Jobs and their timelines: one row per photo sent through HitPaw, one event per step."""

from __future__ import annotations

from pathlib import PurePath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import models

from enhancer.models.batches import Batch
from enhancer.models.catalogue import EnhanceModel


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    FETCHING = "fetching", "Fetching your photo"
    SUBMITTING = "submitting", "Sending to HitPaw"
    CONVERTING = "converting", "Enhancing"
    DOWNLOADING = "downloading", "Saving the result"
    COMPLETED = "completed", "Done"
    FAILED = "failed", "Failed"
    TIMED_OUT = "timed_out", "Took too long"
    NEEDS_REVIEW = "needs_review", "Needs an admin's check"
    CANCELED = "canceled", "Canceled"


ACTIVE_STATUSES = (
    JobStatus.QUEUED,
    JobStatus.FETCHING,
    JobStatus.SUBMITTING,
    JobStatus.CONVERTING,
    JobStatus.DOWNLOADING,
)
TERMINAL_STATUSES = (
    JobStatus.COMPLETED,
    JobStatus.FAILED,
    JobStatus.TIMED_OUT,
    JobStatus.NEEDS_REVIEW,
    JobStatus.CANCELED,
)

PROBLEM_STATUSES = (JobStatus.FAILED, JobStatus.TIMED_OUT, JobStatus.NEEDS_REVIEW)


class Job(models.Model):
    """One photo sent through HitPaw. Its whole state lives here, so a dead worker loses nothing."""

    # No index of their own: `job_history` and `job_usual_time` begin with them (see Meta).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", db_index=False
    )
    img_url = models.URLField("image link", max_length=2000)
    model = models.ForeignKey(EnhanceModel, on_delete=models.PROTECT, related_name="jobs", db_index=False)
    model_name = models.CharField(max_length=64, help_text="The model_name sent to HitPaw.")
    exif = models.BooleanField(default=False)
    dpi = models.PositiveIntegerField(null=True, blank=True)
    extension = models.CharField(max_length=10, blank=True)

    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    message = models.CharField(max_length=500, blank=True, help_text="Plain words for the user.")
    error_code = models.BigIntegerField(null=True, blank=True, help_text="HitPaw's error code, if any.")
    vendor_status = models.CharField(max_length=40, blank=True)

    # Not indexed: nothing looks a job up by it (the admin's search for it is a substring search).
    hitpaw_job_id = models.CharField(max_length=100, blank=True)
    coins = models.PositiveIntegerField(null=True, blank=True, help_text="Coins HitPaw charged.")
    estimated_coins = models.PositiveIntegerField(
        null=True, blank=True, help_text="Coins the price table says this photo costs, set before sending."
    )
    res_url = models.URLField(max_length=2000, blank=True)
    res_url_at = models.DateTimeField(
        null=True, blank=True, help_text="When HitPaw gave the result link (it keeps results 8 days)."
    )

    original = models.FileField(upload_to="originals/", blank=True)
    original_width = models.PositiveIntegerField(null=True, blank=True)
    original_height = models.PositiveIntegerField(null=True, blank=True)
    result = models.FileField(upload_to="results/", blank=True)
    result_width = models.PositiveIntegerField(null=True, blank=True)
    result_height = models.PositiveIntegerField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField()

    # Scheduling: the ticker hands out jobs whose step is due and whose lease is free.
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lease_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Failed tries of the current step.")
    # Claims of the current step that ended with no word from it (the worker crashed or was killed).
    stalled_claims = models.PositiveIntegerField(default=0)
    poll_count = models.PositiveIntegerField(default=0)
    # Set just before the coin-spending POST: if we find it set again, the outcome is unknown.
    submit_started_at = models.DateTimeField(null=True, blank=True)

    # Photos sent together share a batch; a photo sent again remembers which try it replaces.
    batch = models.ForeignKey(
        Batch, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs", db_index=False
    )
    position = models.PositiveIntegerField(default=0, help_text="Order within its batch.")
    upload_name = models.CharField(
        max_length=255, blank=True, help_text="The file's name when the photo was uploaded, not linked."
    )
    # An upload HitPaw cannot fetch from us (no public address) is put on HitPaw's own storage first
    # (presign-put): the link it reads the photo from there, and when that copy is deleted.
    staged_url = models.URLField(max_length=2000, blank=True)
    staged_until = models.DateTimeField(null=True, blank=True)
    retry_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="retries"
    )
    # The submit form's own token, on the first photo a form made: the same form sent again (a
    # double click, a resent POST) finds it and makes nothing new.
    submission_token = models.CharField(max_length=32, blank=True, default="")
    # Sent through the desk's HitPaw-shaped API (a script with a personal token), not the form.
    sent_by_api = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # A job is updated about ten times in its life, and each update writes a new entry in every
        # index (the changed columns are indexed, so PostgreSQL cannot update in place): keep few,
        # and leave out of an index the rows no lookup needs (docs/benchmarks.md).
        indexes = [
            models.Index(fields=["status", "due_at"]),
            # the jobs a batch task was handed (without the LIKE index Django adds for `db_index`);
            models.Index(fields=["lease_token"], name="job_claimed"),
            # a batch's photos (most photos are sent alone);
            models.Index(fields=["batch"], condition=models.Q(batch__isnull=False), name="job_batch"),
            # The pages' lookups, so they stay fast with 100,000 jobs (docs/benchmarks.md):
            # a person's history, newest first;
            models.Index(fields=["user", "created_at", "id"], name="job_history"),
            # a person's coins on the job page (recent charges, today, this month), read from the index;
            models.Index(fields=["user", "submitted_at", "coins"], name="job_coins"),
            # how long this model usually takes, on the page of a job still working;
            models.Index(fields=["model", "status", "finished_at"], name="job_usual_time"),
            # the System page's last HitPaw error (only jobs with an error code are in it).
            models.Index(
                fields=["-updated_at"], condition=models.Q(error_code__isnull=False), name="job_last_error"
            ),
        ]
        constraints = [
            # One submission per form: only the first photo of each form carries its token.
            models.UniqueConstraint(
                fields=["user", "submission_token"],
                condition=~models.Q(submission_token=""),
                name="job_one_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"Job {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def is_completed(self) -> bool:
        return self.status == JobStatus.COMPLETED

    @property
    def photo_name(self) -> str:
        """The photo's own file name without its extension, for titles and downloads."""
        if self.upload_name:
            return photo_name_from_url("/" + self.upload_name) or f"photo-{self.pk}"
        return photo_name_from_url(self.img_url) or f"photo-{self.pk}"

    @property
    def result_download_name(self) -> str:
        """`shoe-enhanced.png`: what the enhanced photo is called when downloaded."""
        suffix = PurePath(self.result.name).suffix if self.result.name else self.extension
        return f"{self.photo_name}-enhanced{suffix}"

    @property
    def can_cancel(self) -> bool:
        """Not sent to HitPaw yet, so stopping it costs nothing (intake checks again, atomically)."""
        not_sent = (JobStatus.QUEUED, JobStatus.FETCHING, JobStatus.SUBMITTING)
        return self.status in not_sent and self.submit_started_at is None

    @property
    def is_problem(self) -> bool:
        """Ended without a result in a way staff should notice (shown as an error)."""
        return self.status in PROBLEM_STATUSES


def photo_name_from_url(url: str) -> str:
    """`https://x/shop/Red%20Shoe.JPG?w=1` -> `Red Shoe`: safe as a file name, empty if there is none."""
    last = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    stem = last.rsplit(".", 1)[0] if "." in last else last
    cleaned = "".join(c if c.isalnum() or c in " -_." else "-" for c in stem).strip(" .-")
    return cleaned[:80]


class JobEvent(models.Model):
    """A step in a job's life, with its time: the job's timeline."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=JobStatus.choices)
    message = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.status} at {self.at:%H:%M:%S}"
