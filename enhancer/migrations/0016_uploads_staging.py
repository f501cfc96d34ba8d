"""Uploads staged with HitPaw's presign-put, for offices HitPaw cannot reach."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("enhancer", "0015_submission_token")]

    operations = []
