"""Pages reached without logging in, through signed links only."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from enhancer.jobs.hitpaw_links import job_for_original_link
from enhancer.web.stored_files import stored_file_response


@require_GET
def original_for_hitpaw(request: HttpRequest, token: str, filename: str) -> FileResponse:
    """Our checked copy of a photo, for HitPaw to fetch, through a signed link that expires."""
    job = job_for_original_link(token)
    if job is None or not job.original.name:
        raise Http404("This link is not valid (it may have expired).")
    content_type = mimetypes.guess_type(job.original.name)[0] or "application/octet-stream"
    response = stored_file_response(job.original.name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
