"""`/healthz` for load balancers and operators."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from enhancer.jobs import claims, pauses, scheduler


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and operators: the database answers; is a ticker running?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"ok": False, "database": "unreachable"}, status=503)
    return JsonResponse(
        {
            "ok": True,
            "database": "ok",
            "ticker_running": claims.lease_is_held(scheduler.TICKER),
            "submissions_paused": pauses.current() is not None,
        }
    )
