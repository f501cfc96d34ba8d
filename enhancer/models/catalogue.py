"""The model catalogue: HitPaw's models as staff see them, editable as the vendor's names drift."""

from __future__ import annotations

from django.db import models


class EnhanceModel(models.Model):
    """One HitPaw model, as staff see it. Admins edit this list as the vendor's names drift."""

    class Kind(models.TextChoices):
        STANDARD = "standard", "Standard"
        GENERATIVE = "generative", "Generative"

    name = models.CharField("API model_name", max_length=64, unique=True)
    display_name = models.CharField(max_length=100)
    scale = models.PositiveSmallIntegerField(default=2, help_text="How many times wider the result is.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STANDARD)
    good_for = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "display_name"]
        verbose_name = "enhancement model"

    def __str__(self) -> str:
        return f"{self.display_name} ({self.scale}x)" if self.scale > 1 else self.display_name
