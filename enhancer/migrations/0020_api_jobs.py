from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("enhancer", "0019_api_tokens")]

    operations = [
        migrations.AddField(
            model_name="job",
            name="sent_by_api",
            field=models.BooleanField(default=False),
        ),
    ]
