"""A personal token sent to the HitPaw-shaped gateway never shows: not in a log line, a job row, a
django-q2 row, an answer, nor Django's error report of a request that carried it."""

import json
import logging
import sys

import pytest
from django.core import serializers
from django.core.signals import got_request_exception
from django.test import Client
from django.views.debug import ExceptionReporter
from django_q.models import OrmQ, Task

from enhancer.api.tokens import make_token
from enhancer.models import ApiToken, Job, JobStatus
from tests.support.finished import finished_job

pytestmark = pytest.mark.django_db

CANARY_OF_A_STRANGER = "edk_canary-3b8e1f0c9d27a6"


def test_the_token_never_shows(client, alice, bob, general_2x, caplog):
    for name in ("", "enhancer", "django", "django_q"):
        caplog.set_level(logging.DEBUG, logger=name)
    _, token = make_token(alice, "canary")
    done = finished_job(alice, general_2x)
    answers = []
    for key in (token, CANARY_OF_A_STRANGER):
        for path, body in (
            (
                "/hitpaw/api/photo-enhancer",
                {"model_name": "general_2x", "img_url": "https://p.example/a.jpg"},
            ),
            ("/hitpaw/api/photo-enhancer", {"model_name": "nope", "img_url": "https://p.example/a.jpg"}),
            ("/hitpaw/api/task-status", {"job_id": f"desk-{done.pk}"}),
            ("/hitpaw/api/task-status", {"job_id": "desk-0"}),
        ):
            answer = client.post(
                path, json.dumps(body), content_type="application/json", headers={"Apikey": key}
            )
            answers.append(answer.content.decode())
    assert Job.objects.filter(sent_by_api=True, status=JobStatus.QUEUED).count() == 1
    stored = serializers.serialize("json", [*Job.objects.all(), *ApiToken.objects.all()])
    queued = serializers.serialize("json", [*Task.objects.all(), *OrmQ.objects.all()])
    for secret in (token, CANARY_OF_A_STRANGER):
        assert secret not in caplog.text
        assert secret not in stored
        assert secret not in queued
        assert not any(secret in answer for answer in answers)


def test_an_error_report_of_a_failing_gateway_request_hides_the_token(alice, general_2x, monkeypatch):
    """Django's error report shows headers and every frame's locals: the token is in neither."""
    _, token = make_token(alice, "canary")
    done = finished_job(alice, general_2x)
    reports = []

    def report(sender, request, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info())
        reports.extend([reporter.get_traceback_text(), reporter.get_traceback_html()])

    def broken(*args, **kwargs):
        raise RuntimeError("the ledger is down")

    monkeypatch.setattr("enhancer.api.hitpaw_gateway.charged_for_jobs", broken)
    got_request_exception.connect(report)
    try:
        Client(raise_request_exception=False).post(
            "/hitpaw/api/task-status",
            json.dumps({"job_id": f"desk-{done.pk}"}),
            content_type="application/json",
            headers={"Apikey": token},
        )
    finally:
        got_request_exception.disconnect(report)
    assert len(reports) == 2 and "the ledger is down" in reports[0]
    assert not any(token in text for text in reports)
