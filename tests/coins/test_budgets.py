"""Monthly budgets: a submission that would pass the team's or a person's limit is refused before any coin."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enhancer.coins import budgets, ledger
from enhancer.jobs import intake
from enhancer.models import CoinCharge, Job, JobStatus, TeamBudget, UserBudget
from tests.support.jobs import in_threads, make_job

PHOTO = "https://photos.example.com/cat.png"


def team_budget(coins: int) -> None:
    TeamBudget.objects.update_or_create(pk=1, defaults={"monthly_coins": coins})


def charged(user, coins: int, days_ago: int = 0) -> None:
    entry = ledger.record_charge(make_job(JobStatus.CONVERTING, user=user), f"hp-{coins}-{days_ago}", coins)
    CoinCharge.objects.filter(pk=entry.pk).update(at=timezone.now() - timedelta(days=days_ago))


def test_it_refuses_a_photo_that_would_pass_the_team_budget_saying_what_is_left(alice, bob, general_2x):
    team_budget(100)
    charged(bob, 95)

    with pytest.raises(intake.SubmissionRefused) as refused:
        intake.create_jobs(alice, [PHOTO], general_2x)

    assert refused.value.message == (
        "The team's monthly coin budget has 5 coins left this month, and this photo needs at least 10. "
        "Ask an admin to raise the budget, or wait until next month."
    )
    assert Job.objects.filter(user=alice).count() == 0


def test_it_takes_a_photo_that_fits(alice, general_2x):
    team_budget(100)
    charged(alice, 90)

    assert len(intake.create_jobs(alice, [PHOTO], general_2x)) == 1


def test_it_counts_every_photo_of_a_submission(alice, general_2x):
    team_budget(100)
    charged(alice, 75)

    with pytest.raises(intake.SubmissionRefused, match="these 3 photos need at least 30"):
        intake.create_jobs(alice, [PHOTO] * 3, general_2x)


def test_photos_on_their_way_count_before_they_are_charged(alice, general_2x):
    team_budget(30)
    make_job(JobStatus.SUBMITTING, user=alice, estimated_coins=20)

    with pytest.raises(intake.SubmissionRefused, match="has 10 coins left"):
        intake.create_jobs(alice, [PHOTO, PHOTO], general_2x)


def test_last_months_charges_do_not_count(alice, general_2x):
    team_budget(100)
    charged(alice, 100, days_ago=40)

    assert len(intake.create_jobs(alice, [PHOTO], general_2x)) == 1


def test_a_persons_limit_is_theirs_alone(alice, bob, general_2x):
    UserBudget.objects.create(user=alice, monthly_coins=20)
    charged(alice, 15)

    with pytest.raises(intake.SubmissionRefused, match="Your monthly coin limit has 5 coins left"):
        intake.create_jobs(alice, [PHOTO], general_2x)
    assert len(intake.create_jobs(bob, [PHOTO], general_2x)) == 1


def test_a_generative_photo_needs_at_least_its_lowest_price(alice, catalogue):
    team_budget(15)

    with pytest.raises(intake.SubmissionRefused, match="needs at least 20"):
        intake.create_jobs(alice, [PHOTO], catalogue["generative_portrait"])


def test_no_budget_means_no_limit(alice, general_2x):
    charged(alice, 100_000)

    assert len(intake.create_jobs(alice, [PHOTO], general_2x)) == 1


def test_admins_see_who_is_near_their_limit(alice, bob):
    team_budget(1000)
    UserBudget.objects.create(user=alice, monthly_coins=100)
    UserBudget.objects.create(user=bob, monthly_coins=100)
    charged(alice, 85)
    charged(bob, 10)

    assert [(row.who, row.left) for row in budgets.near_limit()] == [("alice", 15)]


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_cannot_both_take_the_last_coins(alice, bob, general_2x):
    team_budget(10)

    def submit(index):
        try:
            return len(intake.create_jobs([alice, bob][index], [PHOTO], general_2x))
        except intake.SubmissionRefused:
            return 0

    assert sorted(in_threads(2, submit)) == [0, 1]
