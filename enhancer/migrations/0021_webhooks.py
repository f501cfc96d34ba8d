from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("enhancer", "0020_api_jobs")]

    operations: list = []
