from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("enhancer", "0019_api_tokens")]

    operations: list = []
