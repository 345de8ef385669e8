"""Anyone reading a draft sees its comment counts change live."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from consultations.models import Stance
from consultations.services import submit_comment

pytestmark = pytest.mark.django_db(transaction=True)


async def test_counts_are_pushed_when_a_comment_is_published(article_3, citizen):
    draft, article = article_3
    communicator = WebsocketCommunicator(
        application, f"/ws/drafts/{draft.pk}/", headers=[(b"origin", b"http://127.0.0.1")]
    )

    connected, _ = await communicator.connect()
    first = await communicator.receive_json_from()

    assert connected
    assert first == {"event": "counts", "counts": {"whole": 0}}

    await database_sync_to_async(submit_comment)(
        draft=draft, author=citizen, provision=article, text="实时计数的意见。", stance=Stance.AMEND
    )

    update = await communicator.receive_json_from(timeout=5)
    assert update["counts"][str(article.pk)] == 1
    await communicator.disconnect()


async def test_an_unknown_draft_is_refused(db):
    communicator = WebsocketCommunicator(application, "/ws/drafts/999999/", headers=[(b"origin", b"http://127.0.0.1")])

    connected, code = await communicator.connect()

    assert not connected and code == 4404
