"""Job and batch pages say what is true: an unknown charge as unknown, actions that fit the live
status, sizes as the photo is shown, uploads enhanced again from our copy, no Try again that would
only fail the same way."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from enhancer.jobs import intake
from enhancer.models import Job, JobStatus
from tests.support.batches import make_batch
from tests.support.images import image_bytes
from tests.support.jobs import make_job

LOST = "We sent the photo to HitPaw but HitPaw did not answer in time."


# --- A charge nobody knows yet -------------------------------------------------------------------


def test_a_photo_waiting_for_a_check_says_the_charge_is_unknown_with_its_estimate(alice_client, alice):
    job = make_job(JobStatus.NEEDS_REVIEW, user=alice, message=LOST, estimated_coins=30)
    page = alice_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Charge unknown — HitPaw may have charged about 30 coins." in page
    assert "No coins were charged" not in page


def test_a_failure_before_sending_still_says_no_coins_were_charged(alice_client, alice):
    job = make_job(JobStatus.FAILED, user=alice, message="The site did not answer.")
    page = alice_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "No coins were charged." in page
    assert "Charge unknown" not in page


def test_a_batch_sums_up_its_photos_waiting_for_a_check_in_one_line(alice_client, alice, general_2x):
    statuses = [JobStatus.NEEDS_REVIEW, JobStatus.NEEDS_REVIEW, JobStatus.COMPLETED]
    batch, jobs = make_batch(alice, general_2x, statuses)
    for job, estimate in zip(jobs[:2], (20, 30), strict=True):
        Job.objects.filter(pk=job.pk).update(message=LOST, estimated_coins=estimate)
    page = alice_client.get(f"/batches/{batch.pk}/").content.decode()
    assert (
        "2 photos wait for an admin's check. Charge unknown — HitPaw may have charged about 50 coins" in page
    )
    assert LOST not in page  # no paragraph per photo
    assert page.count("Charge unknown") == 1


def test_the_batchs_live_status_carries_the_summary_of_photos_waiting_for_a_check(
    alice_client, alice, general_2x
):
    batch, jobs = make_batch(alice, general_2x, [JobStatus.NEEDS_REVIEW, JobStatus.CONVERTING])
    Job.objects.filter(pk=jobs[0].pk).update(estimated_coins=70)
    totals = alice_client.get(f"/batches/{batch.pk}/status.json").json()["totals"]
    assert (totals["review"], totals["review_coins"]) == (1, 70)


# --- Actions that follow the live status ---------------------------------------------------------


def test_the_live_status_says_cancel_is_possible_only_before_sending(alice_client, alice):
    job = make_job(JobStatus.SUBMITTING, user=alice)
    assert alice_client.get(f"/jobs/{job.pk}/status.json").json()["can_cancel"] is True
    Job.objects.filter(pk=job.pk).update(submit_started_at=timezone.now())
    assert alice_client.get(f"/jobs/{job.pk}/status.json").json()["can_cancel"] is False
    Job.objects.filter(pk=job.pk).update(status=JobStatus.CONVERTING)
    assert alice_client.get(f"/jobs/{job.pk}/status.json").json()["can_cancel"] is False


# The job page's script drops Cancel on that word: tests/system/test_browser_job_actions.py.


# --- Sizes as the photo is shown -----------------------------------------------------------------


def _portrait_jpeg(width=4000, height=3000) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # turn a quarter to show it: a phone held upright
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, "JPEG", exif=exif.tobytes(), quality=30)
    return buffer.getvalue()


def test_a_portrait_phone_photo_shows_its_size_standing_up(alice_client, catalogue, sandbox):
    upload = SimpleUploadedFile("portrait.jpg", _portrait_jpeg(), content_type="image/jpeg")
    alice_client.post("/", {"img_url": "", "model_name": "general_2x", "photos": [upload]})
    job = Job.objects.get()
    assert (job.original_width, job.original_height) == (3000, 4000)
    assert "3000 × 4000 px" in alice_client.get(f"/jobs/{job.pk}/").content.decode()


# --- Enhance again and Try again reuse a stored upload -------------------------------------------


def _uploaded_job(alice, catalogue):
    photo = SimpleUploadedFile("Red Shoe.png", image_bytes(64, 48), content_type="image/png")
    (job,), _ = intake.create_upload_jobs(alice, [photo], catalogue["general_2x"])
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message="HitPaw had an internal problem.")
    job.refresh_from_db()
    return job


def test_enhance_again_of_an_upload_uses_the_copy_we_keep(alice_client, alice, catalogue, sandbox):
    old = _uploaded_job(alice, catalogue)
    form = alice_client.get(f"/?again={old.pk}").content.decode()
    assert "Enhancing again: <strong>Red Shoe.png</strong>, from the copy we keep" in form
    assert f'name="again" value="{old.pk}"' in form
    response = alice_client.post("/", {"img_url": "", "again": old.pk, "model_name": "general_4x"})
    new = Job.objects.exclude(pk=old.pk).get()
    assert response["Location"] == f"/jobs/{new.pk}/"
    assert (new.original.name, new.upload_name, new.model_name) == (
        old.original.name,
        "Red Shoe.png",
        "general_4x",
    )
    assert new.status == JobStatus.SUBMITTING  # nothing to fetch: straight to sending


def test_an_upload_offers_no_edit_link_and_try_again_reuses_our_copy(alice_client, alice, catalogue, sandbox):
    old = _uploaded_job(alice, catalogue)
    page = alice_client.get(f"/jobs/{old.pk}/").content.decode()
    assert "Edit link" not in page
    assert "Try again</button>" in page
    alice_client.post(f"/jobs/{old.pk}/retry")
    retry = Job.objects.get(retry_of=old)
    assert (retry.original.name, retry.upload_name) == (old.original.name, "Red Shoe.png")


def test_enhance_again_with_a_model_too_small_for_the_photo_is_refused_before_any_coin(
    alice_client, alice, catalogue, sandbox
):
    old = _uploaded_job(alice, catalogue)
    Job.objects.filter(pk=old.pk).update(original_width=8000, original_height=6000)  # 48 MP
    page = alice_client.post(
        "/", {"img_url": "", "again": old.pk, "model_name": "general_4x"}
    ).content.decode()
    assert "The enhanced photo would be 768.0 megapixels" in page
    assert Job.objects.count() == 1


def test_enhance_again_of_someone_elses_upload_is_not_found(client, bob, alice, catalogue, sandbox):
    old = _uploaded_job(alice, catalogue)
    client.force_login(bob)
    response = client.post("/", {"img_url": "", "again": old.pk, "model_name": "general_2x"})
    assert response.status_code == 404
    assert Job.objects.count() == 1


# --- No Try again for failures that will repeat --------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"error_code": 110400010, "message": "The enhanced photo would be too large."},
        {"error_code": 110400007, "message": "HitPaw does not accept this kind of image file."},
        {"message": "This kind of image (GIF) is not supported. Use a JPG, PNG, WebP, BMP or TIFF."},
        {"message": "The link did not lead to a picture we can read (JPG, PNG, WebP, BMP or TIFF)."},
        {"original_width": 9000, "original_height": 9000, "message": "Too large for this model."},
    ],
    ids=["target-too-large", "extension", "gif", "not-an-image", "over-the-models-limit"],
)
def test_no_try_again_for_a_failure_that_would_repeat(alice_client, alice, fields):
    job = make_job(JobStatus.FAILED, user=alice, **fields)
    page = alice_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Try again</button>" not in page
    assert "Enhance again" in page  # another model, or another file, still can
    response = alice_client.post(f"/jobs/{job.pk}/retry", follow=True)
    assert "would fail the same way" in response.content.decode()
    assert not Job.objects.filter(retry_of=job).exists()


def test_a_passing_failure_still_offers_try_again(alice_client, alice):
    job = make_job(
        JobStatus.FAILED, user=alice, error_code=110400003, message="HitPaw could not enhance this photo."
    )
    assert "Try again</button>" in alice_client.get(f"/jobs/{job.pk}/").content.decode()
