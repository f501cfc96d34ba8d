"""Seed the model catalogue (vendor docs), the ticker leases, the cache table and the watchdog schedule."""

from django.core.management import call_command
from django.db import migrations

from enhancer.hitpaw.catalogue import seed_catalogue


def seed(apps, schema_editor):
    seed_catalogue(apps.get_model("enhancer", "EnhanceModel"))
    Lease = apps.get_model("enhancer", "Lease")
    for name in ("ticker", "ticker-kick"):
        Lease.objects.get_or_create(name=name)
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name="enhancer-watchdog",
        defaults={"func": "enhancer.tasks.watchdog", "schedule_type": "I", "minutes": 1, "repeats": -1},
    )


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("enhancer", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
