"""Sandbox mode: the built-in HitPaw simulator answers as the vendor's docs say, and every page says so.

The simulator fetches each img_url itself; here `responses` answers those fetches and
`socket.getaddrinfo` says every host is public, so no real socket is opened.
"""

import io
import json
import uuid
from urllib.parse import urlsplit

import pytest
import requests
import responses
from PIL import Image

from enhancer.sandbox.models import SandboxTask
from tests.sandbox.conftest import KEY
from tests.support.images import image_bytes, image_size
from tests.support.jobs import make_job

PHOTO = "https://photos.example.com/cat.png"


def serve_image(web, content: bytes, url: str = PHOTO, content_type: str = "image/png") -> str:
    web.add(responses.GET, url, body=content, content_type=content_type)
    return url


def call(client, endpoint: str, body, key: str | None = KEY):
    headers = {"HTTP_APIKEY": key} if key is not None else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(f"/sandbox/api/{endpoint}", data=data, content_type="application/json", **headers)


def submit(client, img_url=PHOTO, model_name="general_2x", extension=".png", key=KEY):
    body = {"model_name": model_name, "img_url": img_url, "extension": extension, "exif": True, "DPI": 300}
    return call(client, "photo-enhancer", body, key)


def status(client, job_id: str, key=KEY):
    return call(client, "task-status", {"job_id": job_id}, key)


def fetch_result(client, res_url: str) -> bytes:
    response = client.get(urlsplit(res_url).path)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def assert_vendor_error(response, http_status: int, code: int, message: str) -> None:
    assert response.status_code == http_status
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error_code": code, "message": message}


# --- The banner ----------------------------------------------------------------------------


def test_it_runs_in_sandbox_mode_when_no_key_is_set(settings):
    assert settings.HITPAW_API_KEY == ""
    assert settings.SANDBOX_MODE is True


@pytest.mark.parametrize("path", ["/", "/jobs/", "/usage/", "/jobs/{job}/"])
def test_it_shows_the_sandbox_banner_on_every_page(alice_client, alice, catalogue, path):
    job = make_job(user=alice, model=catalogue["general_2x"], bare=True, img_url=PHOTO)
    path = path.format(job=job.pk)
    page = alice_client.get(path).content.decode()
    assert "Sandbox: no coins are spent, results are simulated" in page


def test_it_shows_the_sandbox_banner_on_the_login_page(client, db):
    assert "Sandbox: no coins are spent" in client.get("/accounts/login/").content.decode()


def test_it_hides_the_sandbox_banner_when_a_key_is_set(alice_client, catalogue, settings):
    settings.SANDBOX_MODE = False
    assert "Sandbox:" not in alice_client.get("/").content.decode()


# --- photo-enhancer ------------------------------------------------------------------------


def test_it_refuses_a_call_without_an_api_key(client, catalogue, web):
    assert_vendor_error(submit(client, key=None), 400, 110400000, "api_key is not valid")
    assert_vendor_error(submit(client, key=""), 400, 110400000, "api_key is not valid")
    assert not SandboxTask.objects.exists()


def test_it_refuses_an_unknown_model(client, catalogue, web):
    response = submit(client, model_name="enhanced_v1")
    assert_vendor_error(response, 400, 110400005, "The model is not supported, please try again")


@pytest.mark.parametrize("extension", [".gif", "png", "", ".exe"])
def test_it_refuses_an_extension_it_does_not_know(client, catalogue, web, extension):
    serve_image(web, image_bytes())
    response = submit(client, extension=extension)
    assert_vendor_error(response, 400, 110400007, "The extension is not valid")


def test_it_refuses_a_missing_img_url(client, catalogue, web):
    assert_vendor_error(submit(client, img_url=""), 400, 100400001, "Invalid URL")


def test_it_refuses_an_img_url_it_cannot_reach(client, catalogue, web):
    web.add(responses.GET, PHOTO, body=requests.ConnectionError("refused"))
    assert_vendor_error(submit(client), 400, 100400001, "Invalid URL")


def test_it_refuses_an_img_url_that_is_not_an_image(client, catalogue, web):
    serve_image(web, b"<html>Not a photo</html>", content_type="text/html")
    assert_vendor_error(submit(client), 400, 100400001, "Invalid URL")
    assert not SandboxTask.objects.exists()


def test_it_refuses_an_img_url_on_a_private_address_without_fetching_it(client, catalogue, web):
    url = serve_image(web, image_bytes(), url="http://127.0.0.1/cat.png")
    assert_vendor_error(submit(client, img_url=url), 400, 100400001, "Invalid URL")
    assert len(web.calls) == 0


