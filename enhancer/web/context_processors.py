"""Banners every page shows (sandbox mode, a team-wide pause), and the address share links start with."""

from django.conf import settings

from enhancer.coins import budgets, ledger
from enhancer.jobs import pauses
from enhancer.web.access import RECORD_TOP_UPS


def banners(request) -> dict:
    pause = pauses.current()
    return {
        "sandbox_mode": settings.SANDBOX_MODE,
        "submission_pause": pause,
        # For admins only (the people who record top-ups and can act on it).
        "expected_coin_balance": ledger.balance_beside_refusal(pause)
        if pause and request.user.has_perm(RECORD_TOP_UPS)
        else None,
        # Called only by a page that shows it (the submit page), so other pages pay no query.
        "budget_left": lambda: budgets.what_is_left(request.user) if request.user.is_authenticated else [],
        "share_base_url": settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/"),
    }
