from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("enhancer", "0018_no_ticker_schedule")]

    operations: list = []
