"""Inspectors see new cases live; the reporter's identity never travels in the event."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from regions.models import Region
from reports import services
from tests.site.core.test_live_socket import _session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_new_report_reaches_the_inspectors_of_its_region(inspector_baoding, calendar, real_name):
    cookie = await _session_cookie_for(inspector_baoding)
    communicator = WebsocketCommunicator(
        application, "/ws/live/", headers=[(b"origin", b"http://127.0.0.1"), (b"cookie", cookie.encode())]
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.receive_json_from()

    @database_sync_to_async
    def file():
        return services.file_report(
            kind="land",
            subject_name="张某",
            subject_unit="定兴县自然资源局",
            region=Region.objects.get(code="130626"),
            description="经营性用地以协议方式出让，价格明显低于市场价，涉嫌利益输送。",
            identity=real_name,
        ).report

    report = await file()

    event = await communicator.receive_json_from(timeout=5)
    assert event["event"] == "report.received"
    assert event["payload"]["report"] == str(report.public_id)
    flat = str(event)
    for secret in ("赵举报", "11010519491231002X", "张某"):
        assert secret not in flat
    await communicator.disconnect()
