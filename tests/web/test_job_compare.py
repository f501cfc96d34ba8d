"""The job page's before/after: a slider by default, side by side and 100 % zoom, sizes before → after."""

import pytest
from django.core.files.base import ContentFile

from enhancer.models import JobStatus
from tests.support.images import image_bytes
from tests.support.jobs import make_job


@pytest.fixture
def done(alice):
    job = make_job(
        JobStatus.COMPLETED,
        user=alice,
        img_url="https://photos.example.com/red%20shoe.jpg",
        original_width=64,
        original_height=48,
        result_width=128,
        result_height=96,
    )
    job.original.save("o.png", ContentFile(image_bytes(64, 48)), save=False)
    job.result.save("r.png", ContentFile(image_bytes(128, 96)), save=False)
    job.save()
    return job


def page(client, job, view=""):
    return client.get(f"/jobs/{job.pk}/" + (f"?view={view}" if view else "")).content.decode()


def test_it_titles_the_job_after_the_photos_file_name(alice_client, done):
    assert "<title>red shoe · Enhance Desk</title>" in page(alice_client, done)


def test_it_shows_the_vendored_comparison_slider_by_default(alice_client, done):
    html = page(alice_client, done)
    assert "<img-comparison-slider" in html
    assert "/static/vendor/img-comparison-slider-8.0.7/index.js" in html
    assert 'slot="first"' in html and 'slot="second"' in html
    assert "arrow keys" in html


def test_it_shows_the_photos_side_by_side_when_asked(alice_client, done):
    html = page(alice_client, done, "side")
    assert "<img-comparison-slider" not in html
    assert f'src="/jobs/{done.pk}/original"' in html and f'src="/jobs/{done.pk}/result"' in html


def test_it_shows_both_photos_at_the_results_real_size_in_zoom(alice_client, done):
    html = page(alice_client, done, "zoom")
    assert "data-zoom" in html
    assert html.count('width="128"') == 2  # an attribute, not inline style: the CSP allows no inline style


def test_it_shows_pixel_and_file_sizes_before_and_after(alice_client, done):
    html = page(alice_client, done)
    assert "64 × 48 px</span> · " in html and "128 × 96 px</span> · " in html
    assert "bytes" in html or "KB" in html


def test_it_shows_how_long_each_step_took(alice_client, alice):
    job = make_job(JobStatus.CONVERTING, user=alice)
    job.events.create(status=JobStatus.CONVERTING, message="HitPaw is enhancing your photo.")
    html = page(alice_client, job)
    assert html.count('class="took"') == 1  # the step that finished; the current one is still going


def test_it_names_the_download_after_the_photo(alice_client, done):
    assert 'download="red shoe-enhanced.png"' in page(alice_client, done)


def test_it_gives_live_times_already_written_in_the_teams_time_zone(alice_client, done, settings):
    event = done.events.get()
    data = alice_client.get(f"/jobs/{done.pk}/status.json").json()
    from django.utils import timezone

    assert data["events"][0]["time"] == timezone.localtime(event.at).strftime("%H:%M:%S")
