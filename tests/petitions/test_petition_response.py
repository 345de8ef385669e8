"""The petition answer loop: the response clock, the staff screen, signers told by e-mail, overdue and escalation."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.digests import keyed_digest
from petitions import services
from petitions.models import Petition, PetitionStatus, Signature
from petitions.response_clock import add_months
from regions.models import Region
from tests.factories import UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
CROSSED = datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)
OPTED_IN = 620  # more than one batch of 500


@pytest.fixture
def staff(regions):
    return UserFactory(role=Role.LEGISLATOR, jurisdiction_id="110000", display_name="陈立法")


@pytest.fixture
def open_petition(regions, citizen):
    return Petition.objects.create(
        creator=citizen,
        title="为地铁站出入口全部配建无障碍电梯",
        action="请在三年内为本市所有地铁站至少一个出入口配建无障碍电梯，并公开建设进度。",
        region_id="110000",
        status=PetitionStatus.OPEN,
        sponsor_token=secrets.token_urlsafe(32),
        opened_at=CROSSED - timezone.timedelta(days=20),
        closes_at=CROSSED + timezone.timedelta(days=160),
    )


def _bulk_sign(petition: Petition, count: int, *, opted_in: int) -> None:
    """`count` confirmed signatures in a few INSERTs; the first `opted_in` asked to be told by e-mail."""
    region = Region.objects.get(code="110105")
    now = timezone.now()
    Signature.objects.bulk_create(
        [
            Signature(
                petition=petition,
                name=f"签名人{n}",
                email=f"signer{n}@example.cn",
                email_domain="example.cn",
                region=region,
                token_digest=keyed_digest("signature-token", f"bulk-{n}"),
                network_digest="bulk",
                confirmed_at=now,
                notify_by_email=n < opted_in,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    Petition.objects.filter(pk=petition.pk).update(signature_count=count)


def _sign_and_confirm(petition: Petition, n: int, *, notify: bool):
    pending = services.sign(
        petition=petition,
        name=f"最后签名人{n}",
        email=f"last{n}@example.org",
        region=Region.objects.get(code="110105"),
        network="198.51.100.7",
        notify_by_email=notify,
    )
    services.confirm_signature(pending.token)


@pytest.fixture
def crossed(open_petition, django_capture_on_commit_callbacks):
    """The petition crosses 10,000 signatures by the real path: the 10,000th signer signs and confirms."""
    _bulk_sign(open_petition, 9_999, opted_in=OPTED_IN - 1)
    UserFactory(role=Role.LEGISLATOR, jurisdiction_id="110000", email="threshold@example.cn")
    with time_machine.travel(CROSSED, tick=False), django_capture_on_commit_callbacks(execute=True):
        _sign_and_confirm(open_petition, 1, notify=True)
    open_petition.refresh_from_db()
    staff_mail = next(m for m in mail.outbox if "threshold@example.cn" in m.to)
    assert "2026-06-10" in staff_mail.body and f"/petitions/{open_petition.pk}/respond/" in staff_mail.body
    mail.outbox.clear()
    return open_petition


def test_add_months_keeps_the_day_or_takes_the_month_end():
    assert add_months(date(2026, 3, 10), 3) == date(2026, 6, 10)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)


def test_crossing_the_response_threshold_starts_the_clock(crossed):
    # given a petition whose 10,000th signature was just confirmed (fixture)
    # then the threshold is stamped and the response is due three months later
    assert crossed.signature_count == 10_000
    assert crossed.response_threshold_reached_at is not None
    assert crossed.response_due_on == date(2026, 6, 10)
    assert crossed.debate_threshold_reached_at is None
    assert crossed.awaits_response and not crossed.has_response


def test_the_clock_is_a_setting(open_petition, settings, django_capture_on_commit_callbacks):
    settings.PETITIONS = {"response_threshold": 3, "response_months": 1}
    with time_machine.travel(CROSSED, tick=False), django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            _sign_and_confirm(open_petition, n, notify=False)
    open_petition.refresh_from_db()
    assert open_petition.response_due_on == date(2026, 4, 10)


def test_staff_publish_the_response_and_opted_in_signers_are_told(
    client, crossed, staff, django_capture_on_commit_callbacks, settings
):
    # given the staff screen with the petition's figures
    client.force_login(staff)
    with time_machine.travel(datetime(2026, 4, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        screen = client.get(reverse("petitions:respond", args=[crossed.pk]))
    assert screen.status_code == 200
    page = screen.content.decode()
    assert 'data-testid="signature-count">10000<' in page and "2026-06-10" in page and "2026-03-10" in page
    assert f'data-testid="notify-count">{OPTED_IN}<' in page  # signers who asked to be told
    assert "北京市" in page  # signatures by region

    # when they save a draft, nothing is published and nobody is told
    text = (
        "市交通委员会已制定三年行动计划：2027年底前所有地铁站至少一个出入口配建无障碍电梯，建设进度每季度在官网公开。"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("petitions:respond", args=[crossed.pk]), {"action": "draft", "text": text})
    crossed.refresh_from_db()
    assert crossed.response_draft == text and not crossed.has_response and mail.outbox == []

    # when they publish it
    with CaptureQueriesContext(connection) as request_queries, django_capture_on_commit_callbacks() as callbacks:
        answer = client.post(reverse("petitions:respond", args=[crossed.pk]), {"action": "publish", "text": text})
    assert answer.status_code == 302
    assert len(request_queries) < 30  # the request never walks the signers
    assert mail.outbox == []  # nothing is sent before commit
    for callback in callbacks:
        callback()

    # then the response is public and exactly the opted-in signers got one mail each, with an unsubscribe link
    crossed.refresh_from_db()
    assert crossed.has_response and crossed.response_published_by == staff and crossed.response_draft == ""
    recipients = sorted(address for message in mail.outbox for address in message.to)
    opted_in = sorted(Signature.objects.filter(petition=crossed, notify_by_email=True).values_list("email", flat=True))
    assert recipients == opted_in and len(recipients) == OPTED_IN
    assert "last1@example.org" in recipients and "signer700@example.cn" not in recipients
    message = next(m for m in mail.outbox if m.to == ["signer0@example.cn"])
    assert settings.WAGTAIL_SITE_NAME in message.subject and crossed.title in message.subject
    assert text in message.body and "签名人0" in message.body
    unsubscribe = re.search(r"http\S+/petitions/unsubscribe/(\S+)/", message.body)
    assert unsubscribe and message.extra_headers["List-Unsubscribe"].startswith("<http")

    public = client.get(reverse("petitions:detail", args=[crossed.pk])).content.decode()
    assert text in public and 'data-testid="government-response"' in public

    # and a second publication is refused
    again = client.post(reverse("petitions:respond", args=[crossed.pk]), {"action": "publish", "text": text})
    assert again.status_code == 400
    crossed.refresh_from_db()
    assert crossed.government_response == text


def test_signers_are_mailed_in_batches(crossed, staff, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.PETITIONS = {"notify_batch_size": 200}
    batches = []

    class Spy:
        def enqueue(self, *args):
            batches.append(args)
            return original.enqueue(*args)

    original = services.send_update_batch
    monkeypatch.setattr(services, "send_update_batch", Spy())
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_response(petition=crossed, user=staff, text="答复" * 40)
    assert len(batches) == 4  # 620 signers in batches of 200
    assert len(mail.outbox) == OPTED_IN


def test_the_unsubscribe_link_stops_the_mails(client, crossed, staff, django_capture_on_commit_callbacks):
    token = services.unsubscribe_token(Signature.objects.get(email="signer0@example.cn").pk)
    assert client.get(reverse("petitions:unsubscribe", args=[token])).status_code == 200
    assert Signature.objects.get(email="signer0@example.cn").notify_by_email  # a GET changes nothing
    done = client.post(reverse("petitions:unsubscribe", args=[token]))
    assert done.status_code == 200 and crossed.title in done.content.decode()
    assert client.post(reverse("petitions:unsubscribe", args=["forged"])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_response(petition=crossed, user=staff, text="答复" * 40)
    recipients = {address for message in mail.outbox for address in message.to}
    assert "signer0@example.cn" not in recipients and len(recipients) == OPTED_IN - 1


def test_a_response_is_refused_before_the_threshold_and_when_too_short(client, open_petition, staff):
    client.force_login(staff)
    url = reverse("petitions:respond", args=[open_petition.pk])
    assert "Publish" not in client.get(url).content.decode()
    with pytest.raises(services.ValidationError):
        services.publish_response(petition=open_petition, user=staff, text="答复" * 40)
    Petition.objects.filter(pk=open_petition.pk).update(response_threshold_reached_at=timezone.now())
    short = client.post(url, {"action": "publish", "text": "已收到。"})
    assert short.status_code == 400 and "50" in short.content.decode()


def test_only_staff_of_the_region_may_respond(client, crossed, citizen, regions):
    url = reverse("petitions:respond", args=[crossed.pk])
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(role=Role.INSPECTOR, jurisdiction_id="110000"))
    assert client.get(url).status_code == 403
    hebei = UserFactory(role=Role.LEGISLATOR, jurisdiction_id="130600")
    client.force_login(hebei)
    assert client.get(url).status_code == 403
    assert crossed.title not in client.get(reverse("petitions:responses")).content.decode()
    with pytest.raises(services.PermissionDenied):
        services.publish_response(petition=crossed, user=hebei, text="答复" * 40)


def test_the_consideration_past_the_debate_threshold(client, crossed, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    url = reverse("petitions:respond", args=[crossed.pk])
    assert "considered_on" not in client.get(url).content.decode()  # not past 100,000
    Petition.objects.filter(pk=crossed.pk).update(debate_threshold_reached_at=CROSSED)
    with time_machine.travel(datetime(2026, 5, 20, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert "considered_on" in client.get(url).content.decode()
        future = client.post(
            url, {"action": "consideration", "considered_on": "2026-06-01", "summary": "常委会会议审议了该请愿。" * 3}
        )
        assert future.status_code == 400
        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(
                url,
                {
                    "action": "consideration",
                    "considered_on": "2026-05-18",
                    "summary": "市人大常委会第二十次会议审议了该请愿，要求市政府在年底前提交专项报告。",
                    "url": "https://www.bjrd.gov.cn/example",
                },
            )
    assert done.status_code == 302
    crossed.refresh_from_db()
    assert crossed.considered_on == date(2026, 5, 18) and crossed.consideration_recorded_by == staff
    assert len(mail.outbox) == OPTED_IN and "专项报告" in mail.outbox[0].body
    public = client.get(reverse("petitions:detail", args=[crossed.pk])).content.decode()
    assert "2026-05-18" in public and "https://www.bjrd.gov.cn/example" in public


@pytest.mark.parametrize(
    ("today", "level"),
    [
        (date(2026, 6, 1), "none"),
        (date(2026, 6, 8), "reminder"),
        (date(2026, 6, 11), "yellow"),
        (date(2026, 6, 18), "red"),
    ],
)
def test_the_response_escalates_like_a_task(crossed, today, level):
    services.refresh_response_escalations(today)
    crossed.refresh_from_db()
    assert crossed.response_escalation == level


def test_staff_are_told_once_per_level(crossed, staff, django_capture_on_commit_callbacks):
    told = []
    for today in [date(2026, 6, 8), date(2026, 6, 9), date(2026, 6, 11), date(2026, 6, 12), date(2026, 6, 18)]:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.refresh_response_escalations(today)
        told.append(len([m for m in mail.outbox if staff.email in m.to]))
    assert told == [1, 0, 1, 0, 1]  # reminder, yellow, red: once each


def test_an_answered_petition_never_escalates(crossed, staff):
    services.publish_response(petition=crossed, user=staff, text="答复" * 40)
    assert services.refresh_response_escalations(date(2026, 7, 1)) == []
    crossed.refresh_from_db()
    assert crossed.response_escalation == "none"


def test_overdue_shows_on_the_page_and_on_the_staff_list(client, crossed, staff):
    # the page tells the level as of today, without waiting for the hourly job
    with time_machine.travel(datetime(2026, 6, 20, 10, 0, tzinfo=SHANGHAI), tick=False):
        public = client.get(reverse("petitions:detail", args=[crossed.pk])).content.decode()
        client.force_login(staff)
        staff_list = client.get(reverse("petitions:responses")).content.decode()
    assert 'data-testid="response-overdue"' in public and "2026-06-10" in public and "esc-red" in public
    assert "已逾期 10 天" in public
    assert crossed.title in staff_list and "esc-red" in staff_list and "escalation-red" in staff_list


def test_before_the_due_date_the_page_says_when(client, crossed):
    with time_machine.travel(datetime(2026, 4, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        public = client.get(reverse("petitions:detail", args=[crossed.pk])).content.decode()
    assert 'data-testid="response-due"' in public and "2026-06-10" in public
    assert "response-overdue" not in public


def test_the_periodic_job_is_registered():
    from core import schedule

    job = next(job for job in schedule.jobs() if job.name == "petitions.response_deadlines")
    assert job.func is services.refresh_response_escalations and job.every is not None


def test_signing_offers_the_e_mail_opt_in_off_by_default(client, open_petition):
    with time_machine.travel(CROSSED, tick=False):
        page = client.get(reverse("petitions:detail", args=[open_petition.pk])).content.decode()
    checkbox = re.search(r'<input type="checkbox" name="notify_by_email"[^>]*>', page)
    assert checkbox and "checked" not in checkbox.group(0)


def test_the_live_panel_says_how_late_the_response_is(crossed):
    from django.utils import translation

    from petitions.live import describe_petition

    with translation.override("zh-hans"):
        line = describe_petition("petition.response_overdue", {"petition": crossed.pk, "escalation": "red"})
    assert crossed.title in line.text and "红" in line.text and "_" not in line.text
    assert line.level == "red" and line.url == reverse("petitions:respond", args=[crossed.pk])


def test_a_signer_opts_in_at_signing(client, open_petition):
    with time_machine.travel(CROSSED, tick=False):
        signed = client.post(
            reverse("petitions:sign", args=[open_petition.pk]),
            {"name": "周签名", "email": "zhou@example.cn", "region": "110105", "notify_by_email": "on"},
        )
        client.post(
            reverse("petitions:sign", args=[open_petition.pk]),
            {"name": "吴签名", "email": "wu@example.cn", "region": "110105"},
        )
    assert signed.status_code == 302
    chosen = dict(Signature.objects.filter(petition=open_petition).values_list("email", "notify_by_email"))
    assert chosen == {"zhou@example.cn": True, "wu@example.cn": False}
