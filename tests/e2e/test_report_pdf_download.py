"""A visitor reads a long published handling report, sees the mass campaign beside the counts,
and downloads the PDF: it arrives under the draft's name, runs to several pages, and its text
can be searched."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.demo import ensure_index
from consultations.models import (
    Campaign,
    Comment,
    CommentStatus,
    Decision,
    DraftPage,
    ReportPublication,
    Stance,
    ThemeMembership,
)
from consultations.services import comment_hash, import_version
from home.services import ensure_home_page
from tests.conftest import require

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FORM = "建议保留线下办事窗口，方便不会使用手机的老年人。"
ADDITION = "我父母七十多岁，只能去窗口办。"
DIGITS = "零一二三四五六七八九"


def _label(n: int) -> str:
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("" if tens == 1 else DIGITS[tens]) + "十") + (DIGITS[ones] if ones else "")


@pytest.fixture
def published_report(transactional_db, regions):
    """A closed draft of 60 articles, a comment on each, 12 decided themes and a campaign of
    three signers (one added words of their own); its report is published."""
    index = ensure_index(ensure_home_page())
    now = timezone.now()
    draft = DraftPage(
        title="某市养老服务条例（草案）",
        slug="yanglao",
        drafting_body="市人大常委会法工委",
        opens_at=now - timedelta(days=40),
        closes_at=now - timedelta(days=10),
        jurisdiction_id="110000",
    )
    index.add_child(instance=draft)
    draft.save_revision().publish()
    body = "\n\n".join(f"第{_label(n)}条 养老服务机构应当提供第{n}项服务。" for n in range(1, 61))
    import_version(draft=draft, label="征求意见稿", text=f"# 某市养老服务条例（草案）\n\n## 第一章 总则\n\n{body}\n")
    draft = DraftPage.objects.get(pk=draft.pk)
    articles = list(draft.current_version.provisions.filter(kind="article").order_by("position"))
    themes = [
        draft.themes.create(
            title=f"养老服务第{n}类意见",
            position=n,
            decision=Decision.NOT_ADOPTED,
            reason="该问题已由国家有关规定明确，本条例不再重复规定。" * 3,
        )
        for n in range(1, 13)
    ]
    campaign = Campaign.objects.create(draft=draft, key="k", form_text=FORM, size=3, first_seen=now, last_seen=now)
    comments = [
        Comment(draft=draft, provision=article, text=f"建议完善{article.label}。", stance=Stance.AMEND)
        for article in articles
    ]
    comments += [
        Comment(draft=draft, provision=articles[0], text=FORM + extra, stance=Stance.AMEND, campaign=campaign)
        for extra in ("", ADDITION, "")
    ]
    for number, comment in enumerate(comments):
        comment.text_hash = comment_hash(comment.text + str(number))
        comment.status = CommentStatus.PUBLISHED
        comment.external_author = f"test:{number}"
        comment.campaign_addition = comment.text.removeprefix(FORM) if comment.campaign_id else ""
        comment.save()
        ThemeMembership.objects.create(theme=themes[number % len(themes)], comment=comment)
    ReportPublication.objects.create(draft=draft)
    return draft


def test_a_visitor_downloads_a_long_report_as_a_searchable_pdf(browser, live_server, published_report, tmp_path):
    # given: a visitor on the published report
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + published_report.url + "report/")

    # then: the campaign is shown once, with its signers and what one of them added, beside the counts
    campaign = page.get_by_test_id("campaign")
    assert FORM in campaign.inner_text() and "3 人联署" in campaign.inner_text()
    assert ADDITION in campaign.inner_text()
    assert page.get_by_test_id("comments").inner_text() == "63"
    assert page.get_by_test_id("weighted").inner_text() == "61"
    page.screenshot(path="test-results/report-campaigns.png", full_page=True)

    # when: the visitor downloads the PDF
    with page.expect_download() as download:
        page.get_by_role("link", name="下载本报告（PDF）").click()

    # then: it arrives under the draft's name, several pages of searchable Chinese
    assert download.value.suggested_filename == "某市养老服务条例（草案）意见处理情况.pdf"
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    pdftotext = shutil.which("pdftotext")
    require(pdftotext is not None, "pdftotext (poppler-utils) is not installed")
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout  # noqa: S603
    text = text.decode("utf-8")
    assert text.count("\f") > 1
    flat = "".join(text.split())
    assert FORM in flat and "养老服务第12类意见" in flat and "第六十条" in flat
    context.close()
