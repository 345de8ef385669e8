"""A draft too large to export within a request: its export is a file written by a task, with its progress."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from consultations import exports
from consultations.exports import export_path, remove_old_exports
from consultations.models import CommentExport, ExportStatus, Stance
from consultations.services import request_comment_export, submit_comment
from tests.factories import UserFactory


@pytest.fixture
def large_draft(make_draft, settings, tmp_path):
    """A draft of three comments, over a stream limit of two."""
    settings.EXPORT_STREAM_LIMIT = 2
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    draft = make_draft()
    author = UserFactory()
    for text in ("应当保障业主的知情权。", "业主的知情权需要细化。", '=HYPERLINK("http://x")注入'):
        submit_comment(draft=draft, author=author, text=text, stance=Stance.AMEND)
    return draft


def _download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_a_large_drafts_export_is_prepared_by_a_task_and_downloaded(
    client, large_draft, beijing_legislator, django_capture_on_commit_callbacks
):
    draft = large_draft
    client.force_login(beijing_legislator)

    page = client.get(draft.url + "export/?format=csv")
    assert page.status_code == 200 and not page.streaming  # a page, not a download
    assert "尚未生成任何文件。" in page.content.decode()  # zh-hans: no file yet
    assert "生成 CSV 文件" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(draft.url + "export/", {"format": "csv"})
    assert response.status_code == 302 and response["Location"].endswith("export/?format=csv")

    export = CommentExport.objects.get(draft=draft)
    assert (export.fmt, export.status, export.rows_done, export.rows_total) == ("csv", ExportStatus.READY, 3, 3)
    assert export.requested_by == beijing_legislator
    assert export.size == export_path(export).stat().st_size > 0
    assert not list(export_path(export).parent.glob("*.part"))
    page = client.get(draft.url + "export/?format=csv").content.decode()
    link = f"{draft.url}export/files/{export.pk}/"
    assert link in page

    written = _download(client, link)
    assert written.decode("utf-8") == "".join(exports.comments_csv(draft))  # what the direct export streams
    rows = list(csv.reader(io.StringIO(written.decode("utf-8").lstrip("\ufeff"))))
    assert len(rows) == 4 and '\'=HYPERLINK("http://x")注入' in {row[4] for row in rows}


def test_excel_is_prepared_too(client, large_draft, beijing_legislator, django_capture_on_commit_callbacks):
    client.force_login(beijing_legislator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(large_draft.url + "export/", {"format": "xlsx"})
    export = CommentExport.objects.get(draft=large_draft)

    workbook = load_workbook(io.BytesIO(_download(client, f"{large_draft.url}export/files/{export.pk}/")))
    assert len(list(workbook.active.iter_rows(values_only=True))) == 4
    assert export.filename() == f"comments-{large_draft.pk}-{export.pk}.xlsx"


def test_small_drafts_still_download_at_once(client, large_draft, beijing_legislator, settings):
    settings.EXPORT_STREAM_LIMIT = 3
    client.force_login(beijing_legislator)
    response = client.get(large_draft.url + "export/?format=csv")
    assert response.streaming and len(b"".join(response.streaming_content).splitlines()) == 4


def test_only_the_drafts_managers_prepare_or_download(
    client, large_draft, beijing_legislator, hebei_legislator, django_capture_on_commit_callbacks
):
    client.force_login(hebei_legislator)
    assert client.get(large_draft.url + "export/").status_code == 403
    assert client.post(large_draft.url + "export/", {"format": "csv"}).status_code == 403
    assert not CommentExport.objects.exists()

    client.force_login(beijing_legislator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(large_draft.url + "export/", {"format": "csv"})
    export = CommentExport.objects.get()
    client.force_login(hebei_legislator)
    assert client.get(f"{large_draft.url}export/files/{export.pk}/").status_code == 403
    client.logout()
    assert client.get(f"{large_draft.url}export/files/{export.pk}/").status_code == 302  # to sign in


def test_a_file_of_another_draft_is_not_found_here(
    client, large_draft, make_draft, beijing_legislator, django_capture_on_commit_callbacks
):
    other = make_draft()
    client.force_login(beijing_legislator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(large_draft.url + "export/", {"format": "csv"})
    export = CommentExport.objects.get()
    assert client.get(f"{other.url}export/files/{export.pk}/").status_code == 404


def test_an_unknown_format_is_refused_with_a_message(client, large_draft, beijing_legislator):
    client.force_login(beijing_legislator)
    response = client.post(large_draft.url + "export/", {"format": "pdf"})
    assert response.status_code == 400
    assert not CommentExport.objects.exists()


def test_asking_again_while_one_is_being_written_returns_it(large_draft, beijing_legislator):
    first = request_comment_export(draft=large_draft, user=beijing_legislator, fmt="csv")  # no task run: it waits
    assert first.status == ExportStatus.QUEUED

    again = request_comment_export(draft=large_draft, user=beijing_legislator, fmt="csv")
    other_format = request_comment_export(draft=large_draft, user=beijing_legislator, fmt="xlsx")

    assert again.pk == first.pk and other_format.pk != first.pk


def test_a_failed_export_says_so_and_leaves_no_part_file(
    client, large_draft, beijing_legislator, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        yield "\ufeffID\n"
        raise OSError("disk full")

    monkeypatch.setattr(exports, "comments_csv", broken)
    client.force_login(beijing_legislator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(large_draft.url + "export/", {"format": "csv"})
    assert response.status_code == 302

    export = CommentExport.objects.get()
    assert export.status == ExportStatus.FAILED
    assert not export_path(export).exists() and not list(export_path(export).parent.glob("*"))
    page = client.get(large_draft.url + "export/?format=csv").content.decode()
    assert f"export/files/{export.pk}/" not in page
    # a failed one does not block the next
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(large_draft.url + "export/", {"format": "csv"})
    assert CommentExport.objects.filter(status=ExportStatus.READY).count() == 1


def test_old_files_are_removed_and_stalled_ones_marked_failed(
    large_draft, beijing_legislator, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        done = request_comment_export(draft=large_draft, user=beijing_legislator, fmt="csv")
    stalled = request_comment_export(draft=large_draft, user=beijing_legislator, fmt="xlsx")  # never run
    fresh = CommentExport.objects.create(
        draft=large_draft, fmt="csv", status=ExportStatus.READY, finished_at=timezone.now()
    )
    week = timedelta(days=settings.EXPORT_FILE_DAYS)
    CommentExport.objects.filter(pk=done.pk).update(finished_at=timezone.now() - week - timedelta(hours=1))
    CommentExport.objects.filter(pk=stalled.pk).update(requested_at=timezone.now() - timedelta(days=2))
    assert export_path(done).exists()

    assert remove_old_exports() == 1

    assert not export_path(done).exists() and not CommentExport.objects.filter(pk=done.pk).exists()
    assert CommentExport.objects.get(pk=stalled.pk).status == ExportStatus.FAILED
    assert CommentExport.objects.filter(pk=fresh.pk).exists()
