"""The issue's citizen journey, in one go: a citizen signs in, opens an article of an open draft, gives 徐汇区 by
typing 徐汇, comments quoting a passage, sees the success message in view, and finds the comment with its receipt
on 我的参与."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from consultations.models import Comment, CommentStatus, DraftPage
from home.services import DEMO_PASSWORD
from tests.e2e.browsing import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SLUG = "shanghai-youhua-yingshang-huanjing-tiaoli-2"  # the open round of the demo's Shanghai regulation
PASSAGE = "对新技术、新产业、新业态、新模式等实行包容审慎监管"
TEXT = "建议对网约车等新业态明确观察期的期限，并公布观察期满后的评估结论。"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return DraftPage.objects.get(slug=SLUG)


def test_a_citizen_comments_on_an_article_from_xuhui_and_finds_it_under_my_participation(page, live_server, demo):
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 800})

    # the citizen signs in
    sign_in(page, base, "citizen@demo.sunshine.cn", DEMO_PASSWORD)
    page.wait_for_url(base + "/")

    # opens the open draft from the list, and article 60 from the text
    page.goto(base + "/consultations/")
    page.get_by_role("link", name=demo.title).click()
    article = demo.current_version.provisions.get(kind="article", number=60, sub_number=0)
    page.get_by_test_id(f"article-{article.number}").get_by_role("link", name="对本条提意见").click()
    page.wait_for_url(re.compile(rf"/articles/{article.pk}/#comment-form$"))
    assert "vTaiwan" in page.get_by_test_id("attribution").inner_text()  # the comments there are not from here

    # comments, quoting the passage, and gives the district by typing its name
    form = page.locator("#comment-form")
    form.get_by_label("修改建议").check()
    form.get_by_label("您的意见").fill(TEXT)
    form.get_by_label("引用条文原文（可选）").fill(PASSAGE)
    form.get_by_text("地区与身份（可选）").click()
    form.get_by_role("combobox", name="输入地名").fill("徐汇")
    form.get_by_role("option", name="上海市 › 徐汇区").click()
    assert form.locator("input[type=hidden][name=region]").input_value() == "310104"
    form.get_by_role("button", name="提交意见").click()

    # back on the article, the message in view and the comment among the others
    page.wait_for_url(base + f"{demo.url}articles/{article.pk}/")
    expect(page.get_by_text("感谢您的意见，已公开发布。")).to_be_in_viewport()
    mine = page.locator("li.comment").filter(has_text=TEXT)
    assert PASSAGE in mine.locator("blockquote").inner_text()
    assert "上海市" in mine.inner_text() and "徐汇区" in mine.inner_text()
    comment = Comment.objects.get(draft=demo, text=TEXT)
    assert (comment.provision_id, comment.region_id, comment.status) == (article.pk, "310104", CommentStatus.PUBLISHED)

    # 我的参与 lists it with its receipt: the article, its state, the text
    page.get_by_role("link", name="我的参与").click()
    page.wait_for_url(base + "/my/")
    receipt = page.locator("li.receipt").filter(has_text=TEXT[:20])
    expect(receipt).to_have_count(1)
    assert article.label in receipt.inner_text()
    assert receipt.locator(f".badge.comment-{CommentStatus.PUBLISHED}").inner_text() == "已公开，待复核"
    assert page.get_by_role("link", name=demo.title).count() == 1
    page.screenshot(path="test-results/citizen-my-participation.png", full_page=True)
