"""`/healthz` for load balancers and operators."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from enhancer.jobs import pauses
from enhancer.ops import health
from enhancer.web.access import CHANGE_ANY_JOB


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Tell anyone whether the database answers; tell operators (admins or the token) about the task
    broker, the clusters' heartbeats and the ticker too, with 503 when work cannot go on."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"ok": False, "database": "unreachable"}, status=503)
    body = {"ok": True, "database": "ok"}
    if not _is_operator(request):
        return JsonResponse(body)
    broker, clusters = health.broker(), health.clusters()
    body.update({key: value for key, value in broker.items() if key != "ok"})
    body.update({key: value for key, value in clusters.items() if key != "ok"})
    body.update(health.ticker())
    body["submissions_paused"] = pauses.current() is not None
    body["ok"] = broker["ok"] and clusters["ok"]
    return JsonResponse(body, status=200 if body["ok"] else 503)


def _is_operator(request: HttpRequest) -> bool:
    """An admin (who sees the System page too), or a monitor sending
    `Authorization: Bearer <ENHANCER_HEALTH_TOKEN>`. Staff, reviewers and people with no role get
    the public answer: the machinery's state is not theirs to watch."""
    if request.user.has_perm(CHANGE_ANY_JOB):
        return True
    token = settings.ENHANCER_HEALTH_TOKEN
    sent = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
