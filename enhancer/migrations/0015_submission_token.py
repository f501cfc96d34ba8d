"""One submission per click: the submit form's token on the first photo it made, unique per person."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("enhancer", "0014_schedule_read_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="submission_token",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
        migrations.AddConstraint(
            model_name="job",
            constraint=models.UniqueConstraint(
                condition=~models.Q(submission_token=""),
                fields=("user", "submission_token"),
                name="job_one_per_form",
            ),
        ),
    ]
