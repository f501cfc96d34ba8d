"""Nobody turns the admin into a shell: django-q2's schedules and tasks are read-only there, no role
may edit them, and the cluster runs only Enhance Desk's own task functions."""

import ast
import importlib
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from django_q.models import Failure, OrmQ, Schedule, Task
from django_q.scheduler import scheduler
from django_q.tasks import _sync

from enhancer.tasks import ALLOWED_TASKS
from tests.support.roles import user_with_role

pytestmark = pytest.mark.django_db
# django-q2's worker closes the connection a test's transaction would be held on.
through_the_cluster = pytest.mark.django_db(transaction=True)

read_only_migration = importlib.import_module("enhancer.migrations.0014_schedule_read_only")


class CapturingBroker:
    """Keeps what the scheduler queues, so the test hands it to django-q2's own worker."""

    list_key = "test"

    def __init__(self):
        self.packs = []

    def enqueue(self, pack):
        self.packs.append(pack)
        return len(self.packs)


def run_due_schedules() -> None:
    """django-q2's scheduler, then its worker and monitor, as a running cluster would."""
    broker = CapturingBroker()
    scheduler(broker=broker)
    for pack in broker.packs:
        _sync(pack)


def due_schedule(func: str, **fields) -> Schedule:
    past = timezone.now() - timedelta(minutes=1)
    return Schedule.objects.create(
        name="sneaky", func=func, schedule_type=Schedule.ONCE, repeats=-1, next_run=past, **fields
    )


@through_the_cluster
def test_a_schedule_naming_os_system_never_runs_its_command(tmp_path, caplog):
    marker = tmp_path / "ran"
    Schedule.objects.exclude(name="sneaky").delete()
    due_schedule("os.system", args=repr(f"touch {marker}"))

    with caplog.at_level(logging.ERROR, logger="enhancer"):
        run_due_schedules()

    assert not marker.exists()
    failure = Failure.objects.get(group="sneaky")
    assert "Refused: os.system is not one of Enhance Desk's tasks" in failure.result
    assert "Refused to queue os.system from sneaky" in caplog.text
    assert str(marker) not in caplog.text  # the arguments are not logged


@through_the_cluster
def test_a_schedule_with_a_result_hook_is_refused_too(tmp_path):
    Schedule.objects.exclude(name="sneaky").delete()
    due_schedule("enhancer.tasks.make_thumbnails", hook="os.abort")

    run_due_schedules()  # os.abort would end the test run

    assert "result hook os.abort" in Failure.objects.get(group="sneaky").result


@through_the_cluster
def test_a_schedule_naming_one_of_the_apps_own_tasks_still_runs(monkeypatch):
    ran = []
    monkeypatch.setattr("enhancer.tasks.make_thumbnails", lambda job_id: ran.append(job_id))
    Schedule.objects.exclude(name="sneaky").delete()
    due_schedule("enhancer.tasks.make_thumbnails", args="7")

    run_due_schedules()

    assert ran == [7] and not Failure.objects.exists()


def test_an_admin_gets_a_read_only_schedule_page_and_cannot_save_one(client):
    schedule = due_schedule("enhancer.tasks.make_thumbnails")
    client.force_login(user_with_role("adam", "admins", is_staff=True))
    url = f"/admin/django_q/schedule/{schedule.pk}/change/"

    page = client.get(url)
    posted = client.post(url, {"name": "sneaky", "func": "os.system", "args": "'id'", "schedule_type": "O"})

    assert page.status_code == 200 and 'name="func"' not in page.content.decode()
    assert posted.status_code == 403
    assert Schedule.objects.get(pk=schedule.pk).func == "enhancer.tasks.make_thumbnails"
    assert client.get("/admin/django_q/schedule/add/").status_code == 403


def test_a_superuser_cannot_edit_a_schedule_either(client, admin_user):
    schedule = due_schedule("enhancer.tasks.make_thumbnails")
    client.force_login(admin_user)
    url = f"/admin/django_q/schedule/{schedule.pk}/change/"

    assert 'name="func"' not in client.get(url).content.decode()
    assert client.post(url, {"name": "sneaky", "func": "os.system", "schedule_type": "O"}).status_code == 403
    assert client.get("/admin/django_q/schedule/add/").status_code == 403


@pytest.mark.parametrize("changelist", ["success", "failure"])
def test_nobody_can_resubmit_a_task_from_the_admin(client, admin_user, changelist):
    now = timezone.now()
    for success in (True, False):
        Task.objects.create(
            id=f"task-{success}",
            name="t",
            func="enhancer.tasks.advance_batch",
            started=now,
            stopped=now,
            success=success,
        )
    client.force_login(admin_user)

    page = client.get(f"/admin/django_q/{changelist}/").content.decode()
    posted = client.post(
        f"/admin/django_q/{changelist}/",
        {"action": "resubmit_task", "_selected_action": ["task-True", "task-False"]},
    )

    assert "enhancer.tasks.advance_batch" in page and "resubmit_task" not in page
    assert posted.status_code == 302 and Task.objects.count() == 2 and not OrmQ.objects.exists()


def test_the_migration_takes_task_editing_away_from_every_group_and_person(alice):
    admins = Group.objects.get_or_create(name="admins")[0]
    schedule_perms = Permission.objects.filter(
        content_type__app_label="django_q", codename__endswith="_schedule"
    )
    admins.permissions.add(*schedule_perms)
    alice.user_permissions.add(*schedule_perms)

    read_only_migration.take_away_task_editing(apps, None)

    def codes(permissions):
        return sorted(permissions.filter(pk__in=schedule_perms).values_list("codename", flat=True))

    assert codes(admins.permissions) == ["delete_schedule", "view_schedule"]
    assert codes(alice.user_permissions) == ["delete_schedule", "view_schedule"]


def test_every_task_the_app_queues_is_on_the_allow_list():
    """A new task function must be added to ALLOWED_TASKS, or the workers would refuse it."""
    queued = set()
    for path in (Path(__file__).resolve().parents[2] / "enhancer").rglob("*.py"):
        tree = ast.parse(path.read_text())
        # Dotted names kept in a module's constants (`MAKE_THUMBNAILS = "enhancer.tasks..."`).
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "async_task"
            ):
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Name) and first.id in constants:
                    first = ast.Constant(constants[first.id])
                assert isinstance(first, ast.Constant), f"{path}: queue tasks by their dotted name"
                queued.add(first.value)
    assert queued and queued <= ALLOWED_TASKS
