from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from enhancer.api.v1.api import api as json_api
from enhancer.web import views
from enhancer.web.views import review, webhooks
from enhancer.web.views.api_tokens import api_token_off, api_tokens
from enhancer.web.views.system import system_pause, system_resume
from enhancer.web.views.welcome import WelcomeView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    # A new teammate's one-time link: the welcome page (their username, a password, logged in).
    path("accounts/set-password/<uidb64>/<token>/", WelcomeView.as_view(), name="password_reset_confirm"),
    path(
        "accounts/set-password/done/",
        RedirectView.as_view(pattern_name="enhancer:submit"),
        name="password_reset_complete",
    ),
    # Coins, sharing and review (issue 10).
    path("usage/coins.csv", views.usage_csv, name="usage_csv"),
    path("jobs/<int:pk>/share", views.share_create, name="share_create"),
    path("jobs/<int:pk>/share/<int:share_pk>/off", views.share_revoke, name="share_revoke"),
    path("team/", views.team, name="team"),
    path("system/", views.system, name="system"),
    path("system/pause", system_pause, name="system_pause"),
    path("system/resume", system_resume, name="system_resume"),
    # The review queue: photos needing a check (issue 23).
    path("review/", review.review_queue, name="review_queue"),
    path("review/<int:pk>/resume", review.review_resume, name="review_resume"),
    path("review/<int:pk>/charge", review.review_record_charge, name="review_record_charge"),
    path("review/<int:pk>/send-again", review.review_send_again, name="review_send_again"),
    path("review/<int:pk>/close", review.review_close, name="review_close"),
    # Personal API tokens for scripts (issue 25).
    path("settings/tokens/", api_tokens, name="api_tokens"),
    path("settings/tokens/<int:pk>/off", api_token_off, name="api_token_off"),
    # HitPaw's own API, served by the desk for scripts with a personal token (issue 25).
    path("hitpaw/", include("enhancer.api.hitpaw_urls")),
    path("api/v1/", json_api.urls),  # the JSON API (issue 25): schema /api/v1/openapi.json, docs /api/v1/docs
    # Webhooks (issue 25).
    path("settings/webhooks/", webhooks.webhook_list, name="webhooks"),
    path("settings/webhooks/<int:pk>/", webhooks.webhook_detail, name="webhook"),
    path("settings/webhooks/<int:pk>/switch", webhooks.webhook_switch, name="webhook_switch"),
    path("settings/webhooks/<int:pk>/test", webhooks.webhook_test, name="webhook_test"),
    path(
        "settings/webhooks/<int:pk>/deliveries/<int:delivery_pk>/redeliver",
        webhooks.webhook_redeliver,
        name="webhook_redeliver",
    ),
    path("s/<str:token>/", views.share_page, name="share"),
    path("s/<str:token>/<str:which>", views.share_image, name="share_image"),
    path("", include("enhancer.web.urls")),
]
if settings.SANDBOX_MODE:
    urlpatterns.append(path("sandbox/", include("enhancer.sandbox.urls")))
