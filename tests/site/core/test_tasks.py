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
