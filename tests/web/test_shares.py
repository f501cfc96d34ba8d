"""Share links: made from a finished job, opened by anyone, through the token only, until expiry or revocation."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from enhancer.models import JobStatus, ShareLink
from tests.support.finished import RESULT, finished_job
from tests.support.jobs import make_job


@pytest.fixture
def job(alice, general_2x):
    return finished_job(alice, general_2x)


@pytest.fixture
def share(job, alice):
    return ShareLink.create_for(job, alice)


def same_404(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 404
    return response.content.decode()


def test_share_makes_a_link_that_works_for_30_days_by_default(alice_client, job):
    response = alice_client.post(f"/jobs/{job.pk}/share", {"days": "30"})

    [share] = job.share_links.all()
    assert response.status_code == 302
    assert timedelta(days=29, hours=23) < share.expires_at - timezone.now() <= timedelta(days=30)


def test_the_token_is_random_and_never_the_job_id(job, alice):
    tokens = {ShareLink.create_for(job, alice).token for _ in range(20)}

    assert len(tokens) == 20
    assert all(len(token) >= 22 and str(job.pk) != token for token in tokens)  # ≥ 128 bits in base64


def test_the_owner_chooses_how_long_the_link_works(alice_client, job):
    alice_client.post(f"/jobs/{job.pk}/share", {"days": "7"})

    share = job.share_links.get()
    assert timedelta(days=6, hours=23) < share.expires_at - timezone.now() <= timedelta(days=7)


def test_an_unfinished_job_cannot_be_shared(alice_client, alice, general_2x):
    job = make_job(JobStatus.CONVERTING, user=alice, model=general_2x)

    alice_client.post(f"/jobs/{job.pk}/share", {"days": "30"})

    assert not job.share_links.exists()


def test_anyone_opens_the_share_page_without_logging_in(client, share):
    response = client.get(f"/s/{share.token}/")
    page = response.content.decode()

    assert response.status_code == 200
    assert f'src="/s/{share.token}/result"' in page
    assert f'src="/s/{share.token}/original"' in page
    assert f'href="/s/{share.token}/result?download=1"' in page
    assert "/jobs/" not in page


def test_the_share_page_is_not_indexed_and_sends_no_referrer(client, share):
    response = client.get(f"/s/{share.token}/")

    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_the_share_page_previews_well_when_pasted(client, share, settings):
    settings.PUBLIC_BASE_URL = "https://desk.example.com"

    page = client.get(f"/s/{share.token}/").content.decode()

    assert '<meta property="og:title" content="Enhanced photo: before and after">' in page
    assert f'<meta property="og:image" content="https://desk.example.com/s/{share.token}/result">' in page


def test_the_result_downloads_through_the_token(client, share):
    response = client.get(f"/s/{share.token}/result?download=1")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == RESULT
    assert "attachment" in response["Content-Disposition"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_it_counts_views_of_the_page(client, share):
    client.get(f"/s/{share.token}/")
    client.get(f"/s/{share.token}/")

    share.refresh_from_db()
    assert share.views == 2


def test_unknown_expired_and_revoked_tokens_give_the_same_404(client, job, alice):
    expired = ShareLink.create_for(job, alice, days=1)
    revoked = ShareLink.create_for(job, alice)
    revoked.revoke()

    with freeze_time(timezone.now() + timedelta(days=1, seconds=1)):
        pages = {
            same_404(client, "/s/not-a-real-token/"),
            same_404(client, f"/s/{expired.token}/"),
            same_404(client, f"/s/{revoked.token}/"),
        }
        images = {same_404(client, f"/s/{token}/result") for token in ("nope", expired.token, revoked.token)}

    assert len(pages) == 1
    assert len(images) == 1


def test_a_link_works_until_its_last_second(client, job, alice):
    share = ShareLink.create_for(job, alice, days=1)

    with freeze_time(share.expires_at - timedelta(seconds=1)):
        assert client.get(f"/s/{share.token}/").status_code == 200
    with freeze_time(share.expires_at):
        assert client.get(f"/s/{share.token}/").status_code == 404


def test_the_owner_turns_a_link_off(alice_client, client, share, job):
    alice_client.post(f"/jobs/{job.pk}/share/{share.pk}/off")

    assert client.get(f"/s/{share.token}/").status_code == 404
    assert client.get(f"/s/{share.token}/result").status_code == 404


def test_the_job_page_lists_its_links_with_views_and_expiry(alice_client, client, share, job):
    client.get(f"/s/{share.token}/")

    page = alice_client.get(f"/jobs/{job.pk}/").content.decode()

    assert f"http://testserver/s/{share.token}/" in page
    assert "· 1 view" in page
    assert f"works until {timezone.localtime(share.expires_at):%b %-d, %Y}" in page


def test_another_user_cannot_share_or_turn_off_someone_elses_link(client, bob, share, job):
    client.force_login(bob)

    assert client.post(f"/jobs/{job.pk}/share", {"days": "30"}).status_code == 404
    assert client.post(f"/jobs/{job.pk}/share/{share.pk}/off").status_code == 404
    assert ShareLink.objects.live().count() == 1


def test_an_image_name_other_than_original_or_result_is_a_404(client, share):
    assert client.get(f"/s/{share.token}/secret.txt").status_code == 404
