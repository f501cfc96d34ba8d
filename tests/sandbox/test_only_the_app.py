"""The sandbox answers only the app itself: its per-install key, and signed result links."""

import json
import uuid

import pytest
from django.core import signing
from django.utils.crypto import salted_hmac

from enhancer.jobs import client_factory
from enhancer.sandbox.models import SandboxTask

BODY = {"model_name": "general_2x", "img_url": "https://photos.example.com/cat.png", "extension": ".png"}
REFUSED = {"error_code": 110400000, "message": "api_key is not valid"}


def post(client, endpoint, body, **headers):
    return client.post(
        f"/sandbox/api/{endpoint}", data=json.dumps(body), content_type="application/json", **headers
    )


@pytest.mark.parametrize("key", ["any-key-will-do", "YOUR_API_KEY", "sandbox", " "])
def test_it_refuses_an_outside_post_with_any_other_key(client, catalogue, key):
    client.enforce_csrf_checks = True  # the endpoints stay CSRF-exempt; the key is what keeps strangers out
    response = post(client, "photo-enhancer", BODY, HTTP_APIKEY=key)
    assert (response.status_code, response.json()) == (400, REFUSED)
    assert not SandboxTask.objects.exists()


def test_it_refuses_an_outside_post_without_a_key(client, catalogue):
    response = post(client, "photo-enhancer", BODY)
    assert (response.status_code, response.json()) == (400, REFUSED)


def test_it_refuses_a_status_call_with_another_key(client, db):
    task = SandboxTask.objects.create(
        job_id=str(uuid.uuid4()), model_name="general_2x", img_url="x", extension=".png"
    )
    response = post(client, "task-status", {"job_id": task.job_id}, HTTP_APIKEY="guess")
    assert (response.status_code, response.json()) == (400, REFUSED)


def test_the_apps_own_client_sends_the_per_install_key(settings, monkeypatch):
    settings.HITPAW_API_KEY = ""
    monkeypatch.setattr(client_factory, "_local", type(client_factory._local)())
    assert client_factory.get_client().session.headers["Apikey"] == settings.SANDBOX_KEY


def test_the_installs_key_is_derived_from_its_secret_key():
    from hitpaw_site import settings as configured

    expected = salted_hmac(
        "enhancer.sandbox.key", "client", secret=configured.SECRET_KEY, algorithm="sha256"
    ).hexdigest()
    assert configured.SANDBOX_KEY == expected and len(expected) == 64


def test_the_key_is_not_the_secret_key_and_changes_with_it():

    one = salted_hmac("enhancer.sandbox.key", "client", secret="a" * 50).hexdigest()
    two = salted_hmac("enhancer.sandbox.key", "client", secret="b" * 50).hexdigest()
    assert one != two and "a" * 50 not in one


def test_it_serves_no_result_for_a_bare_job_id(client, db):
    task = SandboxTask.objects.create(
        job_id=str(uuid.uuid4()), model_name="general_2x", img_url="x", extension=".png"
    )
    assert client.get(f"/sandbox/results/{task.job_id}").status_code == 404


def test_it_serves_no_result_for_a_forged_link(client, db):
    job_id = str(uuid.uuid4())
    forged = signing.TimestampSigner(key="not-this-install", salt="enhancer.sandbox.result").sign(job_id)
    assert client.get(f"/sandbox/results/{forged}").status_code == 404
