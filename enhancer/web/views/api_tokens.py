"""The "API tokens" page: make a personal token, see it once, list and turn off tokens.

Anyone signed in may make a token: it acts as its person with that person's role, so it can do
exactly what they can on the pages (a person without a role gets a token that can do nothing).
The raw token is in the one response to the POST that made it, never again: not in messages, the
session, a redirect or the logs. Admins (those who manage people) see everyone's and may turn any
off; anyone else's token is a 404 to others.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from enhancer.api.tokens import make_token
from enhancer.models import ApiToken

MANAGE_TOKENS = "auth.change_user"  # admins, who manage people, also turn off anyone's tokens
EXPIRY_CHOICES = [(0, "Never"), (30, "30 days"), (90, "90 days"), (365, "365 days")]


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. “catalogue script”.")
    days = forms.TypedChoiceField(choices=EXPIRY_CHOICES, coerce=int, initial=90, label="Expires")


def manages_tokens(user) -> bool:
    return user.has_perm(MANAGE_TOKENS)


def visible_tokens(user) -> QuerySet[ApiToken]:
    """The tokens `user` sees and may turn off: their own, or everyone's for admins."""
    tokens = ApiToken.objects.select_related("user")
    return tokens if manages_tokens(user) else tokens.filter(user=user)


@sensitive_variables("raw", "context")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    made = raw = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["days"]
        expires_at = timezone.now() + timedelta(days=days) if days else None
        made, raw = make_token(request.user, form.cleaned_data["name"], expires_at)  # type: ignore[arg-type]
        form = TokenForm()
    context = {
        "form": form,
        "made": made,
        "raw_token": raw,  # this response only
        "tokens": visible_tokens(request.user),
        "sees_owners": manages_tokens(request.user),
    }
    return render(request, "enhancer/api_tokens.html", context)


@login_required
@require_POST
def api_token_off(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(visible_tokens(request.user), pk=pk)
    ApiToken.objects.filter(pk=token.pk, turned_off_at__isnull=True).update(turned_off_at=timezone.now())
    messages.success(
        request, f"Token “{token.name}” ({token.prefix}…) turned off. Scripts using it are refused now."
    )
    return redirect("api_tokens")
