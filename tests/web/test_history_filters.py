"""History: thumbnails, filters by status, model and dates, search by link or number, pages that keep the filters."""

from datetime import datetime, timedelta

from django.utils import timezone

from enhancer.models import Job, JobStatus
from tests.support.jobs import make_job


def listed(client, query: str = "") -> list[int]:
    return [job.pk for job in client.get(f"/jobs/?{query}").context["page"].object_list]


def test_it_filters_by_status(alice_client, alice):
    done = make_job(JobStatus.COMPLETED, user=alice)
    failed = make_job(JobStatus.FAILED, user=alice)
    working = make_job(JobStatus.CONVERTING, user=alice)
    assert listed(alice_client, "status=done") == [done.pk]
    assert listed(alice_client, "status=problems") == [failed.pk]
    assert listed(alice_client, "status=working") == [working.pk]


def test_it_filters_by_model(alice_client, alice, catalogue):
    make_job(user=alice, model=catalogue["general_2x"])
    face = make_job(user=alice, model=catalogue["face_4x"])
    assert listed(alice_client, "model=face_4x") == [face.pk]


def test_it_filters_by_a_range_of_days_in_the_teams_time_zone(alice_client, alice):
    old, mid, new = (make_job(user=alice) for _ in range(3))
    for job, day in ((old, 1), (mid, 10), (new, 20)):
        at = timezone.make_aware(datetime(2026, 3, day, 23, 30))
        Job.objects.filter(pk=job.pk).update(created_at=at)
    assert listed(alice_client, "since=2026-03-05&until=2026-03-10") == [mid.pk]


def test_it_searches_by_a_word_of_the_link(alice_client, alice):
    shoe = make_job(user=alice, img_url="https://shop.example.com/red-shoe.jpg")
    make_job(user=alice, img_url="https://shop.example.com/blue-hat.jpg")
    assert listed(alice_client, "q=shoe") == [shoe.pk]


def test_it_searches_by_photo_number(alice_client, alice):
    jobs = [make_job(user=alice) for _ in range(3)]
    assert listed(alice_client, f"q=%23{jobs[1].pk}") == [jobs[1].pk]


def test_it_ignores_a_bad_filter_value_instead_of_failing(alice_client, alice):
    job = make_job(user=alice)
    assert listed(alice_client, "since=yesterday&model=nope") == [job.pk]


def test_it_keeps_the_filters_on_the_next_page(alice_client, alice):
    for _ in range(21):
        make_job(JobStatus.COMPLETED, user=alice)
    page = alice_client.get("/jobs/?status=done").content.decode()
    assert 'href="?status=done&amp;page=2">Older</a>' in page


def test_it_says_when_nothing_matches(alice_client, alice):
    make_job(user=alice)
    assert "No photos match these filters." in alice_client.get("/jobs/?q=zebra").content.decode()


def test_it_shows_a_thumbnail_for_photos_with_a_picture(alice_client, alice):
    job = make_job(JobStatus.CONVERTING, user=alice, original="originals/a.png")
    plain = make_job(user=alice)
    page = alice_client.get("/jobs/").content.decode()
    assert f'src="/jobs/{job.pk}/thumbnail"' in page
    assert f'src="/jobs/{plain.pk}/thumbnail"' not in page


def test_it_keeps_another_users_jobs_out_of_a_search(alice_client, alice, bob):
    theirs = make_job(user=bob)
    assert listed(alice_client, f"q={theirs.pk}") == []


def test_it_lists_a_week_old_photo_under_a_from_date_a_week_ago(alice_client, alice):
    job = make_job(user=alice)
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert listed(alice_client, f"since={since}") == [job.pk]


def test_it_reports_several_of_the_users_jobs_at_once_for_the_live_list(alice_client, alice, bob):
    mine = make_job(JobStatus.CONVERTING, user=alice)
    theirs = make_job(JobStatus.CONVERTING, user=bob)
    data = alice_client.get(f"/jobs/status.json?ids={mine.pk},{theirs.pk},x").json()
    assert [(job["id"], job["status"], job["terminal"]) for job in data["jobs"]] == [
        (mine.pk, "converting", False)
    ]


def test_it_offers_a_refresh_link_while_a_listed_photo_is_working(alice_client, alice):
    make_job(JobStatus.CONVERTING, user=alice)
    page = alice_client.get("/jobs/").content.decode()
    assert "Refresh to see the latest" in page and "data-active" in page


def test_it_offers_no_refresh_when_every_listed_photo_has_ended(alice_client, alice):
    make_job(JobStatus.COMPLETED, user=alice)
    assert "Refresh to see the latest" not in alice_client.get("/jobs/").content.decode()
