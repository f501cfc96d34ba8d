"""Cost before spending: the submit page gets HitPaw's price table and limits; the job page shows estimate and actual."""

import json
import re

from enhancer.hitpaw import pricing
from enhancer.models import EnhanceModel, JobStatus
from tests.support.charges import charged
from tests.support.jobs import make_job


def facts(page: str) -> dict:
    found = re.search(r'<script id="price-facts" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_it_sends_the_page_the_vendors_price_table_and_limits(alice_client, catalogue):
    data = facts(alice_client.get("/").content.decode())
    assert data["prices"]["standard"][0] == [8, 10]
    assert data["prices"]["standard"][-1] == [None, 480]
    assert data["prices"]["generative"] == [[8, 20], [12, 30], [24, 40], [None, 60]]
    assert data["limits"] == {"standard": [70.0, 432.0], "generative": [34.0, 34.0]}


def test_it_follows_an_edit_of_the_price_table(alice_client, catalogue, monkeypatch):
    monkeypatch.setattr(pricing, "STANDARD_PRICES", [(10, 15), (float("inf"), 99)])
    assert facts(alice_client.get("/").content.decode())["prices"]["standard"] == [[10, 15], [None, 99]]


def test_it_tells_the_page_each_models_scale_and_kind(alice_client, catalogue):
    models = facts(alice_client.get("/").content.decode())["models"]
    general = models["general_4x"]
    assert (general["scale"], general["kind"], general["label"]) == (4, "standard", "General Enhance (4x)")
    assert models["generative_portrait"]["kind"] == "generative"


def test_it_leaves_disabled_models_out_of_the_estimate(alice_client, catalogue):
    EnhanceModel.objects.filter(name="general_4x").update(enabled=False)
    assert "general_4x" not in facts(alice_client.get("/").content.decode())["models"]


def test_it_shows_the_estimate_and_the_charge_side_by_side_on_the_job_page(alice_client, alice):
    job = charged(make_job(JobStatus.CONVERTING, user=alice, estimated_coins=30, coins=30))
    page = alice_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Estimated before sending" in page and "<dd data-estimated-coins>30 coins</dd>" in page
    assert "Charged by HitPaw" in page and "<strong data-coins>30</strong>" in page


def test_it_says_no_coins_were_charged_for_a_photo_that_failed_before_sending(alice_client, alice):
    job = make_job(JobStatus.FAILED, user=alice, message="The link did not lead to a picture.")
    assert "No coins were charged." in alice_client.get(f"/jobs/{job.pk}/").content.decode()


def test_it_groups_the_models_by_what_they_are_for(alice_client, catalogue):
    page = alice_client.get("/").content.decode()
    groups = ["Everyday photos and products", "Faces and portraits", "Clean up, same size"]
    positions = [page.index(f'<optgroup label="{group}">') for group in groups]
    assert positions == sorted(positions)
    faces = page[positions[1] : positions[2]]
    assert "Face Clear (2x)" in faces and "General Enhance" not in faces


def test_it_tells_the_picker_each_models_purpose_and_good_for(alice_client, catalogue):
    models = facts(alice_client.get("/").content.decode())["models"]
    assert models["face_v2_4x"]["purpose"] == "Faces and portraits"
    assert models["face_v2_4x"]["display"] == "Face Natural"
    assert models["generative"]["purpose"] == "Badly damaged photos (AI redraws detail)"
    assert models["general_2x"]["good_for"] == "Everyday photos: products, places, anything"
