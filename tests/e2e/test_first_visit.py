"""A newcomer's first visit: home page, language, registration, and a legislator in the admin."""

import re

import pytest
from django.core import mail
from django.core.management import call_command

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_home_page_and_language_switch(page, live_server, demo):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("link", name="对法规草案提意见").is_visible()

    page.select_option("#language-select", "en")
    page.get_by_test_id("switch-language").click()

    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Comment on a draft law").is_visible()
    assert page.get_by_role("link", name="Monitoring dashboard").is_visible()


def test_register_confirm_and_sign_in(page, live_server, demo):
    mail.outbox.clear()
    page.goto(live_server.url + "/accounts/signup/")
    page.fill("input[name=email]", "newcomer@example.cn")
    page.fill("input[name=password1]", "阳光-Sunshine-2026!")
    page.fill("input[name=password2]", "阳光-Sunshine-2026!")
    page.locator("form:has(input[name=password2]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.screenshot(path="test-results/confirm-email.png")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("button", name="退出").is_visible()


def test_a_legislator_logs_into_the_wagtail_admin(page, live_server, demo):
    page.goto(live_server.url + "/admin/")
    page.fill("input[name=username]", "legislator@demo.sunshine.cn")
    page.fill("input[name=password]", "sunshine-demo-2026")
    page.locator("form button[type=submit]").click()

    page.wait_for_url(live_server.url + "/admin/")
    assert page.locator("body").inner_text().count("李立法") >= 1
    page.screenshot(path="test-results/admin-dashboard.png")
