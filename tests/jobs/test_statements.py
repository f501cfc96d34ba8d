"""Statements built once per shape change exactly what Django's own queryset would, call after call."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from enhancer.jobs import claims, statements
from enhancer.jobs.step_read import job_for_step
from enhancer.models import EnhanceModel, Job, JobStatus
from tests.support.jobs import make_job


def row(job: Job) -> dict:
    return {field.attname: getattr(job, field.attname) for field in Job._meta.concrete_fields}


def twins(**fields) -> tuple[Job, Job]:
    """Two jobs alike but for their id: one changed by a statement, one by a queryset."""
    return make_job(JobStatus.CONVERTING, **fields), make_job(JobStatus.CONVERTING, **fields)


def same_row(ours: Job, theirs: Job) -> None:
    """Equal field by field, times to within a few seconds (the twins were made, and changed, apart)."""
    ours.refresh_from_db()
    theirs.refresh_from_db()
    mine, django = row(ours), row(theirs)
    mine.pop("id"), django.pop("id")
    for name, value in mine.items():
        if isinstance(value, datetime) or isinstance(django[name], datetime):
            assert (value is None) == (django[name] is None), name
            assert value is None or abs(value - django[name]) < timedelta(seconds=5), name
        else:
            assert value == django[name], name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "where, values",
    [
        ({"lease_token": "t1"}, {"message": "Saving.", "attempts": 3, "error_code": None}),
        ({"lease_token": "t1"}, {"stalled_claims": F("stalled_claims") + 1, "due_at": claims.db_now()}),
        (
            {"lease_token": "t1", "lease_until__gte": claims.db_now()},
            {"lease_until": claims.db_now_plus(90), "status": JobStatus.DOWNLOADING},
        ),
        (
            {"status__in": [JobStatus.CONVERTING, JobStatus.DOWNLOADING], "submit_started_at__isnull": True},
            {"submitted_at": claims.db_now(), "coins": 12, "hitpaw_job_id": "hp-9"},
        ),
        ({"lease_token": "t1", "status": JobStatus.QUEUED}, {"message": "not for this one"}),  # no match
        ({"submit_started_at": None}, {"message": "tested against NULL"}),
    ],
)
def test_an_update_changes_what_djangos_own_update_would(where, values):
    ours, theirs = twins(lease_token="t1", lease_until=timezone.now() + timedelta(seconds=60))

    changed = statements.update(Job, {"pk": ours.pk, **where}, values)

    assert changed == Job.objects.filter(pk=theirs.pk, **where).update(**values)
    same_row(ours, theirs)


@pytest.mark.django_db
def test_a_shape_is_built_once_and_each_call_brings_its_own_values(monkeypatch):
    first, second = (
        make_job(JobStatus.CONVERTING, lease_token="a"),
        make_job(JobStatus.CONVERTING, lease_token="b"),
    )
    statements._built.clear()
    builds = []
    build = statements._build
    monkeypatch.setattr(statements, "_build", lambda *args: builds.append(args) or build(*args))

    assert statements.update(Job, {"pk": first.pk, "lease_token": "a"}, {"message": "first", "attempts": 1})
    assert statements.update(Job, {"pk": second.pk, "lease_token": "b"}, {"message": "second", "attempts": 2})
    assert not statements.update(
        Job, {"pk": first.pk, "lease_token": "b"}, {"message": "wrong lease", "attempts": 9}
    )

    assert len(builds) == 1
    assert Job.objects.filter(pk=first.pk).values_list("message", "attempts").get() == ("first", 1)
    assert Job.objects.filter(pk=second.pk).values_list("message", "attempts").get() == ("second", 2)


@pytest.mark.django_db
def test_the_step_read_gives_the_job_as_the_orm_reads_it():
    job = make_job(
        JobStatus.CONVERTING, exif=True, dpi=300, submitted_at=timezone.now(), hitpaw_job_id="hp-1"
    )

    read = job_for_step(job.pk)

    assert row(read) == row(Job.objects.get(pk=job.pk))
    assert read.exif is True and read.submitted_at.tzinfo is not None  # SQLite's 1 and text, converted


@pytest.mark.django_db
def test_a_select_reads_the_rows_the_orm_reads_in_its_order(catalogue):
    EnhanceModel.objects.filter(name="face_2x").update(enabled=False)
    fields = [field.attname for field in EnhanceModel._meta.concrete_fields]

    def values(models):
        return [[getattr(model, name) for name in fields] for model in models]

    ours = statements.select(EnhanceModel, {"enabled": True})

    assert values(ours) == values(EnhanceModel.objects.filter(enabled=True))
    assert "face_2x" not in {model.name for model in ours}
    assert all(model.enabled is True and not model._state.adding for model in ours)  # SQLite's 1, converted


@pytest.mark.django_db
def test_a_select_is_built_once_per_shape_and_each_call_brings_its_own_values(monkeypatch, alice, bob):
    statements._built_selects.clear()
    builds = []
    build = statements._build_select
    monkeypatch.setattr(statements, "_build_select", lambda *args: builds.append(args) or build(*args))

    assert statements.select(User, {"pk": alice.pk}) == [alice]
    assert statements.select(User, {"pk": bob.pk}) == [bob]
    assert statements.select(User, {"pk": bob.pk + 1000}) == []

    assert len(builds) == 1
