"""The HitPaw client on the happy path: envelopes, statuses, and what every request carries."""

import json

import pytest

from enhancer.hitpaw.client import HitPawClient
from enhancer.hitpaw.errors import HitPawError
from enhancer.hitpaw.statuses import FAILED_STATUSES, RUNNING_STATUSES
from tests.support.payloads import BASE, JOB_ID, KEY, STATUS, SUBMIT, payload


@pytest.fixture
def client(waits):
    return HitPawClient(KEY, BASE, connect_timeout=3.0, read_timeout=20.0, sleep=waits.append)


def submit(client: HitPawClient):
    return client.submit("https://photos.example.com/cat.jpg", "general_2x", ".jpg", exif=True, dpi=300)


@pytest.mark.parametrize("name", ["submit_ok", "submit_ok_top_level", "submit_ok_code_zero"])
def test_it_reads_the_job_id_and_coins_from_every_success_envelope(client, api, name):
    api.post(SUBMIT, json=payload(name))
    submission = submit(client)
    assert submission.job_id == JOB_ID
    assert submission.coins == 75


def test_it_sends_the_documented_submit_body(client, api):
    api.post(SUBMIT, json=payload("submit_ok"))
    submit(client)
    assert json.loads(api.calls[0].request.body) == {
        "model_name": "general_2x",
        "img_url": "https://photos.example.com/cat.jpg",
        "extension": ".jpg",
        "exif": True,
        "DPI": 300,
    }


def test_it_leaves_out_optional_settings_it_was_not_given(client, api):
    api.post(SUBMIT, json=payload("submit_ok"))
    client.submit("https://photos.example.com/cat.png", "face_2x", ".png")
    assert set(json.loads(api.calls[0].request.body)) == {"model_name", "img_url", "extension"}


def test_it_accepts_a_submission_without_a_coin_count(client, api):
    api.post(SUBMIT, json={"code": 200, "message": "OK", "data": {"job_id": JOB_ID}})
    assert submit(client).coins is None


def test_it_sends_the_api_key_in_the_apikey_header(client, api):
    api.post(SUBMIT, json=payload("submit_ok"))
    api.post(STATUS, json=payload("status_completed"))
    submit(client)
    client.status(JOB_ID)
    assert [call.request.headers["Apikey"] for call in api.calls] == [KEY, KEY]
    assert all(call.request.headers["Content-Type"] == "application/json" for call in api.calls)


def test_it_puts_a_connect_and_read_timeout_on_every_call(client, api):
    api.post(SUBMIT, json=payload("error_rate_limited"), status=429)
    api.post(SUBMIT, json=payload("submit_ok"))
    api.post(STATUS, json=payload("error_internal"), status=500)
    api.post(STATUS, json=payload("status_completed"))
    submit(client)
    client.status(JOB_ID)
    assert len(api.calls) == 4
    assert [call.request.req_kwargs["timeout"] for call in api.calls] == [(3.0, 20.0)] * 4


def test_it_does_not_follow_a_redirect_or_send_the_key_elsewhere(client, api):
    api.post(SUBMIT, status=302, headers={"Location": "https://collector.example.net/api/photo-enhancer"})
    with pytest.raises(HitPawError) as caught:
        submit(client)
    assert [call.request.url for call in api.calls] == [SUBMIT]
    assert caught.value.http_status == 302
    assert not caught.value.transient


def test_it_asks_for_a_job_by_its_id(client, api):
    api.post(STATUS, json=payload("status_converting"))
    client.status(JOB_ID)
    assert json.loads(api.calls[0].request.body) == {"job_id": JOB_ID}


@pytest.mark.parametrize("name", ["status_completed", "status_completed_top_level"])
def test_it_reads_a_completed_status_from_either_envelope(client, api, name):
    api.post(STATUS, json=payload(name))
    task = client.status(JOB_ID)
    assert task.is_completed and not task.is_running and not task.is_failed
    assert task.job_id == JOB_ID
    assert task.res_url == f"https://cdn.hitpaw.test/results/{JOB_ID}.jpg"
    assert task.original_url == "https://i.ibb.co/TDLJLgVR/face-model-before.jpg"


