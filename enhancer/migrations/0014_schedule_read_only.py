"""No role may add or change django-q2 schedules or tasks: their `func` is code the workers run."""

from django.db import migrations


def take_away_task_editing(apps, schema_editor):
    """Every group and every person loses django_q's add and change permissions (0008 gave admins
    `change_schedule`); viewing stays."""
    Permission = apps.get_model("auth", "Permission")
    editing = Permission.objects.filter(content_type__app_label="django_q", codename__regex=r"^(add|change)_")
    apps.get_model("auth", "Group").permissions.through.objects.filter(permission__in=editing).delete()
    apps.get_model("auth", "User").user_permissions.through.objects.filter(permission__in=editing).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enhancer", "0013_roles_enhance_and_share"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    # Not given back when migrating backwards: the admin pages stay read-only whatever groups hold.
    operations = [migrations.RunPython(take_away_task_editing, migrations.RunPython.noop)]
