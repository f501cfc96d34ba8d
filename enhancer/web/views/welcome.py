"""The page a new teammate opens from their one-time link: it tells them their username, lets them
choose a password, and logs them in (Django's set-password view, with words for people)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse

from enhancer.web.access import may_enhance, sees_all_jobs

MSG_WELCOME = "Welcome, {name}. Your password has been set, and you are logged in as {username}."


class WelcomeView(auth_views.PasswordResetConfirmView):
    template_name = "registration/welcome.html"
    post_reset_login = True
    # Several backends are installed (login throttling first): the password was just checked here.
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    def form_valid(self, form):
        response = super().form_valid(form)
        person = form.user
        name = person.get_full_name() or person.get_username()
        messages.success(self.request, MSG_WELCOME.format(name=name, username=person.get_username()))
        return response

    def get_success_url(self) -> str:
        """Where their role starts: the submit page, or the photos for a reviewer."""
        person = self.user
        if may_enhance(person) or not sees_all_jobs(person):
            return reverse("enhancer:submit")
        return reverse("enhancer:jobs")
