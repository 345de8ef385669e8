"""Publishing a live event from synchronous code, wherever that code runs."""

import asyncio
import threading

from channels.layers import get_channel_layer

from core.events import publish_event


async def test_code_running_inside_an_event_loop_hands_the_send_to_that_loop(monkeypatch):
    # given: a listener on a group, and a record of the threads started from here on
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("region.000000", channel)
    started = []
    original_start = threading.Thread.start

    def recording_start(thread):
        started.append(thread.name)
        original_start(thread)

    monkeypatch.setattr(threading.Thread, "start", recording_start)

    # when: synchronous code called straight from the running loop publishes (it cannot wait for the loop)
    publish_event("region.000000", "alert.raised", {"summary": "定兴县 协议出让"})

    # then: no thread is started to get out of the loop; the loop sends it once it has control back
    message = await asyncio.wait_for(layer.receive(channel), timeout=2)
    assert message == {"type": "live.event", "event": "alert.raised", "payload": {"summary": "定兴县 协议出让"}}
    assert started == []
    await layer.group_discard("region.000000", channel)


def test_code_without_an_event_loop_sends_before_publish_returns():
    # given: a listener on a group
    from asgiref.sync import async_to_sync

    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("user.7", channel)

    # when
    publish_event("user.7", "task.assigned", {"task": 1})

    # then: it is there already
    message = async_to_sync(layer.receive)(channel)
    assert message["event"] == "task.assigned"
    async_to_sync(layer.group_discard)("user.7", channel)
