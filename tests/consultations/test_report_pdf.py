"""The handling report people can file: a PDF of as many pages as it needs, with an embedded CJK
font and extractable text, downloaded under the draft's name; mass campaigns shown as form text,
signers and what they added, beside the raw counts."""

import re
import shutil
import subprocess
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations.exports import check_report_font, report_pdf
from consultations.models import Campaign, Comment, CommentStatus, Decision, ReportPublication, Stance, ThemeMembership
from consultations.selectors import build_report
from consultations.services import comment_hash
from tests.conftest import require

ARTICLES = 90
THEMES = 24
FORM = "坚决反对缩短物业服务合同的公示期，请保留三十日的规定。"
ADDITIONS = ["我们小区就因为公示期太短吃过亏。", "", "希望立法机关听听业主的声音。", ""]
NUMERALS = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("" if tens == 1 else NUMERALS[tens]) + "十") + (NUMERALS[ones] if ones else "")


def _long_text() -> str:
    body = "\n\n".join(f"第{_chinese(n)}条 物业服务人应当按照合同约定提供第{n}项服务。" for n in range(1, ARTICLES + 1))
    return f"# 某市物业管理条例（草案）\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n{body}\n"


def _comment(draft, provision, text, stance=Stance.AMEND, **extra):
    return Comment.objects.create(
        draft=draft,
        provision=provision,
        text=text,
        text_hash=comment_hash(text + str(extra.get("campaign_addition", ""))),
        stance=stance,
        status=CommentStatus.PUBLISHED,
        external_author=f"test:{Comment.objects.count()}",
        **extra,
    )


@pytest.fixture
def long_report(make_draft, beijing_legislator):
    """A closed draft of 90 articles, a comment on each, 24 decided themes with long reasons and
    a campaign of four signers (two of whom added words of their own)."""
    draft = make_draft(state="closed", text=_long_text())
    articles = list(draft.current_version.provisions.filter(kind="article").order_by("position"))
    assert len(articles) == ARTICLES
    singles = [_comment(draft, article, f"建议完善{article.label}关于服务标准的表述。") for article in articles]
    now = timezone.now()
    campaign = Campaign.objects.create(draft=draft, key="k1", form_text=FORM, size=4, first_seen=now, last_seen=now)
    signers = [
        _comment(draft, articles[2], FORM + addition, Stance.OPPOSE, campaign=campaign, campaign_addition=addition)
        for addition in ADDITIONS
    ]
    themes = []
    for n in range(1, THEMES + 1):
        theme = draft.themes.create(
            title=f"物业服务事项第{n}组",
            position=n,
            decision=Decision.PARTLY_ADOPTED if n % 2 else Decision.NOT_ADOPTED,
            reason="经研究，" + "该意见涉及的问题已在相关条款中作出规定，不再重复规定。" * 4,
        )
        themes.append(theme)
    for index, comment in enumerate(singles + signers):
        ThemeMembership.objects.create(theme=themes[index % THEMES], comment=comment)
    return draft, campaign, signers


def _text_of(pdf: bytes, tmp_path) -> tuple[str, int]:
    pdftotext = shutil.which("pdftotext")
    require(pdftotext is not None, "pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout  # noqa: S603
    text = text.decode("utf-8")
    return text, text.count("\f")  # pdftotext ends every page with a form feed


def test_a_long_report_runs_to_several_pages_of_extractable_chinese(client, long_report, beijing_legislator, tmp_path):
    # given
    draft, _campaign, _signers = long_report
    client.force_login(beijing_legislator)

    # when
    response = client.get(draft.url + "report/pdf/")

    # then: several pages, every article, theme, reason and the campaign in words a search finds
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, pages = _text_of(response.content, tmp_path)
    flat = re.sub(r"\s+", "", text)
    assert pages > 1
    assert "物业服务事项第24组" in flat and "不再重复规定" in flat
    assert "第九十条" in flat and "第一条" in flat
    assert FORM in flat and "希望立法机关听听业主的声音" in flat
    assert "部分采纳" in flat


def test_the_pdf_embeds_its_chinese_font(long_report):
    # given
    draft, _campaign, _signers = long_report

    # when
    pdf = report_pdf(build_report(draft))

    # then: a TrueType subset is embedded, and the non-embedded CID font is not used
    assert b"/FontFile2" in pdf
    assert re.search(rb"/BaseFont /[A-Z]{6}\+", pdf)
    assert b"STSong-Light" not in pdf and b"Helvetica" not in pdf


def test_the_pdf_downloads_under_the_drafts_name(client, long_report, beijing_legislator):
    draft, _campaign, _signers = long_report
    client.force_login(beijing_legislator)

    disposition = client.get(draft.url + "report/pdf/")["Content-Disposition"]

    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(draft.title + '意见处理情况.pdf')}" in disposition
    assert f'filename="report-{draft.pk}.pdf"' in disposition


