"""The live panel: on connection the latest events the viewer may see, as sentences with their time."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from core import events
from core.events import Description, publish_event_on_commit, region_groups
from core.models import LiveEvent
from tests.site.core.test_live_socket import _connect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def secret_events():
    """An app whose `secret.*` events no one may receive, and which says `notice.*` in words."""
    events.register_guard("secret.", lambda user, event_type, payload: False)
    events.register_describer(
        "notice.", lambda event_type, payload: Description(f"公告：{payload['n']}", url="/n/", level="red")
    )
    yield
    events._guards.pop("secret.", None)
    events._describers.pop("notice.", None)


@database_sync_to_async
def _publish(groups, event_type, payload):
    with transaction.atomic():
        publish_event_on_commit(groups, event_type, payload)


async def test_the_latest_events_the_viewer_may_see_arrive_on_connection(inspector, secret_events):
    # given: twelve events about a Baoding county, one about Beijing, one that a guard keeps back
    for n in range(12):
        await _publish(region_groups("130626"), "notice.posted", {"n": n})
    await _publish(region_groups("110101"), "notice.posted", {"n": "北京"})
    await _publish(region_groups("130626"), "secret.found", {"n": "秘密"})

    # when: Baoding's inspector opens the dashboard
    communicator, connected, _ = await _connect(inspector)
    hello = await communicator.receive_json_from()
    recent = await communicator.receive_json_from(timeout=5)

    # then: the ten latest of theirs, newest first, as sentences with a time and a link
    assert connected and hello["event"] == "hello" and recent["event"] == "recent"
    shown = recent["payload"]["events"]
    assert [e["text"] for e in shown] == [f"公告：{n}" for n in range(11, 1, -1)]
    assert all(e["time"] and e["at"] and e["url"] == "/n/" and e["level"] == "red" for e in shown)
    await communicator.disconnect()


async def test_nothing_recent_sends_only_the_greeting(inspector):
    communicator, _, _ = await _connect(inspector)

    assert (await communicator.receive_json_from())["event"] == "hello"
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_a_live_event_carries_the_id_of_its_stored_copy(inspector, secret_events):
    communicator, _, _ = await _connect(inspector)
    await communicator.receive_json_from()

    await _publish(region_groups("130626"), "notice.posted", {"n": 1})

    event = await communicator.receive_json_from(timeout=5)
    stored = await database_sync_to_async(LiveEvent.objects.get)()
    assert event["id"] == stored.pk and event["text"] == "公告：1"  # the page drops a second copy by this id
    await communicator.disconnect()


def test_old_events_are_forgotten():
    from datetime import timedelta

    from django.utils import timezone

    LiveEvent.objects.create(event_type="notice.posted", groups=" region.000000 ", payload={})
    old = LiveEvent.objects.create(event_type="notice.posted", groups=" region.000000 ", payload={})
    LiveEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=31))

    assert events.prune_live_events() == 1
    assert LiveEvent.objects.count() == 1


def test_a_send_from_the_schedulers_thread_reaches_the_in_memory_layers_sockets_at_once(settings):
    """`make run`: a job runs in a thread of the server process; Channels' in-memory layer belongs to the loop
    that serves the sockets, so the send is handed to that loop (asyncio queues are not thread-safe)."""
    import asyncio
    import threading

    from channels.layers import channel_layers, get_channel_layer

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    saved, channel_layers.backends = channel_layers.backends, {}
    layer = get_channel_layer()
    loop = asyncio.new_event_loop()
    listening, received = threading.Event(), []

    async def serve():
        channel = await layer.new_channel()
        await layer.group_add("region.130600", channel)
        listening.set()
        received.append(await asyncio.wait_for(layer.receive(channel), timeout=5))

    server = threading.Thread(target=loop.run_until_complete, args=(serve(),))
    server.start()
    try:
        assert listening.wait(5)
        events.bind_serving_loop(loop)

        events.publish_event("region.130600", "notice.posted", {"n": 1}, event_id=9, at="2026-11-30T01:00:00+00:00")

        server.join(timeout=2)
        assert received and received[0]["event"] == "notice.posted" and received[0]["id"] == 9
    finally:
        server.join(timeout=10)
        loop.close()
        events.bind_serving_loop(None)
        channel_layers.backends = saved


async def test_petition_events_stay_with_those_who_answer_petitions(inspector):
    """The region group reaches inspectors too; a petition's events are for legislators and administrators."""
    from accounts.roles import Role
    from petitions.live import may_receive_petition_event
    from tests.factories import UserFactory

    legislator = await database_sync_to_async(UserFactory)(role=Role.LEGISLATOR, jurisdiction_id="130000")
    await _publish(region_groups("130626"), "petition.trending", {"title": "公开占道施工审批信息", "petition": 1})

    communicator, _, _ = await _connect(inspector)
    assert (await communicator.receive_json_from())["event"] == "hello"
    assert await communicator.receive_nothing(timeout=0.3)  # nothing recent for the inspector
    await communicator.disconnect()
    assert await database_sync_to_async(may_receive_petition_event)(legislator, "petition.trending", {})
