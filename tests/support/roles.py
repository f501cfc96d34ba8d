"""The three roles, as the migration makes them (transactional tests flush them, so make them again)."""

import importlib

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

_roles = importlib.import_module("enhancer.migrations.0008_ledger_roles")
_enhance_and_share = importlib.import_module("enhancer.migrations.0013_roles_enhance_and_share")
_read_only_tasks = importlib.import_module("enhancer.migrations.0014_schedule_read_only")


def ensure_roles() -> None:
    if Group.objects.filter(name__in=_roles.ROLES).count() < len(_roles.ROLES):
        _roles.make_roles(apps, None)
        _enhance_and_share.enhance_and_share(apps, None)
        _read_only_tasks.take_away_task_editing(apps, None)


def user_with_role(username: str, role: str, **fields):
    ensure_roles()
    user = get_user_model().objects.create_user(username, **fields)  # no password: tests log in directly
    user.groups.add(Group.objects.get(name=role))
    return user
