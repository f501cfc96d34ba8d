"""Banners every page shows: sandbox mode, and a team-wide pause on submissions."""

from django.conf import settings

from enhancer.jobs import ledger, pauses


def banners(request) -> dict:
    pause = pauses.current()
    return {
        "sandbox_mode": settings.SANDBOX_MODE,
        "submission_pause": pause,
        "expected_coin_balance": ledger.balance_beside_refusal(pause),
    }
