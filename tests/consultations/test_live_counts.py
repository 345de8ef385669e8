"""Anyone reading a draft sees its comment counts change live."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test.utils import CaptureQueriesContext

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
    await communicator.disconnect()  # the refused consumer ends before the test's loop does

    assert not connected and code == 4404


async def _queries_to_publish_a_comment(draft, article, author, text: str, *, listeners: int) -> int:
    """Database queries from submitting one comment until every listener has the new counts."""
    communicators = []
    for _ in range(listeners):
        communicator = WebsocketCommunicator(
            application, f"/ws/drafts/{draft.pk}/", headers=[(b"origin", b"http://127.0.0.1")]
        )
        await communicator.connect()
        await communicator.receive_json_from()
        communicators.append(communicator)
    # Every database call here and in the consumers runs on asgiref's one thread for sync code.
    queries = await database_sync_to_async(lambda: CaptureQueriesContext(connections["default"]))()
    await database_sync_to_async(queries.__enter__)()

    await database_sync_to_async(submit_comment)(
        draft=draft, author=author, provision=article, text=text, stance=Stance.SUPPORT
    )
    for communicator in communicators:
        update = await communicator.receive_json_from(timeout=5)
        assert update["event"] == "counts" and str(article.pk) in update["counts"]

    await database_sync_to_async(queries.__exit__)(None, None, None)
    for communicator in communicators:
        await communicator.disconnect()
    return len(queries.captured_queries)


async def test_the_counts_are_computed_once_per_change_however_many_listen(article_3, citizen):
    # given: a draft read by one person, then by three
    draft, article = article_3

    await _queries_to_publish_a_comment(draft, article, citizen, "先热身的意见。", listeners=1)  # caches warm

    # when: a comment is published each time
    one = await _queries_to_publish_a_comment(draft, article, citizen, "第一条意见。", listeners=1)
    three = await _queries_to_publish_a_comment(draft, article, citizen, "第二条意见。", listeners=3)

    # then: no more queries (the counts are computed once, by the sender), not three times as many
    assert three <= one  # not one more with three listeners; which side of the capture an incidental query falls varies
