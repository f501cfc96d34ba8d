"""Spending coins and publishing links need a permission of their own; reviewers stay read-only.

Sending a photo (which may spend coins) needs `enhancer.add_job`: staff and admins get it. Making a
share link needs `enhancer.add_sharelink`: staff and admins keep it, reviewers lose it.
"""

from django.db import migrations

ENHANCE = ("enhancer", "add_job")
SHARE = ("enhancer", "add_sharelink")
GIVEN = {"staff": [ENHANCE, SHARE], "admins": [ENHANCE, SHARE]}
TAKEN = {"reviewers": [SHARE]}


def _permission(apps, app_label: str, codename: str):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _make_permissions(apps) -> None:
    """Permissions are normally made after all migrations ran: make them now, to hand them out."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def _change(apps, add: dict, remove: dict) -> None:
    _make_permissions(apps)
    Group = apps.get_model("auth", "Group")
    for name, codes in add.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*(_permission(apps, *code) for code in codes))
    for name, codes in remove.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*(_permission(apps, *code) for code in codes))


def enhance_and_share(apps, schema_editor):
    _change(apps, add=GIVEN, remove=TAKEN)


def as_before(apps, schema_editor):
    _change(apps, add=TAKEN, remove={name: [ENHANCE] for name in GIVEN})


class Migration(migrations.Migration):
    dependencies = [("enhancer", "0012_share_keep_details")]

    operations = [migrations.RunPython(enhance_and_share, as_before)]
