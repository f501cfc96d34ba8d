"""The coin ledger: one entry per charge HitPaw reported, and the top-ups admins record.

Coins are the team's money. Each charge is written in the same transaction that records the
submission on its job, and at most once per HitPaw job (a deliberate resubmission is a new HitPaw
job, and a new charge). Top-ups are the coins the team bought, so the app knows the balance to expect.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Sum

from enhancer.models.catalogue import EnhanceModel
from enhancer.models.jobs import Job


class CoinCharge(models.Model):
    """Coins HitPaw charged for one submission of a job."""

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="charges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="charges")
    model = models.ForeignKey(EnhanceModel, on_delete=models.PROTECT, related_name="charges")
    hitpaw_job_id = models.CharField("HitPaw job number", max_length=100)
    coins = models.PositiveIntegerField(help_text="Coins HitPaw charged.")
    estimated_coins = models.PositiveIntegerField(
        null=True, blank=True, help_text="Coins the price table said, before sending."
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        # A person's usage page: their charges by time, the coins read from the index (docs/benchmarks.md).
        indexes = [models.Index(fields=["user", "at", "coins"], name="charge_user_time")]
        constraints = [
            models.UniqueConstraint(fields=["job", "hitpaw_job_id"], name="one_charge_per_hitpaw_job"),
        ]

    def __str__(self) -> str:
        return f"{self.coins} coins for job {self.job_id}"


class TopUp(models.Model):
    """Coins the team bought from HitPaw, recorded by an admin."""

    coins = models.PositiveIntegerField()
    note = models.CharField(max_length=200, blank=True, help_text="e.g. the invoice number.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "top-up"

    def __str__(self) -> str:
        return f"{self.coins} coins bought"


def expected_balance() -> int:
    """Coins bought minus coins charged: what HitPaw should say is left."""
    bought = TopUp.objects.aggregate(total=Sum("coins"))["total"] or 0
    spent = CoinCharge.objects.aggregate(total=Sum("coins"))["total"] or 0
    return bought - spent
