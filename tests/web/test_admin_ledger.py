"""Coins in the admin: charges cannot be edited, top-ups show the expected balance, budgets who is near."""

from enhancer.coins import ledger
from enhancer.models import CoinCharge, JobStatus, TopUp, UserBudget
from tests.support.jobs import make_job


def test_it_records_a_top_up_by_the_admin_who_made_it(admin_client, admin_user):
    response = admin_client.post("/admin/enhancer/topup/add/", {"coins": "1000", "note": "invoice 7"})

    assert response.status_code == 302
    assert list(TopUp.objects.values_list("coins", "note", "recorded_by")) == [
        (1000, "invoice 7", admin_user.pk)
    ]


def test_it_shows_the_expected_balance_on_the_top_ups(admin_client):
    ledger.record_top_up(1000)
    ledger.record_charge(make_job(JobStatus.CONVERTING), "hp-1", 70)

    page = admin_client.get("/admin/enhancer/topup/").content.decode()

    assert "expected balance 930 coins" in page


def test_charges_cannot_be_changed_or_deleted(admin_client):
    charge = ledger.record_charge(make_job(JobStatus.CONVERTING), "hp-1", 70)

    admin_client.post(f"/admin/enhancer/coincharge/{charge.pk}/change/", {"coins": "1"})
    admin_client.post(f"/admin/enhancer/coincharge/{charge.pk}/delete/", {"post": "yes"})

    charge.refresh_from_db()
    assert charge.coins == 70
    assert CoinCharge.objects.count() == 1


def test_admins_see_who_is_near_their_limit_on_the_budget_page(admin_client, alice):
    UserBudget.objects.create(user=alice, monthly_coins=100)
    ledger.record_charge(make_job(JobStatus.CONVERTING, user=alice), "hp-1", 90)

    page = admin_client.get("/admin/enhancer/teambudget/").content.decode()

    assert "Near their limit this month: alice (10 of 100 coins left)." in page


def test_admins_set_a_persons_monthly_limit(admin_client, alice):
    admin_client.post("/admin/enhancer/userbudget/add/", {"user": alice.pk, "monthly_coins": "300"})

    assert UserBudget.objects.get(user=alice).monthly_coins == 300


def test_the_ledger_totals_the_filtered_charges(admin_client, alice, bob):
    ledger.record_charge(make_job(JobStatus.CONVERTING, user=alice, estimated_coins=10), "hp-1", 20)
    ledger.record_charge(make_job(JobStatus.CONVERTING, user=bob), "hp-2", 480)

    page = admin_client.get("/admin/enhancer/coincharge/", {"user__id__exact": alice.pk}).content.decode()

    assert "Coins for the 1 charge shown: <strong>20</strong> charged (10 estimated before sending)." in page
