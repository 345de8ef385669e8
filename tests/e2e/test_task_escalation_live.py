"""An inspector has the dashboard open; the escalation job runs; the overdue task turns red on the live panel;
the inspector opens the alert, reads why, records the verification and confirms the alert."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from core.scheduler import run_job
from monitoring.land.services import ingest_land
from monitoring.models import Alert, VerificationTask
from tests.conftest import require
from tests.e2e.browsing import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAND = Path(__file__).resolve().parents[2] / "monitoring" / "demo_data" / "land_transfer_results_2018.jsonl"
SHOTS = Path("test-results")


def _overdue_task(inspector) -> VerificationTask:
    """A red alert from a real Dingxing county record, its task a week and a day overdue, not yet escalated."""
    rows = [json.loads(line) for line in LAND.read_text(encoding="utf-8").splitlines()]
    record = dict(next(r for r in rows if r["idnumber"] == "1306262018B00730"), supply="协议出让")
    alert = ingest_land(record)[2][0]
    task = VerificationTask.objects.get(alert=alert)
    assert task.assignee == inspector
    VerificationTask.objects.filter(pk=task.pk).update(due_on=timezone.localdate() - timedelta(days=8))
    return task


def test_an_overdue_task_turns_red_live_and_the_inspector_confirms_the_alert(browser, asgi_live_server, regions):
    # the job runs in this process, the page is served by another: they meet only through Redis
    require("Redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"], "live events across processes need REDIS_URL")
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600", display_name="赵监察")
    lead = UserFactory(role=Role.INSPECTOR, jurisdiction_id="130000", display_name="冀组长", is_jurisdiction_lead=True)
    task = _overdue_task(inspector)
    SHOTS.mkdir(parents=True, exist_ok=True)

    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, asgi_live_server, inspector.email)
    page.goto(asgi_live_server + "/monitoring/")
    page.locator("[data-live-status]", has_text="已连接").wait_for()
    red = page.locator("[data-testid=live-event].level-red[data-event='task.escalated']")
    assert red.count() == 0

    # when: the hourly escalation job runs
    outcome = run_job("monitoring.task_escalations")

    # then: the task's line appears on the panel, red, in words, without a reload
    red.first.wait_for()
    line = red.first.inner_text()
    assert "核查任务已超期 8 天，升级为红色" in line and "协议出让" not in line.split("：")[0]
    assert outcome.ran and VerificationTask.objects.get(pk=task.pk).escalation == "red"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([inspector.email, lead.email])
    page.locator("section[aria-labelledby=live-heading]").screenshot(path=str(SHOTS / "sched-e2e-panel-red.png"))

    # the inspector opens the alert from the panel and reads why it was raised
    red.first.get_by_role("link").click()
    page.get_by_test_id("task").wait_for()
    assert "已超期（红）" in page.get_by_test_id("task").inner_text()
    sentence = page.get_by_test_id("evidence-sentence")
    if sentence.count():  # the alert's evidence as a sentence (monitoring/_evidence.html)
        assert sentence.inner_text().strip()
    chart = page.get_by_test_id("evidence-chart")
    if chart.count():
        assert chart.locator("svg").count() == 1
    page.screenshot(path=str(SHOTS / "sched-e2e-alert.png"), full_page=True)

    # records what the verification found, and confirms the alert
    page.fill("#result", "经核实，该地块以协议方式出让经营性用地，违反招拍挂规定，已移交案件审理。")
    page.get_by_role("button", name="记录结果").click()
    page.get_by_test_id("move-confirmed").click()
    page.get_by_test_id("alert-state").wait_for()
    assert page.get_by_test_id("alert-state").inner_text() == "已确认"
    assert Alert.objects.get(pk=task.alert_id).state == "confirmed"
    page.screenshot(path=str(SHOTS / "sched-e2e-confirmed.png"), full_page=True)
