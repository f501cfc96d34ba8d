"""Share links: made and turned off from the job page, opened by anyone holding the token.

Every public response says the same 404 for an unknown, expired or revoked token (or one made by a
person no longer active), asks search engines not to index it, is kept by no cache, and sends no
referrer, so the token never leaks to another site. The pictures go out without their details
(GPS position, camera, author) unless the person sharing chose to keep them.
"""

from __future__ import annotations

import logging
from pathlib import PurePath
from typing import TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from enhancer.media.imaging import FORMATS
from enhancer.media.photo_details import DetailsNotRemoved
from enhancer.media.public_copies import ensure_public_copy, real_format
from enhancer.models import ShareLink
from enhancer.models.shares import DAY_CHOICES, DEFAULT_DAYS
from enhancer.web.access import job_to_share, share_for_user
from enhancer.web.refusals import needs_share
from enhancer.web.stored_files import stored_file_response

AnyResponse = TypeVar("AnyResponse", bound=HttpResponseBase)

log = logging.getLogger(__name__)

NOT_FOUND = "This link does not work. It may have expired or been turned off."
PRIVATE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",  # a turned-off link must stop showing the photo at once
}


class ShareForm(forms.Form):
    days = forms.TypedChoiceField(
        choices=DAY_CHOICES, coerce=int, initial=DEFAULT_DAYS, label="Link works for"
    )
    keep_details = forms.BooleanField(
        required=False, label="Keep photo details (GPS position, camera, author)"
    )


@login_required
@require_POST
@needs_share
def share_create(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_to_share(request.user, pk)
    form = ShareForm(request.POST)
    if not job.is_completed:
        messages.error(request, "Only a finished photo can be shared.")
    elif form.is_valid():
        data = form.cleaned_data
        ShareLink.create_for(job, request.user, data["days"], keep_details=data["keep_details"])
        messages.success(request, "Share link made. Copy it below and send it to anyone.")
    else:
        messages.error(request, "Choose how long the link should work.")
    return redirect(reverse("enhancer:job", args=[job.pk]) + "#share")


@login_required
@require_POST
def share_revoke(request: HttpRequest, pk: int, share_pk: int) -> HttpResponse:
    share_for_user(request.user, pk, share_pk).revoke()
    messages.success(request, "Share link turned off. Anyone opening it now sees “not found”.")
    return redirect(reverse("enhancer:job", args=[pk]) + "#share")


def public_url(request: HttpRequest, path: str) -> str:
    """An absolute address for a share page, on the site's public address when one is set."""
    base = settings.PUBLIC_BASE_URL
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def _live_share(token: str) -> ShareLink:
    share = ShareLink.objects.opening().select_related("job", "job__model").filter(token=token).first()
    if share is None or not share.job.result:
        raise Http404(NOT_FOUND)
    return share


def _private(response: AnyResponse) -> AnyResponse:
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


@require_GET
def share_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        share = _live_share(token)
    except Http404:
        response = render(request, "enhancer/share_missing.html", {"message": NOT_FOUND}, status=404)
        return _private(response)
    share.count_view()
    context = {
        "share": share,
        "job": share.job,
        "page_url": public_url(request, reverse("share", args=[token])),
        "image_url": public_url(request, reverse("share_image", args=[token, "result"])),
    }
    return _private(render(request, "enhancer/share.html", context))


@require_GET
def share_image(request: HttpRequest, token: str, which: str) -> HttpResponseBase:
    """Our copy of the original or the result, through the token only, without its details
    unless the link keeps them; typed and named by the file's real format."""
    try:
        share = _live_share(token)
        stored = {"original": share.job.original, "result": share.job.result}.get(which)
        if stored is None or not stored.name:
            raise Http404(NOT_FOUND)
        name, fmt = _served(stored.name, share.keep_details)
    except Http404:
        return _private(HttpResponse(NOT_FOUND, status=404, content_type="text/plain; charset=utf-8"))
    unknown = (PurePath(stored.name).suffix, "application/octet-stream")
    extension, content_type = FORMATS.get(fmt, unknown) if fmt else unknown
    stem = share.job.photo_name + ("-enhanced" if which == "result" else "")
    download = which == "result" and request.GET.get("download") == "1"
    response = stored_file_response(
        name, content_type=content_type, as_attachment=download, filename=f"{stem}{extension}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)


def _served(stored_name: str, keep_details: bool) -> tuple[str, str | None]:
    """(name, format) of the file to send: the stored photo itself, or its copy without details.

    A photo that cannot be cleaned (or read) is not sent at all (a 404), never sent with its details."""
    try:
        if keep_details:
            return stored_name, real_format(stored_name)
        return ensure_public_copy(stored_name)
    except (DetailsNotRemoved, OSError) as error:
        log.warning("Could not remove the details of %s: %s", stored_name, error)
        raise Http404(NOT_FOUND) from error
