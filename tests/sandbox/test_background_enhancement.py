"""The simulator enhances on the background workers, never in the web request."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from enhancer.sandbox import tasks
from enhancer.sandbox.models import SandboxTask
from tests.sandbox.test_simulator import accepted, status


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
