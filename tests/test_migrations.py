"""The migrations match the models, and the squashed migration stands in for every old one."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader

SQUASHED = ("enhancer", "0001_squashed_0017_console")
MIGRATIONS = Path(__file__).resolve().parents[1] / "enhancer" / "migrations"


def test_the_models_need_no_new_migration(db):
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_the_squashed_migration_replaces_every_migration_up_to_0017():
    """Databases that applied the old files take the squash as applied; new ones run only the squash."""
    squashed = MigrationLoader(None).disk_migrations[SQUASHED]
    old = {
        ("enhancer", path.stem)
        for path in MIGRATIONS.glob("00*.py")
        if path.stem != SQUASHED[1] and int(path.stem[:4]) <= 17
    }

    assert set(squashed.replaces) == old
