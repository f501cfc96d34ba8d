"""Enhance Desk's schema and seed data in one step: 0001_initial to 0017_console, squashed.

A new database runs only this migration. A database that applied all of 0001..0017 marks it as
applied without running it (`replaces`). The old files stay beside it, as Django's docs on squashing
migrations ask, so that a database part-way through them (an older install) still migrates; delete
them, and this `replaces`, once no install older than 0017 is left.

The data steps are copied here, not imported from the old files, and run after the tables: the
catalogue, the ticker's lease rows, the watchdog schedule, the database cache table, and the three
roles as they stand after 0008, 0013 and 0014.
"""

import django.db.models.deletion
from django.conf import settings
from django.core.management import call_command
from django.db import migrations, models

from enhancer.hitpaw.catalogue import seed_catalogue

# What each role may do: 0008's roles, with 0013's changes (staff and admins may send photos, only
# staff and admins make share links) and 0014's (nobody adds or changes django-q2 schedules or tasks).
STAFF = ["enhancer.add_sharelink", "enhancer.view_enhancemodel", "enhancer.add_job"]
REVIEWERS = [
    "enhancer.view_enhancemodel",
    "enhancer.view_job",
    "enhancer.view_jobevent",
    "enhancer.view_coincharge",
    "enhancer.view_topup",
    "enhancer.view_sharelink",
    "enhancer.view_teambudget",
    "enhancer.view_userbudget",
]
ADMINS = STAFF + REVIEWERS[1:] + [
    "enhancer.change_job",
    "enhancer.add_topup",
    "enhancer.change_topup",
    "enhancer.change_sharelink",
    "enhancer.add_enhancemodel",
    "enhancer.change_enhancemodel",
    "enhancer.add_teambudget",
    "enhancer.change_teambudget",
    "enhancer.add_userbudget",
    "enhancer.change_userbudget",
    "enhancer.delete_userbudget",
    "enhancer.view_submissionpause",
    "enhancer.change_submissionpause",
    "auth.add_user",
    "auth.change_user",
    "auth.view_user",
    "auth.view_group",
    "django_q.view_success",
    "django_q.view_failure",
    "django_q.view_schedule",
    "django_q.view_ormq",
]
ROLES = {"staff": STAFF, "reviewers": REVIEWERS, "admins": ADMINS}


