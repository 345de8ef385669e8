"""Work that drains what writes left behind (search outbox, live events, a draft's counts) is queued once for a
burst of writes: no run is queued while one waits to start, and a write after a run started queues another."""

from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from core.events import deliver_live_events, publish_event_on_commit
from core.models import LiveEvent
from core.tasks import enqueue_once_pending_on_commit, started_pending

RUNS: list[int] = []


@task()
def drain() -> None:
    started_pending("test.drain")
    RUNS.append(1)


DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_burst_of_commits_queues_one_run_until_it_starts(transactional_db, django_capture_on_commit_callbacks):
    cache.clear()
    RUNS.clear()

    for _ in range(20):  # twenty requests, each its own transaction
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            enqueue_once_pending_on_commit("test.drain", drain)

    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert RUNS == [1]

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_once_pending_on_commit("test.drain", drain)  # after the run started: a run of its own

    assert DBTaskResult.objects.filter(status="READY").count() == 1


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_rolled_back_write_holds_no_run_back(transactional_db, django_capture_on_commit_callbacks):
    cache.clear()

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                enqueue_once_pending_on_commit("test.drain", drain)
                raise ValueError
        except ValueError:
            pass
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_once_pending_on_commit("test.drain", drain)

    assert DBTaskResult.objects.count() == 1


@override_settings(TASKS=DATABASE_QUEUE)
def test_one_delivery_run_sends_every_event_stored_before_it_once(transactional_db, django_capture_on_commit_callbacks):
    # the channel layer as configured (Redis in CI): a layer swapped in for the test and reset by hand left the
    # browser tests that ran later in the same process without their live events and mails
    import uuid

    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    group = f"region.000000.{uuid.uuid4().hex[:8]}"
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)

    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            publish_event_on_commit([group], "comment.submitted", {"n": n})

    assert DBTaskResult.objects.count() == 1
    assert deliver_live_events.call() == 5
    assert deliver_live_events.call() == 0  # nothing is sent twice

    async def receive_all() -> list[int]:  # one event loop: the Redis layer's connections belong to theirs
        return [(await layer.receive(channel))["payload"]["n"] for _ in range(5)]

    received = async_to_sync(receive_all)()
    assert received == [0, 1, 2, 3, 4]
    assert not LiveEvent.objects.filter(sent=False).exists()
