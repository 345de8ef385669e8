"""The signed-in page "my participation": my comments with their receipts, my petitions and signatures,
following a draft or a petition."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Decision, Stance
from consultations.services import create_theme, decide_theme, submit_comment
from participation.models import Follow
from petitions.models import Petition, PetitionStatus, Signature
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _petition(creator, title):
    now = timezone.now()
    return Petition.objects.create(
        creator=creator,
        title=title,
        action="请在三年内为本市所有地铁站至少一个出入口配建无障碍电梯。",
        region_id="110000",
        status=PetitionStatus.OPEN,
        sponsor_token=secrets.token_urlsafe(32),
        opened_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=150),
    )


def test_my_page_lists_my_comments_with_receipts_my_petitions_and_signatures(
    client, make_draft, beijing_legislator, regions
):
    # given
    draft = make_draft()
    me, someone = UserFactory(), UserFactory()
    article = draft.current_version.provisions.get(kind="article", number=3)
    mine = submit_comment(draft=draft, author=me, provision=article, text="应当保障业主的知情权。", stance=Stance.AMEND)
    submit_comment(draft=draft, author=someone, text="别人的意见，不应出现。", stance=Stance.SUPPORT)
    draft.opens_at, draft.closes_at = timezone.now() - timedelta(days=40), timezone.now() - timedelta(days=1)
    draft.save()
    theme = create_theme(draft=draft, title="业主知情权", comments=[mine], user=beijing_legislator)
    decide_theme(theme=theme, decision=Decision.ADOPTED, reason="采纳。", adopted_in=article, user=beijing_legislator)
    _petition(me, "我发起的请愿")
    signed = _petition(someone, "我签名的请愿")
    Signature.objects.create(
        petition=signed, name="我", email=me.email, region_id="110000", token_digest="x" * 64, network_digest="y"
    )
    client.force_login(me)

    # when
    page = client.get(reverse("participation:mine")).content.decode()

    # then
    assert "我的参与" in page and draft.title in page
    assert "应当保障业主的知情权" in page and "别人的意见" not in page
    assert "业主知情权" in page and "采纳" in page and "第三条" in page
    assert "我发起的请愿" in page and "我签名的请愿" in page


def test_my_page_asks_a_visitor_to_sign_in(client):
    response = client.get(reverse("participation:mine"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_follow_and_unfollow_a_draft_from_its_page(client, make_draft, citizen):
    draft = make_draft()
    client.force_login(citizen)
    assert 'data-testid="follow"' in client.get(draft.url).content.decode()

    client.post(
        reverse("participation:follow"), {"subject": "consultations.draft", "object_id": draft.pk, "next": draft.url}
    )
    assert Follow.objects.filter(user=citizen, object_id=draft.pk).exists()
    assert 'data-testid="unfollow"' in client.get(draft.url).content.decode()
    assert draft.title in client.get(reverse("participation:mine")).content.decode()

    client.post(
        reverse("participation:follow"),
        {"subject": "consultations.draft", "object_id": draft.pk, "action": "unfollow"},
    )
    assert not Follow.objects.filter(user=citizen).exists()


def test_following_something_unknown_is_refused(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("participation:follow"), {"subject": "nothing.here", "object_id": 1})
    assert response.status_code == 404 and not Follow.objects.exists()


def test_follow_a_petition(client, regions, citizen):
    petition = _petition(UserFactory(), "为地铁站配建无障碍电梯")
    client.force_login(citizen)
    page = reverse("petitions:detail", args=[petition.pk])
    assert 'data-testid="follow"' in client.get(page).content.decode()
    response = client.post(
        reverse("participation:follow"), {"subject": "petitions.petition", "object_id": petition.pk, "next": page}
    )
    assert response.status_code == 302 and response["Location"] == page
    assert Follow.objects.filter(user=citizen, subject="petitions.petition", object_id=petition.pk).exists()


def test_the_allauth_mail_carries_the_site_name(client, regions):
    from django.core import mail

    client.post(
        reverse("account_signup"),
        {"email": "new@example.cn", "password1": "sunshine-demo-2026!x", "password2": "sunshine-demo-2026!x"},
    )
    assert mail.outbox, "no verification mail"
    body = mail.outbox[-1].body
    assert "127.0.0.1" not in body.splitlines()[0] and "testserver" not in body.splitlines()[0]
    assert "阳光 Sunshine" in body.splitlines()[0]
