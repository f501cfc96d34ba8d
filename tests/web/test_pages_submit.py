"""The submit page: who may use it, what it shows, what it queues, and how it refuses in plain words."""

import pytest

from enhancer.jobs import intake, pauses
from enhancer.models import Batch, EnhanceModel, Job, JobStatus, SubmissionPause
from tests.support.jobs import handed_to_the_ticker

PHOTO = "https://photos.example.com/cat.jpg"
PAGES = [
    "/",
    "/jobs/",
    "/jobs/1/",
    "/jobs/1/status.json",
    "/jobs/1/original",
    "/jobs/1/result",
    "/usage/",
]


def post(client, img_url=PHOTO, model_name="general_2x", follow=False, **fields):
    return client.post("/", {"img_url": img_url, "model_name": model_name, **fields}, follow=follow)


@pytest.mark.parametrize("path", PAGES)
def test_it_sends_visitors_who_are_not_logged_in_to_the_login_page(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_it_shows_the_login_page(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Log in" in response.content


def test_it_logs_in_with_the_right_password_and_lands_on_the_submit_form(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "alice-password-1"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_it_returns_to_the_page_asked_for_after_logging_in(client, alice):
    login_page = client.get("/accounts/login/?next=/jobs/").content.decode()
    assert 'name="next" value="/jobs/"' in login_page
    credentials = {"username": "alice", "password": "alice-password-1", "next": "/jobs/"}
    assert client.post("/accounts/login/", credentials)["Location"] == "/jobs/"


def test_it_says_plainly_when_the_password_is_wrong(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert client.get("/").status_code == 302


def test_it_shows_models_by_display_name_and_what_they_are_good_for(alice_client, catalogue):
    page = alice_client.get("/").content.decode()
    assert "General Enhance (2x) — Everyday photos: products, places, anything" in page
    assert "Face Natural (4x) — Small portraits, enlarged with natural-looking skin" in page
    assert "Detail Denoise — Noisy low-light photos: cleans noise, keeps fine detail" in page
    assert page.count("<option") == 12


def test_it_queues_a_job_and_redirects_to_its_page(alice_client, alice, catalogue):
    response = post(alice_client, exif="on", dpi="300")
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.user, job.img_url, job.model_name) == (alice, PHOTO, "general_2x")
    assert (job.status, job.exif, job.dpi) == (JobStatus.QUEUED, True, 300)
    assert job.events.count() == 1
    assert handed_to_the_ticker()


def test_it_shows_the_new_job_after_the_redirect(alice_client, catalogue):
    response = post(alice_client, follow=True)
    assert response.status_code == 200
    assert "Waiting to start" in response.content.decode()


def test_it_leaves_exif_off_and_dpi_empty_when_not_asked(alice_client, catalogue):
    post(alice_client)
    job = Job.objects.get()
    assert (job.exif, job.dpi) == (False, None)


def test_it_queues_one_job_per_line_in_one_batch_and_lands_on_the_batch_page(alice_client, catalogue):
    links = "\n".join(f"https://photos.example.com/{n}.jpg" for n in range(3))
    response = post(alice_client, img_url=f"{links}\n\n")
    batch = Batch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/batches/{batch.pk}/"
    assert list(batch.jobs.order_by("position").values_list("img_url", flat=True)) == links.splitlines()
    assert "3 photos are on their way" in alice_client.get(response["Location"]).content.decode()


def test_each_photo_of_a_batch_starts_its_timeline_with_received(alice_client, catalogue):
    post(alice_client, img_url="\n".join(f"https://photos.example.com/{n}.jpg" for n in range(3)))

    for job in Job.objects.all():
        [event] = job.events.all()
        assert (event.status, event.message) == (JobStatus.QUEUED, "Received.")
        assert abs(event.at - job.created_at).total_seconds() < 5


def test_a_model_an_admin_turns_off_is_gone_from_the_next_form(alice_client, catalogue):
    assert 'value="general_4x"' in alice_client.get("/").content.decode()
    post(alice_client, model_name="general_4x")
    EnhanceModel.objects.filter(name="general_4x").update(enabled=False)

    assert 'value="general_4x"' not in alice_client.get("/").content.decode()
    response = post(alice_client, model_name="general_4x")
    assert "Pick one of the models in the list." in response.content.decode()
    assert Job.objects.count() == 1


def test_it_makes_no_batch_for_a_single_link(alice_client, catalogue):
    post(alice_client)
    assert Job.objects.get().batch is None
    assert not Batch.objects.exists()


def test_it_queues_a_link_pasted_twice_only_once(alice_client, catalogue):
    post(alice_client, img_url=f"{PHOTO}\n{PHOTO}")
    assert Job.objects.count() == 1


@pytest.mark.parametrize(
    ("img_url", "model_name", "dpi", "message"),
    [
        (
            "",
            "general_2x",
            "",
            "Paste a link to the photo you want to enhance, or choose photos from your computer.",
        ),
        (
            "  \n \n",
            "general_2x",
            "",
            "Paste a link to the photo you want to enhance, or choose photos from your computer.",
        ),
        ("my holiday photo", "general_2x", "", "is not a web link. Links start with http:// or https://."),
        ("ftp://photos.example.com/a.jpg", "general_2x", "", "is not a web link"),
        (PHOTO, "enhanced_v1", "", "Pick one of the models in the list."),
        (PHOTO, "general_2x", "10", "DPI must be between 72 and 1200."),
        (PHOTO, "general_2x", "5000", "DPI must be between 72 and 1200."),
        (PHOTO, "general_2x", "lots", "DPI must be a whole number, like 300."),
    ],
)
def test_it_refuses_a_bad_form_in_plain_words_and_queues_nothing(
    alice_client, catalogue, img_url, model_name, dpi, message
):
    response = post(alice_client, img_url=img_url, model_name=model_name, dpi=dpi)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    "img_url",
    [
        "http://localhost/a.jpg",
        "http://127.0.0.1/a.jpg",
        "http://10.1.2.3/a.jpg",
        "http://192.168.0.7:8080/a.jpg",
        "http://[::1]/a.jpg",
    ],
)
def test_it_refuses_private_and_local_links(alice_client, catalogue, settings, img_url):
    settings.ENHANCER_ALLOW_PRIVATE_URLS = False
    response = post(alice_client, img_url=img_url)
    assert "points to a private or local address. Use a public link." in response.content.decode()
    assert not Job.objects.exists()


def test_it_keeps_the_good_links_of_a_batch_and_lists_the_bad_ones(alice_client, catalogue, settings):
    settings.ENHANCER_ALLOW_PRIVATE_URLS = False
    other = "https://photos.example.com/dog.jpg"
    response = post(
        alice_client, img_url=f"{PHOTO}\nhttp://127.0.0.1/b.jpg\nmy holiday\n{other}", follow=True
    )
    page = response.content.decode()
    assert "2 were left out:" in page
    assert "“http://127.0.0.1/b.jpg” points to a private or local address." in page
    assert "“my holiday” is not a web link." in page
    assert sorted(Job.objects.values_list("img_url", flat=True)) == sorted([PHOTO, other])


def test_it_reads_a_www_link_as_https(alice_client, catalogue):
    post(alice_client, img_url="www.photos.example.com/cat.jpg")
    assert Job.objects.get().img_url == "https://www.photos.example.com/cat.jpg"


def test_it_accepts_local_links_when_private_urls_are_allowed(alice_client, catalogue, settings):
    settings.ENHANCER_ALLOW_PRIVATE_URLS = True
    assert post(alice_client, img_url="http://127.0.0.1:9000/a.jpg").status_code == 302
    assert Job.objects.get().img_url == "http://127.0.0.1:9000/a.jpg"


def test_it_takes_up_to_five_hundred_links_and_fifty_uploads_at_once_by_default(settings):
    assert settings.ENHANCER_MAX_LINKS_PER_SUBMIT == 500
    assert settings.ENHANCER_MAX_PHOTOS_PER_SUBMIT == 50


def test_it_refuses_more_links_than_the_configured_most(alice_client, catalogue, settings):
    settings.ENHANCER_MAX_LINKS_PER_SUBMIT = 5
    links = "\n".join(f"https://photos.example.com/{n}.jpg" for n in range(6))
    response = post(alice_client, img_url=links)
    assert "Please paste at most 5 links at once (you pasted 6)." in response.content.decode()
    assert not Job.objects.exists()


def test_it_accepts_exactly_the_most_links_allowed(alice_client, catalogue, settings):
    settings.ENHANCER_MAX_LINKS_PER_SUBMIT = 5
    links = "\n".join(f"https://photos.example.com/{n}.jpg" for n in range(5))
    assert post(alice_client, img_url=links).status_code == 302
    assert Job.objects.count() == 5


def test_it_keeps_what_the_user_typed_after_an_error(alice_client, catalogue):
    response = post(alice_client, img_url="my holiday photo")
    assert "my holiday photo</textarea>" in response.content.decode()


@pytest.fixture
def paused(db):
    return SubmissionPause.objects.create(
        pk=1, paused=True, reason="The HitPaw coin balance has run out. Ask an admin to top up."
    )


def test_it_shows_the_pause_and_its_reason_on_the_form(alice_client, catalogue, paused):
    page = alice_client.get("/").content.decode()
    assert "New photos are paused for the whole team" in page
    assert "The HitPaw coin balance has run out. Ask an admin to top up." in page


def test_it_refuses_to_queue_while_submissions_are_paused(alice_client, catalogue, paused):
    response = post(alice_client)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Submissions are paused for the whole team right now." in page
    assert "The HitPaw coin balance has run out." in page
    assert not Job.objects.exists()


def test_intake_refuses_in_plain_words_and_creates_no_job_while_submissions_are_paused(alice, general_2x):
    pauses.pause("coins ran out", 110402000)
    with pytest.raises(intake.SubmissionRefused) as refused:
        intake.create_jobs(alice, [PHOTO], general_2x)
    assert refused.value.message == str(refused.value)
    assert refused.value.message.startswith("Submissions are paused for the whole team right now.")
    assert not Job.objects.exists()


def test_it_queues_again_once_the_pause_is_lifted(alice_client, catalogue, paused):
    paused.paused = False
    paused.save()
    assert post(alice_client).status_code == 302
    assert Job.objects.count() == 1
