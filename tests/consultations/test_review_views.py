"""The legislators' review screens in the admin: who may see them, what they show, the writes."""

import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from consultations.models import Comment, Decision, Stance, Theme, ThemeMembership, ThemeOrigin
from consultations.services import create_theme, decide_theme, submit_comment
from tests.factories import UserFactory


@pytest.fixture
def reviewed(make_draft, beijing_legislator, regions):
    """A closed draft: five comments on articles 1 and 3, two themes (one clustered)."""
    draft = make_draft()
    version = draft.current_version
    article_1 = version.provisions.get(kind="article", number=1)
    article_3 = version.provisions.get(kind="article", number=3)
    comments = [
        submit_comment(
            draft=draft,
            author=UserFactory(),
            provision=article,
            text=text,
            stance=stance,
            region=regions.get(code="110105"),
        )
        for article, text, stance in [
            (article_3, "业主应当有权查阅物业账目。", Stance.AMEND),
            (article_3, "物业账目应当每季度公开。", Stance.AMEND),
            (article_3, "反对增加业主负担的规定。", Stance.OPPOSE),
            (article_1, "赞成制定本条例，规范物业管理。", Stance.SUPPORT),
            (article_1, "立法目的应当写明保护业主。", Stance.AMEND),
        ]
    ]
    accounts = create_theme(
        draft=draft,
        title="账目公开",
        comments=[],
        user=beijing_legislator,
        origin=ThemeOrigin.CLUSTER,
        cluster_key="c1",
    )
    for comment, similarity in zip(comments[:3], [0.9, 0.8, 0.3], strict=True):
        ThemeMembership.objects.create(theme=accounts, comment=comment, similarity=similarity)
    Theme.objects.filter(pk=accounts.pk).update(terms=["账目", "公开"])
    purpose = create_theme(draft=draft, title="立法目的", comments=comments[3:], user=beijing_legislator)
    draft.closes_at = draft.opens_at.replace(year=draft.opens_at.year - 1)
    draft.opens_at = draft.opens_at.replace(year=draft.opens_at.year - 2)
    draft.save()
    accounts.refresh_from_db()
    return draft, accounts, purpose, comments, article_3


def _screens(draft, theme):
    return [
        reverse("consultations_admin:review", args=[draft.pk]),
        reverse("consultations_admin:review_articles", args=[draft.pk]),
        reverse("consultations_admin:review_theme", args=[theme.pk]),
    ]


def _writes(draft, theme, other, comment):
    return [
        (reverse("consultations_admin:rename_theme", args=[theme.pk]), {"title": "越权"}),
        (reverse("consultations_admin:merge_theme", args=[theme.pk]), {"target": other.pk}),
        (reverse("consultations_admin:split_theme", args=[theme.pk]), {"title": "越权", "comments": [comment.pk]}),
        (reverse("consultations_admin:remove_member", args=[theme.pk]), {"comment": comment.pk}),
        (reverse("consultations_admin:cluster", args=[draft.pk]), {}),
        (
            reverse("consultations_admin:decide", args=[theme.pk]),
            {f"t{theme.pk}-decision": "adopted", f"t{theme.pk}-reason": "越权"},
        ),
    ]


def _assert_refused(response, url):
    assert response.status_code in (302, 403), url
    if response.status_code == 302:
        assert response.url in ("/admin/", "/admin/login/") or response.url.startswith("/admin/login/?"), url
    assert "账目公开" not in response.content.decode()


def test_a_legislator_of_another_jurisdiction_is_refused_everything(client, reviewed, hebei_legislator):
    # given
    draft, accounts, purpose, comments, _article = reviewed
    client.force_login(hebei_legislator)

    # then every screen and every write is refused (Wagtail turns the 403 into a redirect
    # to the dashboard with a message), and nothing changes
    for url in _screens(draft, accounts):
        _assert_refused(client.get(url), url)
    for url, data in _writes(draft, accounts, purpose, comments[0]):
        _assert_refused(client.post(url, data), url)
    accounts.refresh_from_db()
    assert accounts.title == "账目公开" and accounts.decision == Decision.PENDING
    assert accounts.comments.count() == 3 and Theme.objects.filter(draft=draft).count() == 2


