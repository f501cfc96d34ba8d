"""Webhook pages (`/settings/webhooks/`): add an endpoint, see its secret once, its delivery log.

Staff see only their own endpoints; admins see everyone's and may make one team-wide (every
person's photos). Another person's endpoint is a 404. The secret is shown on the answer to the
form that made it and never again: not in a message, a session or a later page.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from enhancer.models import WebhookDelivery, WebhookEndpoint
from enhancer.models.webhooks import EVENT_CHOICES
from enhancer.net import OutboundError, check_destination
from enhancer.web.access import RECORD_TOP_UPS
from enhancer.web.signed_in import SignedInRequest
from enhancer.webhooks import outbox

DELIVERIES_SHOWN = 50


def is_admin(user) -> bool:
    """Admins (who record top-ups) see every endpoint and may make team-wide ones."""
    return user.has_perm(RECORD_TOP_UPS)


def visible_endpoints(user):
    found = WebhookEndpoint.objects.select_related("owner")
    return found if is_admin(user) else found.filter(owner=user)


def endpoint_for(user, pk: int) -> WebhookEndpoint:
    return get_object_or_404(visible_endpoints(user), pk=pk)


class EndpointForm(forms.Form):
    url = forms.URLField(label="Endpoint URL", max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple, label="Send these events"
    )
    team_wide = forms.BooleanField(required=False, label="For the whole team (everyone's photos)")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            check_destination(url, allow_private=bool(settings.ENHANCER_ALLOW_PRIVATE_URLS))
        except OutboundError as error:
            raise forms.ValidationError(error.message) from None
        return url


@login_required
def webhook_list(request: SignedInRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    admin = is_admin(request.user)
    if not admin:
        form.fields.pop("team_wide")
    if request.method == "POST" and form.is_valid():
        endpoint = WebhookEndpoint.objects.create(
            owner=request.user,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            team_wide=admin and form.cleaned_data.get("team_wide", False),
        )
        # The one page that shows the secret: the answer to this POST, never kept for later.
        response = render(request, "enhancer/webhook_created.html", {"endpoint": endpoint})
        response["Cache-Control"] = "private, no-store"
        return response
    endpoints = visible_endpoints(request.user)
    return render(request, "enhancer/webhooks.html", {"form": form, "endpoints": endpoints, "admin": admin})


@login_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = endpoint_for(request.user, pk)
    deliveries = endpoint.deliveries.all()[:DELIVERIES_SHOWN]
    return render(request, "enhancer/webhook_detail.html", {"endpoint": endpoint, "deliveries": deliveries})


@login_required
@require_POST
def webhook_switch(request: HttpRequest, pk: int) -> HttpResponse:
    """Turn an endpoint off, or on again (which clears why it was turned off)."""
    endpoint = endpoint_for(request.user, pk)
    turn_on = request.POST.get("active") == "1"
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        active=turn_on, turned_off_reason="" if turn_on else "Turned off by hand.", failing_since=None
    )
    messages.success(
        request, "Endpoint turned on." if turn_on else "Endpoint turned off: nothing more is sent."
    )
    return redirect("webhook", pk=endpoint.pk)


@login_required
@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = endpoint_for(request.user, pk)
    if not endpoint.active:
        messages.error(request, "Turn the endpoint on first: a turned-off endpoint is sent nothing.")
    else:
        outbox.send_test(endpoint)
        messages.success(request, "Test event queued: it appears in the log below within seconds.")
    return redirect("webhook", pk=endpoint.pk)


@login_required
@require_POST
def webhook_redeliver(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    endpoint = endpoint_for(request.user, pk)
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_pk).first()
    if delivery is None:
        raise Http404
    outbox.redeliver(delivery)
    messages.success(
        request, "Sent again, with the same webhook-id: a receiver that had it drops the repeat."
    )
    return redirect("webhook", pk=endpoint.pk)
