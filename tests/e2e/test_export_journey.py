"""A legislator exports the comments of a draft too large to download at once: the export page prepares the
file, says when it is ready, and the download is the workbook of every comment."""

import io

import pytest
from openpyxl import load_workbook

from accounts.roles import Role
from consultations.models import Comment, CommentStatus, DraftPage, Stance
from consultations.services import comment_hash
from tests.consultations.conftest import make_draft as make_draft  # noqa: F401  (a fixture)
from tests.e2e.browsing import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def large_draft(make_draft, settings, tmp_path):
    """Twelve comments, over a limit of ten for exporting within the request."""
    settings.EXPORT_STREAM_LIMIT = 10
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    draft = make_draft()
    for n in range(12):
        text = f"第{n + 1}条意见：犬只登记应当可以在网上办理。"
        Comment.objects.create(
            draft=draft, text=text, text_hash=comment_hash(text), stance=Stance.AMEND, status=CommentStatus.PUBLISHED
        )
    legislator = UserFactory(email="exporter@example.cn", role=Role.LEGISLATOR, jurisdiction_id="110000")
    return DraftPage.objects.get(pk=draft.pk), legislator


def test_a_legislator_prepares_and_downloads_the_export_of_a_large_draft(browser, live_server, large_draft):
    draft, legislator = large_draft
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, legislator.email)

    # from the draft's page, "export" opens the export page rather than a download
    page.goto(live_server.url + draft.url)
    page.get_by_role("link", name="导出意见（Excel）").click()
    assert "本草案共有12条意见" in page.locator("main").inner_text()
    assert "尚未生成任何文件" in page.locator("main").inner_text()

    # preparing the Excel file: the task writes it, the page lists it as ready
    page.get_by_role("button", name="生成 Excel 文件").click()
    page.wait_for_load_state()
    row = page.get_by_test_id("export-files").locator("tbody tr").first
    assert "可以下载" in row.inner_text() and "12条意见" in row.inner_text()
    page.screenshot(path="test-results/export-ready.png", full_page=True)

    # the download is the workbook of every comment
    with page.expect_download() as download:
        row.get_by_role("link", name="下载").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    assert len(list(workbook.active.iter_rows(values_only=True))) == 13  # the header and 12 comments
    context.close()