def test_it_fetches_a_local_img_url_when_private_urls_are_allowed(client, catalogue, web, settings):
    settings.ENHANCER_ALLOW_PRIVATE_URLS = True
    url = serve_image(web, image_bytes(), url="http://127.0.0.1:8765/cat.png")
    assert submit(client, img_url=url).status_code == 200
    assert len(web.calls) == 1


def test_it_refuses_a_body_that_is_not_json(client, catalogue):
    assert_vendor_error(call(client, "photo-enhancer", "{not json"), 400, 100400002, "Bad Request")


def test_it_accepts_a_photo_in_the_documented_envelope(client, catalogue, web):
    serve_image(web, image_bytes(64, 48))
    response = submit(client)
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"code", "message", "data", "job_id", "consume_coins"}
    assert (body["code"], body["message"]) == (200, "OK")
    assert set(body["data"]) == {"job_id", "consume_coins"}
    assert uuid.UUID(body["data"]["job_id"])
    assert body["data"]["consume_coins"] == 10
    # The docs' own example code reads the fields at the top level: they are there too.
    assert (body["job_id"], body["consume_coins"]) == (body["data"]["job_id"], 10)


def png(width: int, height: int, mode: str = "L") -> bytes:
    """A plain image, quick to make at sizes the gradient helper would take seconds over."""
    out = io.BytesIO()
    Image.new(mode, (width, height), 128).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("model_name", "width", "height", "coins"),
    [
        ("general_2x", 64, 48, 10),  # < 8 MP out
        ("general_2x", 1500, 1500, 20),  # 9 MP out: 8-12
        ("sharpen_denoise", 4000, 3000, 30),  # 12 MP out, same size: 12-24
        ("generative_portrait", 64, 48, 20),  # generative < 8 MP
        ("generative", 1500, 1500, 30),  # generative 9 MP: 8-12
    ],
)
def test_it_charges_coins_from_the_price_table(client, catalogue, web, model_name, width, height, coins):
    serve_image(web, png(width, height))
    assert submit(client, model_name=model_name).json()["data"]["consume_coins"] == coins


def test_it_refuses_a_photo_too_large_for_the_model(client, catalogue, web):
    serve_image(web, png(6000, 6000))  # 36 MP in: over the generative models' 34 MP
    response = submit(client, model_name="generative_portrait")
    assert_vendor_error(response, 400, 110400009, "The input resolution is over limit")


def test_it_refuses_a_result_too_large_for_the_model(client, catalogue, web):
    serve_image(web, png(3000, 3000))  # 9 MP in, 36 MP out: over the generative models' 34 MP
    response = submit(client, model_name="generative_portrait")
    assert_vendor_error(response, 400, 110400010, "The target resolution is over limit")


# --- task-status ---------------------------------------------------------------------------


def accepted(client, web, model_name="general_2x", width=64, height=48) -> str:
    serve_image(web, image_bytes(width, height))
    return submit(client, model_name=model_name).json()["data"]["job_id"]


def test_it_reports_converting_at_first(client, catalogue, web, settings):
    settings.SANDBOX_CONVERT_SECONDS = 3600
    job_id = accepted(client, web)
    response = status(client, job_id)
    assert response.status_code == 200
    data = {"job_id": job_id, "status": "CONVERTING", "res_url": "", "original_url": PHOTO}
    assert response.json() == {"code": 200, "message": "OK", "data": data, **data}


def test_it_reports_completed_with_a_result_link_once_converted(client, catalogue, web, settings):
    settings.SANDBOX_CONVERT_SECONDS = 0
    job_id = accepted(client, web)
    data = status(client, job_id).json()["data"]
    assert (data["job_id"], data["status"], data["original_url"]) == (job_id, "COMPLETED", PHOTO)
    assert data["res_url"].startswith("http://testserver/sandbox/results/")


@pytest.mark.parametrize(("model_name", "size"), [("general_2x", (128, 96)), ("face_4x", (256, 192))])
def test_it_serves_a_result_enlarged_by_the_models_scale(client, catalogue, web, settings, model_name, size):
    settings.SANDBOX_CONVERT_SECONDS = 0
    job_id = accepted(client, web, model_name=model_name)
    result = fetch_result(client, status(client, job_id).json()["data"]["res_url"])
    assert image_size(result) == size


def test_it_keeps_the_size_for_a_same_size_model(client, catalogue, web, settings):
    settings.SANDBOX_CONVERT_SECONDS = 0
    job_id = accepted(client, web, model_name="detail_denoise")
    assert image_size(fetch_result(client, status(client, job_id).json()["data"]["res_url"])) == (64, 48)


def test_it_refuses_the_status_of_an_unknown_job(client, catalogue):
    response = status(client, str(uuid.uuid4()))
    assert_vendor_error(response, 400, 110400002, "The task does not exist")