def test_citizens_and_anonymous_visitors_are_refused(client, reviewed, citizen):
    draft, accounts, purpose, comments, _article = reviewed
    for user in (None, citizen):
        client.logout()
        if user:
            client.force_login(user)
        for url in _screens(draft, accounts):
            _assert_refused(client.get(url), url)
        for url, data in _writes(draft, accounts, purpose, comments[0]):
            _assert_refused(client.post(url, data), url)
    accounts.refresh_from_db()
    assert accounts.title == "账目公开" and accounts.comments.count() == 3


def test_an_inspector_is_refused(client, reviewed, regions):
    draft, accounts, *_ = reviewed
    client.force_login(UserFactory(role=Role.INSPECTOR, jurisdiction_id="110000"))
    for url in _screens(draft, accounts):
        _assert_refused(client.get(url), url)


def test_a_missing_theme_or_draft_is_404(client, reviewed, beijing_legislator):
    client.force_login(beijing_legislator)
    assert client.get(reverse("consultations_admin:review_theme", args=[999999])).status_code == 404
    assert client.get(reverse("consultations_admin:review", args=[999999])).status_code == 404


def test_the_themes_overview_shows_sizes_stances_articles_and_decisions(client, reviewed, beijing_legislator):
    # given
    draft, accounts, purpose, comments, article = reviewed
    decide_theme(theme=purpose, decision=Decision.NOT_ADOPTED, reason="已有规定", user=beijing_legislator)
    client.force_login(beijing_legislator)

    # when
    response = client.get(reverse("consultations_admin:review", args=[draft.pk]))

    # then
    assert response.status_code == 200
    rows = {o.theme.pk: o for o, _segments in response.context["rows"]}
    assert (rows[accounts.pk].size, rows[accounts.pk].weighted) == (3, 3)
    assert rows[accounts.pk].stances == {"support": 0, "oppose": 1, "amend": 2, "unstated": 0}
    assert [(p.pk, n) for p, n in rows[accounts.pk].top_articles] == [(article.pk, 3)]
    assert [c.pk for c in rows[accounts.pk].representatives] == [comments[0].pk, comments[1].pk, comments[2].pk]
    html = response.content.decode()
    assert f'data-theme="{purpose.pk}"' in html and 'data-decision="not_adopted"' in html
    assert "账目、公开" in html  # the distinctive terms
    assert html.count("<svg") >= 3  # stance bars, sizes, time
    assert [n for _bar, (_s, _e, n) in response.context["timeline"]] == [5]


def test_the_theme_page_lists_members_and_records_a_decision(client, reviewed, beijing_legislator):
    # given
    draft, accounts, _purpose, comments, article = reviewed
    client.force_login(beijing_legislator)
    url = reverse("consultations_admin:review_theme", args=[accounts.pk])

    # when
    page = client.get(url)
    response = client.post(
        reverse("consultations_admin:decide", args=[accounts.pk]),
        {
            f"t{accounts.pk}-decision": "partly_adopted",
            f"t{accounts.pk}-reason": "增加公开账目的规定。",
            f"t{accounts.pk}-adopted_in": article.pk,
            "next": url,
        },
    )

    # then
    assert page.status_code == 200
    assert [row.comment.pk for row in page.context["members"]] == [c.pk for c in comments[:3]]
    assert response.status_code == 302 and response.url == url
    accounts.refresh_from_db()
    assert (accounts.decision, accounts.adopted_in, accounts.decided_by) == (
        Decision.PARTLY_ADOPTED,
        article,
        beijing_legislator,
    )
    assert 'data-decision="partly_adopted"' in client.get(url).content.decode()


