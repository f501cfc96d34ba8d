"""A phone photo enhances in sandbox mode at any scale HitPaw takes it, and large ones go one at a time."""

import io
import threading

import pytest
from PIL import Image, ImageChops

from enhancer.sandbox import enhance, one_at_a_time, tasks
from enhancer.sandbox.models import SandboxTask
from tests.sandbox.test_simulator import fetch_result, serve_image, status, submit
from tests.support.images import image_size


def solid_jpeg(width: int, height: int) -> bytes:
    """A real-size photo, cheap to make: one colour, saved as JPEG."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 120, 60)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def private_lock(tmp_path, monkeypatch):
    path = str(tmp_path / "large.lock")
    monkeypatch.setattr(one_at_a_time, "lock_path", lambda: path)
    return path


@pytest.mark.parametrize(
    ("model_name", "size"), [("general_2x", (8000, 6000)), ("general_4x", (16000, 12000))]
)
def test_a_12_megapixel_phone_photo_completes(
    client, catalogue, web, settings, private_lock, model_name, size
):
    settings.SANDBOX_CONVERT_SECONDS = 0
    url = serve_image(web, solid_jpeg(4000, 3000), content_type="image/jpeg")
    response = submit(client, img_url=url, model_name=model_name, extension=".jpg")
    assert response.status_code == 200, response.content
    data = status(client, response.json()["data"]["job_id"]).json()["data"]
    assert data["status"] == "COMPLETED"
    assert image_size(fetch_result(client, data["res_url"])) == size


def test_a_result_over_hitpaws_own_limit_is_still_refused_as_hitpaw_would(client, catalogue, web):
    url = serve_image(web, solid_jpeg(6000, 5000), content_type="image/jpeg")  # 30 MP x 16 = 480 MP out
    response = submit(client, img_url=url, model_name="general_4x", extension=".jpg")
    assert response.status_code == 400 and response.json()["error_code"] == 110400010
    assert not SandboxTask.objects.exists()


def test_the_reduced_path_keeps_the_picture(monkeypatch, private_lock):
    """Strips are resampled from the rows around them: a gradient stays a smooth gradient."""
    monkeypatch.setattr(enhance, "LARGE_OUTPUT_PIXELS", 0)
    monkeypatch.setattr(enhance, "STRIP_ROWS", 7)
    source = Image.linear_gradient("L").resize((64, 48)).convert("RGB")
    out = io.BytesIO()
    source.save(out, format="PNG")
    result = Image.open(io.BytesIO(enhance.enhance(out.getvalue(), 4, "general_4x", ".png")))
    expected = source.resize((256, 192), Image.Resampling.BILINEAR)
    assert result.size == (256, 192)
    assert ImageChops.difference(result.convert("RGB"), expected).getextrema()[0][1] <= 1


def test_large_photos_wait_for_each_other(monkeypatch, private_lock):
    monkeypatch.setattr(enhance, "LARGE_OUTPUT_PIXELS", 0)
    finished = threading.Event()

    def enhance_one():
        enhance.enhance(solid_jpeg(40, 30), 4, "general_4x", ".jpg")
        finished.set()

    with one_at_a_time.one_large_photo_at_a_time():  # another worker is enhancing a large photo
        worker = threading.Thread(target=enhance_one)
        worker.start()
        assert not finished.wait(0.5)
    assert finished.wait(10)
    worker.join()


def test_small_photos_do_not_wait(private_lock):
    with one_at_a_time.one_large_photo_at_a_time():
        assert image_size(enhance.enhance(solid_jpeg(40, 30), 4, "general_4x", ".jpg")) == (160, 120)


def test_a_worker_that_waits_too_long_hands_the_photo_back_to_the_queue(
    client, catalogue, web, settings, private_lock, idle_workers, monkeypatch
):
    settings.SANDBOX_CONVERT_SECONDS = 0
    monkeypatch.setattr(enhance, "LARGE_OUTPUT_PIXELS", 0)
    monkeypatch.setattr(one_at_a_time, "WAIT_SECONDS", 0.3)
    queued_again = []
    monkeypatch.setattr(tasks, "enqueue_enhancement", queued_again.append)
    url = serve_image(web, solid_jpeg(40, 30), content_type="image/jpeg")
    job_id = submit(client, img_url=url, model_name="general_4x", extension=".jpg").json()["data"]["job_id"]

    with one_at_a_time.one_large_photo_at_a_time():  # another worker is enhancing a large photo
        tasks.enhance_task(job_id)
    assert queued_again == [job_id]
    assert status(client, job_id).json()["data"]["status"] == "CONVERTING"

    tasks.enhance_task(job_id)  # picked up again once the lock is free
    data = status(client, job_id).json()["data"]
    assert data["status"] == "COMPLETED" and image_size(fetch_result(client, data["res_url"])) == (160, 120)
