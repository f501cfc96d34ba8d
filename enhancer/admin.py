import csv

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db.models import Sum
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.html import format_html, format_html_join
from django.utils.http import urlsafe_base64_encode
from django.utils.text import Truncator
from django_q.models import Failure, OrmQ, Schedule, Success

from enhancer.coins import budgets, charged, ledger
from enhancer.jobs import pauses, resume, review
from enhancer.models import (
    ApiToken,
    CoinCharge,
    EnhanceModel,
    Job,
    JobEvent,
    JobStatus,
    ShareLink,
    SubmissionPause,
    TeamBudget,
    TopUp,
    UserBudget,
    expected_balance,
)


class ReadOnlyTaskAdmin(admin.ModelAdmin):
    """Put before django-q2's own admin class for a model: read-only for everyone, superusers
    included, as a schedule's or a task's `func`, `args` and `hook` are code the workers would
    import and run. A superuser may still delete one (a stale schedule, old failures); nobody may
    resubmit."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("resubmit_task", None)
        return actions


def _read_only(model_admin: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """django-q2's own admin page for a model, made read-only by `ReadOnlyTaskAdmin`."""
    return type(f"ReadOnly{model_admin.__name__}", (ReadOnlyTaskAdmin, model_admin), {})


for _model in (Schedule, Success, Failure, OrmQ):
    if admin.site.is_registered(_model):
        _technical = type(admin.site.get_model_admin(_model))
        admin.site.unregister(_model)
        admin.site.register(_model, _read_only(_technical))


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the admin shows but never adds, edits or deletes: jobs and the coin ledger are history
    (deleting one would erase what was charged), and tokens are made and turned off by their pages."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # no Save buttons

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EnhanceModel)
class EnhanceModelAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "name",
        "scale",
        "kind",
        "good_for",
        "price_and_limits",
        "enabled",
        "position",
    ]
    list_editable = ["enabled", "position"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "display_name"]

    @admin.display(description="Price and limits")
    def price_and_limits(self, model) -> str:
        return budgets.price_and_limits(model)


