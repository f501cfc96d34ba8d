"""The submit page shows what is left of the budgets, and a refusal in plain words with no job made."""

from enhancer.models import Job, TeamBudget, UserBudget


def test_the_submit_page_shows_what_is_left(alice_client, alice, catalogue):
    TeamBudget.objects.update_or_create(pk=1, defaults={"monthly_coins": 500})
    UserBudget.objects.create(user=alice, monthly_coins=50)

    page = alice_client.get("/").content.decode()

    assert "The team's monthly budget has <strong>500</strong> of 500 coins left." in page
    assert "Your monthly limit has <strong>50</strong> of 50 coins left." in page


def test_the_submit_page_says_nothing_without_budgets(alice_client, catalogue):
    assert "data-budget-left" not in alice_client.get("/").content.decode()


def test_a_refused_submission_shows_the_reason_and_makes_no_job(alice_client, catalogue):
    TeamBudget.objects.update_or_create(pk=1, defaults={"monthly_coins": 5})

    response = alice_client.post(
        "/", {"img_url": "https://photos.example.com/cat.png", "model_name": "general_2x"}
    )

    assert "has 5 coins left this month" in response.content.decode()
    assert not Job.objects.exists()
