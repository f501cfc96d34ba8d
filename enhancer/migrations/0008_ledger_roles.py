"""The three roles as Django groups: staff, reviewers, admins. Pages check their permissions, never `is_staff`."""

from django.db import migrations

STAFF = ["enhancer.add_sharelink", "enhancer.view_enhancemodel"]
REVIEWERS = STAFF + [
    "enhancer.view_job",
    "enhancer.view_jobevent",
    "enhancer.view_coincharge",
    "enhancer.view_topup",
    "enhancer.view_sharelink",
    "enhancer.view_teambudget",
    "enhancer.view_userbudget",
]
ADMINS = REVIEWERS + [
    "enhancer.change_job",
    "enhancer.add_topup",
    "enhancer.change_topup",
    "enhancer.change_sharelink",
    "enhancer.add_enhancemodel",
    "enhancer.change_enhancemodel",
    "enhancer.add_teambudget",
    "enhancer.change_teambudget",
    "enhancer.add_userbudget",
    "enhancer.change_userbudget",
    "enhancer.delete_userbudget",
    "enhancer.view_submissionpause",
    "enhancer.change_submissionpause",
    "auth.add_user",
    "auth.change_user",
    "auth.view_user",
    "auth.view_group",
    "django_q.view_success",
    "django_q.view_failure",
    "django_q.view_schedule",
    "django_q.change_schedule",
    "django_q.view_ormq",
]
ROLES = {"staff": STAFF, "reviewers": REVIEWERS, "admins": ADMINS}


def make_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations ran: make them now, to hand them out.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                group.permissions.add(permission)
    # Everyone here before roles existed goes on enhancing photos as staff.
    User = apps.get_model("auth", "User")
    staff = Group.objects.get(name="staff")
    for user in User.objects.filter(is_superuser=False):
        user.groups.add(staff)


def drop_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enhancer", "0007_ledger_budgets"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(make_roles, drop_roles)]