def test_decide_does_not_redirect_off_site(client, reviewed, beijing_legislator):
    _draft, accounts, *_ = reviewed
    client.force_login(beijing_legislator)
    response = client.post(
        reverse("consultations_admin:decide", args=[accounts.pk]),
        {f"t{accounts.pk}-decision": "adopted", f"t{accounts.pk}-reason": "采纳", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and not response.url.startswith("https://evil.example")


def test_rename_merge_split_and_remove_from_the_theme_page(client, reviewed, beijing_legislator):
    draft, accounts, purpose, comments, _article = reviewed
    client.force_login(beijing_legislator)

    # rename
    client.post(reverse("consultations_admin:rename_theme", args=[accounts.pk]), {"title": "物业账目公开"})
    accounts.refresh_from_db()
    assert accounts.title == "物业账目公开"

    # split the opposing comment off
    response = client.post(
        reverse("consultations_admin:split_theme", args=[accounts.pk]),
        {"title": "业主负担", "comments": [comments[2].pk], "confirm": "1"},
    )
    new = Theme.objects.get(draft=draft, title="业主负担")
    assert response.url == reverse("consultations_admin:review_theme", args=[new.pk])
    assert list(new.comments.values_list("pk", flat=True)) == [comments[2].pk]
    assert new.decision == Decision.PENDING

    # remove a member
    client.post(
        reverse("consultations_admin:remove_member", args=[accounts.pk]), {"comment": comments[1].pk, "confirm": "1"}
    )
    assert list(accounts.comments.values_list("pk", flat=True)) == [comments[0].pk]

    # merge the split-off theme into the purpose theme
    response = client.post(
        reverse("consultations_admin:merge_theme", args=[new.pk]), {"target": purpose.pk, "confirm": "1"}
    )
    assert response.url == reverse("consultations_admin:review_theme", args=[purpose.pk])
    assert not Theme.objects.filter(pk=new.pk).exists()
    assert sorted(purpose.comments.values_list("pk", flat=True)) == sorted(c.pk for c in comments[2:])

    # the theme's history names who did what
    html = client.get(reverse("consultations_admin:review_theme", args=[accounts.pk])).content.decode()
    assert html.count(beijing_legislator.email) >= 3


def test_invalid_writes_change_nothing(client, reviewed, make_draft, beijing_legislator):
    draft, accounts, purpose, comments, _article = reviewed
    other_draft_theme = create_theme(draft=make_draft(), title="别处", comments=[], user=beijing_legislator)
    client.force_login(beijing_legislator)

    client.post(reverse("consultations_admin:rename_theme", args=[accounts.pk]), {"title": ""})
    client.post(reverse("consultations_admin:merge_theme", args=[accounts.pk]), {"target": other_draft_theme.pk})
    client.post(reverse("consultations_admin:merge_theme", args=[accounts.pk]), {"target": accounts.pk})
    client.post(
        reverse("consultations_admin:split_theme", args=[accounts.pk]),
        {"title": "全部", "comments": [c.pk for c in comments[:3]]},
    )
    client.post(reverse("consultations_admin:split_theme", args=[accounts.pk]), {"title": "x", "comments": ["abc"]})
    response = client.post(reverse("consultations_admin:remove_member", args=[accounts.pk]), {"comment": "x"})

    assert response.status_code == 404
    accounts.refresh_from_db()
    assert accounts.title == "账目公开" and accounts.comments.count() == 3
    assert Theme.objects.filter(draft=draft).count() == 2


def test_the_members_list_is_paginated(client, reviewed, beijing_legislator):
    # given a theme of 55 comments
    draft, accounts, *_ = reviewed
    extra = Comment.objects.bulk_create(
        Comment(draft=draft, text=f"第{i}条补充意见", text_hash=f"h{i}", stance=Stance.AMEND, status="published")
        for i in range(52)
    )
    ThemeMembership.objects.bulk_create(ThemeMembership(theme=accounts, comment=c) for c in extra)
    client.force_login(beijing_legislator)
    url = reverse("consultations_admin:review_theme", args=[accounts.pk])

    # when
    first, second = client.get(url), client.get(url, {"page": "2"})

    # then the closest members come first and every member is on one page
    assert len(first.context["members"]) == 50 and len(second.context["members"]) == 5
    shown = [row.comment.pk for row in first.context["members"]] + [row.comment.pk for row in second.context["members"]]
    assert sorted(shown) == sorted(accounts.comments.values_list("pk", flat=True))
    assert shown[0] == reviewed[3][0].pk


def test_the_articles_view_counts_each_article_with_its_themes(client, reviewed, beijing_legislator):
    draft, accounts, purpose, comments, article_3 = reviewed
    client.force_login(beijing_legislator)

    response = client.get(reverse("consultations_admin:review_articles", args=[draft.pk]))

    assert response.status_code == 200
    rows = {o.provision.number: o for o, _segments in response.context["rows"]}
    assert (rows[3].comments, rows[3].weighted, rows[3].from_campaigns) == (3, 3, 0)
    assert rows[3].stances == {"support": 0, "oppose": 1, "amend": 2, "unstated": 0}
    assert [(t.pk, n) for t, n in rows[3].themes] == [(accounts.pk, 3)]
    assert [(t.pk, n) for t, n in rows[1].themes] == [(purpose.pk, 2)]
    assert rows[3].quotes[0].pk == comments[0].pk
    assert set(rows) == {1, 3}
    html = response.content.decode()
    assert re.search(rf'data-provision="{article_3.pk}"', html)


def test_the_clustering_button_passes_k_and_full_and_validates_them(client, reviewed, beijing_legislator, monkeypatch):
    # given a clustering job that records how it is started
    from consultations import clustering_job

    draft, *_ = reviewed
    calls = []

    def start_clustering(**kwargs):
        calls.append(kwargs)
        return True

    monkeypatch.setattr(clustering_job, "start_clustering", start_clustering)
    client.force_login(beijing_legislator)
    url = reverse("consultations_admin:cluster", args=[draft.pk])

    # when
    assert b"cluster-form" in client.get(reverse("consultations_admin:review", args=[draft.pk])).content
    client.post(url, {"k": "7", "full": "on"})
    client.post(url, {})
    client.post(url, {"k": "1"})
    client.post(url, {"k": "many"})

    # then only the valid requests ran, with their options
    assert [(c["draft"].pk, c["k"], c["full"]) for c in calls] == [(draft.pk, 7, True), (draft.pk, None, False)]
    assert client.get(url).status_code == 405


def test_comments_on_an_earlier_version_count_for_the_article_that_descends_from_it(
    client, reviewed, beijing_legislator
):
    # given a second reading that inserts an article, so the old 第三条 becomes 第四条
    from consultations.services import import_version
    from tests.consultations.conftest import SAMPLE

    draft, accounts, _purpose, comments, old_article_3 = reviewed
    second = SAMPLE.replace("第三条 业主", "第三条 物业服务人应当公开服务标准。\n\n第四条 业主").replace(
        "第四条 业主应当遵守", "第五条 业主应当遵守"
    )
    version = import_version(draft=draft, label="二审稿", text=second)
    new_article_4 = version.provisions.get(kind="article", number=4)
    assert new_article_4.predecessor_id == old_article_3.pk
    client.force_login(beijing_legislator)

    # when
    response = client.get(reverse("consultations_admin:review_articles", args=[draft.pk]))

    # then the three comments on the old 第三条 are counted for the new 第四条
    rows = {o.provision.pk: o for o, _segments in response.context["rows"]}
    assert rows[new_article_4.pk].comments == 3 and rows[new_article_4.pk].current
    assert [(t.pk, n) for t, n in rows[new_article_4.pk].themes] == [(accounts.pk, 3)]
    assert old_article_3.pk not in rows
