"""A record ingested through the API reaches the inspectors of its region as a live alert."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from tests.site.core.test_live_socket import _session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


async def _socket(user):
    cookie = await _session_cookie_for(user)
    communicator = WebsocketCommunicator(
        application, "/ws/live/", headers=[(b"origin", b"http://127.0.0.1"), (b"cookie", cookie.encode())]
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.receive_json_from()
    return communicator


async def test_an_ingested_record_raises_a_live_alert_in_its_region_only(
    record, land_token, baoding_inspector, shanghai_inspector
):
    baoding, shanghai = await _socket(baoding_inspector), await _socket(shanghai_inspector)
    record["supply"] = "协议出让"

    @database_sync_to_async
    def post():
        return Client().post(
            "/api/monitoring/land", record, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {land_token}"
        )

    response = await post()
    assert response.status_code == 200

    events = [await baoding.receive_json_from(timeout=5) for _ in range(2)]
    alert_event = next(e for e in events if e["event"] == "alert.raised")
    assert alert_event["payload"]["rule"] == "L001" and alert_event["payload"]["severity"] == "red"
    assert alert_event["payload"]["url"].startswith("/monitoring/alerts/")
    assert any(e["event"] == "task.assigned" for e in events)  # the Baoding inspector got the task
    assert await shanghai.receive_nothing(timeout=0.3)
    await baoding.disconnect()
    await shanghai.disconnect()
