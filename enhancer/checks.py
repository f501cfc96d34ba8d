"""System checks that tell an operator, at start, what is misconfigured."""

from django.conf import settings
from django.core.checks import Info, Warning, register

from enhancer.jobs.claims import longest_step_seconds
from enhancer.jobs.hitpaw_links import public_address_reachable


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
    # A step must finish within its job's lease, or the job is handed out again (a submission is sent
    # to review). The longest is a submission's tries, or a download and the storing of its file.
    longest_submit = longest_step_seconds()
    if settings.ENHANCER_LEASE_SECONDS < longest_submit:
        messages.append(
            Warning(
                f"ENHANCER_LEASE_SECONDS ({settings.ENHANCER_LEASE_SECONDS}) is shorter than the longest "
                f"step (about {longest_submit:.0f} s: a submission's tries, or saving the largest result): "
                "slow answers would send jobs to review, and large results would be saved twice.",
                hint="Raise ENHANCER_LEASE_SECONDS (or leave it unset: it then covers the longest step), "
                "or lower ENHANCER_READ_TIMEOUT or ENHANCER_MAX_RESULT_BYTES.",
                id="enhancer.W003",
            )
        )
    return messages


@register(deploy=False)
def check_secret_key_source(app_configs, **kwargs):
    """Warn when a production server signs sessions with a key only this host has (not under
    `make run`: one machine has no load balancer)."""
    if settings.DEBUG or settings.SINGLE_HOST or not getattr(settings, "SECRET_KEY_FROM_FILE", False):
        return []
    return [
        Warning(
            "DJANGO_SECRET_KEY is not set: this server made its own key in the file .secret_key. "
            "Behind a load balancer each server would have a different key and people would be "
            "logged out at random.",
            hint="Set DJANGO_SECRET_KEY to the same random 50-character value on every server.",
            id="enhancer.W005",
        )
    ]


@register()
def check_public_address(app_configs, **kwargs):
    """Say what a PUBLIC_BASE_URL HitPaw cannot reach means, instead of letting it look like it works."""
    if settings.SANDBOX_MODE or not settings.PUBLIC_BASE_URL or public_address_reachable():
        return []
    return [
        Info(
            f"PUBLIC_BASE_URL ({settings.PUBLIC_BASE_URL}) is not an address HitPaw can reach from the "
            "internet: uploaded photos are put on HitPaw's upload service first, and photos from "
            "links are sent to HitPaw by their own link.",
            hint="Nothing to do for an office PC. On a server with a public address, set it here.",
            id="enhancer.I001",
        )
    ]
