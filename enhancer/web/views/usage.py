"""The coin usage page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from enhancer.jobs.usage import coin_usage


@login_required
@require_GET
def usage(request: HttpRequest) -> HttpResponse:
    return render(request, "enhancer/usage.html", {"usage": coin_usage(request.user, recent=50)})
