"""`/healthz` for load balancers and operators."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from enhancer.jobs import claims, pauses, scheduler


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Tell anyone whether the database answers; tell operators (login or token) about the ticker too."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"ok": False, "database": "unreachable"}, status=503)
    body = {"ok": True, "database": "ok"}
    if _is_operator(request):
        body["ticker_running"] = claims.lease_is_held(scheduler.TICKER)
        body["submissions_paused"] = pauses.current() is not None
    return JsonResponse(body)


def _is_operator(request: HttpRequest) -> bool:
    """A logged-in person, or a monitor sending `Authorization: Bearer <ENHANCER_HEALTH_TOKEN>`."""
    if request.user.is_authenticated:
        return True
    token = settings.ENHANCER_HEALTH_TOKEN
    sent = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
