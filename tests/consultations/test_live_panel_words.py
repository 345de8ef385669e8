"""Comment events on the staff's live panel: for legislators, in words; never on an inspector's panel."""

from django.db import transaction
from django.utils import translation

from accounts.roles import Role
from core.events import publish_event_on_commit, recent_events, region_groups
from tests.factories import UserFactory


def test_comment_events_reach_legislators_in_words_and_not_inspectors(inspector):
    legislator = UserFactory(role=Role.LEGISLATOR, jurisdiction_id="130600")
    with transaction.atomic():
        publish_event_on_commit(
            region_groups("130600"),
            "comment.submitted",
            {"draft": 7, "comment": 1, "summary": "保定市文明条例 · 第三条"},
        )

    with translation.override("zh-hans"):
        for_legislator = recent_events(legislator, ["region.130600"])
        for_inspector = recent_events(inspector, ["region.130600"])

    assert [e["text"] for e in for_legislator] == ["新的公众意见：保定市文明条例 · 第三条"]
    assert for_legislator[0]["url"].startswith("/admin/consultations/")
    assert for_inspector == []
