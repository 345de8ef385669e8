"""The public search page: published articles and visible comments, highlighted; nothing private."""

from __future__ import annotations

import pytest

from consultations.models import ModerationMode, Stance
from consultations.services import submit_comment
from tests.factories import UserFactory


@pytest.fixture
def draft_with_comments(make_draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_draft()
        visible = submit_comment(
            draft=draft, author=UserFactory(), text="物业服务人应当公开維修資金的使用情况。", stance=Stance.AMEND
        )
        hidden_draft = make_draft(moderation=ModerationMode.PRE)
        pending = submit_comment(
            draft=hidden_draft, author=UserFactory(), text="维修资金的账目应当每年审计。", stance=Stance.AMEND
        )
    return draft, visible, pending


def test_finds_articles_and_visible_comments_with_highlights(client, draft_with_comments):
    draft, visible, pending = draft_with_comments

    response = client.get("/search/", {"q": "维修资金"})

    page = response.content.decode()
    assert response.status_code == 200
    assert f"#comment-{visible.pk}" in page
    assert "<mark>維修資金</mark>" in page  # the original, traditional text is marked
    assert "账目应当每年审计" not in page  # awaiting moderation: not public


def test_articles_of_a_draft_by_their_words(client, draft_with_comments):
    draft, _, _ = draft_with_comments

    response = client.get("/search/", {"q": "管理规约", "type": "article"})

    page = response.content.decode()
    assert "<mark>管理规约</mark>" in page
    assert "articles/" in page
    assert "#comment-" not in page


def test_the_query_is_escaped_and_bad_input_refused(client, db):
    response = client.get("/search/", {"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()

    assert client.get("/search/", {"q": "资金", "page": "9999"}).status_code == 400
    assert client.get("/search/", {"q": "x" * 101}).status_code == 400
    assert client.get("/search/", {"q": "资金", "type": "report"}).status_code == 400
