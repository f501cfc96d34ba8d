"""The ticker is `manage.py runticker` now: drop the once-a-minute watchdog schedule and the kick lease."""

from django.db import migrations

OLD_TASKS = ("enhancer.tasks.watchdog", "enhancer.tasks.ticker")


def drop_old_ticker_rows(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func__in=OLD_TASKS).delete()
    apps.get_model("enhancer", "Lease").objects.filter(name="ticker-kick").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("enhancer", "0017_console"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(drop_old_ticker_rows, migrations.RunPython.noop)]
