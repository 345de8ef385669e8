"""The one mechanism for side effects: django-tasks, enqueued after commit.

On the embedded default the immediate backend runs a task as soon as the
transaction commits; in production a database queue is drained by
`manage.py db_worker`, so a failed side effect can be retried without losing
the record that caused it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task
from django_tasks.base import Task


def enqueue_on_commit(task_to_run: Task, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task_to_run` once the current transaction commits (at once outside one).

    Robust: the record is committed by then, so a failure to enqueue or to run the task (a
    queue, Redis or mail server down) is logged and never turns the request that caused it
    into an error. The person still learns that their submission was accepted.
    """
    transaction.on_commit(lambda: task_to_run.enqueue(*args, **kwargs), robust=True)


@task()
def deliver_live_event(groups: list[str], event_type: str, payload: dict[str, Any]) -> int:
    from core.events import publish_event

    for group in groups:
        publish_event(group, event_type, payload)
    return len(groups)
