"""The session-authenticated WebSocket endpoint, driven through the full ASGI stack."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import transaction
from django.utils.module_loading import import_string

from config.asgi import application
from core.events import publish_event_on_commit, region_groups

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def _session_cookie_for(user) -> str:
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


async def _connect(user=None) -> tuple[WebsocketCommunicator, bool, int | None]:
    headers = [(b"origin", b"http://127.0.0.1")]
    if user is not None:
        headers.append((b"cookie", (await _session_cookie_for(user)).encode()))
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, code = await communicator.connect()
    if not connected:
        # a refused consumer is still told the socket closed and waited for (left running, it was cancelled
        # with its channel-layer receive when the test's loop shut down, which could wait forever)
        await communicator.disconnect()
    return communicator, connected, code


async def test_an_anonymous_visitor_is_refused():
    communicator, connected, code = await _connect()

    assert not connected
    assert code == 4401


async def test_a_member_of_the_public_is_refused(citizen):
    communicator, connected, code = await _connect(citizen)

    assert not connected
    assert code == 4403


async def test_staff_are_accepted_and_told_their_subscriptions(inspector):
    communicator, connected, _ = await _connect(inspector)

    assert connected
    hello = await communicator.receive_json_from()
    assert hello["event"] == "hello"
    assert set(hello["payload"]["groups"]) == {"role.inspector", "region.130600", f"user.{inspector.pk}"}
    await communicator.disconnect()


async def test_events_reach_staff_of_the_enclosing_jurisdiction_only_after_commit(inspector, legislator):
    # given: an inspector for Baoding and a legislator for Beijing are connected
    baoding, _, _ = await _connect(inspector)
    beijing, _, _ = await _connect(legislator)
    await baoding.receive_json_from()
    await beijing.receive_json_from()

    # when: an event about Dingxing county (in Baoding) is published inside a transaction
    @database_sync_to_async
    def publish():
        with transaction.atomic():
            publish_event_on_commit(region_groups("130626"), "notice.posted", {"summary": "定兴县 协议出让"})

    await publish()

    # then: the data, and a sentence with its time for the panel
    event = await baoding.receive_json_from(timeout=5)
    assert (event["event"], event["payload"]) == ("notice.posted", {"summary": "定兴县 协议出让"})
    assert event["text"] == "新动态：定兴县 协议出让" and event["time"] and event["id"]
    assert await beijing.receive_nothing(timeout=0.3)
    await baoding.disconnect()
    await beijing.disconnect()


async def test_nothing_is_sent_when_the_transaction_rolls_back(inspector):
    communicator, _, _ = await _connect(inspector)
    await communicator.receive_json_from()

    @database_sync_to_async
    def publish_and_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            publish_event_on_commit(region_groups("130626"), "notice.posted", {"summary": "rolled back"})
            raise RuntimeError("write failed")

    await publish_and_fail()

    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_a_foreign_origin_is_refused(inspector):
    cookie = await _session_cookie_for(inspector)
    communicator = WebsocketCommunicator(
        application, "/ws/live/", headers=[(b"origin", b"http://evil.example"), (b"cookie", cookie.encode())]
    )

    connected, _ = await communicator.connect()
    await communicator.disconnect()

    assert not connected


def test_region_groups_enclose_a_county_up_to_the_whole_country():
    assert region_groups("130626") == ["region.000000", "region.130000", "region.130600", "region.130626"]
    assert region_groups("110000") == ["region.000000", "region.110000"]
    assert region_groups("000000") == ["region.000000"]
