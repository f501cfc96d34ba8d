"""The admin site as people use it: their pages first, Django's and the libraries' machinery out of sight.

Installed as `enhancer.admin_site.TeamAdminConfig` in place of `django.contrib.admin` (Django's
documented `AdminConfig.default_site`), so `admin.site` is this site everywhere and every app's
`admin.py` registers on it. This module is imported while apps load: models only inside methods.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import reverse

# Pages for whoever runs the machinery, not for the team: login throttling records, the task
# queue's records, and the roles' permission lines (the roles themselves come from migrations).
TECHNICAL_APPS = {"axes", "django_q"}
TECHNICAL_MODELS = {("auth", "group")}
TECHNICAL = "Technical"
APP_NAMES = {"auth": "People"}


class TeamAdminSite(admin.AdminSite):
    site_header = "Enhance Desk admin"
    site_title = "Enhance Desk admin"
    index_title = "Jobs, coins and the team"
    index_template = "admin/enhancer/index.html"

    def get_app_list(self, request, app_label=None):
        """The apps people use; for superusers, everything technical under one heading, last."""
        apps = super().get_app_list(request, app_label)
        if app_label is not None:  # one app's own page (e.g. /admin/axes/) is left as it is
            return apps
        kept, technical = [], []
        for app in apps:
            models = []
            for model in app["models"]:
                if (
                    app["app_label"] in TECHNICAL_APPS
                    or (app["app_label"], model["object_name"].lower()) in TECHNICAL_MODELS
                ):
                    technical.append({**model, "name": f"{app['name']}: {model['name']}"})
                else:
                    models.append(model)
            if models:
                kept.append({**app, "name": APP_NAMES.get(app["app_label"], app["name"]), "models": models})
        if technical and request.user.is_superuser:
            kept.append(
                {
                    "name": TECHNICAL,
                    "app_label": "technical",
                    "app_url": reverse("admin:index", current_app=self.name) + "#technical",
                    "has_module_perms": True,
                    "models": technical,
                }
            )
        return kept

    def index(self, request, extra_context=None):
        """The index, with the pages for people (the review queue, the System page) on top."""
        from enhancer.models import Job, JobStatus

        extra_context = {
            **(extra_context or {}),
            "needs_review_count": Job.objects.filter(status=JobStatus.NEEDS_REVIEW).count(),
        }
        return super().index(request, extra_context)


class TeamAdminConfig(AdminConfig):
    """Django's admin app, serving `TeamAdminSite`."""

    default_site = "enhancer.admin_site.TeamAdminSite"
