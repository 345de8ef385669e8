"""Decisions that can't go wrong: no decision form before the window closes, 待处理 by default,
destructive theme actions confirmed first and undone from the theme's history."""

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from consultations import services
from consultations.forms import DecisionForm
from consultations.models import Decision, Theme, ThemeMembership
from tests.consultations.test_review_views import reviewed  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_no_decision_form_on_an_open_draft(client, make_draft, beijing_legislator):
    draft = make_draft()
    assert draft.status == "open"
    theme = services.create_theme(draft=draft, title="账目公开", comments=[], user=beijing_legislator)
    client.force_login(beijing_legislator)

    for url in (
        reverse("consultations_admin:review_theme", args=[theme.pk]),
        reverse("consultations_admin:themes", args=[draft.pk]),
    ):
        html = client.get(url).content.decode()
        assert 'data-testid="decide-later"' in html
        assert timezone.localtime(draft.closes_at).strftime("%Y-%m-%d %H:%M") in html
        assert reverse("consultations_admin:decide", args=[theme.pk]) not in html


def test_the_decision_form_defaults_to_pending(client, reviewed, beijing_legislator):  # noqa: F811
    draft, accounts, *_ = reviewed
    form = DecisionForm(draft=draft, prefix="t1")
    assert form["decision"].value() == Decision.PENDING
    assert [value for value, _label in form.fields["decision"].choices][0] == Decision.PENDING

    client.force_login(beijing_legislator)
    html = client.get(reverse("consultations_admin:review_theme", args=[accounts.pk])).content.decode()
    assert '<option value="pending" selected>' in html
    assert '<option value="adopted" selected>' not in html

    # sending the form as it came records nothing
    client.post(
        reverse("consultations_admin:decide", args=[accounts.pk]),
        {f"t{accounts.pk}-decision": "pending", f"t{accounts.pk}-reason": "理由"},
    )
    accounts.refresh_from_db()
    assert accounts.decision == Decision.PENDING


def test_merge_without_confirm_shows_what_changes_and_changes_nothing(client, reviewed, beijing_legislator):  # noqa: F811
    draft, accounts, purpose, comments, _article = reviewed
    client.force_login(beijing_legislator)

    response = client.post(reverse("consultations_admin:merge_theme", args=[accounts.pk]), {"target": purpose.pk})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="confirm"' in html and "账目公开" in html and "立法目的" in html
    assert 'name="confirm"' in html and f'name="target" value="{purpose.pk}"' in html
    assert Theme.objects.filter(pk=accounts.pk).exists()
    assert accounts.comments.count() == 3 and purpose.comments.count() == 2


def test_merge_with_confirm_merges_and_undo_restores_theme_members_and_decision(client, reviewed, beijing_legislator):  # noqa: F811
    draft, accounts, purpose, comments, _article = reviewed
    services.decide_theme(theme=accounts, decision=Decision.PARTLY_ADOPTED, reason="部分采纳", user=beijing_legislator)
    ThemeMembership.objects.create(theme=purpose, comment=comments[0], similarity=0.5)  # in both themes
    client.force_login(beijing_legislator)

    response = client.post(
        reverse("consultations_admin:merge_theme", args=[accounts.pk]), {"target": purpose.pk, "confirm": "1"}
    )

    assert response.status_code == 302
    assert not Theme.objects.filter(pk=accounts.pk).exists()
    assert set(purpose.comments.values_list("pk", flat=True)) == {c.pk for c in comments}

    # the history of the merged-into theme offers 撤销
    html = client.get(reverse("consultations_admin:review_theme", args=[purpose.pk])).content.decode()
    assert 'data-testid="undo"' in html
    entry = ModelLogEntry.objects.for_instance(purpose).get(action=services.THEME_MERGED)
    response = client.post(reverse("consultations_admin:undo_theme", args=[purpose.pk, entry.pk]))

    restored = Theme.objects.get(draft=draft, title="账目公开")
    assert response.status_code == 302 and response.url.endswith(f"/{restored.pk}/")
    assert restored.decision == Decision.PARTLY_ADOPTED and restored.reason == "部分采纳"
    assert restored.terms == ["账目", "公开"]
    assert set(restored.comments.values_list("pk", flat=True)) == {c.pk for c in comments[:3]}
    assert restored.memberships.get(comment=comments[0]).similarity == pytest.approx(0.9)
    # the purpose theme is as before: its own two, and comment 0 which it had before the merge
    assert set(purpose.comments.values_list("pk", flat=True)) == {comments[0].pk, comments[3].pk, comments[4].pk}

    # undone once only
    client.post(reverse("consultations_admin:undo_theme", args=[purpose.pk, entry.pk]))
    assert Theme.objects.filter(draft=draft, title="账目公开").count() == 1
    html = client.get(reverse("consultations_admin:review_theme", args=[purpose.pk])).content.decode()
    assert 'data-testid="undo"' not in html


def test_remove_member_confirms_and_its_undo_restores_the_membership(client, reviewed, beijing_legislator):  # noqa: F811
    draft, accounts, purpose, comments, _article = reviewed
    client.force_login(beijing_legislator)
    url = reverse("consultations_admin:remove_member", args=[accounts.pk])

    response = client.post(url, {"comment": comments[1].pk})
    assert response.status_code == 200 and 'data-testid="confirm"' in response.content.decode()
    assert accounts.comments.filter(pk=comments[1].pk).exists()

    client.post(url, {"comment": comments[1].pk, "confirm": "1"})
    assert not accounts.comments.filter(pk=comments[1].pk).exists()

    entry = ModelLogEntry.objects.for_instance(accounts).get(action=services.THEME_MEMBER_REMOVED)
    client.post(reverse("consultations_admin:undo_theme", args=[accounts.pk, entry.pk]))
    assert accounts.memberships.get(comment=comments[1]).similarity == pytest.approx(0.8)


def test_split_confirms_and_its_undo_moves_the_comments_back(client, reviewed, beijing_legislator):  # noqa: F811
    draft, accounts, purpose, comments, _article = reviewed
    client.force_login(beijing_legislator)
    url = reverse("consultations_admin:split_theme", args=[accounts.pk])
    data = {"title": "季度公开", "comments": [comments[1].pk]}

    response = client.post(url, data)
    assert response.status_code == 200 and "季度公开" in response.content.decode()
    assert not Theme.objects.filter(title="季度公开").exists()

    client.post(url, {**data, "confirm": "1"})
    new = Theme.objects.get(title="季度公开")
    entry = ModelLogEntry.objects.for_instance(accounts).get(action=services.THEME_SPLIT)
    client.post(reverse("consultations_admin:undo_theme", args=[accounts.pk, entry.pk]))
    assert not Theme.objects.filter(pk=new.pk).exists()
    assert accounts.comments.count() == 3
