"""Shared pieces for the job tests: a scripted HitPaw stub, the job factory, served images.

No cluster and no HTTP to HitPaw: `StubClient` stands in for `HitPawClient`, and `serve_images`
answers the fetcher's downloads with `responses` (with the `fake_dns` fixture, host names resolve
to a public address, so the fetcher's private-address check passes without any real connection).
"""

from __future__ import annotations

import contextlib
import threading
from datetime import datetime

import responses
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from enhancer.hitpaw.catalogue import seed_catalogue
from enhancer.hitpaw.client import Submission, TaskStatus
from enhancer.hitpaw.errors import HitPawError, error_for_code
from enhancer.jobs import claims, lifecycle, pipeline
from enhancer.models import EnhanceModel, Job, JobEvent, JobStatus
from tests.support.images import image_bytes

PHOTO_URL = "https://photos.example/shop/shoe.png"
RESULT_URL = "https://results.example/out/shoe-enhanced.png"
LOST_ANSWER = (
    "We sent the photo to HitPaw but HitPaw did not answer in time, so we do not know whether "
    "HitPaw took it (and charged for it). It will not be sent again automatically: an admin should "
    "check the HitPaw dashboard, then resubmit or close this job."
)


class StubClient:
    """Stands in for HitPawClient: records every call and answers from a script.

    Each script is a list of results (a `Submission`/`TaskStatus` to return, or a `HitPawError`
    to raise), used in order; the last one repeats. An empty script answers with a success.
    `on_submit(call_number)` runs inside `submit`, to simulate what happens meanwhile.
    """

    def __init__(self, submits=(), statuses=(), on_submit=None) -> None:
        self.submits = list(submits)
        self.statuses = list(statuses)
        self.on_submit = on_submit
        self.submit_calls: list[dict] = []
        self.status_calls: list[str] = []
        self._lock = threading.Lock()

    def submit(self, img_url, model_name, extension, exif=None, dpi=None) -> Submission:
        with self._lock:
            call = dict(img_url=img_url, model_name=model_name, extension=extension, exif=exif, dpi=dpi)
            self.submit_calls.append(call)
            number = len(self.submit_calls)
            result = _next(self.submits, Submission(job_id=f"hitpaw-job-{number}", coins=10))
        if self.on_submit is not None:
            self.on_submit(number)
        if isinstance(result, Exception):
            raise result
        return result

    def status(self, job_id: str) -> TaskStatus:
        with self._lock:
            self.status_calls.append(job_id)
            result = _next(self.statuses, running())
        if isinstance(result, Exception):
            raise result
        return TaskStatus(job_id, result.status, result.res_url, result.original_url)


def _next(script: list, default):
    if not script:
        return default
    return script.pop(0) if len(script) > 1 else script[0]


def running(status: str = "CONVERTING") -> TaskStatus:
    return TaskStatus(job_id="", status=status, res_url="", original_url="")


def completed(res_url: str = RESULT_URL) -> TaskStatus:
    return TaskStatus(job_id="", status="COMPLETED", res_url=res_url, original_url=PHOTO_URL)


def vendor_error(code: int, http_status: int = 400, retry_after: float | None = None) -> HitPawError:
    """The error HitPawClient raises for a response carrying HitPaw's own error body."""
    error = error_for_code(code, http_status)
    if http_status == 429 or http_status >= 500:
        error.transient = True
    error.retry_after = retry_after
    return error


def lost_answer() -> HitPawError:
    """The error HitPawClient raises when a submission was sent but its answer was lost."""
    return HitPawError(LOST_ANSWER, outcome_unknown=True)


def default_model() -> EnhanceModel:
    model = EnhanceModel.objects.filter(name="general_2x").first()
    if model is None:
        seed_catalogue(EnhanceModel)
        model = EnhanceModel.objects.get(name="general_2x")
    return model


def make_job(status: str = JobStatus.QUEUED, *, user=None, model=None, bare: bool = False, **fields) -> Job:
    """A job at `status` for `user` (default alice) and `model` (default general_2x); `fields` win.

    Its link is `PHOTO_URL` and its deadline a fresh one (`lifecycle.new_deadline`). Unless `bare`,
    it is also due now, says "Waiting to start.", holds what the earlier steps would have recorded
    by `status` and has its first timeline event: where the pipeline tests start. A `bare` job is
    just the row, with nothing more than `fields` say: not due, no message, no step data, no event.
    """
    now = timezone.now()
    model = model or default_model()
    values = {"img_url": PHOTO_URL, "deadline_at": lifecycle.new_deadline(now)}
    if not bare:
        values.update(due_at=now, message="Waiting to start.", **recorded_before(status, now))
    values.update(fields)
    user = user or get_user_model().objects.get_or_create(username="alice")[0]
    job = Job.objects.create(user=user, model=model, model_name=model.name, status=status, **values)
    if not bare:
        JobEvent.objects.create(job=job, status=status, message=values["message"])
    return job


def recorded_before(status: str, now: datetime) -> dict:
    """What the steps before `status` record on a job: the photo, then HitPaw's answer, then the link."""
    values = {}
    if status in (JobStatus.SUBMITTING, JobStatus.CONVERTING, JobStatus.DOWNLOADING):
        values.update(extension=".png", original_width=64, original_height=48)
    if status in (JobStatus.CONVERTING, JobStatus.DOWNLOADING):
        values.update(hitpaw_job_id="hitpaw-job-1", coins=10, submitted_at=now)
    if status == JobStatus.DOWNLOADING:
        values.update(res_url=RESULT_URL)
    return values


def step(job: Job, client: StubClient) -> Job:
    """Claim the job (due or not) and run the step it is at, like a batch task that stops after one."""
    token = claims.claim_job(job.pk)
    assert token, f"job {job.pk} ({job.status}) could not be claimed"
    if pipeline.advance(job.pk, token, client):
        claims.hand_back(job.pk, token)
    job.refresh_from_db()
    return job


def timeline(job: Job) -> list[str]:
    return list(job.events.values_list("status", flat=True))


@contextlib.contextmanager
def serve_images(monkeypatch, fake_dns):
    """Answer downloads with `responses`; host names resolve to a public address (`fake_dns`)."""
    fake_dns()
    monkeypatch.setattr(settings, "ENHANCER_ALLOW_PRIVATE_URLS", False)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as web:
        yield web


def add_image(web, url: str, width: int = 64, height: int = 48, fmt: str = "PNG") -> bytes:
    content = image_bytes(width, height, fmt)
    web.add(responses.GET, url, body=content, content_type=f"image/{fmt.lower()}")
    return content


def downloads(web, url: str) -> int:
    """How many times the app asked for `url`."""
    return sum(1 for call in web.calls if call.request.url == url)


def in_threads(count: int, work) -> list:
    """Run `work(i)` in `count` threads released together; return results, re-raise any error."""
    start = threading.Barrier(count)
    results: list = [None] * count
    errors: list[Exception] = []

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = work(index)
        except Exception as error:  # handed back to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def handed_to_the_ticker() -> bool:
    """True when some active job is due now: `manage.py runticker` hands it out within a tick."""
    from enhancer.models import ACTIVE_STATUSES

    return Job.objects.filter(status__in=ACTIVE_STATUSES, due_at__lte=timezone.now(), lease_token="").exists()
