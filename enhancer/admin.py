from django.contrib import admin, messages

from enhancer.jobs import budgets, pauses, review
from enhancer.models import (
    CoinCharge,
    EnhanceModel,
    Job,
    JobEvent,
    JobStatus,
    SubmissionPause,
    TeamBudget,
    TopUp,
    UserBudget,
    expected_balance,
)


@admin.register(EnhanceModel)
class EnhanceModelAdmin(admin.ModelAdmin):
    list_display = ["display_name", "name", "scale", "kind", "good_for", "enabled", "position"]
    list_editable = ["enabled", "position"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "display_name"]


class JobEventInline(admin.TabularInline):
    model = JobEvent
    extra = 0
    can_delete = False
    readonly_fields = ["status", "message", "at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "model", "status", "coins", "error_code", "created_at", "message"]
    list_filter = ["status", "model", "created_at"]
    search_fields = ["img_url", "hitpaw_job_id", "user__username", "message"]
    date_hierarchy = "created_at"
    inlines = [JobEventInline]
    actions = ["resubmit_jobs", "resubmit_unknown_to_hitpaw", "close_jobs", "retry_downloads"]
    readonly_fields = [f.name for f in Job._meta.fields if f.name not in ("id",)]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Resubmit to HitPaw (may charge again) — needs-review jobs only")
    def resubmit_jobs(self, request, queryset):
        in_review = queryset.filter(status=JobStatus.NEEDS_REVIEW)
        moved = review.resubmit(list(in_review.values_list("pk", flat=True)))
        self.message_user(request, f"{moved} job(s) sent again.", messages.SUCCESS)
        known = in_review.exclude(hitpaw_job_id="").count()
        if known:
            self.message_user(
                request,
                f"{known} job(s) were not sent again: HitPaw gave them a job number, so they are paid "
                "for and may still finish there. Check the HitPaw dashboard; only if HitPaw has no "
                "record of them, use “Resubmit even though HitPaw gave a job number”.",
                messages.WARNING,
            )

    @admin.action(description="Resubmit even though HitPaw gave a job number (only if HitPaw has no record)")
    def resubmit_unknown_to_hitpaw(self, request, queryset):
        ids = list(queryset.filter(status=JobStatus.NEEDS_REVIEW).values_list("pk", flat=True))
        moved = review.resubmit(ids, hitpaw_has_no_record=True)
        self.message_user(request, f"{moved} job(s) sent again.", messages.SUCCESS)

    @admin.action(description="Retry download of the result (HitPaw keeps results 8 days)")
    def retry_downloads(self, request, queryset):
        moved = review.retry_download(list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - moved
        self.message_user(request, f"{moved} job(s) will try to save their result again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} job(s) skipped: only failed or needs-review jobs with a HitPaw result "
                "link younger than 8 days can retry their download.",
                messages.WARNING,
            )

    @admin.action(description="Close without resubmitting — needs-review jobs only")
    def close_jobs(self, request, queryset):
        moved = review.close(
            list(queryset.filter(status=JobStatus.NEEDS_REVIEW).values_list("pk", flat=True))
        )
        self.message_user(request, f"{moved} job(s) closed.", messages.SUCCESS)


@admin.register(SubmissionPause)
class SubmissionPauseAdmin(admin.ModelAdmin):
    list_display = ["paused", "reason", "error_code", "changed_at"]
    actions = ["resume_submissions"]

    @admin.action(description="Resume submissions (after fixing the key or topping up coins)")
    def resume_submissions(self, request, queryset):
        waiting = pauses.resume()
        self.message_user(
            request, f"Submissions resumed; {waiting} waiting job(s) will go now.", messages.SUCCESS
        )


@admin.register(CoinCharge)
class CoinChargeAdmin(admin.ModelAdmin):
    """The ledger: read-only, since it is what HitPaw charged."""

    list_display = ["at", "job", "user", "model", "hitpaw_job_id", "estimated_coins", "coins"]
    list_filter = ["model", "user"]
    search_fields = ["hitpaw_job_id", "job__id", "user__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TopUp)
class TopUpAdmin(admin.ModelAdmin):
    list_display = ["at", "coins", "note", "recorded_by"]
    fields = ["coins", "note"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": f"Top-ups · expected balance {expected_balance()} coins",
        }
        return super().changelist_view(request, extra_context)


class UserBudgetInline(admin.TabularInline):
    model = UserBudget
    extra = 0


@admin.register(TeamBudget)
class TeamBudgetAdmin(admin.ModelAdmin):
    """The team's budget, and who is near their limit this month."""

    list_display = ["__str__", "monthly_coins", "warn_at_percent"]
    list_editable = ["monthly_coins", "warn_at_percent"]
    list_display_links = ["__str__"]

    def has_add_permission(self, request) -> bool:
        return not TeamBudget.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        TeamBudget.current()
        near = budgets.near_limit()
        if near:
            names = ", ".join(f"{row.who} ({row.left} of {row.limit} coins left)" for row in near)
            self.message_user(request, f"Near their limit this month: {names}.", messages.WARNING)
        return super().changelist_view(request, extra_context)


@admin.register(UserBudget)
class UserBudgetAdmin(admin.ModelAdmin):
    list_display = ["user", "monthly_coins", "left_this_month"]
    autocomplete_fields = ["user"]
    search_fields = ["user__username"]

    @admin.display(description="Left this month")
    def left_this_month(self, obj) -> int:
        left = budgets.user_left(obj.user)
        return left.left if left else 0
