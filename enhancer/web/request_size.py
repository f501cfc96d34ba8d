"""Refuse a request whose body is too large before anything reads it.

Django reads a POST body only when a view (or the CSRF check) asks for `request.POST`; an upload
is then spooled to a temporary file as it arrives. This middleware runs before that, from the
declared `Content-Length` alone, so an oversized body is never read at all: someone not logged in
may send only a small form (the login page, the sandbox's JSON), and a logged-in person at most
`ENHANCER_MAX_REQUEST_BYTES` (a full submit of uploads). A body with no declared length is not
read by Django's WSGI handler, so it needs no check here.

It sits after AuthenticationMiddleware, which says who is logged in.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

MB = 1024 * 1024

MSG_LOG_IN_FIRST = "This request is too large. Log in first, then send it again."


def too_large_message(limit: int) -> str:
    return (
        f"This upload is too large: at most {limit / MB:g} MB can be sent at once. "
        "Send fewer or smaller photos at a time."
    )


class RequestSizeLimit:
    """413, with a plain message, for a body over the caller's limit; the body is left unread."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = declared_length(request)
        if declared:
            if not request.user.is_authenticated:
                over = declared > settings.ENHANCER_MAX_ANONYMOUS_REQUEST_BYTES
                if over and declared > _view_takes(request):  # the view is looked up only then
                    return _refuse(MSG_LOG_IN_FIRST)
            elif declared > settings.ENHANCER_MAX_REQUEST_BYTES:
                return _refuse(too_large_message(settings.ENHANCER_MAX_REQUEST_BYTES))
        return self.get_response(request)


def declared_length(request: HttpRequest) -> int:
    """The body's declared length; 0 when none or unreadable (Django then reads no body either)."""
    text = request.META.get("CONTENT_LENGTH") or ""
    return int(text) if text.isascii() and text.isdecimal() else 0


def _view_takes(request: HttpRequest) -> int:
    """The larger body a view takes from anyone, when it says so (`large_body_bytes`): the sandbox's
    signed upload link, whose signature is its credential. 0 for every other view."""
    try:
        takes = getattr(resolve(request.path_info).func, "large_body_bytes", None)
    except Resolver404:
        return 0
    return takes() if takes else 0


def _refuse(message: str) -> HttpResponse:
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
