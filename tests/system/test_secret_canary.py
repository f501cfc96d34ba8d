"""The HitPaw key never shows: a canary key is run through successes and failures of every kind,
then searched for in every page, admin page, log line, django-q2 task and failure row, stored job
and exception text (with Django's error report of it)."""

from __future__ import annotations

import logging
import sys

import pytest
from django.contrib import admin
from django.core import serializers
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.views.debug import ExceptionReporter
from django_q.conf import Conf
from django_q.humanhash import uuid
from django_q.models import Task
from django_q.signing import SignedPackage
from django_q.tasks import _sync, async_task

from enhancer.hitpaw.errors import HitPawError
from enhancer.jobs import claims, client_factory, pipeline
from enhancer.models import Job
from tests.support.fake_hitpaw import FakeHitPaw
from tests.support.jobs import make_job

pytestmark = pytest.mark.django_db(transaction=True)

CANARY = "canary-4f9d2c61e8a7b35d0c1e"
# What goes wrong, one job each; the last one is sent with a key HitPaw does not know.
FAULTS = [
    "",
    "submit_500:9",
    "submit_error:110402000",
    "submit_drop",
    "status_bad_key:1",
    "status_error",
    "status_missing",
    "result_404",
    "result_not_image",
]
STEPS_PER_JOB = 12


@pytest.fixture(scope="module")
def canary_hitpaw():
    with FakeHitPaw(api_key=CANARY) as server:
        yield server