class JobEventInline(admin.TabularInline):
    """The job's timeline, to the second."""

    model = JobEvent
    extra = 0
    can_delete = False
    fields = ["when", "status", "message"]
    readonly_fields = ["when", "status", "message"]

    @admin.display(description="When")
    def when(self, event) -> str:
        return f"{timezone.localtime(event.at):%Y-%m-%d %H:%M:%S}"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ShareLinkInline(admin.TabularInline):
    model = ShareLink
    extra = 0
    can_delete = False
    fields = ["created_at", "created_by", "expires_at", "revoked_at", "views"]
    readonly_fields = ["created_at", "created_by", "expires_at", "revoked_at", "views"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# What a person reviewing a job reads; scheduling details (leases, poll counters) stay hidden.
JOB_RECORD = {
    "Photo": ("staff_page", "user", "img_url", "model", "exif", "dpi", "previews"),
    "Outcome": ("status", "message", "error_code", "vendor_status", "hitpaw_job_id"),
    "Coins": ("estimated_coins", "coins"),
    "Times": ("created_at", "submitted_at", "finished_at", "deadline_at", "took"),
    "Sizes": ("original_width", "original_height", "result_width", "result_height"),
}
CSV_COLUMNS = [
    "photo",
    "sent",
    "person",
    "model",
    "status",
    "link",
    "estimated_coins",
    "coins",
    "hitpaw_job_number",
    "finished",
]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Review every job: read-only records, coins estimated and actual, no deleting (coin history)."""

    list_display = [
        "id",
        "created_at",
        "user",
        "model",
        "status_label",
        "link",
        "estimated_coins",
        "coins",
        "took",
    ]
    list_filter = ["status", "model", "user"]
    search_fields = ["=id", "img_url", "hitpaw_job_id"]
    search_help_text = "Search by link, our photo number or HitPaw's job number."
    date_hierarchy = "created_at"
    list_select_related = ["user", "model"]
    inlines = [JobEventInline, ShareLinkInline]
    fieldsets = [(section, {"fields": fields}) for section, fields in JOB_RECORD.items()]
    readonly_fields = [field for fields in JOB_RECORD.values() for field in fields]
    actions = [
        "resume_jobs",
        "record_lost_charge",
        "retry_failed",
        "resubmit_jobs",
        "resubmit_unknown_to_hitpaw",
        "close_jobs",
        "retry_downloads",
        "revoke_share_links",
        "export_csv",
    ]

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("enhancer.change_job")

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            estimated = changelist.queryset.aggregate(total=Sum("estimated_coins"))["total"] or 0
            # What the ledger charged for these jobs: a photo sent again counts each time.
            actual = charged.charged_for_jobs(changelist.queryset)
            response.context_data["coins_total"] = {"estimated": estimated, "actual": actual}
        return response

    @admin.display(description="Status", ordering="status")
    def status_label(self, job) -> str:
        return job.get_status_display()

    @admin.display(description="Link", ordering="img_url")
    def link(self, job) -> str:
        return Truncator(job.img_url).chars(50)

    @admin.display(description="Took")
    def took(self, job) -> str:
        if not job.finished_at:
            return "—"
        seconds = int((job.finished_at - job.created_at).total_seconds())
        return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"

    @admin.display(description="Staff page")
    def staff_page(self, job) -> str:
        url = reverse("enhancer:job", args=[job.pk])
        return format_html('<a href="{}">Open photo #{} as staff see it</a>', url, job.pk)

    @admin.display(description="Before and after")
    def previews(self, job) -> str:
        pictures = [
            (reverse("enhancer:job_original", args=[job.pk]), "Original") if job.original else None,
            (reverse("enhancer:job_result", args=[job.pk]), "Result") if job.result else None,
        ]
        shown = [p for p in pictures if p]
        if not shown:
            return "No pictures stored yet."
        return format_html_join(
            " ",
            '<a href="{0}"><img src="{0}" alt="{1}" title="{1}" loading="lazy" style="max-width:280px;max-height:200px"></a>',
            shown,
        )

    @admin.action(
        description="Try failed jobs again (only those HitPaw never took, so never charged)",
        permissions=["review"],
    )
    def retry_failed(self, request, queryset):
        moved = review.retry_failed(list(queryset.values_list("pk", flat=True)))
        self._report(
            request,
            queryset,
            moved,
            f"{moved} job(s) will start again.",
            "only failed or timed-out jobs HitPaw never took can start again. "
            "For a job HitPaw took, use the download retry or resubmit it from review.",
        )

    def _report(self, request, queryset, moved: int, done: str, why_skipped: str) -> None:
        """Say what an action did, and why it left the other chosen jobs alone."""
        self.message_user(request, done, messages.SUCCESS)
        skipped = queryset.count() - moved
        if skipped:
            self.message_user(request, f"{skipped} job(s) skipped: {why_skipped}", messages.WARNING)

    @admin.action(description="Turn off the share links of these jobs", permissions=["review"])
    def revoke_share_links(self, request, queryset):
        links = ShareLink.objects.live().filter(job__in=queryset)
        count = len(links)
        for link in links:
            link.revoke()
        self.message_user(request, f"{count} share link(s) turned off.", messages.SUCCESS)

    @admin.action(description="Export these jobs as CSV")
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="jobs.csv"'
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for job in queryset.select_related("user", "model").order_by("created_at", "pk"):
            writer.writerow(
                [
                    job.pk,
                    f"{timezone.localtime(job.created_at):%Y-%m-%d %H:%M:%S}",
                    _text(job.user.get_username()),
                    job.model.display_name,
                    job.status,
                    _text(job.img_url),
                    "" if job.estimated_coins is None else job.estimated_coins,
                    "" if job.coins is None else job.coins,
                    job.hitpaw_job_id,
                    f"{timezone.localtime(job.finished_at):%Y-%m-%d %H:%M:%S}" if job.finished_at else "",
                ]
            )
        return response

    @admin.action(
        description="Resubmit to HitPaw (may charge again) — needs-review jobs only",
        permissions=["review"],
    )
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

    @admin.action(
        description="Resubmit even though HitPaw gave a job number (only if HitPaw has no record)",
        permissions=["review"],
    )
    def resubmit_unknown_to_hitpaw(self, request, queryset):
        ids = list(queryset.filter(status=JobStatus.NEEDS_REVIEW).values_list("pk", flat=True))
        moved = review.resubmit(ids, hitpaw_has_no_record=True)
        self.message_user(request, f"{moved} job(s) sent again.", messages.SUCCESS)

    @admin.action(
        description="Retry download of the result (HitPaw keeps results 8 days)",
        permissions=["review"],
    )
    def retry_downloads(self, request, queryset):
        moved = review.retry_download(list(queryset.values_list("pk", flat=True)))
        self._report(
            request,
            queryset,
            moved,
            f"{moved} job(s) will try to save their result again.",
            "only failed or needs-review jobs with a HitPaw result link younger than 8 days can "
            "retry their download.",
        )

    @admin.action(
        description="Resume: poll the HitPaw job these photos already have (no new charge)",
        permissions=["review"],
    )
    def resume_jobs(self, request, queryset):
        moved = resume.resume(list(queryset.values_list("pk", flat=True)))
        self._report(
            request,
            queryset,
            moved,
            f"{moved} job(s) will be checked at HitPaw again; their results are saved if HitPaw has them.",
            "only a stopped photo (needs review, took too long, or failed) with a HitPaw job number, "
            "not refused by HitPaw, within its 8 days, can be resumed.",
        )

    @admin.action(
        description="HitPaw has it as job X for N coins: record the charge and resume — needs-review jobs",
        permissions=["review"],
    )
    def record_lost_charge(self, request, queryset):
        """For a photo whose answer was lost: the job number and coins HitPaw's dashboard shows."""
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one job for this.", messages.ERROR)
            return None
        job = queryset.get()
        form = LostChargeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            number, coins = form.cleaned_data["hitpaw_job_id"], form.cleaned_data["coins"]
            try:
                resumed = resume.record_lost_charge(job.pk, number, coins)
            except resume.ResumeRefused as refusal:
                self.message_user(request, refusal.message, messages.ERROR)
                return None
            done = f"Job {job.pk}: HitPaw's job {number} and its {coins} coins are recorded"
            self.message_user(
                request, done + (" and it is being checked at HitPaw." if resumed else "."), messages.SUCCESS
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "HitPaw has this photo: record its charge",
            "opts": self.model._meta,
            "job": job,
            "form": form,
            "action": "record_lost_charge",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/enhancer/job/record_lost_charge.html", context)

    @admin.action(description="Close without resubmitting — needs-review jobs only", permissions=["review"])
    def close_jobs(self, request, queryset):
        moved = review.close(
            list(queryset.filter(status=JobStatus.NEEDS_REVIEW).values_list("pk", flat=True))
        )
        self.message_user(request, f"{moved} job(s) closed.", messages.SUCCESS)


class LostChargeForm(forms.Form):
    """What HitPaw's dashboard says about a photo whose answer we lost."""

    hitpaw_job_id = forms.CharField(label="HitPaw job number", max_length=100)
    coins = forms.IntegerField(label="Coins HitPaw charged", min_value=0, max_value=100_000)


@admin.register(SubmissionPause)
class SubmissionPauseAdmin(admin.ModelAdmin):
    """The pause's record, read-only: pausing (with a reason) and resuming are buttons on the System page."""

    list_display = ["paused", "reason", "error_code", "changed_at"]
    actions = ["resume_submissions"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        self.message_user(
            request,
            format_html(
                'Pause and resume new photos on the <a href="{}">System page</a>.', reverse("system")
            ),
        )
        if pauses.current() is None:
            self.message_user(request, "Submissions are running.", messages.SUCCESS)
        else:
            balance = ledger.balance_beside_refusal(pauses.current())
            if balance is not None:
                self.message_user(
                    request, f"By the app's records, about {balance} coins should be left.", messages.WARNING
                )
        return super().changelist_view(request, extra_context)

    @admin.action(description="Resume submissions (after fixing the key or topping up coins)")
    def resume_submissions(self, request, queryset):
        waiting = pauses.resume()
        self.message_user(
            request, f"Submissions resumed; {waiting} waiting job(s) will go now.", messages.SUCCESS
        )


@admin.register(CoinCharge)
class CoinChargeAdmin(ReadOnlyAdmin):
    """The ledger: read-only, since it is what HitPaw charged."""

    list_display = ["at", "job", "user", "model", "hitpaw_job_id", "estimated_coins", "coins"]
    list_filter = ["model", "user"]
    search_fields = ["hitpaw_job_id", "=job__id", "user__username"]
    date_hierarchy = "at"

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            coins = changelist.queryset.aggregate(estimated=Sum("estimated_coins"), actual=Sum("coins"))
            response.context_data["coins_total"] = {k: v or 0 for k, v in coins.items()}
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """People's API tokens, read-only (the hash is never shown); those who manage people may turn
    any off. Tokens are made on the "API tokens" page, where their person sees them once."""

    list_display = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "turned_off_at"]
    list_filter = ["turned_off_at"]
    search_fields = ["user__username", "name", "prefix"]
    fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "turned_off_at"]
    readonly_fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at", "turned_off_at"]
    actions = ["turn_off"]

    def _manages_people(self, request) -> bool:
        return request.user.has_perm("auth.change_user")

    def has_module_permission(self, request) -> bool:
        return self._manages_people(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._manages_people(request)

    @admin.action(description="Turn off the selected tokens")
    def turn_off(self, request, queryset):
        count = queryset.filter(turned_off_at__isnull=True).update(turned_off_at=timezone.now())
        self.message_user(request, f"{count} token(s) turned off.", messages.SUCCESS)


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


def _text(cell: str) -> str:
    """Text a spreadsheet would run as a formula is written as plain text."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


ROLES = [
    ("staff", "Staff: enhances photos, sees and shares their own"),
    ("reviewers", "Reviewer: also sees everyone's photos and coins, read-only"),
    ("admins", "Admin: also manages budgets, top-ups, the catalogue and people"),
]


def _within_reach(request, person) -> bool:
    """Only a superuser acts on a superuser's account."""
    return person is None or request.user.is_superuser or not person.is_superuser


def _groups_within(user):
    """The roles `user` may hand out: those granting nothing `user` does not hold already."""
    held = user.get_all_permissions()
    allowed = [
        group.pk
        for group in Group.objects.prefetch_related("permissions__content_type")
        if all(f"{p.content_type.app_label}.{p.codename}" in held for p in group.permissions.all())
    ]
    return Group.objects.filter(pk__in=allowed)


class TeammateForm(forms.ModelForm):
    """Adding a teammate: a name, a role, and no password (they choose it through a one-time link)."""

    full_name = forms.CharField(max_length=150, label="Name", help_text="As the team knows them.")
    role = forms.ChoiceField(choices=ROLES, initial="staff")

    class Meta:
        model = get_user_model()
        fields = ["username"]
        help_texts = {"username": "What they type to log in, e.g. their first name in lower case."}

    def save(self, commit: bool = True):
        user = super().save(commit=False)
        _set_name(user, self.cleaned_data["full_name"])
        user.is_staff = self.cleaned_data["role"] == "admins"  # the admin site needs the flag
        user.set_unusable_password()
        if commit:
            user.save()
        return user


def _set_name(user, full_name: str) -> None:
    first, _, last = full_name.strip().partition(" ")
    user.first_name, user.last_name = first, last.strip()


class RoleChoice(forms.ModelChoiceField):
    """A role is a group; it reads as the Add form says it ("Staff: enhances photos, ...")."""

    def label_from_instance(self, group) -> str:
        return dict(ROLES).get(group.name, group.name)


class TeammatePageForm(forms.ModelForm):
    """A teammate's page, like the Add form: name, username, role, active. Nothing of Django's flags.

    The role is one group, among those the acting admin may hand out (`_groups_within`); the admin
    site's flag follows it. Nobody changes their own role here. Set on the class by `get_form`:
    `acting_user`.
    """

    acting_user = None
    full_name = forms.CharField(max_length=150, label="Name", help_text="As the team knows them.")
    groups = RoleChoice(queryset=Group.objects.none(), label="Role", empty_label=None)

    class Meta:
        model = get_user_model()
        fields = ["username", "is_active"]
        labels = {"is_active": "Active"}
        help_texts = {
            "username": "What they type to log in.",
            "is_active": "Untick when someone leaves: they can no longer log in; their photos and coins stay.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        person, acting = self.instance, self.acting_user
        self.fields["full_name"].initial = person.get_full_name()
        self.fields["groups"].queryset = (
            Group.objects.all() if acting is None or acting.is_superuser else _groups_within(acting)
        )
        self.fields["groups"].initial = person.groups.order_by("pk").first() if person.pk else None
        if person.is_superuser:  # every permission already: a role is optional
            self.fields["groups"].required = False
            self.fields["groups"].empty_label = "None (a superuser may do everything)"
        if acting is not None and person.pk == acting.pk and not acting.is_superuser:
            self.fields["groups"].disabled = True
            self.fields["groups"].help_text = "Another admin changes your own role."

    def save(self, commit: bool = True):
        person = super().save(commit=False)
        _set_name(person, self.cleaned_data["full_name"])
        if not self.fields["groups"].disabled:
            role = self.cleaned_data["groups"]
            person.is_staff = person.is_superuser or (role is not None and role.name == "admins")
        if commit:
            person.save()
            self._save_m2m()
        return person

    def _save_m2m(self) -> None:
        if not self.fields["groups"].disabled:
            role = self.cleaned_data["groups"]
            self.instance.groups.set([role] if role is not None else [])


TEAMMATE_PAGE = [(None, {"fields": ["full_name", "username", "groups", "is_active"]})]
ALL_FIELDS = "all_fields"  # ?all_fields=1: Django's own user form, for superusers
LINK_IN_SESSION = "one-time-link-{pk}"


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class TeammateAdmin(UserAdmin):
    add_form = TeammateForm
    add_fieldsets = [(None, {"fields": ["full_name", "username", "role"]})]
    list_display = ["username", "first_name", "last_name", "roles", "is_active", "last_login"]
    list_filter = ["groups", "is_active"]
    change_form_template = "admin/enhancer/teammate_change_form.html"

    # An admin who is not a superuser manages people by role: superusers are out of their reach
    # (not listed, so no page, password form, delete or bulk action finds them), and they can
    # neither hand out superuser powers nor raise their own.
    def get_queryset(self, request):
        people = super().get_queryset(request)
        return people if request.user.is_superuser else people.filter(is_superuser=False)

    def has_change_permission(self, request, obj=None) -> bool:
        return _within_reach(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _within_reach(request, obj) and super().has_delete_permission(request, obj)

    def _all_fields(self, request) -> bool:
        """Django's full user form: superusers may still ask for it."""
        return request.user.is_superuser and request.GET.get(ALL_FIELDS) == "1"

    def get_fieldsets(self, request, obj=None):
        if obj is not None and not self._all_fields(request):
            return TEAMMATE_PAGE
        return super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None or self._all_fields(request):
            return super().get_form(request, obj, **kwargs)
        kwargs["form"] = type("TeammatePageForm", (TeammatePageForm,), {"acting_user": request.user})
        return super(UserAdmin, self).get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if (
            not request.user.is_superuser
        ):  # (the teammate page has none of these; the full form is superusers')
            fields += ["is_superuser", "user_permissions", "is_staff"]
        return fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = _groups_within(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="Role")
    def roles(self, user) -> str:
        return ", ".join(group.name for group in user.groups.all()) or (
            "superuser" if user.is_superuser else "—"
        )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            obj.groups.add(Group.objects.get_or_create(name=form.cleaned_data["role"])[0])

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/one-time-link/",
                self.admin_site.admin_view(self.new_link_view),
                name="auth_user_one_time_link",
            )
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "one_time_link": request.session.pop(LINK_IN_SESSION.format(pk=object_id), None),
            "link_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
            "all_fields": self._all_fields(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _hand_out_link(self, request, person) -> None:
        """A one-time set-password link for `person`, shown once on their page (kept in the session,
        server-side, never in a cookie or a message)."""
        token = default_token_generator.make_token(person)
        uid = urlsafe_base64_encode(force_bytes(person.pk))
        link = request.build_absolute_uri(reverse("password_reset_confirm", args=[uid, token]))
        request.session[LINK_IN_SESSION.format(pk=person.pk)] = link

    def new_link_view(self, request, object_id):
        """A new one-time link. For someone who never chose a password, the earlier links stop working."""
        person = self.get_object(request, object_id)
        if person is None or not self.has_change_permission(request, person):
            raise Http404("No such teammate.")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not person.has_usable_password():
            person.set_unusable_password()  # a new random mark: tokens made before no longer match
            person.save(update_fields=["password"])
            note = "Links made before no longer work."
        else:
            note = "Their current password keeps working until they choose a new one."
        self._hand_out_link(request, person)
        self.message_user(request, f"A new one-time link for {_name(person)} is ready below. {note}")
        return redirect("admin:auth_user_change", person.pk)

    def response_add(self, request, obj, post_url_continue=None):
        """The new teammate's page, with their one-time link (not Django's "added successfully")."""
        self._hand_out_link(request, obj)
        if "_addanother" in request.POST or IS_POPUP_VAR in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            f"{_name(obj)} was added. Hand them the link below; their username is {obj.get_username()}.",
            messages.SUCCESS,
        )
        return redirect("admin:auth_user_change", obj.pk)


def _name(person) -> str:
    return person.get_full_name() or person.get_username()
