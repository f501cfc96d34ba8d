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
    return messages
