"""An inspector has the dashboard open; a record arrives through the API; the alert appears without reload."""

import json
import urllib.request

import pytest
from django.core.management import call_command

from home.services import DEMO_PASSWORD
from monitoring.models import Alert, Domain, VerificationTask
from monitoring.services import create_source
from tests.e2e.browsing import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_live_alert_then_verification_task(browser, asgi_live_server):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    _, token = create_source(name="定兴县自然资源和规划局", domain=Domain.LAND)
    base = asgi_live_server

    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    sign_in(page, base, "inspector@demo.sunshine.cn", DEMO_PASSWORD)
    page.goto(base + "/monitoring/")
    page.locator("[data-live-status]", has_text="已连接").wait_for()

    # a land record arrives from a source system
    record = {
        "idnumber": "1306262026B00077",
        "district": "定兴县",
        "name": "定兴县城北商住地块",
        "location": "定兴县兴华路东侧",
        "area": "3.2",
        "use": "其他普通商品住房用地",
        "supply": "协议出让",
        "duration": "70",
        "price": "4800",
        "holder": "保定某房地产开发有限公司",
        "date4sign": "2026年11月20日",
    }
    request = urllib.request.Request(  # noqa: S310 (the test's own server)
        base + "/api/monitoring/land",
        data=json.dumps(record).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 200

    # the alert shows up in the live list without a reload, and opens
    live = page.get_by_test_id("live-events").get_by_role("link", name="定兴县城北商住地块")
    live.first.wait_for()
    live.first.click()
    page.wait_for_url("**/monitoring/alerts/**")
    page.locator("main", has_text="协议出让").wait_for()  # the evidence names the supply, once the page has loaded
    alert = Alert.objects.get(record_ref="1306262026B00077")
    assert VerificationTask.objects.filter(alert=alert).exists()  # red: the task was created with the alert

    # the inspector records the verification result from the alert page
    page.fill("#result", "经核实，该地块以协议方式出让商品住宅用地，已移交案件审理。")
    page.get_by_role("button", name="记录结果").click()
    page.wait_for_load_state()
    assert VerificationTask.objects.get(alert=alert).state == "done"
    page.screenshot(path="test-results/monitoring-alert.png", full_page=True)
