"""Self-test of the fake HitPaw server: the integration and fault suites trust it to hold the contract."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from PIL import Image

from tests.support import fake_hitpaw
from tests.support.fake_hitpaw import FakeHitPaw

KEY = "test-key"


@pytest.fixture(scope="module")
def fake():
    with FakeHitPaw(api_key=KEY) as server:
        yield server


def submit(fake: FakeHitPaw, img_url: str, key: str = KEY, model: str = "general_2x") -> requests.Response:
    body = {"model_name": model, "img_url": img_url, "extension": ".png", "exif": True, "DPI": 300}
    return requests.post(f"{fake.url}/api/photo-enhancer", json=body, headers={"Apikey": key}, timeout=10)


def status(fake: FakeHitPaw, job_id: str) -> requests.Response:
    body = {"job_id": job_id}
    return requests.post(f"{fake.url}/api/task-status", json=body, headers={"Apikey": KEY}, timeout=10)


def accepted_job_id(fake: FakeHitPaw, img_url: str) -> str:
    response = submit(fake, img_url)
    assert response.status_code == 200, response.text
    return response.json()["data"]["job_id"]


def test_it_takes_a_normal_job_from_converting_to_completed_with_an_upscaled_result(fake):
    response = submit(fake, fake.image_url(64, 48, "png"))
    assert response.json()["code"] == 200 and response.json()["message"] == "OK"
    data = response.json()["data"]
    assert data["consume_coins"] == 10  # 128x96 out is far below 8 MP
    states = [status(fake, data["job_id"]).json()["data"] for _ in range(3)]
    assert [s["status"] for s in states] == ["CONVERTING", "CONVERTING", "COMPLETED"]
    assert states[2]["res_url"] == f"{fake.url}/results/{data['job_id']}.png"
    result = requests.get(states[2]["res_url"], timeout=10)
    assert result.headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(result.content)).size == (128, 96)


def test_it_rejects_a_wrong_api_key_with_the_documented_error(fake):
    response = submit(fake, fake.image_url(), key="wrong")
    assert response.status_code == 400
    assert response.json() == {"error_code": 110400000, "message": "api_key is not valid"}


def test_it_rejects_an_unknown_model_without_charging(fake):
    img_url = fake.image_url(65, 49)  # a URL no other test submits
    response = submit(fake, img_url, model="enhanced_v1")
    assert (response.status_code, response.json()["error_code"]) == (400, 110400005)
    assert img_url not in fake.stats()["charges_by_img_url"]


def test_it_answers_429_first_then_accepts_with_exactly_one_charge(fake):
    img_url = fake.image_url(fault="submit_429:1")
    refused = submit(fake, img_url)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert refused.json() == {"error_code": 100429000, "message": "Too many requests, please try again later"}
    assert submit(fake, img_url).status_code == 200
    assert fake.stats()["charges_by_img_url"][img_url] == 1


def test_it_charges_a_dropped_submission_while_the_client_sees_a_connection_error(fake):
    img_url = fake.image_url(fault="submit_drop")
    with pytest.raises(requests.ConnectionError):
        submit(fake, img_url)
    assert fake.stats()["charges_by_img_url"][img_url] == 1


def test_it_puts_the_fields_at_the_top_level_for_envelope_top(fake):
    body = submit(fake, fake.image_url(fault="envelope_top", polls=0)).json()
    assert "data" not in body and body["code"] == 200 and body["consume_coins"] == 10
    polled = status(fake, body["job_id"]).json()
    assert polled["status"] == "COMPLETED" and polled["res_url"].endswith(".png") and "data" not in polled


def test_it_uses_code_0_and_msg_for_envelope_msg0(fake):
    body = submit(fake, fake.image_url(fault="envelope_msg0", polls=0)).json()
    assert (body["code"], body["msg"], "message" in body) == (0, "OK", False)
    polled = status(fake, body["data"]["job_id"]).json()
    assert (polled["code"], polled["data"]["status"]) == (0, "COMPLETED")


def test_it_says_the_task_does_not_exist_for_status_missing_and_unknown_ids(fake):
    job_id = accepted_job_id(fake, fake.image_url(fault="status_missing"))
    for missing in (job_id, "no-such-job"):
        response = status(fake, missing)
        assert response.status_code == 400
        assert response.json() == {"error_code": 110400002, "message": "The task does not exist"}


def test_it_serves_404_for_an_expired_result(fake):
    job_id = accepted_job_id(fake, fake.image_url(fault="result_404", polls=0))
    res_url = status(fake, job_id).json()["data"]["res_url"]
    assert requests.get(res_url, timeout=10).status_code == 404


def test_it_counts_calls_charges_and_polls_in_stats(fake):
    fake.reset()
    img_url = fake.image_url(fault="submit_500:1,status_429:1", polls=1)
    assert submit(fake, img_url).status_code == 500
    job_id = accepted_job_id(fake, img_url)
    assert [status(fake, job_id).status_code for _ in range(3)] == [429, 200, 200]
    requests.get(status(fake, job_id).json()["data"]["res_url"], timeout=10)
    stats = fake.stats()
    assert (stats["charges"], stats["charges_by_img_url"]) == (1, {img_url: 1})
    assert (stats["submit_calls"], stats["status_calls"], stats["result_calls"]) == (2, 4, 1)
    job = {"img_url": img_url, "model_name": "general_2x", "status_polls": 3, "coins": 10}
    assert list(stats["jobs"]) == [job_id]
    assert {name: stats["jobs"][job_id][name] for name in job} == job
    assert len(stats["jobs"][job_id]["status_calls"]) == 4  # the refused one too
    assert stats["jobs"][job_id]["finish_at"] is None  # poll-based unless --job-seconds


def test_it_fails_every_api_call_during_a_full_storm_and_recovers_when_turned_off(fake):
    fake.set_global(rate_limit_percent=50, server_error_percent=50, seed=1)
    codes = {submit(fake, fake.image_url()).status_code for _ in range(20)}
    fake.set_global()
    assert codes == {429, 500}
    assert submit(fake, fake.image_url()).status_code == 200


def test_it_refuses_to_bind_anything_but_loopback():
    script = Path(fake_hitpaw.__file__)
    command = [sys.executable, script, "--host", "0.0.0.0"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert run.returncode != 0 and "refusing" in run.stderr and not run.stdout


def test_in_time_based_mode_a_job_completes_when_its_time_is_up_and_each_status_call_is_recorded():
    """The end-to-end benchmark's vendor: jobs take seconds, not polls, and it keeps the times it saw."""
    import time

    with FakeHitPaw(api_key=KEY, job_seconds=3) as timed:
        job_id = accepted_job_id(timed, timed.image_url(64, 48, "png"))
        early = [status(timed, job_id).json()["data"]["status"] for _ in range(4)]
        job = timed.stats()["jobs"][job_id]
        assert job["finish_at"] == pytest.approx(job["accepted_at"] + 3)
        time.sleep(max(job["finish_at"] - time.time(), 0) + 0.05)
        late = status(timed, job_id).json()["data"]
        job = timed.stats()["jobs"][job_id]
    assert early == ["CONVERTING"] * 4  # however often it is asked before its time
    assert late["status"] == "COMPLETED" and late["res_url"].endswith(f"/results/{job_id}.png")
    assert len(job["status_calls"]) == 5
    assert job["status_calls"][-1] >= job["finish_at"] > job["status_calls"][0] >= job["accepted_at"]
