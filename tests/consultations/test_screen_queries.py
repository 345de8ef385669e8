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
SOURCES = ["另一次征求意见（甲）", "另一次征求意见（乙）"]


class Consultation:
    """A draft whose comments grow in the same shape: three articles and the whole draft, every status and
    stance, campaigns that grow in number with the comments (one for every 25 comments, at least two; each in
    one clustered theme, with additions), two clustered themes and one grouped by hand, some comments in no
    theme. A screen that asks one question per campaign asks 40 with 1,000 comments and 2 with 10."""

    def __init__(self, draft):
        self.draft = draft
        self.articles = list(draft.current_version.provisions.filter(kind="article").order_by("position")[:3])
        self.campaigns: list[Campaign] = []
        self.themes = [
            Theme.objects.create(draft=draft, title="账目", origin=ThemeOrigin.CLUSTER, cluster_key="a", position=1),
            Theme.objects.create(draft=draft, title="收费", origin=ThemeOrigin.CLUSTER, cluster_key="b", position=2),
            Theme.objects.create(draft=draft, title="人工", origin=ThemeOrigin.MANUAL, position=3),
        ]
        self.count = 0

    def grow(self, n: int) -> None:
        now = timezone.now()
        self.campaigns += [
            Campaign.objects.create(
                draft=self.draft, key=f"c{k}", form_text=f"联署{k}", size=25, first_seen=now, last_seen=now
            )
            for k in range(len(self.campaigns), max(2, (self.count + n) // 25))
        ]
        made = []
        for i in range(self.count, self.count + n):
            campaign = self.campaigns[(i // 5) % len(self.campaigns)] if i % 5 == 1 else None
            made.append(
                Comment(
                    draft=self.draft,
                    provision=None if i % 4 == 3 else self.articles[i % 4],
                    text=f"关于{WORD}管理的第{i}条意见，建议修改。",
                    text_hash=f"h{i}",
                    stance=STANCES[i % 4],
                    status=STATUSES[i % 7],
                    external_author=f"person-{i % 6}",
                    source=SOURCES[(i // 50) % 2] if i % 50 == 7 else "",  # a few imported from elsewhere
                    campaign=campaign,
                    campaign_addition="我补充一点" if campaign and i % 2 else "",
                    created_at=now - timedelta(hours=i),
                )
            )
        Comment.objects.bulk_create(made)
        memberships = []
        for i, comment in enumerate(made, start=self.count):
            if comment.campaign is not None:
                theme = self.themes[self.campaigns.index(comment.campaign) % 2]  # a campaign sits in one theme
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


def test_a_drafts_notices_name_each_source_once_in_one_query(consultation, django_assert_num_queries):
    # given published comments from two sources, and a third source on rejected comments only
    from consultations.attribution import draft_notices

    consultation.grow(100)
    Comment.objects.filter(draft=consultation.draft, source="").filter(pk__in=_some(consultation, 3)).update(
        source="只有被拒绝的", status=CommentStatus.REJECTED
    )

    # when the public page asks for its notices, and a manager's for all of them
    with django_assert_num_queries(1):
        public = draft_notices(consultation.draft)
    with django_assert_num_queries(1):
        every = draft_notices(consultation.draft, visible_only=False)

    # then each source is named once, the rejected comments' source only for the manager
    assert [sum(source in notice.text for notice in public) for source in SOURCES] == [1, 1]
    assert len(public) == 2 and len(every) == 3 and any("只有被拒绝的" in notice.text for notice in every)


def _some(consultation, n: int) -> list[int]:
    return list(
        Comment.objects.filter(draft=consultation.draft, source="").order_by("pk").values_list("pk", flat=True)[:n]
    )


def test_the_report_page_lists_the_largest_campaigns_and_names_how_many_others(client, consultation):
    # given a published report on a draft with 40 campaigns
    from consultations.selectors import REPORT_CAMPAIGNS, build_report

    consultation.grow(1000)
    report = build_report(consultation.draft)
    assert len(report.campaigns) == 40 > REPORT_CAMPAIGNS

    # when the public reads the report's page
    html = client.get(f"{consultation.draft.url}report/").content.decode()

    # then it lists the largest campaigns one by one and says how many others the PDF lists, with their signers
    assert html.count('data-testid="campaign"') == REPORT_CAMPAIGNS
    others = report.campaigns[REPORT_CAMPAIGNS:]
    assert 'data-testid="other-campaigns"' in html and str(sum(c.signers for c in others)) in html
    # while the report itself (the PDF's, the API's) has every campaign's first additions
    assert all(c.additions for c in report.campaigns if c.with_additions)


def test_the_review_overview_lists_the_themes_a_page_at_a_time(client, consultation, beijing_legislator):
    # given a draft with more themes than a page holds
    from consultations.admin_views import THEMES_PER_PAGE

    consultation.grow(10)
    Theme.objects.bulk_create(
        Theme(draft=consultation.draft, title=f"主题{n}", origin=ThemeOrigin.MANUAL, position=10 + n)
        for n in range(THEMES_PER_PAGE)
    )
    client.force_login(beijing_legislator)
    url = reverse("consultations_admin:review", args=[consultation.draft.pk])

    # when the overview is read, page by page
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()

    # then the first page lists a page of themes, the second the rest, and both say how many there are in all
    assert first.count('data-testid="theme-row"') == THEMES_PER_PAGE
    assert second.count('data-testid="theme-row"') == 3
    assert 'data-testid="theme-pages"' in first
