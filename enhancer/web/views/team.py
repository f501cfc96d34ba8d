"""The team view for reviewers and admins: everyone's jobs with filters, and coins by person and month."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from enhancer.coins.usage import by_person_and_month
from enhancer.models import EnhanceModel, JobStatus
from enhancer.web.access import sees_all_jobs, sees_team_usage, visible_jobs
from enhancer.web.forms import DayField

TEAM_JOBS_PER_PAGE = 50


class TeamFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *JobStatus.choices], required=False)
    model = forms.ModelChoiceField(EnhanceModel.objects.all(), required=False, empty_label="Any model")
    person = forms.ModelChoiceField(
        get_user_model().objects.order_by("username"), required=False, empty_label="Anyone"
    )
    start = DayField(label="From")
    end = DayField(label="To")
    q = forms.CharField(required=False, label="Link contains")

    def filter(self, jobs):
        if not self.is_valid():
            return jobs
        data = self.cleaned_data
        if data["status"]:
            jobs = jobs.filter(status=data["status"])
        if data["model"]:
            jobs = jobs.filter(model=data["model"])
        if data["person"]:
            jobs = jobs.filter(user=data["person"])
        if data["start"]:
            jobs = jobs.filter(created_at__date__gte=data["start"])
        if data["end"]:
            jobs = jobs.filter(created_at__date__lte=data["end"])
        if data["q"]:
            jobs = jobs.filter(img_url__icontains=data["q"])
        return jobs


@login_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    if not sees_all_jobs(request.user):
        raise Http404("No such page.")
    form = TeamFilterForm(request.GET or None)
    jobs = form.filter(visible_jobs(request.user))
    page = Paginator(jobs, TEAM_JOBS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    months, people = by_person_and_month() if sees_team_usage(request.user) else ([], [])
    context = {"form": form, "page": page, "query": query.urlencode(), "months": months, "people": people}
    return render(request, "enhancer/team.html", context)
