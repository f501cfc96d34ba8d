"""HitPaw's upload service from the client: presign-put (free, retried like a status call) and the
PUT of the file to the signed link (streamed, capped, without our key)."""

import io
import json

import pytest
import requests
import responses

from enhancer.hitpaw.client import HitPawClient
from enhancer.hitpaw.errors import HitPawError
from tests.support.payloads import BASE, KEY

PRESIGN = f"{BASE}/api/oss/presign-put"
UPLOAD = "https://oss.example.com/bucket/photo-1.jpg?X-Signature=abc"
ACCESS = "https://oss.example.com/bucket/photo-1.jpg"


@pytest.fixture
def client(waits):
    return HitPawClient(KEY, BASE, sleep=waits.append)


def slot_answer():
    return {"code": 200, "message": "OK", "data": {"upload_url": UPLOAD, "access_url": ACCESS}}


def test_it_asks_for_a_signed_upload_link_with_the_documented_body(client, api):
    api.post(PRESIGN, json=slot_answer())

    slot = client.presign_put("photo-1.jpg", "image/jpeg", 900)

    assert (slot.upload_url, slot.access_url) == (UPLOAD, ACCESS)
    assert json.loads(api.calls[0].request.body) == {
        "filename": "photo-1.jpg",
        "content_type": "image/jpeg",
        "expire_seconds": 900,
    }
    assert api.calls[0].request.headers["Apikey"] == KEY


@pytest.mark.parametrize(("asked", "sent"), [(5, 60), (86400, 7200)])
def test_it_keeps_the_link_lifetime_within_what_hitpaw_takes(client, api, asked, sent):
    api.post(PRESIGN, json=slot_answer())
    client.presign_put("photo-1.jpg", "image/jpeg", asked)
    assert json.loads(api.calls[0].request.body)["expire_seconds"] == sent


def test_a_passing_refusal_is_retried_and_a_final_one_is_not(client, api, waits):
    api.post(PRESIGN, status=500, json={"error_code": 100500000, "message": "Internal error"})
    api.post(PRESIGN, json=slot_answer())
    assert client.presign_put("photo-1.jpg", "image/jpeg").access_url == ACCESS
    assert len(waits) == 1

    api.replace(responses.POST, PRESIGN, status=400, json={"error_code": 110400000, "message": "bad key"})
    with pytest.raises(HitPawError) as refused:
        client.presign_put("photo-1.jpg", "image/jpeg")
    assert not refused.value.transient


def test_an_answer_without_links_is_a_passing_failure(client, api):
    api.post(PRESIGN, json={"code": 200, "message": "OK", "data": {"upload_url": "", "access_url": ACCESS}})
    with pytest.raises(HitPawError, match="no usable upload link") as failed:
        client.presign_put("photo-1.jpg", "image/jpeg")
    assert failed.value.transient


def test_it_puts_the_file_with_its_type_and_length_and_without_our_key(client, api):
    api.put(UPLOAD, status=200)
    body = b"\xff\xd8\xff" + b"x" * 3_000_000

    client.put_file(UPLOAD, io.BytesIO(body), len(body), "image/jpeg", max_bytes=10_000_000)

    sent = api.calls[0].request
    assert sent.headers["Content-Type"] == "image/jpeg"
    assert sent.headers["Content-Length"] == str(len(body))
    assert "Apikey" not in sent.headers
    assert b"".join(sent.body) == body


def test_a_file_over_the_cap_is_not_sent(client, api):
    with pytest.raises(HitPawError, match="over the 1 MB") as refused:
        client.put_file(UPLOAD, io.BytesIO(b"x"), 2 * 1_048_576, "image/jpeg", max_bytes=1_048_576)
    assert not refused.value.transient
    assert len(api.calls) == 0


@pytest.mark.parametrize(
    ("answer", "transient"),
    [
        ({"status": 500}, True),
        ({"status": 403}, True),  # an expired link: a new one helps
        ({"status": 413}, False),
        ({"body": requests.exceptions.ConnectionError("reset")}, True),
    ],
)
def test_a_failed_put_says_whether_trying_again_may_help(client, api, answer, transient):
    api.put(UPLOAD, **answer)
    with pytest.raises(HitPawError) as failed:
        client.put_file(UPLOAD, io.BytesIO(b"abc"), 3, "image/jpeg", max_bytes=100)
    assert failed.value.transient is transient
    assert not failed.value.outcome_unknown
