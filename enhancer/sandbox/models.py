"""The simulator's own table: one row per job it was sent."""

from __future__ import annotations

from django.db import models


class SandboxTask(models.Model):
    """A job of the built-in HitPaw simulator (sandbox mode only)."""

    job_id = models.CharField(max_length=36, primary_key=True)
    model_name = models.CharField(max_length=64)
    img_url = models.URLField(max_length=2000)
    extension = models.CharField(max_length=10)
    scale = models.PositiveSmallIntegerField(default=2)
    coins = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    result = models.FileField(upload_to="sandbox/", blank=True)
    error = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.job_id
