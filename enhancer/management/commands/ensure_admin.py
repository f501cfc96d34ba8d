"""Create a first admin when no user exists, printing its generated password once."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the first admin account if there are no users yet."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        if User.objects.exists():
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        line = "=" * 64
        self.stdout.write(
            f"{line}\nFirst admin created. Log in at /accounts/login/ with\n"
            f"  username: {username}\n  password: {password}\n"
            f"This password is shown only once: change it in /admin/ after logging in.\n{line}"
        )
