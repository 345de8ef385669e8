"""Wagtail's page search (admin and site) finds Chinese pages by their words."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from consultations.models import DraftPage


@pytest.fixture
def drafts(make_draft):
    first = make_draft()
    first.title = "中华人民共和国行政复议法（修订草案）"
    first.summary = "推进電子政務，方便群众申请行政复议。"
    first.save_revision().publish()
    second = make_draft()
    second.title = "某市物业管理条例（草案）"
    second.save_revision().publish()
    call_command("update_index", verbosity=0)
    return DraftPage.objects.get(pk=first.pk), DraftPage.objects.get(pk=second.pk)


@pytest.mark.parametrize("query", ["行政复议", "行政复议法", "修订草案", "电子政务", "電子政務 复议"])
def test_pages_are_found_by_chinese_words(drafts, query):
    reform, _ = drafts

    assert list(DraftPage.objects.live().search(query)) == [reform]


def test_words_that_are_not_there_find_nothing(drafts):
    assert list(DraftPage.objects.live().search("增值税")) == []
    assert set(DraftPage.objects.live().search("草案", operator="and")) == set(drafts)


def test_the_admin_page_search_uses_it(drafts, client, django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@example.cn", password="x" * 12)
    client.force_login(admin)

    response = client.get("/admin/pages/search/", {"q": "行政复议"})

    assert response.status_code == 200
    assert "中华人民共和国行政复议法（修订草案）" in response.content.decode()
    assert "某市物业管理条例" not in response.content.decode()
