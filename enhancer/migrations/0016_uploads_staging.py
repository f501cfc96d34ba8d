"""Uploads staged with HitPaw's presign-put, for offices HitPaw cannot reach."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("enhancer", "0015_submission_token")]

    operations = [
        migrations.AddField(
            model_name="job",
            name="staged_url",
            field=models.URLField(blank=True, max_length=2000),
        ),
        migrations.AddField(
            model_name="job",
            name="staged_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
