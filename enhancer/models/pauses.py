"""The team-wide pause and named leases: shared across all workers and hosts."""

from __future__ import annotations

from django.db import models


class SubmissionPause(models.Model):
    """Team-wide stop on new submissions, set when the key is bad or the coins ran out."""

    paused = models.BooleanField(default=False)
    reason = models.CharField(max_length=500, blank=True)
    error_code = models.BigIntegerField(null=True, blank=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "submission pause"

    def __str__(self) -> str:
        return f"Paused: {self.reason}" if self.paused else "Submissions running"


class Lease(models.Model):
    """A named lock with an expiry, so only one ticker runs across all workers and hosts."""

    name = models.CharField(max_length=50, primary_key=True)
    holder = models.CharField(max_length=32, blank=True)
    until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
