"""The plain 403 page for an action a person's role does not allow (sending photos, sharing).

Checked before anything is read from the form, so a refused request queues nothing and spends
nothing; the page says what to do (ask an admin) rather than showing an error.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from enhancer.web.access import has_a_role, may_enhance, may_make_links

NO_ROLE = "You don't have access yet — ask an admin to give you a role."
NO_ENHANCE = (
    "Your role lets you look at photos, not send new ones (sending spends the team's coins). "
    "Ask an admin if you need to enhance photos."
)
NO_SHARE = "Your role lets you look at photos, not share them. Ask an admin if you need to make share links."


def refused(request: HttpRequest, message: str) -> HttpResponse:
    """The 403 page; a person with no role at all is told to ask for one."""
    shown = message if has_a_role(request.user) else NO_ROLE
    return render(request, "enhancer/no_access.html", {"message": shown}, status=403)


def _needs(check: Callable, message: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not check(request.user):
                return refused(request, message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Put below @login_required: a visitor who is not logged in goes to the login page first.
needs_enhance = _needs(may_enhance, NO_ENHANCE)
needs_share = _needs(may_make_links, NO_SHARE)
