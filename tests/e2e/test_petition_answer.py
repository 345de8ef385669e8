"""Staff answer a petition past the response threshold from their screen; the public page shows the response
and the signers who asked are told by e-mail."""

import secrets
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from petitions.models import Petition, PetitionStatus, Signature
from tests.e2e.browsing import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RESPONSE = (
    "市交通委员会已制定三年行动计划：2027年底前所有地铁站至少一个出入口配建无障碍电梯，"
    "建设进度每季度在官网公开，市民可通过12345反映问题。"
)


@pytest.fixture
def overdue_petition(regions, citizen):
    now = timezone.now()
    petition = Petition.objects.create(
        creator=citizen,
        title="为地铁站出入口全部配建无障碍电梯",
        action="请在三年内为本市所有地铁站至少一个出入口配建无障碍电梯，并公开建设进度。",
        region_id="110000",
        status=PetitionStatus.OPEN,
        sponsor_token=secrets.token_urlsafe(32),
        opened_at=now - timedelta(days=150),
        closes_at=now + timedelta(days=30),
        signature_count=10_002,
        response_threshold_reached_at=now - timedelta(days=100),
        response_due_on=timezone.localdate() - timedelta(days=9),
    )
    for n, notify in enumerate([True, False]):
        Signature.objects.create(
            petition=petition,
            name=f"签名人{n}",
            email=f"signer{n}@example.cn",
            email_domain="example.cn",
            region_id="110105",
            token_digest=f"{n}" * 64,
            network_digest="n",
            confirmed_at=now - timedelta(days=120),
            notify_by_email=notify,
        )
    return petition


def test_staff_answer_an_overdue_petition(browser, live_server, overdue_petition):
    base = live_server.url
    staff = UserFactory(role=Role.LEGISLATOR, jurisdiction_id="110000", display_name="陈立法")

    # a visitor sees that the response is late
    visitor = browser.new_context(locale="zh-CN").new_page()
    visitor.set_default_timeout(15_000)
    visitor.goto(base + f"/petitions/{overdue_petition.pk}/")
    assert "已逾期 9 天" in visitor.get_by_test_id("response-overdue").inner_text()

    # staff find it at the top of their list, red, and answer it
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base, staff.email)
    page.goto(base + "/petitions/responses/")
    row = page.get_by_test_id("response-row").first
    assert "已超期（红）" in row.inner_text()
    row.get_by_role("link", name="撰写回应").click()
    assert page.get_by_test_id("notify-count").inner_text() == "1"
    page.get_by_label("政府回应").fill(RESPONSE)
    page.get_by_role("button", name="发布回应").click()
    page.get_by_text("回应已发布").wait_for()

    # the public page shows the response; the signer who asked is told, the other is not
    visitor.reload()
    assert RESPONSE in visitor.get_by_test_id("government-response").inner_text()
    assert visitor.get_by_test_id("response-overdue").count() == 0
    assert [message.to for message in mail.outbox if "回应" in message.subject] == [["signer0@example.cn"]]
