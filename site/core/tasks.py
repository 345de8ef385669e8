"""The one mechanism for side effects: django-tasks, enqueued after commit.

On the embedded default the immediate backend runs a task as soon as the
transaction commits; in production a database queue is drained by
`manage.py db_worker`, so a failed side effect can be retried without losing
the record that caused it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any

from django.core.cache import cache
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


# --- one pending run per key -----------------------------------------------------------------------------------

PENDING_SECONDS = 30  # a pending mark outlives a lost run (a worker killed) by at most this long


def _pending_key(key: str) -> str:
    return f"tasks:pending:{key}"


def enqueue_once_pending_on_commit(key: str, task_to_run: Task, *args: Any, **kwargs: Any) -> None:
    """Once the current transaction commits, enqueue `task_to_run` unless a run asked for under `key` is queued
    and has not started yet: that run will read what this transaction committed.

    For work that drains what the writes left behind (the search outbox, unsent live events, a draft's counts):
    a burst of a hundred submissions a second queues a few runs, not a hundred, and asking costs one cache
    call, not a query. The task calls `started_pending(key)` before it reads anything, so a write committed
    after that asks for a run of its own. The mark is in the cache (Redis): while the cache is unavailable
    every commit enqueues, as `enqueue_on_commit` does; a failure to enqueue is logged, never raised.
    """
    on_commit_once(("pending", key), partial(_enqueue_unless_pending, key, task_to_run, args, kwargs))


def _enqueue_unless_pending(key: str, task_to_run: Task, args: tuple, kwargs: dict) -> None:
    degraded = getattr(cache, "degraded", False)  # core.cache: this process's memory stands in for Redis
    if not degraded and not cache.add(_pending_key(key), True, timeout=PENDING_SECONDS):
        return  # a run is queued and has not started: it reads what this transaction committed
    try:
        task_to_run.enqueue(*args, **kwargs)
    except Exception:
        cache.delete(_pending_key(key))  # not queued: the next write asks again
        raise


def started_pending(key: str) -> None:
    """Called by a task queued through `enqueue_once_pending_on_commit`, first, before it reads anything."""
    cache.delete(_pending_key(key))
