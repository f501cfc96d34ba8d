"""System checks that tell an operator, at start, what is misconfigured."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def check_hitpaw_settings(app_configs, **kwargs):
    messages = []
    if not settings.HITPAW_BASE_URL.startswith("https://") and not settings.SANDBOX_MODE:
        messages.append(
            Warning(
                "HITPAW_BASE_URL does not use https: the API key would travel unencrypted.",
                hint="Use https unless this points at a local test server.",
                id="enhancer.W001",
            )
        )
    if settings.ENHANCER_ALLOW_PRIVATE_URLS and not settings.DEBUG:
        messages.append(
            Warning(
                "ENHANCER_ALLOW_PRIVATE_URLS is on: users can make the server fetch private addresses.",
                hint="Use it only for development and tests.",
                id="enhancer.W002",
            )
        )
    # A submission must finish within its job's lease, or the job is handed out again and sent to review.
    longest_submit = 3 * (settings.ENHANCER_CONNECT_TIMEOUT + settings.ENHANCER_READ_TIMEOUT) + 10
    if settings.ENHANCER_LEASE_SECONDS < longest_submit:
        messages.append(
            Warning(
                f"ENHANCER_LEASE_SECONDS ({settings.ENHANCER_LEASE_SECONDS}) is shorter than the longest "
                f"submission (about {longest_submit:.0f} s): slow answers would send jobs to review.",
                hint="Raise ENHANCER_LEASE_SECONDS or lower ENHANCER_READ_TIMEOUT.",
                id="enhancer.W003",
            )
        )
    return messages
