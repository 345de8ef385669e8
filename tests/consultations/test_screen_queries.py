"""Every screen of a consultation asks the database as many questions with 1,000 comments as with 10: counts are
summed from the tallies, lists are read a page at a time, searches rank a bounded set (issue #13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import (
    Campaign,
    Comment,
    CommentStatus,
    ReportPublication,
    Stance,
    Theme,
    ThemeMembership,
    ThemeOrigin,
)
from search.indexing import rebuild

STATUSES = [
    CommentStatus.APPROVED,
    CommentStatus.PUBLISHED,
    CommentStatus.APPROVED,
    CommentStatus.PENDING,
    CommentStatus.PUBLISHED,
    CommentStatus.REJECTED,
    CommentStatus.APPROVED,
]
STANCES = [Stance.SUPPORT, Stance.OPPOSE, Stance.AMEND, Stance.UNSTATED]
WORD = "物业"


class Consultation:
    """A draft whose comments grow in the same shape: three articles and the whole draft, every status and
    stance, two campaigns (each in one theme, with additions), two clustered themes and one grouped by hand,
    some comments in no theme."""

    def __init__(self, draft):
        self.draft = draft
        self.articles = list(draft.current_version.provisions.filter(kind="article").order_by("position")[:3])
        now = timezone.now()
        self.campaigns = [
            Campaign.objects.create(draft=draft, key=f"c{n}", form_text=f"联署{n}", first_seen=now, last_seen=now)
            for n in range(2)
        ]
        self.themes = [
            Theme.objects.create(draft=draft, title="账目", origin=ThemeOrigin.CLUSTER, cluster_key="a", position=1),
            Theme.objects.create(draft=draft, title="收费", origin=ThemeOrigin.CLUSTER, cluster_key="b", position=2),
            Theme.objects.create(draft=draft, title="人工", origin=ThemeOrigin.MANUAL, position=3),
        ]
        self.count = 0

    def grow(self, n: int) -> None:
        now = timezone.now()
        made = []
        for i in range(self.count, self.count + n):
            campaign = self.campaigns[(i // 5) % 2] if i % 5 == 1 else None
            made.append(
                Comment(
                    draft=self.draft,
                    provision=None if i % 4 == 3 else self.articles[i % 4],
                    text=f"关于{WORD}管理的第{i}条意见，建议修改。",
                    text_hash=f"h{i}",
                    stance=STANCES[i % 4],
                    status=STATUSES[i % 7],
                    external_author=f"person-{i % 6}",
                    campaign=campaign,
                    campaign_addition="我补充一点" if campaign and i % 2 else "",
                    created_at=now - timedelta(hours=i),
                )
            )
        Comment.objects.bulk_create(made)
        memberships = []
        for i, comment in enumerate(made, start=self.count):
            if comment.campaign is not None:
                theme = self.themes[self.campaigns.index(comment.campaign)]  # a campaign sits in one theme
            elif i % 5 == 4:
                continue  # not in any theme
            else:
                theme = self.themes[i % 3]
            memberships.append(ThemeMembership(theme=theme, comment=comment, similarity=(i % 10) / 10 or None))
        ThemeMembership.objects.bulk_create(memberships)
        first = self.themes[0]
        first.representatives = list(first.memberships.order_by("comment_id").values_list("comment_id", flat=True)[:3])
        first.save(update_fields=["representatives"])
        self.count += n
        rebuild(["comment", "article"])

    def screens(self) -> list[tuple[str, str, bool]]:
        draft, admin = self.draft, "consultations_admin:"
        largest = self.themes[0]
        return [
            ("draft page", draft.url, False),
            ("article page", f"{draft.url}articles/{self.articles[0].pk}/", False),
            ("comments API, page 2", f"/api/consultations/drafts/{draft.pk}/comments?page=2&page_size=3", False),
            ("handling report", f"{draft.url}report/", False),
            ("public search", f"/search/?q={WORD}", False),
            ("consultations list", reverse(admin + "drafts"), True),
            ("review overview", reverse(admin + "review", args=[draft.pk]), True),
            ("per-article review", reverse(admin + "review_articles", args=[draft.pk]), True),
            ("themes & report", reverse(admin + "themes", args=[draft.pk]), True),
            ("campaigns", reverse(admin + "review_campaigns", args=[draft.pk]), True),
            ("a campaign", reverse(admin + "review_campaign", args=[self.campaigns[0].pk]), True),
            ("a theme's members", reverse(admin + "review_theme", args=[largest.pk]), True),
            ("a theme's members, page 2", reverse(admin + "review_theme", args=[largest.pk]) + "?page=2", True),
            ("search in comments", reverse(admin + "review_search", args=[draft.pk]) + f"?q={WORD}", True),
            (
                "search in comments, a filter",
                reverse(admin + "review_search", args=[draft.pk]) + "?stance=oppose",
                True,
            ),
            ("moderation queue", reverse(admin + "moderation") + f"?draft={draft.pk}", True),
            (
                "moderation queue, one campaign",
                reverse(admin + "moderation") + f"?draft={draft.pk}&campaign={self.campaigns[0].pk}&status=published",
                True,
            ),
        ]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    return len(captured)


@pytest.fixture
def consultation(make_draft):
    draft = make_draft(state="closed")
    ReportPublication.objects.create(draft=draft)  # the report is public
    return Consultation(draft)


@pytest.mark.parametrize(
    "screen",
    [
        "draft page",
        "article page",
        "comments API, page 2",
        "handling report",
        "public search",
        "consultations list",
        "review overview",
        "per-article review",
        "themes & report",
        "campaigns",
        "a campaign",
        "a theme's members",
        "a theme's members, page 2",
        "search in comments",
        "search in comments, a filter",
        "moderation queue",
        "moderation queue, one campaign",
    ],
)
def test_a_screen_asks_as_many_queries_for_1000_comments_as_for_10(client, consultation, beijing_legislator, screen):
    # given the draft with 10 comments, the screen fetched once (caches warm)
    consultation.grow(10)
    url, staff = next((url, staff) for name, url, staff in consultation.screens() if name == screen)
    if staff:
        client.force_login(beijing_legislator)
    client.get(url)
    with_10 = _queries(client, url)

    # when it has 1,000
    consultation.grow(990)
    with_1000 = _queries(client, url)

    # then the screen asks the same number of questions
    assert with_1000 == with_10, f"{screen}: {with_10} queries with 10 comments, {with_1000} with 1,000"
