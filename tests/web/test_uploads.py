"""Uploads: photos from a computer, checked like links, stored, and fetched by HitPaw from our own signed link."""

from django.core.files.uploadedfile import SimpleUploadedFile

from enhancer.jobs import intake
from enhancer.models import Batch, Job, JobStatus
from tests.support.images import image_bytes
from tests.support.jobs import handed_to_the_ticker


def photo(name="Red Shoe.png", width=64, height=48):
    return SimpleUploadedFile(name, image_bytes(width, height), content_type="image/png")


def upload(client, *files, model_name="general_2x", follow=False, **fields):
    data = {"img_url": "", "model_name": model_name, "photos": list(files), **fields}
    return client.post("/", data, follow=follow)


def test_it_queues_an_uploaded_photo_straight_for_sending_with_its_size_and_estimate(
    alice_client, catalogue, sandbox
):
    response = upload(alice_client, photo())
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.status, job.upload_name, job.extension) == (JobStatus.SUBMITTING, "Red Shoe.png", ".png")
    assert (job.original_width, job.original_height, job.estimated_coins) == (64, 48, 10)
    assert job.original.read() == image_bytes(64, 48)
    assert handed_to_the_ticker()


def test_it_gives_hitpaw_a_signed_link_to_our_copy_in_sandbox_mode(alice_client, client, catalogue, sandbox):
    upload(alice_client, photo())
    job = Job.objects.get()
    assert job.img_url.startswith("http://127.0.0.1:8000/o/")
    served = client.get(job.img_url.removeprefix("http://127.0.0.1:8000"))
    assert b"".join(served.streaming_content) == image_bytes(64, 48)


def test_it_gives_hitpaw_a_link_on_the_public_address_when_there_is_one(alice_client, catalogue, settings):
    settings.SANDBOX_MODE = False
    settings.PUBLIC_BASE_URL = "https://desk.example.com"
    upload(alice_client, photo())
    assert Job.objects.get().img_url.startswith("https://desk.example.com/o/")


def test_it_titles_the_job_after_the_uploaded_file(alice_client, catalogue, sandbox):
    page = upload(alice_client, photo(), follow=True).content.decode()
    assert "<title>Red Shoe · Enhance Desk</title>" in page


def test_it_makes_one_batch_of_several_uploads(alice_client, catalogue, sandbox):
    response = upload(alice_client, photo("a.png"), photo("b.png"))
    batch = Batch.objects.get()
    assert response["Location"] == f"/batches/{batch.pk}/"
    assert list(batch.jobs.order_by("position").values_list("upload_name", flat=True)) == ["a.png", "b.png"]


def test_it_refuses_a_file_that_is_not_a_picture_and_names_it(alice_client, catalogue, sandbox):
    notes = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    page = upload(alice_client, notes).content.decode()
    assert "“notes.txt”: This file is not a picture we can read" in page
    assert not Job.objects.exists()


def test_it_refuses_an_over_limit_photo_with_its_size_and_the_limit(alice_client, catalogue, sandbox):
    page = upload(alice_client, photo("poster.png", 3000, 3000), model_name="generative").content.decode()
    assert (
        "“poster.png”: The enhanced photo would be 36.0 megapixels (6000 × 6000), over 34 megapixels" in page
    )
    assert not Job.objects.exists()


def test_it_keeps_the_good_uploads_and_lists_the_bad(alice_client, catalogue, sandbox):
    notes = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    page = upload(alice_client, photo("a.png"), notes, follow=True).content.decode()
    assert "1 was left out: “notes.txt”" in page
    assert Job.objects.get().upload_name == "a.png"


def test_uploads_are_on_with_a_key_and_no_public_address(alice_client, catalogue, settings):
    settings.SANDBOX_MODE = False
    settings.PUBLIC_BASE_URL = ""
    page = alice_client.get("/").content.decode()
    assert "disabled" not in page[page.index('name="photos"') - 200 : page.index('name="photos"') + 200]
    assert "PUBLIC_BASE_URL" not in page
    upload(alice_client, photo())
    assert Job.objects.get().status == JobStatus.SUBMITTING  # staged on HitPaw's storage by the worker


def test_it_asks_for_links_or_uploads_not_both(alice_client, catalogue, sandbox):
    page = upload(alice_client, photo(), img_url="https://photos.example.com/a.jpg").content.decode()
    assert "Send either links or uploaded photos, not both at once" in page
    assert not Job.objects.exists()


def test_it_tries_a_failed_upload_again_from_our_copy(alice, catalogue, sandbox):
    (job,), _ = intake.create_upload_jobs(alice, [photo()], catalogue["general_2x"])
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    (retry,) = intake.retry_jobs(Job.objects.filter(pk=job.pk))
    assert (retry.status, retry.original.name, retry.upload_name) == (
        JobStatus.SUBMITTING,
        job.original.name,
        "Red Shoe.png",
    )


def test_it_does_not_fill_an_uploads_private_link_into_enhance_again(alice_client, alice, catalogue, sandbox):
    (job,), _ = intake.create_upload_jobs(alice, [photo()], catalogue["general_2x"])
    assert "/o/" not in alice_client.get(f"/?again={job.pk}").content.decode()


def test_the_sandbox_may_fetch_an_uploads_link_to_this_app_even_with_private_links_off(settings):
    from enhancer.sandbox.views import _our_own_upload_link

    settings.SANDBOX_BASE_URL = "http://127.0.0.1:8000/sandbox"
    assert _our_own_upload_link("http://127.0.0.1:8000/o/abc/photo.png")
    assert not _our_own_upload_link("http://127.0.0.1:8000/admin/")
    assert not _our_own_upload_link("http://127.0.0.1:9999/o/abc/photo.png")


def test_it_shows_an_uploads_file_name_not_our_private_link(alice_client, alice, catalogue, sandbox):
    (job,), _ = intake.create_upload_jobs(alice, [photo()], catalogue["general_2x"])
    for page in (alice_client.get(f"/jobs/{job.pk}/"), alice_client.get("/jobs/?q=shoe")):
        html = page.content.decode()
        assert "Red Shoe.png" in html
        assert "/o/" not in html
