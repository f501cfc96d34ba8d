"""The console for people: pause reasons and the teammate pages."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("enhancer", "0016_uploads_staging")]

    operations = []