def test_it_refuses_a_status_call_without_an_api_key(client, catalogue, web):
    job_id = accepted(client, web)
    assert_vendor_error(status(client, job_id, key=None), 400, 110400000, "api_key is not valid")


def test_it_answers_404_for_an_unknown_result(client, db):
    assert client.get(f"/sandbox/results/{uuid.uuid4()}").status_code == 404


# --- A client written from the vendor's docs alone ------------------------------------------


class DocsStyleClient:
    """The docs' "Complete Workflow Example", with Django's test client standing in for requests."""

    def __init__(self, http, api_key: str, base_url: str = "/sandbox") -> None:
        self.http = http
        self.base_url = base_url
        self.headers = {"HTTP_APIKEY": api_key}

    def enhance_photo(self, img_url, model_name, extension=".jpg", exif=True, dpi=300):
        payload = {"model_name": model_name, "img_url": img_url, "extension": extension}
        payload.update({"exif": exif, "DPI": dpi})
        response = self.http.post(
            f"{self.base_url}/api/photo-enhancer",
            data=json.dumps(payload),
            content_type="application/json",
            **self.headers,
        )
        if response.status_code == 200:
            return response.json()
        raise Exception(f"Error {response.status_code}: {response.content!r}")

    def check_status(self, job_id):
        response = self.http.post(
            f"{self.base_url}/api/task-status",
            data=json.dumps({"job_id": job_id}),
            content_type="application/json",
            **self.headers,
        )
        if response.status_code == 200:
            return response.json()
        raise Exception(f"Error {response.status_code}: {response.content!r}")

    def wait_for_completion(self, job_id, max_attempts=5):
        for _ in range(max_attempts):
            result = self.check_status(job_id)
            status = result["data"]["status"]
            if status == "COMPLETED":
                return result
            if status == "ERROR":
                raise Exception("Job failed with ERROR status")
        raise Exception("Job did not complete")


def test_a_client_written_from_the_vendor_docs_works_with_it(client, catalogue, web, settings):
    settings.SANDBOX_CONVERT_SECONDS = 0
    serve_image(web, image_bytes(80, 60, "JPEG"), url="https://photos.example.com/face.jpg")
    docs_client = DocsStyleClient(client, api_key=KEY)

    photo_result = docs_client.enhance_photo("https://photos.example.com/face.jpg", "face_2x", ".jpg")
    final_result = docs_client.wait_for_completion(photo_result["data"]["job_id"])

    assert photo_result["data"]["consume_coins"] == 10
    assert final_result["data"]["original_url"] == "https://photos.example.com/face.jpg"
    result = fetch_result(client, final_result["data"]["res_url"])
    assert image_size(result) == (160, 120)
    assert Image.open(io.BytesIO(result)).format == "JPEG"


def test_a_client_written_from_the_vendor_docs_sees_converting_before_completed(
    client, catalogue, web, settings
):
    settings.SANDBOX_CONVERT_SECONDS = 3600
    docs_client = DocsStyleClient(client, api_key=KEY)
    job_id = docs_client.enhance_photo(serve_image(web, image_bytes()), "general_2x", ".png")["data"][
        "job_id"
    ]
    assert docs_client.check_status(job_id)["data"]["status"] == "CONVERTING"
    with pytest.raises(Exception, match="did not complete"):
        docs_client.wait_for_completion(job_id, max_attempts=2)


@pytest.mark.django_db(transaction=True)
def test_the_vendor_docs_python_example_works_against_it_over_http(live_server, catalogue, web, settings):
    """The docs' own requests code, word for word but for reading the documented `data` envelope."""
    settings.SANDBOX_CONVERT_SECONDS = 0
    web.add_passthru(live_server.url)
    img_url = serve_image(web, image_bytes(64, 48, "PNG"))
    headers = {"Content-Type": "application/json", "Apikey": KEY}
    payload = {"model_name": "general_2x", "img_url": img_url, "extension": ".png", "exif": True, "DPI": 300}

    url = f"{live_server.url}/sandbox/api/photo-enhancer"
    response = requests.post(url, headers=headers, data=json.dumps(payload), timeout=10)
    assert response.status_code == 200
    result = response.json()
    job_id = result["data"]["job_id"]

    url = f"{live_server.url}/sandbox/api/task-status"
    response = requests.post(url, headers=headers, data=json.dumps({"job_id": job_id}), timeout=10)
    assert response.status_code == 200
    result = response.json()
    assert result["data"]["status"] == "COMPLETED"

    enhanced = requests.get(result["data"]["res_url"], timeout=10)
    assert enhanced.status_code == 200
    assert image_size(enhanced.content) == (128, 96)
