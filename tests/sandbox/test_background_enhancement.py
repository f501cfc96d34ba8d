"""The simulator enhances on the background workers, with a pixel cap, never in the web request."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from enhancer.sandbox import tasks, views
from enhancer.sandbox.models import SandboxTask
from tests.sandbox.test_simulator import accepted, assert_vendor_error, serve_image, status, submit
from tests.support.images import image_bytes


def test_the_web_request_only_enqueues_the_enhancement(client, catalogue, web, idle_workers):
    job_id = accepted(client, web)
    assert idle_workers == [job_id]
    assert not SandboxTask.objects.get(job_id=job_id).result


def test_it_answers_converting_until_a_worker_has_made_the_result(
    client, catalogue, web, idle_workers, settings
):
    settings.SANDBOX_CONVERT_SECONDS = 0
    job_id = accepted(client, web)
    assert status(client, job_id).json()["data"]["status"] == "CONVERTING"
    tasks.enhance_task(job_id)
    data = status(client, job_id).json()["data"]
    assert data["status"] == "COMPLETED" and data["res_url"]


def test_it_reports_an_error_when_the_worker_cannot_enhance(client, catalogue, web, idle_workers, settings):
    settings.SANDBOX_CONVERT_SECONDS = 0
    job_id = accepted(client, web)
    default_storage.delete(tasks.source_name(job_id))
    default_storage.save(tasks.source_name(job_id), ContentFile(b"not a picture"))
    tasks.enhance_task(job_id)
    data = status(client, job_id).json()["data"]
    assert (data["status"], data["res_url"]) == ("ERROR", "")
    assert not default_storage.exists(tasks.source_name(job_id))


def test_it_refuses_a_photo_over_its_own_pixel_cap_before_any_work(
    client, catalogue, web, idle_workers, monkeypatch
):
    monkeypatch.setattr(views, "MAX_OUTPUT_PIXELS", 100 * 100)
    url = serve_image(web, image_bytes(64, 48))  # 2x: 128 x 96 = 12,288 pixels
    assert_vendor_error(submit(client, img_url=url), 400, 110400010, "The target resolution is over limit")
    assert idle_workers == [] and not SandboxTask.objects.exists()


def test_its_default_cap_refuses_a_4000_by_4000_photo_at_4x(client, catalogue, web, idle_workers):
    url = serve_image(web, image_bytes(4000, 4000))
    response = submit(client, img_url=url, model_name="general_4x")
    assert response.status_code == 400 and idle_workers == []
