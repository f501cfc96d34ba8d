"""Banners every page shows: sandbox mode, and a team-wide pause on submissions."""

from django.conf import settings

from enhancer.jobs import pauses


def banners(request) -> dict:
    return {"sandbox_mode": settings.SANDBOX_MODE, "submission_pause": pauses.current()}