def seed(apps, schema_editor):
    """The documented models, the ticker's lease rows and the minute watchdog schedule (0002)."""
    seed_catalogue(apps.get_model("enhancer", "EnhanceModel"))
    Lease = apps.get_model("enhancer", "Lease")
    for name in ("ticker", "ticker-kick"):
        Lease.objects.get_or_create(name=name)
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name="enhancer-watchdog",
        defaults={"func": "enhancer.tasks.watchdog", "schedule_type": "I", "minutes": 1, "repeats": -1},
    )


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def make_roles(apps, schema_editor):
    """The three roles as Django groups (0008, 0013, 0014): pages check permissions, never `is_staff`."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations ran: make them now, to hand them out.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    # Everyone here before roles existed goes on enhancing photos as staff.
    User = apps.get_model("auth", "User")
    staff = Group.objects.get(name="staff")
    for user in User.objects.filter(is_superuser=False):
        user.groups.add(staff)


def drop_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    replaces = [
        ("enhancer", "0001_initial"),
        ("enhancer", "0002_seed"),
        ("enhancer", "0003_delete_sandboxtask"),
        ("enhancer", "0004_money_path"),
        ("enhancer", "0005_ledger_coin_ledger"),
        ("enhancer", "0006_ledger_share_links"),
        ("enhancer", "0007_ledger_budgets"),
        ("enhancer", "0008_ledger_roles"),
        ("enhancer", "0005_console_batches"),
        ("enhancer", "0009_merge_0005_console_batches_0008_ledger_roles"),
        ("enhancer", "0010_page_indexes"),
        ("enhancer", "0011_lean_job_indexes"),
        ("enhancer", "0012_share_keep_details"),
        ("enhancer", "0013_roles_enhance_and_share"),
        ("enhancer", "0014_schedule_read_only"),
        ("enhancer", "0015_submission_token"),
        ("enhancer", "0016_uploads_staging"),
        ("enhancer", "0017_console"),
    ]

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='EnhanceModel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=64, unique=True, verbose_name='API model_name')),
                ('display_name', models.CharField(max_length=100)),
                ('scale', models.PositiveSmallIntegerField(default=2, help_text='How many times wider the result is.')),
                ('kind', models.CharField(choices=[('standard', 'Standard'), ('generative', 'Generative')], default='standard', max_length=20)),
                ('good_for', models.CharField(blank=True, max_length=200)),
                ('enabled', models.BooleanField(default=True)),
                ('position', models.PositiveSmallIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'enhancement model',
                'ordering': ['position', 'display_name'],
            },
        ),
        migrations.CreateModel(
            name='Lease',
            fields=[
                ('name', models.CharField(max_length=50, primary_key=True, serialize=False)),
                ('holder', models.CharField(blank=True, max_length=32)),
                ('until', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name='SubmissionPause',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('paused', models.BooleanField(default=False)),
                ('reason', models.CharField(blank=True, max_length=500)),
                ('error_code', models.BigIntegerField(blank=True, null=True)),
                ('changed_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'submission pause',
            },
        ),
        migrations.CreateModel(
            name='TeamBudget',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('monthly_coins', models.PositiveIntegerField(blank=True, help_text='Coins the whole team may spend each calendar month. Leave empty for no limit.', null=True)),
                ('warn_at_percent', models.PositiveSmallIntegerField(default=80, help_text='Admins see a person or the team as near their limit from this share on.')),
            ],
            options={
                'verbose_name': 'team budget',
            },
        ),
        migrations.CreateModel(
            name='Batch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('model', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='batches', to='enhancer.enhancemodel')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='batches', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'batches',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Job',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('img_url', models.URLField(max_length=2000, verbose_name='image link')),
                ('model_name', models.CharField(help_text='The model_name sent to HitPaw.', max_length=64)),
                ('exif', models.BooleanField(default=False)),
                ('dpi', models.PositiveIntegerField(blank=True, null=True)),
                ('extension', models.CharField(blank=True, max_length=10)),
                ('status', models.CharField(choices=[('queued', 'Waiting to start'), ('fetching', 'Fetching your photo'), ('submitting', 'Sending to HitPaw'), ('converting', 'Enhancing'), ('downloading', 'Saving the result'), ('completed', 'Done'), ('failed', 'Failed'), ('timed_out', 'Took too long'), ('needs_review', "Needs an admin's check"), ('canceled', 'Canceled')], default='queued', max_length=20)),
                ('message', models.CharField(blank=True, help_text='Plain words for the user.', max_length=500)),
                ('error_code', models.BigIntegerField(blank=True, help_text="HitPaw's error code, if any.", null=True)),
                ('vendor_status', models.CharField(blank=True, max_length=40)),
                ('hitpaw_job_id', models.CharField(blank=True, max_length=100)),
                ('coins', models.PositiveIntegerField(blank=True, help_text='Coins HitPaw charged.', null=True)),
                ('res_url', models.URLField(blank=True, max_length=2000)),
                ('original', models.FileField(blank=True, upload_to='originals/')),
                ('original_width', models.PositiveIntegerField(blank=True, null=True)),
                ('original_height', models.PositiveIntegerField(blank=True, null=True)),
                ('result', models.FileField(blank=True, upload_to='results/')),
                ('result_width', models.PositiveIntegerField(blank=True, null=True)),
                ('result_height', models.PositiveIntegerField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('submitted_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('deadline_at', models.DateTimeField()),
                ('due_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                ('lease_token', models.CharField(blank=True, max_length=32)),
                ('lease_until', models.DateTimeField(blank=True, null=True)),
                ('attempts', models.PositiveIntegerField(default=0, help_text='Failed tries of the current step.')),
                ('poll_count', models.PositiveIntegerField(default=0)),
                ('submit_started_at', models.DateTimeField(blank=True, null=True)),
                ('model', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='jobs', to='enhancer.enhancemodel')),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='jobs', to=settings.AUTH_USER_MODEL)),
                ('estimated_coins', models.PositiveIntegerField(blank=True, help_text='Coins the price table says this photo costs, set before sending.', null=True)),
                ('res_url_at', models.DateTimeField(blank=True, help_text='When HitPaw gave the result link (it keeps results 8 days).', null=True)),
                ('stalled_claims', models.PositiveIntegerField(default=0)),
                ('position', models.PositiveIntegerField(default=0, help_text='Order within its batch.')),
                ('retry_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='retries', to='enhancer.job')),
                ('upload_name', models.CharField(blank=True, help_text="The file's name when the photo was uploaded, not linked.", max_length=255)),
                ('batch', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='jobs', to='enhancer.batch')),
                ('submission_token', models.CharField(blank=True, default='', max_length=32)),
                ('staged_url', models.URLField(blank=True, max_length=2000)),
                ('staged_until', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='CoinCharge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hitpaw_job_id', models.CharField(max_length=100, verbose_name='HitPaw job number')),
                ('coins', models.PositiveIntegerField(help_text='Coins HitPaw charged.')),
                ('estimated_coins', models.PositiveIntegerField(blank=True, help_text='Coins the price table said, before sending.', null=True)),
                ('at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='charges', to='enhancer.job')),
                ('model', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='charges', to='enhancer.enhancemodel')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='charges', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='JobEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('queued', 'Waiting to start'), ('fetching', 'Fetching your photo'), ('submitting', 'Sending to HitPaw'), ('converting', 'Enhancing'), ('downloading', 'Saving the result'), ('completed', 'Done'), ('failed', 'Failed'), ('timed_out', 'Took too long'), ('needs_review', "Needs an admin's check"), ('canceled', 'Canceled')], max_length=20)),
                ('message', models.CharField(blank=True, max_length=500)),
                ('at', models.DateTimeField(auto_now_add=True)),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='enhancer.job')),
            ],
            options={
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ShareLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('expires_at', models.DateTimeField()),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('views', models.PositiveIntegerField(default=0)),
                ('last_viewed_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='share_links', to='enhancer.job')),
                ('keep_details', models.BooleanField(default=False, help_text='Serve the photos with their EXIF/XMP/IPTC details (GPS position, camera, author).', verbose_name='keep photo details')),
            ],
            options={
                'verbose_name': 'share link',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='TopUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('coins', models.PositiveIntegerField()),
                ('note', models.CharField(blank=True, help_text='e.g. the invoice number.', max_length=200)),
                ('at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'top-up',
                'ordering': ['-at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='UserBudget',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('monthly_coins', models.PositiveIntegerField(help_text='Coins this person may spend each calendar month.')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='budget', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'personal monthly limit',
            },
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['status', 'due_at'], name='enhancer_jo_status_c6c5bb_idx'),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['lease_token'], name='job_claimed'),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(condition=models.Q(('batch__isnull', False)), fields=['batch'], name='job_batch'),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['user', 'created_at', 'id'], name='job_history'),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['user', 'submitted_at', 'coins'], name='job_coins'),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(fields=['model', 'status', 'finished_at'], name='job_usual_time'),
        ),
        migrations.AddIndex(
            model_name='job',
            index=models.Index(condition=models.Q(('error_code__isnull', False)), fields=['-updated_at'], name='job_last_error'),
        ),
        migrations.AddConstraint(
            model_name='job',
            constraint=models.UniqueConstraint(condition=models.Q(('submission_token', ''), _negated=True), fields=('user', 'submission_token'), name='job_one_per_form'),
        ),
        migrations.AddIndex(
            model_name='coincharge',
            index=models.Index(fields=['user', 'at', 'coins'], name='charge_user_time'),
        ),
        migrations.AddConstraint(
            model_name='coincharge',
            constraint=models.UniqueConstraint(fields=('job', 'hitpaw_job_id'), name='one_charge_per_hitpaw_job'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
        migrations.RunPython(make_roles, drop_roles),
    ]
