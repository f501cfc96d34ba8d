"""How large the photo behind a link is, so the submit page can estimate its cost before sending.

The page cannot load other sites' pictures itself (the Content-Security-Policy allows images from
this site only), so it asks here; the server reads just the picture's header through the same
safe fetcher the pipeline uses. Views never call HitPaw: this only measures. Each person and each
web process may measure only a few links at once and a few dozen a minute
(`enhancer/web/measure_limits.py`), each within a total deadline.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from enhancer.media.fetcher import FetchError, measure_image
from enhancer.web import measure_limits
from enhancer.web.signed_in import SignedInRequest


@login_required
@require_GET
def measure(request: SignedInRequest) -> JsonResponse:
    url = request.GET.get("url", "").strip()
    try:
        with measure_limits.measure_slot(request.user.pk):
            fmt, width, height = measure_image(
                url,
                allow_private=settings.ENHANCER_ALLOW_PRIVATE_URLS,
                read_timeout=measure_limits.MEASURE_SECONDS,
                total_seconds=measure_limits.MEASURE_SECONDS,
            )
    except measure_limits.Busy as busy:
        refused = JsonResponse({"ok": False, "message": busy.message}, status=429)
        refused["Retry-After"] = str(busy.retry_after)
        return refused
    except FetchError as error:
        return JsonResponse({"ok": False, "message": error.message})
    return JsonResponse({"ok": True, "format": fmt, "width": width, "height": height})
