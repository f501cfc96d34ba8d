"""Banners every page shows (sandbox mode, a team-wide pause), and the address share links start with."""

from django.conf import settings

from enhancer.jobs import ledger, pauses


def banners(request) -> dict:
    pause = pauses.current()
    return {
        "sandbox_mode": settings.SANDBOX_MODE,
        "submission_pause": pause,
        "expected_coin_balance": ledger.balance_beside_refusal(pause),
        "share_base_url": settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/"),
    }
