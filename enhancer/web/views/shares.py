"""Share links: made and turned off from the job page, opened by anyone holding the token.

Every public response says the same 404 for an unknown, expired or revoked token, asks search
engines not to index it, and sends no referrer, so the token never leaks to another site.
"""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from enhancer.models import ShareLink
from enhancer.models.shares import DAY_CHOICES, DEFAULT_DAYS
from enhancer.web.access import job_to_share, share_for_user
from enhancer.web.stored_files import stored_file_response

NOT_FOUND = "This link does not work. It may have expired or been turned off."
PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}


class ShareForm(forms.Form):
    days = forms.TypedChoiceField(
        choices=DAY_CHOICES, coerce=int, initial=DEFAULT_DAYS, label="Link works for"
    )


@login_required
@require_POST
def share_create(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_to_share(request.user, pk)
    form = ShareForm(request.POST)
    if not job.is_completed:
        messages.error(request, "Only a finished photo can be shared.")
    elif form.is_valid():
        ShareLink.create_for(job, request.user, form.cleaned_data["days"])
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
    share = ShareLink.objects.live().select_related("job", "job__model").filter(token=token).first()
    if share is None or not share.job.result:
        raise Http404(NOT_FOUND)
    return share


def _private(response: HttpResponse) -> HttpResponse:
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
def share_image(request: HttpRequest, token: str, which: str) -> HttpResponse:
    """Our copy of the original or the result, through the token only."""
    try:
        share = _live_share(token)
        stored = {"original": share.job.original, "result": share.job.result}.get(which)
        if not stored:
            raise Http404(NOT_FOUND)
    except Http404:
        return _private(HttpResponse(NOT_FOUND, status=404, content_type="text/plain; charset=utf-8"))
    download = which == "result" and request.GET.get("download") == "1"
    filename = f"enhanced-photo{PurePath(stored.name).suffix}" if which == "result" else "original-photo"
    response = stored_file_response(stored.name, as_attachment=download, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return _private(response)
