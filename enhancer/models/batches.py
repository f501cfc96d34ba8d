"""Batches: the photos one person sent together, followed and downloaded as one."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from enhancer.models.catalogue import EnhanceModel


class Batch(models.Model):
    """Several photos sent in one go with one model; each photo is its own job."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="batches")
    model = models.ForeignKey(EnhanceModel, on_delete=models.PROTECT, related_name="batches")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "batches"

    def __str__(self) -> str:
        return f"Batch {self.pk}"

    def current_jobs(self):
        """The batch's photos as they stand now: a retried photo shows its latest try only."""
        return self.jobs.filter(retries__isnull=True).order_by("position", "pk")
