"""Share links: a finished job shown to anyone holding an unguessable token, until it expires or is revoked."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone

from enhancer.models.jobs import Job

TOKEN_BYTES = 24  # 192 random bits; the token never contains the job's id
DEFAULT_DAYS = 30
DAY_CHOICES = [(1, "1 day"), (7, "7 days"), (30, "30 days"), (90, "90 days")]


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class ShareLinkQuerySet(models.QuerySet):
    def live(self):
        """Links that open: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def opening(self):
        """Links a visitor may open: live, and made by a person still active.

        A deactivated person's links stop working with their account. A link whose maker was
        deleted (`created_by` set to null) is dead too: nobody still answers for what it shows."""
        return self.live().filter(created_by__is_active=True)


class ShareLink(models.Model):
    """A public link to one finished job's before and after."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    views = models.PositiveIntegerField(default=0)
    last_viewed_at = models.DateTimeField(null=True, blank=True)
    # Off by default: public copies are served without EXIF/XMP/IPTC (GPS, camera, author).
    keep_details = models.BooleanField(
        "keep photo details",
        default=False,
        help_text="Serve the photos with their EXIF/XMP/IPTC details (GPS position, camera, author).",
    )

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "share link"

    def __str__(self) -> str:
        return f"Share link for job {self.job_id}"

    def save(self, *args, **kwargs) -> None:
        if not self.token:
            self.token = new_token()
        super().save(*args, **kwargs)

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "Turned off"
        return "Open" if self.is_live else "Expired"

    @classmethod
    def create_for(cls, job: Job, by, days: int = DEFAULT_DAYS, *, keep_details: bool = False) -> ShareLink:
        expires_at = timezone.now() + timedelta(days=days)
        return cls.objects.create(job=job, created_by=by, expires_at=expires_at, keep_details=keep_details)

    def revoke(self) -> None:
        ShareLink.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())

    def count_view(self) -> None:
        ShareLink.objects.filter(pk=self.pk).update(views=F("views") + 1, last_viewed_at=timezone.now())