def test_it_reads_the_data_object_before_the_top_level(client, api):
    body = payload("status_completed")
    body["status"] = "CONVERTING"
    api.post(STATUS, json=body)
    assert client.status(JOB_ID).status == "COMPLETED"


def test_it_reads_a_converting_job_as_running_without_a_result(client, api):
    api.post(STATUS, json=payload("status_converting"))
    task = client.status(JOB_ID)
    assert task.is_running and not task.is_completed and not task.is_failed
    assert task.res_url == ""


def test_it_reads_an_error_status_as_failed(client, api):
    api.post(STATUS, json=payload("status_error"))
    task = client.status(JOB_ID)
    assert task.is_failed and not task.is_running and not task.is_completed


@pytest.mark.parametrize(
    "status",
    [
        "CONVERTING",
        "WAITING",
        "PENDING",
        "INPUT_PREPARING",
        "OUTPUT_SAVING",
        "CONVERT_COMPLETED",
        "OUTPUT_SAVED",
    ],
)
def test_it_counts_every_known_working_status_as_running(client, api, status):
    assert status in RUNNING_STATUSES
    api.post(STATUS, json={"code": 200, "message": "OK", "data": {"job_id": JOB_ID, "status": status}})
    task = client.status(JOB_ID)
    assert task.is_running and not task.is_completed and not task.is_failed


@pytest.mark.parametrize("status", ["ERROR", "ERROR_INTERRUPTION", "TIMEOUT", "CANCEL", "REJECT", "NSFW"])
def test_it_counts_every_documented_failure_status_as_failed(client, api, status):
    assert status in FAILED_STATUSES
    api.post(STATUS, json={"code": 200, "message": "OK", "data": {"job_id": JOB_ID, "status": status}})
    task = client.status(JOB_ID)
    assert task.is_failed and not task.is_running and not task.is_completed


@pytest.mark.parametrize("status", ["QUEUED_SOMEWHERE_NEW", "RETRYING", "42"])
def test_it_counts_an_unknown_status_as_running_rather_than_crashing(client, api, status):
    api.post(STATUS, json={"code": 200, "message": "OK", "data": {"job_id": JOB_ID, "status": status}})
    task = client.status(JOB_ID)
    assert task.is_running and not task.is_completed and not task.is_failed


def test_it_reads_a_status_in_any_letter_case(client, api):
    api.post(STATUS, json={"code": 200, "message": "OK", "data": {"job_id": JOB_ID, "status": " completed "}})
    assert client.status(JOB_ID).is_completed


def test_it_keeps_the_asked_job_id_when_the_answer_omits_it(client, api):
    api.post(STATUS, json={"code": 0, "msg": "success", "data": {"status": "CONVERTING"}})
    assert client.status(JOB_ID).job_id == JOB_ID


def test_it_never_sleeps_on_the_happy_path(client, api, waits):
    api.post(SUBMIT, json=payload("submit_ok"))
    api.post(STATUS, json=payload("status_completed"))
    submit(client)
    client.status(JOB_ID)
    assert waits == []


def test_it_goes_through_the_environments_proxy_unless_told_to_bypass_it(monkeypatch):
    """A host that reaches HitPaw only through a proxy sets HTTPS_PROXY, as for any program."""
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert HitPawClient(KEY, BASE).session.proxies.get("https") == "http://proxy.internal:3128"

    monkeypatch.setenv("NO_PROXY", BASE.split("//")[1].split("/")[0].split(":")[0])
    assert "https" not in HitPawClient(KEY, BASE).session.proxies


def test_it_trusts_the_ca_bundle_the_environment_names(monkeypatch, tmp_path):
    bundle = tmp_path / "ca.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    assert HitPawClient(KEY, BASE).session.verify == str(bundle)
