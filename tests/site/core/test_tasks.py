"""Side effects run after commit through django-tasks, immediately or from the database queue."""

from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from core.tasks import enqueue_on_commit

CALLS: list[str] = []


@task()
def record_call(value: str) -> str:
    CALLS.append(value)
    return value


def test_a_task_waits_for_commit(db, django_capture_on_commit_callbacks):
    CALLS.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        enqueue_on_commit(record_call, "after commit")
        assert CALLS == []

    assert len(callbacks) == 1
    assert CALLS == ["after commit"]


def test_a_rolled_back_write_enqueues_nothing(db, django_capture_on_commit_callbacks):
    CALLS.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                enqueue_on_commit(record_call, "never")
                raise ValueError
        except ValueError:
            pass

    assert callbacks == [] and CALLS == []


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_database_queue_keeps_tasks_until_the_worker_runs_them(
    transactional_db, django_capture_on_commit_callbacks
):
    CALLS.clear()

    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(record_call, "queued")

    assert CALLS == []
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert CALLS == ["queued"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_asked_for_many_times_in_a_transaction_a_side_effect_runs_once_after_commit(
    db, django_capture_on_commit_callbacks
):
    from core.tasks import on_commit_once

    calls = []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for _ in range(3):
            with transaction.atomic():  # each write a savepoint of its own
                on_commit_once("drain", lambda: calls.append("drain"))
        assert calls == []

    assert calls == ["drain"]

    # and the next transaction runs it again
    with django_capture_on_commit_callbacks(execute=True):
        on_commit_once("drain", lambda: calls.append("drain"))
    assert calls == ["drain", "drain"]


def test_a_rollback_neither_loses_nor_repeats_a_side_effect_asked_for_once(db, django_capture_on_commit_callbacks):
    from core.tasks import on_commit_once

    calls = []
    # a savepoint rolled back around one ask: the ask outside it still runs, once
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                on_commit_once("drain", lambda: calls.append("drain"))
                raise ValueError
        except ValueError:
            pass
        on_commit_once("drain", lambda: calls.append("drain"))
    assert calls == ["drain"]

    # a transaction rolled back entirely: the next one to ask still runs it
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                on_commit_once("other", lambda: calls.append("other"))
                raise ValueError
        except ValueError:
            pass
    with django_capture_on_commit_callbacks(execute=True):
        on_commit_once("other", lambda: calls.append("other"))
    assert calls == ["drain", "other"]
