"""An anonymous citizen files a report with evidence; an inspector handles it and replies; the citizen reads the reply."""

import re

import pytest
from django.core import mail
from django.core.management import call_command

from home.services import DEMO_PASSWORD
from petitions.models import Petition, PetitionStatus
from reports.models import Report
from tests.e2e.browsing import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_anonymous_report_handled_and_answered(browser, live_server, demo, tmp_path):
    base = live_server.url
    evidence = tmp_path / "合同清单.txt"
    evidence.write_text("合同编号 DX-2026-031、DX-2026-032、DX-2026-033，金额均为 9.8 万元。", encoding="utf-8")

    # an anonymous citizen files a report with an attachment
    citizen = browser.new_context(locale="zh-CN").new_page()
    citizen.set_default_timeout(15_000)
    citizen.goto(base + "/petitions/")
    citizen.get_by_role("link", name="举报违纪违法").click()
    citizen.get_by_label("公共采购与招投标").check()
    citizen.locator("input[name=subject_unit]").fill("定兴县交通运输局")
    citizen.get_by_role("combobox", name="输入地名").fill("定兴")
    citizen.get_by_role("option", name="河北省 › 保定市 › 定兴县").click()
    citizen.locator("textarea[name=description]").fill(
        "定兴县交通运输局把道路养护采购拆成三个9.8万元的小合同，规避公开招标，全部由同一家公司承接。"
    )
    citizen.set_input_files("input[name=attachments]", str(evidence))
    citizen.get_by_label("匿名").check()
    citizen.get_by_role("button", name="提交举报").click()
    code = citizen.get_by_test_id("follow-up-code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){4}", code)
    report = Report.objects.get(subject_unit="定兴县交通运输局")
    assert report.anonymous and report.attachments.count() == 1

    # an inspector of Baoding accepts, handles, concludes and replies
    inspector = browser.new_context(locale="zh-CN").new_page()
    inspector.set_default_timeout(15_000)
    sign_in(inspector, base, "inspector@demo.sunshine.cn", DEMO_PASSWORD)
    inspector.goto(base + "/reports/cases/")
    inspector.get_by_role("link", name=report.reference).click()
    for action in ("accept", "start_handling"):
        inspector.get_by_test_id(f"action-{action}").click()
        inspector.wait_for_load_state()
    conclude = inspector.locator("form.action-form:has([data-testid=action-conclude])")
    conclude.locator("input[name=note]").fill("经核查，拆分采购属实，已责令整改。")
    conclude.get_by_test_id("action-conclude").click()
    inspector.wait_for_load_state()
    inspector.fill("#reply-body", "经核查，您反映的拆分采购问题属实，已责令该局整改，并对相关责任人进行诫勉谈话。")
    inspector.get_by_test_id("send-reply").click()
    inspector.wait_for_load_state()
    assert "已答复" in inspector.get_by_test_id("staff-state").inner_text()

    # later, the citizen checks the status with the code and reads the reply
    later = browser.new_context(locale="zh-CN").new_page()
    later.goto(base + "/reports/check/")
    later.get_by_label("查询码").fill(code.lower().replace("-", " "))
    later.get_by_role("button", name="查看").click()
    assert "已答复" in later.get_by_test_id("case-state").inner_text()
    assert "诫勉谈话" in later.get_by_test_id("message-to_reporter").inner_text()
    later.screenshot(path="test-results/report-reply.png", full_page=True)


def test_a_petition_is_signed_and_confirmed_by_email(browser, live_server, demo):
    base = live_server.url
    petition = Petition.objects.filter(status=PetitionStatus.OPEN).order_by("signature_count").first()
    before = petition.signature_count
    mail.outbox.clear()

    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    page.goto(base + f"/petitions/{petition.pk}/")
    page.get_by_label("您的姓名").fill("周签名")
    page.get_by_label("电子邮箱").fill("signer@example.cn")
    page.get_by_role("combobox", name="输入地名").fill("pudong")
    page.get_by_role("option", name="上海市 › 浦东新区").click()
    page.get_by_role("button", name="签名", exact=True).click()
    assert page.get_by_text("请打开我们发送到您邮箱的链接").is_visible()
    petition.refresh_from_db()
    assert petition.signature_count == before

    path = re.search(r"/petitions/confirm/\S+/", mail.outbox[0].body).group(0)
    page.goto(base + path)
    page.get_by_role("button", name="确认签名").click()
    assert page.get_by_test_id("signature-count").inner_text().replace(",", "") == str(before + 1)
