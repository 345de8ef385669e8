"""Campaigns in the review screens: counted once beside their size, collapsed in a theme's
members, and shown with what each signer added."""

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Campaign, Comment, CommentStatus, Stance, Theme, ThemeMembership
from consultations.services import comment_hash, create_theme

FORM = "坚决反对取消业主大会的表决权，请保留原条文。"


def _comment(draft, provision, text, stance=Stance.OPPOSE, **extra):
    return Comment.objects.create(
        draft=draft,
        provision=provision,
        text=text,
        text_hash=comment_hash(text),
        stance=stance,
        status=CommentStatus.PUBLISHED,
        **extra,
    )


@pytest.fixture
def campaigned(make_draft, beijing_legislator):
    """Article 3 has two single comments and a campaign of four signers (two added something);
    one theme holds them all."""
    draft = make_draft()
    article = draft.current_version.provisions.get(kind="article", number=3)
    now = timezone.now()
    singles = [
        _comment(draft, article, "建议细化业主大会的召开程序。", Stance.AMEND),
        _comment(draft, article, "支持保障业主的表决权。", Stance.SUPPORT),
    ]
    campaign = Campaign.objects.create(draft=draft, key="k1", form_text=FORM, size=4, first_seen=now, last_seen=now)
    additions = ["", "我们小区就吃过这个亏。", "", "希望立法机关认真考虑。"]
    signers = [
        _comment(draft, article, FORM + addition, campaign=campaign, campaign_addition=addition)
        for addition in additions
    ]
    Campaign.objects.filter(pk=campaign.pk).update(representative=signers[0])
    theme = create_theme(draft=draft, title="业主大会表决权", comments=[], user=beijing_legislator)
    for index, comment in enumerate(singles + signers):
        ThemeMembership.objects.create(theme=theme, comment=comment, similarity=0.9 - index * 0.05)
    return draft, article, theme, campaign, singles, signers


def test_a_theme_counts_a_campaign_once_beside_its_raw_size(client, campaigned, beijing_legislator):
    draft, _article, theme, campaign, _singles, _signers = campaigned
    client.force_login(beijing_legislator)

    response = client.get(reverse("consultations_admin:review", args=[draft.pk]))

    (overview, _segments) = response.context["rows"][0]
    assert (overview.size, overview.weighted, overview.campaigns) == (6, 3, [(campaign.pk, 4)])
    assert overview.stances == {"support": 1, "oppose": 4, "amend": 1, "unstated": 0}
    assert len(overview.representatives) == 3  # one campaign member at most among them
    assert sum(c.campaign_id == campaign.pk for c in overview.representatives) == 1


def test_a_themes_members_show_a_campaign_as_one_row(client, campaigned, beijing_legislator):
    _draft, _article, theme, campaign, singles, signers = campaigned
    client.force_login(beijing_legislator)

    response = client.get(reverse("consultations_admin:review_theme", args=[theme.pk]))

    rows = response.context["members"]
    assert [(row.kind, row.size) for row in rows] == [("comment", 1), ("comment", 1), ("campaign", 4)]
    assert rows[2].campaign_id == campaign.pk and rows[2].comment.pk == signers[0].pk
    assert f'data-campaign="{campaign.pk}"' in response.content.decode()


def test_splitting_off_a_campaign_moves_all_its_members(client, campaigned, beijing_legislator):
    draft, _article, theme, campaign, singles, signers = campaigned
    client.force_login(beijing_legislator)

    client.post(
        reverse("consultations_admin:split_theme", args=[theme.pk]),
        {"title": "表决权联署", "campaigns": [campaign.pk], "comments": [singles[1].pk], "confirm": "1"},
    )

    new = Theme.objects.get(draft=draft, title="表决权联署")
    assert sorted(new.comments.values_list("pk", flat=True)) == sorted([singles[1].pk, *(s.pk for s in signers)])
    assert list(theme.comments.values_list("pk", flat=True)) == [singles[0].pk]


