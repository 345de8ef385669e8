"""E-mail notifications: at once or in one daily digest, no mail for a rejected comment, a signed
one-click unsubscribe, every mail in Chinese with the site's name, sent after commit."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from consultations.models import Decision, Stance
from consultations.services import (
    create_theme,
    decide_theme,
    import_version,
    publish_report,
    reject_comment,
    submit_comment,
)
from participation import services
from participation.models import Frequency, Notification
from petitions import services as petition_services
from petitions.models import Petition, PetitionStatus
from tests.consultations.conftest import SAMPLE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _close(draft):
    draft.closes_at = timezone.now() - timedelta(days=1)
    draft.opens_at = timezone.now() - timedelta(days=40)
    draft.save()


@pytest.fixture
def decided(make_draft, beijing_legislator, django_capture_on_commit_callbacks):
    """Alice's comment is in a theme; Bob's comment in the same theme was rejected."""
    draft = make_draft()
    alice, bob = UserFactory(), UserFactory()
    kept = submit_comment(draft=draft, author=alice, text="应当保障业主的知情权。", stance=Stance.AMEND)
    spam = submit_comment(draft=draft, author=bob, text="推销广告，与草案无关。", stance=Stance.SUPPORT)
    reject_comment(comment=spam, moderator=beijing_legislator, reason="广告")
    _close(draft)
    theme = create_theme(draft=draft, title="业主知情权", comments=[kept, spam], user=beijing_legislator)
    return draft, theme, alice, bob


def test_a_decision_on_my_comments_theme_is_mailed_at_once_and_not_to_a_rejected_author(
    decided, beijing_legislator, django_capture_on_commit_callbacks
):
    # given
    draft, theme, alice, bob = decided
    mail.outbox.clear()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        decide_theme(theme=theme, decision=Decision.ADOPTED, reason="采纳。", user=beijing_legislator)

    # then
    assert [m.to for m in mail.outbox] == [[alice.email]]
    message = mail.outbox[0]
    assert "阳光 Sunshine" in message.subject and "你的意见所在主题已有处理决定" in message.subject
    assert draft.title in message.body and "您好，这里是阳光 Sunshine。" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert not Notification.objects.filter(user=bob).exists()


def test_nothing_leaves_before_commit(decided, beijing_legislator, django_capture_on_commit_callbacks):
    draft, theme, alice, bob = decided
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decide_theme(theme=theme, decision=Decision.ADOPTED, reason="采纳。", user=beijing_legislator)

    assert mail.outbox == [] and len(callbacks) >= 1


def test_a_digest_groups_several_events_in_one_mail(decided, beijing_legislator, django_capture_on_commit_callbacks):
    # given: Alice chose the daily digest and follows the draft
    draft, theme, alice, bob = decided
    services.set_frequency(user=alice, frequency=Frequency.DAILY)
    services.follow(user=alice, subject="consultations.draft", object_id=draft.pk)
    mail.outbox.clear()

    # when: a decision, the report, a new reading
    with django_capture_on_commit_callbacks(execute=True):
        decide_theme(theme=theme, decision=Decision.NOT_ADOPTED, reason="与上位法冲突。", user=beijing_legislator)
        publish_report(draft=draft, user=beijing_legislator)
        import_version(draft=draft, label="二审稿", text=SAMPLE)
    assert mail.outbox == []
    sent = services.send_digests()

    # then
    assert sent == 1 and len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [alice.email] and "3" in digest.subject and "阳光 Sunshine" in digest.subject
    for words in ("你的意见所在主题已有处理决定", "意见处理情况报告已公布", "草案有了新的审议稿"):
        assert words in digest.body
    assert services.send_digests() == 0  # nothing twice


def test_followers_of_a_draft_hear_of_a_new_reading(make_draft, django_capture_on_commit_callbacks):
    draft = make_draft()
    follower, _other = UserFactory(), UserFactory()
    services.follow(user=follower, subject="consultations.draft", object_id=draft.pk)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        import_version(draft=draft, label="二审稿", text=SAMPLE)

    assert [m.to for m in mail.outbox] == [[follower.email]]


def test_a_petition_response_reaches_its_followers(regions, citizen, django_capture_on_commit_callbacks):
    staff = UserFactory(role=Role.LEGISLATOR, jurisdiction_id="110000")
    now = timezone.now()
    petition = Petition.objects.create(
        creator=citizen,
        title="为地铁站配建无障碍电梯",
        action="请在三年内为本市所有地铁站至少一个出入口配建无障碍电梯。",
        region_id="110000",
        status=PetitionStatus.OPEN,
        sponsor_token=secrets.token_urlsafe(32),
        opened_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=150),
        signature_count=12_000,
        response_threshold_reached_at=now - timedelta(days=10),
        response_due_on=(now + timedelta(days=8)).date(),
    )
    follower = UserFactory()
    services.follow(user=follower, subject="petitions.petition", object_id=petition.pk)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        petition_services.publish_response(petition=petition, user=staff, text="市交通委员会已制定三年行动计划。" * 4)

    assert [m.to for m in mail.outbox] == [[follower.email]]  # the creator is told as a signer, when opted in
    assert "请愿已有答复" in mail.outbox[0].subject


def test_the_unsubscribe_link_is_signed_and_stops_every_mail(decided, client, beijing_legislator):
    draft, theme, alice, bob = decided
    link = reverse("participation:unsubscribe", args=[services.unsubscribe_token(alice.pk)])
    tampered = reverse("participation:unsubscribe", args=[services.unsubscribe_token(alice.pk)[:-2] + "xx"])
    forged = reverse("participation:unsubscribe", args=[str(alice.pk)])

    assert client.get(tampered).status_code == 404
    assert client.post(forged).status_code == 404
    assert services.frequency_of(alice) == Frequency.IMMEDIATE
    assert client.get(link).status_code == 200  # one button, no change yet
    assert services.frequency_of(alice) == Frequency.IMMEDIATE
    response = client.post(link)

    assert response.status_code == 200 and "不会再收到" in response.content.decode()
    assert services.frequency_of(alice) == Frequency.NEVER
    mail.outbox.clear()
    decide_theme(theme=theme, decision=Decision.ADOPTED, reason="采纳。", user=beijing_legislator)
    assert mail.outbox == []
