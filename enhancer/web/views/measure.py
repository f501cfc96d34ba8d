"""How large the photo behind a link is, so the submit page can estimate its cost before sending.

The page cannot load other sites' pictures itself (the Content-Security-Policy allows images from
this site only), so it asks here; the server reads just the picture's header through the same
safe fetcher the pipeline uses. Views never call HitPaw: this only measures.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from enhancer.media.fetcher import FetchError, measure_image


@login_required
@require_GET
def measure(request: HttpRequest) -> JsonResponse:
    url = request.GET.get("url", "").strip()
    try:
        fmt, width, height = measure_image(url, allow_private=settings.ENHANCER_ALLOW_PRIVATE_URLS)
    except FetchError as error:
        return JsonResponse({"ok": False, "message": error.message})
    return JsonResponse({"ok": True, "format": fmt, "width": width, "height": height})
