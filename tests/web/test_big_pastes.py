"""Big pastes: up to 500 links in one paste make one batch; the per-minute rate paces their sending."""

from datetime import timedelta

from django.utils import timezone

from enhancer.models import Batch, Job, JobStatus


def links(count: int, prefix: str = "p") -> str:
    return "\n".join(f"https://photos.example.com/{prefix}{n}.jpg" for n in range(count))


def paste(client, text: str, follow: bool = False):
    return client.post("/", {"img_url": text, "model_name": "general_2x"}, follow=follow)


def test_a_paste_of_120_links_is_one_batch_sent_60_a_minute(alice_client, catalogue, settings):
    assert settings.ENHANCER_SUBMISSIONS_PER_MINUTE == 60
    response = paste(alice_client, links(120))
    batch = Batch.objects.get()
    assert response["Location"] == f"/batches/{batch.pk}/"
    assert batch.jobs.count() == 120
    now = timezone.now()
    due_now = batch.jobs.filter(due_at__lte=now + timedelta(seconds=5))
    assert due_now.count() == 60
    later = batch.jobs.filter(due_at__gte=now + timedelta(seconds=55))
    assert later.count() == 60
    assert set(later.values_list("position", flat=True)) == set(range(60, 120))  # the first 60 go first
    assert set(later.values_list("status", flat=True)) == {JobStatus.QUEUED}


def test_the_batch_page_says_all_120_are_on_their_way(alice_client, catalogue):
    page = paste(alice_client, links(120), follow=True).content.decode()
    assert "120 photos are on their way." in page
    assert "At most 60 are sent to HitPaw a minute, so 60 wait their turn (about 1 more minute)." in page


def test_a_paste_of_501_links_is_refused_plainly_and_nothing_is_queued(alice_client, catalogue):
    response = paste(alice_client, links(501))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please paste at most 500 links at once (you pasted 501)." in page
    assert "Remove 1, or send them in a second batch." in page
    assert not Job.objects.exists()


def test_a_paste_of_500_links_is_taken(alice_client, catalogue):
    assert paste(alice_client, links(500)).status_code == 302
    assert Batch.objects.get().jobs.count() == 500


def test_the_page_lists_duplicates_and_unsupported_kinds_it_left_out(alice_client, catalogue):
    text = "\n".join(
        [
            "https://photos.example.com/a.jpg",
            "https://photos.example.com/a.jpg",
            "https://photos.example.com/anim.gif",
            "https://photos.example.com/iphone.HEIC",
            "https://photos.example.com/b.png",
        ]
    )
    page = paste(alice_client, text, follow=True).content.decode()
    assert "3 were left out:" in page
    assert "“https://photos.example.com/a.jpg” is in the list twice; it is sent once." in page
    assert "“https://photos.example.com/anim.gif” is a GIF file, which HitPaw does not take." in page
    assert "“https://photos.example.com/iphone.HEIC” is a HEIC file, which HitPaw does not take." in page
    assert sorted(Job.objects.values_list("img_url", flat=True)) == [
        "https://photos.example.com/a.jpg",
        "https://photos.example.com/b.png",
    ]


def test_the_budget_still_applies_to_a_big_paste(alice_client, catalogue):
    from enhancer.models import TeamBudget

    TeamBudget.objects.update_or_create(pk=1, defaults={"monthly_coins": 1000})
    page = paste(alice_client, links(120)).content.decode()
    assert "The team&#x27;s monthly coin budget has 1000 coins left this month" in page
    assert "these 120 photos need at least 1200" in page
    assert not Job.objects.exists()


def _facts(page: str) -> dict:
    import json
    import re

    found = re.search(r'<script id="price-facts" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_the_page_carries_what_its_script_needs_to_judge_a_paste_before_sending(alice_client, catalogue):
    facts = _facts(alice_client.get("/").content.decode())
    assert facts["max_links"] == 500
    assert facts["unsupported"][".heic"] == "HEIC"
    assert facts["coins_left"] is None  # no budget: nothing to hold Enhance back


def test_the_page_carries_the_tightest_budget_left(alice_client, alice, catalogue):
    from enhancer.models import TeamBudget, UserBudget

    TeamBudget.objects.update_or_create(pk=1, defaults={"monthly_coins": 1000})
    UserBudget.objects.create(user=alice, monthly_coins=300)
    facts = _facts(alice_client.get("/").content.decode())
    assert (facts["coins_left"], facts["coins_left_whose"]) == (300, "yours")
