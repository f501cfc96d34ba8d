"""Monthly budgets: what is left for the team and for a person, counting photos not yet charged.

Checked twice. When a photo is taken (`refusal`), every photo still on its way counts at its
estimate (or, before its size is known, its model's lowest price). Just before the paid call
(`before_sending`), the photo's own estimate from its real size is checked against what was charged
and what is being sent: a photo only a link long at intake cannot pass a limit at its real price.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, Q, Value

from enhancer.coins import usage
from enhancer.hitpaw import pricing
from enhancer.models import ACTIVE_STATUSES, EnhanceModel, Job, JobStatus, TeamBudget, UserBudget


@dataclass(frozen=True)
class Left:
    """A limit and what is left of it this month."""

    who: str  # "team" or a username
    limit: int
    used: int

    @property
    def left(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def percent_used(self) -> int:
        return round(100 * self.used / self.limit) if self.limit else 100


def lowest_price(model: EnhanceModel) -> int:
    """The least one photo on this model can cost (the smallest size in the price table)."""
    return pricing.estimate_coins(model.kind, 0)


def _used(user=None, *, only_being_sent: bool = False) -> int:
    """Coins charged this month plus coins on their way (jobs not yet charged), at their estimates.

    `only_being_sent` counts, of those on their way, only the photos whose paid call has begun:
    the others are checked themselves before theirs.

    Charges and photos on their way are read in one statement (a UNION): a photo's move out of
    `submitting` writes its charge in the same commit, and on PostgreSQL (READ COMMITTED) each
    statement sees the commits made before it began. Read in two statements, a move committed
    between them is in neither (not yet charged, no longer on its way), and two photos sent at
    once could both take the last coins.
    """
    month = usage.period("month")
    charges = usage.in_period(usage.charges(user), month)
    # Not yet charged: no HitPaw number yet, or one written (first, alone) but not yet its charge,
    # which goes in with the move out of `submitting`.
    not_charged = Q(hitpaw_job_id="") | Q(status=JobStatus.SUBMITTING)
    pending = Job.objects.filter(not_charged, status__in=ACTIVE_STATUSES)
    if only_being_sent:
        pending = pending.filter(submit_started_at__isnull=False)
    if user is not None:
        pending = pending.filter(user=user)
    charged_rows = charges.annotate(kind=Value("", output_field=CharField())).values_list("coins", "kind")
    pending_rows = pending.values_list("estimated_coins", "model__kind")
    used = 0
    for coins, kind in charged_rows.order_by().union(pending_rows.order_by(), all=True):
        used += coins if coins is not None else pricing.estimate_coins(kind, 0)
    return used


def team_left() -> Left | None:
    limit = TeamBudget.current().monthly_coins
    return None if limit is None else Left("team", limit, _used())


def user_left(user) -> Left | None:
    budget = UserBudget.objects.filter(user=user).first()
    return None if budget is None else Left(user.get_username(), budget.monthly_coins, _used(user))


def what_is_left(user) -> list[Left]:
    """The limits that apply to `user`, each with what is left this month."""
    return [left for left in (team_left(), user_left(user)) if left is not None]


def refusal(user, model: EnhanceModel, photos: int, need: int | None = None) -> str | None:
    """Why `photos` more photos on `model` would pass a limit, in plain words; None if they fit.

    `need` is their coins when their sizes are known (uploads); otherwise the model's lowest price
    each. Inside a transaction, it locks the team's budget row first when the team has a limit, so
    two submissions at once are checked one after the other and cannot both take the last coins.
    With no team limit nothing is shared, and no lock makes everyone's submissions wait for each
    other (a person's own limit is guarded by the lock on their row, taken first by
    `intake.check_limits`).
    """
    team = TeamBudget.objects.select_for_update().filter(pk=1, monthly_coins__isnull=False).first()
    limits = [Left("team", team.monthly_coins, _used())] if team and team.monthly_coins is not None else []
    limits += [left for left in (user_left(user),) if left is not None]
    known = need is not None
    if need is None:
        need = lowest_price(model) * photos
    for left in limits:
        if need > left.left:
            whose = "The team's monthly coin budget" if left.who == "team" else "Your monthly coin limit"
            return (
                f"{whose} has {left.left} coins left this month, and "
                f"{'this photo needs' if photos == 1 else f'these {photos} photos need'} "
                f"{'about' if known else 'at least'} {need}. "
                "Ask an admin to raise the budget, or wait until next month."
            )
    return None


def before_sending(job) -> str | None:
    """Why sending `job` now would pass the team's or its person's limit, in plain words; None if it fits.

    Asked just before the paid call, at the photo's estimate from its real size, against this
    month's charges and the photos being sent and not yet charged. Call it inside the transaction
    that marks the job as being sent: it locks the team's budget row, then the person's, so photos
    sent at once are checked one after the other and cannot both take the last coins.
    """
    team = TeamBudget.objects.select_for_update().filter(pk=1, monthly_coins__isnull=False).first()
    personal = UserBudget.objects.select_for_update().filter(user_id=job.user_id).first()
    if team is None and personal is None:
        return None
    need = estimate(job)
    limits: list[tuple[str, int, int | None]] = []
    if team is not None and team.monthly_coins is not None:
        limits.append(("the team's monthly coin budget", team.monthly_coins, None))
    if personal is not None:
        limits.append(("your monthly coin limit", personal.monthly_coins, job.user_id))
    for whose, limit, user in limits:
        left = max(limit - _used(user, only_being_sent=True), 0)
        if need > left:
            return (
                f"Over budget: {whose} has {left} coins left this month, and this "
                f"photo needs {need}. It was not sent to HitPaw and no coins were spent. You can try it "
                "again once an admin raises the budget, or next month."
            )
    return None


def estimate(job) -> int:
    """The coins `job` should cost: from its real size once known, else its model's lowest price."""
    if job.estimated_coins is not None:
        return job.estimated_coins
    kind, scale = job.model.kind, job.model.scale
    if job.original_width and job.original_height:
        output = pricing.output_megapixels(job.original_width, job.original_height, scale)
        return pricing.estimate_coins(kind, output)
    return pricing.estimate_coins(kind, 0)


def near_limit() -> list[Left]:
    """People (and the team) who have used at least the warning share of their limit this month."""
    warn_at = TeamBudget.current().warn_at_percent
    rows = [team_left()] + [
        Left(b.user.get_username(), b.monthly_coins, _used(b.user))
        for b in UserBudget.objects.select_related("user")
    ]
    return [row for row in rows if row is not None and row.percent_used >= warn_at]


def price_and_limits(model: EnhanceModel) -> str:
    """The model's price range and HitPaw's size limits, in a line for the catalogue."""
    table = pricing.GENERATIVE_PRICES if model.kind == "generative" else pricing.STANDARD_PRICES
    max_in, max_out = pricing.limits_for(model.kind)
    return (
        f"{table[0][1]}–{table[-1][1]} coins a photo by size out; "
        f"up to {max_in:g} MP in and {max_out:g} MP out"
    )
