"""A citizen comments on article 3; a legislator moderates it; after closing, the report shows it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from consultations.models import Comment, CommentStatus, DraftPage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SLUG = "wuzhangai-huanjing-jianshe-fa"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return DraftPage.objects.get(slug=SLUG)


def _register(page, base: str, email: str, password: str) -> None:
    mail.outbox.clear()
    page.goto(base + "/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    page.locator("form:has(input[name=password2]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(base + "/")


def _admin_login(page, base: str) -> None:
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", "legislator@demo.sunshine.cn")
    page.fill("input[name=password]", "sunshine-demo-2026")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(base + "/admin/")


def test_comment_moderate_close_and_report(browser, live_server, demo):
    base = live_server.url
    citizen = browser.new_context(locale="zh-CN").new_page()
    citizen.set_default_timeout(15_000)

    # a citizen registers and opens the draft from the list
    _register(citizen, base, "reader@example.cn", "阳光-Sunshine-2026!")
    citizen.goto(base + "/consultations/")
    citizen.get_by_role("link", name=demo.title).click()
    article = citizen.get_by_test_id("article-3")
    assert article.locator("[data-count-for]").inner_text() == "0 条意见"

    # comments where they read: article 3's own page carries the form, then the count rises on the draft
    article.get_by_role("link", name="对本条提意见").click()
    citizen.wait_for_url(re.compile(r"/articles/\d+/#comment-form$"))
    form = citizen.locator("#comment-form")
    form.get_by_label("修改建议").check()
    form.get_by_label("您的意见").fill("建议明确无障碍环境建设的财政投入比例。")
    form.get_by_role("button", name="提交意见").click()
    citizen.wait_for_url(re.compile(r"/articles/\d+/$"))
    assert citizen.get_by_text("感谢您的意见，已公开发布。").is_visible()  # in view, at the top
    assert "财政投入比例" in citizen.locator("ul.comments").inner_text()
    citizen.get_by_role("link", name=demo.title).first.click()
    assert citizen.get_by_test_id("article-3").locator("[data-count-for]").inner_text() == "1 条意见"
    comment = Comment.objects.get(draft=demo)

    # a legislator approves it in the admin
    staff = browser.new_context(locale="zh-CN").new_page()
    staff.set_default_timeout(15_000)
    _admin_login(staff, base)
    staff.goto(base + "/admin/consultations/moderation/")
    item = staff.get_by_test_id("moderation-item").filter(has_text="财政投入比例")
    item.get_by_role("button", name="通过").click()
    staff.wait_for_load_state()
    comment.refresh_from_db()
    assert comment.status == CommentStatus.APPROVED

    # the window closes; the legislator groups, answers and publishes
    DraftPage.objects.filter(pk=demo.pk).update(
        opens_at=timezone.now() - timedelta(days=40), closes_at=timezone.now() - timedelta(days=1)
    )
    staff.goto(base + f"/admin/consultations/drafts/{demo.pk}/themes/")
    staff.locator(f"#c{comment.pk}").check()
    staff.fill("input[name=title]", "财政保障")
    staff.get_by_role("button", name="用选中的意见创建主题").click()
    theme_form = staff.get_by_test_id("theme-admin").filter(has_text="财政保障")
    theme_form.locator("select[name$=decision]").select_option("partly_adopted")
    theme_form.locator("textarea[name$=reason]").fill("在保障措施一章中明确经费保障要求。")
    theme_form.get_by_role("button", name="记录处理结果").click()
    staff.wait_for_load_state()
    staff.get_by_role("button", name="公布处理情况").click()
    staff.wait_for_load_state()

    # the public report shows it, and the citizen sees what became of the comment
    citizen.goto(base + f"/consultations/{SLUG}/report/")
    assert citizen.get_by_test_id("comments").inner_text() == "1"
    theme = citizen.get_by_test_id("theme")
    assert "财政保障" in theme.inner_text() and "部分采纳" in theme.inner_text()
    assert "已归入主题“财政保障”" in citizen.locator(".receipts").inner_text()
    citizen.screenshot(path="test-results/consultation-report.png", full_page=True)
