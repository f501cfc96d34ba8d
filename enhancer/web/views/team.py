"""The team view for reviewers and admins: everyone's jobs with filters, and coins by person and month."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from enhancer.coins.usage import by_person_and_month
from enhancer.web.access import sees_all_jobs, sees_team_usage, visible_jobs
from enhancer.web.forms import HistoryFilterForm

TEAM_JOBS_PER_PAGE = 50


@login_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    if not sees_all_jobs(request.user):
        raise Http404("No such page.")
    form = HistoryFilterForm(_with_old_names(request.GET) or None, team=True)
    jobs = form.filter(visible_jobs(request.user))
    page = Paginator(jobs, TEAM_JOBS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    months, people = by_person_and_month() if sees_team_usage(request.user) else ([], [])
    context = {"form": form, "page": page, "query": query.urlencode(), "months": months, "people": people}
    return render(request, "enhancer/team.html", context)


# The team page's own filter names before it shared the history's form: saved links keep working.
OLD_FILTER_NAMES = {"start": "since", "end": "until"}


def _with_old_names(query: QueryDict) -> QueryDict:
    """`query` with the team page's old date names read as the history's, unless both are given."""
    if not any(old in query for old in OLD_FILTER_NAMES):
        return query
    query = query.copy()
    for old, new in OLD_FILTER_NAMES.items():
        if old in query and new not in query:
            query[new] = query.pop(old)[-1]
    return query
