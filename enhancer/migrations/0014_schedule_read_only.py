"""No role may add or change django-q2 schedules or tasks: their `func` is code the workers run."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("enhancer", "0013_roles_enhance_and_share")]

    operations = []
