"""Monthly coin budgets set by admins: one for the whole team, and optional limits per person."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TeamBudget(models.Model):
    """The team's monthly budget (one row). Empty: no team limit."""

    monthly_coins = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Coins the whole team may spend each calendar month. Leave empty for no limit.",
    )
    warn_at_percent = models.PositiveSmallIntegerField(
        default=80, help_text="Admins see a person or the team as near their limit from this share on."
    )

    class Meta:
        verbose_name = "team budget"

    def __str__(self) -> str:
        return f"Team: {self.monthly_coins} coins a month" if self.monthly_coins else "Team: no limit"

    @classmethod
    def current(cls) -> TeamBudget:
        return cls.objects.get_or_create(pk=1)[0]


class UserBudget(models.Model):
    """One person's monthly limit."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget")
    monthly_coins = models.PositiveIntegerField(help_text="Coins this person may spend each calendar month.")

    class Meta:
        verbose_name = "personal monthly limit"

    def __str__(self) -> str:
        return f"{self.user}: {self.monthly_coins} coins a month"
