"""Create a first admin when no user exists, printing its generated password once."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from enhancer.management import private_files


class Command(BaseCommand):
    help = "Create the first admin account if there are no users yet."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.PORT)

    def handle(self, *args, username: str, host: str, port: int, **options):
        private_files.tighten_existing()  # `migrate` may have just made the database with the default umask
        User = get_user_model()
        if User.objects.exists():
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        line = "=" * 64
        self.stdout.write(
            f"{line}\nFirst admin created. Log in at http://{host}:{port}/accounts/login/ with\n"
            f"  username: {username}\n  password: {password}\n"
            "This password is shown only once. To set a new one at any time, run\n"
            f"  .venv/bin/python manage.py changepassword {username}\n"
            "Teammates and passwords are managed in the admin: /admin/ → Users.\n"
            f"{line}"
        )
