"""The one mechanism for side effects: django-tasks, enqueued after commit.

On the embedded default the immediate backend runs a task as soon as the
transaction commits; in production a database queue is drained by
`manage.py db_worker`, so a failed side effect can be retried without losing
the record that caused it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any

from django.db import transaction
from django_tasks.base import Task


def enqueue_on_commit(task_to_run: Task, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task_to_run` once the current transaction commits (at once outside one).

    Robust: the record is committed by then, so a failure to enqueue or to run the task (a
    queue, Redis or mail server down) is logged and never turns the request that caused it
    into an error. The person still learns that their submission was accepted.
    """
    transaction.on_commit(lambda: task_to_run.enqueue(*args, **kwargs), robust=True)


class _Once:
    """A callback that runs its function the first time it is called, and does nothing after."""

    __slots__ = ("done", "func")

    def __init__(self, func: Callable[[], Any]) -> None:
        self.func = func
        self.done = False

    def __call__(self) -> None:
        if not self.done:
            self.done = True
            self.func()


_once: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # database connection → {key: _Once}
_ONCE_LIMIT = 1000  # keys kept per connection; past it, finished and abandoned ones are dropped


def on_commit_once(key: Hashable, func: Callable[[], Any], *, robust: bool = True) -> None:
    """Call `func` once after the current transaction commits, however often `key` is asked for in it.

    For debounced side effects (one outbox run, one clustering run per draft): every call registers
    the same callback, so it survives a savepoint rolled back around some of the calls, and the first
    of them to run calls `func` while the others find it done. A transaction that rolls back entirely
    leaves its callback unrun; the next transaction to ask for `key` shares it, so that one runs once
    too. `func` should depend on `key` alone (the latest one asked for is called).
    """
    connection = transaction.get_connection()
    pending = _once.setdefault(connection, {})
    once = pending.get(key)
    if once is None or once.done:
        if len(pending) >= _ONCE_LIMIT:
            pending.clear()  # at worst a later ask repeats a run: side effects asked for once are idempotent
        once = pending[key] = _Once(func)
    once.func = func
    transaction.on_commit(once, robust=robust)