@pytest.fixture
def app_with_canary(settings, canary_hitpaw, monkeypatch, caplog):
    settings.HITPAW_API_KEY = CANARY
    settings.SANDBOX_MODE = False
    settings.HITPAW_BASE_URL = canary_hitpaw.url
    settings.ENHANCER_ALLOW_PRIVATE_URLS = True
    settings.ENHANCER_READ_TIMEOUT = 2
    monkeypatch.setattr(pipeline, "BACKOFF_BASE_SECONDS", 0.01)
    monkeypatch.setattr(pipeline, "MISSING_TASK_POLLS", 2)
    monkeypatch.setattr(pipeline, "MAX_STEP_ATTEMPTS", 3)
    monkeypatch.setattr(Conf, "SYNC", True)
    # Successful tasks, were they kept (django-q2's save_limit), are checked too.
    monkeypatch.setattr(Conf, "SAVE_LIMIT", 500)
    monkeypatch.setattr(client_factory._local, "client", None, raising=False)
    for name in ("", "enhancer", "django", "django_q", "urllib3", "requests", "axes"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def run_through_the_workers(job: Job) -> None:
    """Hand the job to django-q2 (in-process) step by step, as the ticker would, until it ends."""
    for _ in range(STEPS_PER_JOB):
        job.refresh_from_db()
        if job.is_terminal:
            return
        token = claims.claim_job(job.pk)
        if token:
            async_task("enhancer.tasks.advance_batch", token, group="enhancer")


def crash_inside_the_client() -> None:
    """A task that dies with the client's own error (a django-q2 failure row)."""
    client_factory._local.client = None
    client_factory.get_client().status("no-such-job")


def record_a_failed_task(func: str) -> None:
    """Run `func` through django-q2's own worker and monitor, which store its failure row."""
    name, task_id = uuid()
    task = {"id": task_id, "name": name, "func": func, "args": (), "kwargs": {}, "started": timezone.now()}
    _sync(SignedPackage.dumps(task))  # without "sync" in the task, the worker records instead of raising


def texts_of_every_row() -> str:
    """Every row of every table, django-q2's tasks included, as text."""
    parts = []
    for model in [*admin.site._registry, Task]:
        parts.append(serializers.serialize("json", model.objects.all()))
    for task in Task.objects.all():
        parts += [str(task.result), repr(task.args), repr(task.kwargs), str(task.func)]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            parts += [repr(row) for row in cursor.fetchall()]
    return "\n".join(parts)


def every_page(jobs: list[Job], admin_client: Client, owner_client: Client) -> dict[str, str]:
    """Each page the owner and an admin can open, by path; each must really open."""
    pages = {}

    def read(client: Client, path: str) -> None:
        response = client.get(path)
        # /healthz answers 503 to an operator when no task cluster beats (none runs here).
        assert response.status_code == 200 or (path == "/healthz" and response.status_code == 503), path
        pages[path] = response.content.decode(errors="replace")

    for path in ["/", "/jobs/", "/usage/", "/healthz"]:
        read(owner_client, path)
    for job in jobs:
        read(owner_client, f"/jobs/{job.pk}/")
        read(owner_client, f"/jobs/{job.pk}/status.json")
    read(admin_client, "/admin/")
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        read(admin_client, reverse("admin:{}_{}_changelist".format(*info)))
        for pk in model.objects.values_list("pk", flat=True)[:20]:
            read(admin_client, reverse("admin:{}_{}_change".format(*info), args=[pk]))
    return pages


def test_the_key_never_appears_anywhere_after_a_run_with_failures(
    app_with_canary, canary_hitpaw, alice, admin_user, general_2x, client, settings
):
    jobs = [
        make_job(user=alice, model=general_2x, img_url=canary_hitpaw.image_url(fault=fault or None, polls=1))
        for fault in FAULTS
    ]
    for job in jobs:
        run_through_the_workers(job)

    # A key HitPaw rejects: the error says so, without the key.
    settings.HITPAW_API_KEY = CANARY + "-revoked"
    client_factory._local.client = None
    rejected = make_job(user=alice, model=general_2x, img_url=canary_hitpaw.image_url())
    run_through_the_workers(rejected)
    jobs.append(rejected)
    record_a_failed_task("tests.system.test_secret_canary.crash_inside_the_client")

    # An exception from inside the client, as Django's error report (with local variables) shows it.
    try:
        crash_inside_the_client()
    except HitPawError:
        reporter = ExceptionReporter(None, *sys.exc_info())
        exception_texts = [reporter.get_traceback_text(), reporter.get_traceback_html()]

    owner = Client()
    owner.force_login(alice)
    staff = Client()
    staff.force_login(admin_user)
    pages = every_page(jobs, staff, owner)

    statuses = {job.img_url: Job.objects.get(pk=job.pk).status for job in jobs}
    assert len(set(statuses.values())) >= 3, statuses  # the run really went through failures
    assert Task.objects.filter(success=False).exists()
    assert Task.objects.filter(success=True).exists()
    assert any("HitPaw" in record.getMessage() for record in app_with_canary.records)

    assert [path for path, text in pages.items() if CANARY in text] == []
    assert [
        r.getMessage() for r in app_with_canary.records if CANARY in r.getMessage() + str(r.exc_text)
    ] == []
    assert CANARY not in app_with_canary.text
    assert CANARY not in texts_of_every_row()
    assert [text for text in exception_texts if CANARY in text] == []


def test_a_personal_api_token_never_appears_after_the_page_that_made_it(
    alice, admin_user, client, caplog, monkeypatch
):
    """A token made on its page, used, refused once turned off, and carried by a request whose
    handling fails: after the one response that showed it, it is in no page, log line, row
    (django-q2's included) or error report."""
    from django.test import RequestFactory

    from enhancer.api import tokens
    from enhancer.models import ApiToken

    for name in ("", "enhancer", "django", "django_q"):
        caplog.set_level(logging.DEBUG, logger=name)
    owner = Client()
    owner.force_login(alice)
    made = owner.post("/settings/tokens/", {"name": "canary script", "days": "30"}).content.decode()
    token = ApiToken.objects.get(name="canary script")
    start = made.index(token.prefix)
    raw = made[start : made.index('"', start)]
    assert tokens.person_for_token(raw) == alice

    # Carried in the headers scripts send: to the gateway and the JSON API (answering, or a 404
    # where they are not mounted), and to pages that do not take tokens.
    headers = {"HTTP_APIKEY": raw, "HTTP_AUTHORIZATION": f"Bearer {raw}"}
    for path in ["/api/v1/photos", "/api/v1/coins/balance", "/no-such-page/", "/settings/tokens/", "/jobs/"]:
        client.get(path, **headers)
    for body in ['{"job_id": "no-such-job"}', "not json"]:
        client.post("/hitpaw/api/task-status", body, content_type="application/json", **headers)

    # An error while checking it, as Django's error report (local variables, headers) shows it;
    # the report starts below this test's own frame, which holds the token to search for.
    def broken_lookup():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ApiToken.objects, "working", broken_lookup)
    request = RequestFactory().get("/hitpaw/api/task-status", **headers)
    try:
        tokens.person_for_token(raw)
    except RuntimeError as error:
        assert error.__traceback__ is not None
        reporter = ExceptionReporter(request, RuntimeError, error, error.__traceback__.tb_next)
        exception_texts = [reporter.get_traceback_text(), reporter.get_traceback_html()]
    monkeypatch.undo()

    owner.post(f"/settings/tokens/{token.pk}/off")
    assert tokens.person_for_token(raw) is None
    staff = Client()
    staff.force_login(admin_user)
    pages = {
        path: who.get(path).content.decode()
        for who, path in [
            (owner, "/settings/tokens/"),
            (staff, "/settings/tokens/"),
            (staff, "/admin/enhancer/apitoken/"),
            (staff, f"/admin/enhancer/apitoken/{token.pk}/change/"),
        ]
    }

    assert [path for path, text in pages.items() if raw in text] == []
    assert raw not in caplog.text
    assert [r.getMessage() for r in caplog.records if raw in r.getMessage() + str(r.exc_text)] == []
    assert raw not in texts_of_every_row()
    assert [text for text in exception_texts if raw in text] == []
    assert "the database went away" in exception_texts[0]