def test_the_campaigns_screen_shows_form_text_size_and_additions(client, campaigned, beijing_legislator):
    draft, _article, theme, campaign, _singles, signers = campaigned
    client.force_login(beijing_legislator)

    listing = client.get(reverse("consultations_admin:review_campaigns", args=[draft.pk]))
    detail = client.get(reverse("consultations_admin:review_campaign", args=[campaign.pk]))

    assert listing.status_code == 200 and detail.status_code == 200
    (overview, _segments) = listing.context["rows"][0]
    assert (overview.campaign.pk, overview.visible, overview.with_additions) == (campaign.pk, 4, 2)
    assert [c.pk for c in overview.additions] == [signers[1].pk, signers[3].pk]
    assert overview.themes == [(theme, 4)]
    assert (listing.context["in_campaigns"], listing.context["total"]) == (4, 6)
    assert FORM in listing.content.decode()
    assert [c.campaign_addition for c in detail.context["page_obj"]] == [
        "我们小区就吃过这个亏。",
        "希望立法机关认真考虑。",
    ]


def test_the_articles_view_shows_the_share_from_campaigns(client, campaigned, beijing_legislator):
    draft, article, *_ = campaigned
    client.force_login(beijing_legislator)

    response = client.get(reverse("consultations_admin:review_articles", args=[draft.pk]))

    (overview, _segments) = response.context["rows"][0]
    assert overview.provision == article
    assert (overview.comments, overview.weighted, overview.from_campaigns, overview.campaign_percent) == (6, 3, 4, 67)


def test_campaign_screens_are_refused_outside_the_jurisdiction(client, campaigned, hebei_legislator, citizen):
    draft, _article, _theme, campaign, *_ = campaigned
    for user in (hebei_legislator, citizen):
        client.force_login(user)
        for url in (
            reverse("consultations_admin:review_campaigns", args=[draft.pk]),
            reverse("consultations_admin:review_campaign", args=[campaign.pk]),
        ):
            response = client.get(url)
            assert response.status_code in (302, 403), url
            assert FORM not in response.content.decode()


def test_the_clustering_button_writes_campaigns_and_themes_the_screens_show(
    client, make_draft, beijing_legislator, django_capture_on_commit_callbacks
):
    # given a draft with approved comments on two subjects and a campaign of four copies
    draft = make_draft()
    article = draft.current_version.provisions.get(kind="article", number=3)
    texts = [
        "小区停车位收费太高，物业应当公开停车收费标准。",
        "停车位应当优先满足业主需要，停车收费要经业主大会同意。",
        "地下停车位的收费标准需要政府指导，停车管理要规范。",
        "停车难问题突出，建议规定停车位的分配办法。",
        "物业服务账目应当每年向全体业主公开，接受业主监督。",
        "维修资金账目要公开透明，业主有权查阅账目。",
        "物业公司的收支账目应当定期公示，账目不清要担责。",
        "建议明确业主查阅物业账目的程序和期限。",
    ] + [FORM + extra for extra in ("", "", "我们小区深受其害。", "")]
    for text in texts:
        Comment.objects.create(
            draft=draft,
            provision=article,
            text=text,
            text_hash=comment_hash(text),
            stance=Stance.AMEND,
            status=CommentStatus.APPROVED,
        )
    client.force_login(beijing_legislator)

    # when (the run is queued after commit; the immediate task backend runs it then)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("consultations_admin:cluster", args=[draft.pk]), {"k": "2", "full": "on"})

    # then the campaign is found and shown once in its theme, beside its size
    assert response.status_code == 302
    campaign = Campaign.objects.get(draft=draft)
    assert campaign.size == 4
    themes = client.get(reverse("consultations_admin:review", args=[draft.pk])).context["rows"]
    clustered = [overview for overview, _segments in themes if overview.theme.origin == "cluster"]
    assert clustered and all(overview.theme.terms for overview in clustered)
    holding = [overview for overview in clustered if overview.campaigns]
    assert len(holding) == 1 and holding[0].campaigns == [(campaign.pk, 4)]
    assert holding[0].weighted == holding[0].size - 3
    listing = client.get(reverse("consultations_admin:review_campaigns", args=[draft.pk]))
    (overview, _segments) = listing.context["rows"][0]
    assert overview.with_additions == 1 and "我们小区深受其害" in overview.additions[0].campaign_addition