def test_without_its_font_the_pdf_still_comes_out_and_the_check_says_why(long_report, settings, caplog):
    draft, _campaign, _signers = long_report
    settings.REPORT_PDF_FONT = "/nonexistent/font.ttc"

    pdf = report_pdf(build_report(draft))

    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf
    assert "REPORT_PDF_FONT" in caplog.text
    assert [warning.id for warning in check_report_font()] == ["consultations.W001"]


def test_the_report_counts_campaigns_once_beside_the_raw_counts(long_report):
    draft, campaign, _signers = long_report

    report = build_report(draft)

    assert (report.comments, report.weighted, report.from_campaigns) == (ARTICLES + 4, ARTICLES + 1, 4)
    [shown] = report.campaigns
    assert (shown.campaign, shown.signers, shown.with_additions) == (campaign, 4, 2)
    assert shown.additions == [a for a in ADDITIONS if a]
    third = next(row for row in report.articles if row.provision.label == "第三条")
    assert (third.comments, third.weighted) == (5, 2)
    assert sum(t.size for t in report.themes) == ARTICLES + 4


def test_the_report_reads_in_a_bounded_number_of_queries(long_report):
    # given: the report's query count with 94 comments
    draft, campaign, _signers = long_report
    with CaptureQueriesContext(connection) as before:
        build_report(draft)

    # when: 60 more comments and signers arrive
    article = draft.current_version.provisions.get(kind="article", number=7)
    for n in range(30):
        _comment(draft, article, f"第{n}条补充意见。")
        _comment(draft, article, FORM + f"补充{n}", campaign=campaign, campaign_addition=f"补充{n}")
    with CaptureQueriesContext(connection) as after:
        build_report(draft)

    # then: the same number of queries
    assert len(after) == len(before) <= 16


def test_the_report_page_shows_a_campaign_with_its_signers_and_additions(client, long_report, beijing_legislator):
    draft, _campaign, _signers = long_report
    client.force_login(beijing_legislator)

    page = client.get(draft.url + "report/").content.decode()

    assert FORM in page
    assert "4 人联署" in page
    assert "我们小区就因为公示期太短吃过亏。" in page
    assert f"{ARTICLES + 1}</strong>" in page  # with the campaign counted once, beside the raw count


def test_the_api_gives_the_published_report_with_its_campaigns(client, long_report, beijing_legislator):
    # given: the report is published
    draft, campaign, _signers = long_report
    ReportPublication.objects.create(draft=draft, published_by=beijing_legislator)

    # when
    body = client.get(f"/api/consultations/drafts/{draft.pk}/report").json()

    # then
    assert body["counts"] == {"comments": ARTICLES + 4, "counting_campaigns_once": ARTICLES + 1}
    assert body["campaigns"] == [
        {
            "id": campaign.pk,
            "form_text": FORM,
            "signers": 4,
            "with_additions": 2,
            "additions": [a for a in ADDITIONS if a],
            "stances": {"support": 0, "oppose": 4, "amend": 0, "unstated": 0},
        }
    ]
    assert len(body["themes"]) == THEMES and len(body["articles"]) == ARTICLES
    assert body["pdf"] == draft.url + "report/pdf/"


def test_the_api_has_no_report_before_it_is_published(client, long_report):
    draft, _campaign, _signers = long_report

    assert client.get(f"/api/consultations/drafts/{draft.pk}/report").status_code == 404
