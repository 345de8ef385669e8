"""Exports at any size: Excel split across sheets, CSV streamed, open data written as files."""

import csv
import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from consultations import exports
from consultations.models import Campaign, Decision, Stance
from consultations.services import create_theme, decide_theme, publish_report, reject_comment, submit_comment
from tests.factories import UserFactory


@pytest.fixture
def closed_draft(make_draft, beijing_legislator):
    """A draft with five comments (one a campaign copy, one rejected, one a formula), then closed."""
    draft = make_draft()
    article = draft.current_version.provisions.get(kind="article", number=3)
    alice, bob = UserFactory(), UserFactory()
    comments = [
        submit_comment(
            draft=draft, author=alice, provision=article, text="应当保障业主的知情权。", stance=Stance.AMEND
        ),
        submit_comment(draft=draft, author=bob, provision=article, text="业主的知情权需要细化。", stance=Stance.AMEND),
        submit_comment(draft=draft, author=alice, text="总体上赞成这部条例。", stance=Stance.SUPPORT),
        submit_comment(draft=draft, author=bob, text='=HYPERLINK("http://x")注入', stance=Stance.OPPOSE),
    ]
    spam = submit_comment(draft=draft, author=bob, text="推销广告，与草案无关。", stance=Stance.SUPPORT)
    reject_comment(comment=spam, moderator=beijing_legislator, reason="广告")
    theme = create_theme(draft=draft, title="业主知情权", comments=comments[:2], user=beijing_legislator)
    now = comments[0].created_at
    campaign = Campaign.objects.create(
        draft=draft, key="c-1", form_text="业主的知情权", size=1, first_seen=now, last_seen=now
    )
    comments[1].campaign = campaign
    comments[1].save(update_fields=["campaign"])
    draft.closes_at = draft.opens_at.replace(year=draft.opens_at.year - 1)
    draft.opens_at = draft.opens_at.replace(year=draft.opens_at.year - 2)
    draft.save()
    decide_theme(theme=theme, decision=Decision.ADOPTED, reason="采纳。", adopted_in=article, user=beijing_legislator)
    return draft, comments, spam


def test_excel_continues_on_a_new_sheet_past_the_row_limit(closed_draft):
    draft, comments, spam = closed_draft
    buffer = io.BytesIO()

    written = exports.write_comments_workbook(draft, buffer, max_rows=3)  # header + 2 rows per sheet

    assert written == 5
    workbook = load_workbook(io.BytesIO(buffer.getvalue()), read_only=True)
    sheets = [list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets]
    assert [len(rows) for rows in sheets] == [3, 3, 2]
    assert len(workbook.sheetnames) == len(set(workbook.sheetnames)) == 3
    assert all(rows[0][0] == "ID" or rows[0][0] == "编号" for rows in sheets)  # the header on every sheet
    body = [row for rows in sheets for row in rows[1:]]
    assert [row[0] for row in body] == sorted(c.pk for c in [*comments, spam])
    by_id = {row[0]: row for row in body}
    assert by_id[comments[0].pk][11] == "业主知情权"  # themes
    assert by_id[comments[1].pk][12] == "c-1"  # campaign
    assert by_id[comments[3].pk][4].startswith("'=")  # no formula injection


def test_csv_is_streamed_to_the_draft_managers_only(client, closed_draft, beijing_legislator, hebei_legislator):
    draft, comments, spam = closed_draft
    client.force_login(hebei_legislator)
    assert client.get(draft.url + "export/?format=csv").status_code == 403

    client.force_login(beijing_legislator)
    response = client.get(draft.url + "export/?format=csv")

    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 6
    assert {row[4] for row in rows[1:]} >= {"推销广告，与草案无关。", '\'=HYPERLINK("http://x")注入'}


def test_excel_export_is_sent_as_a_file(client, closed_draft, beijing_legislator):
    draft, *_ = closed_draft
    client.force_login(beijing_legislator)

    response = client.get(draft.url + "export/")

    assert response.status_code == 200
    assert 'attachment; filename="comments-' in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 6


def test_publishing_the_report_writes_the_open_data_files(
    client, closed_draft, beijing_legislator, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.OPEN_DATA_ROOT = tmp_path
    draft, comments, spam = closed_draft
    assert client.get(draft.url + "open-data/csv/").status_code == 404  # no report yet

    with django_capture_on_commit_callbacks(execute=True):
        publish_report(draft=draft.__class__.objects.get(pk=draft.pk), user=beijing_legislator)

    lines = (tmp_path / f"draft-{draft.pk}-comments.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert sorted(r["id"] for r in records) == sorted(c.pk for c in comments)  # the rejected one is not published
    assert {r["campaign"] for r in records} == {"", "c-1"}
    assert not any("author" in r for r in records)
    client.logout()
    page = client.get(draft.url + "report/")
    assert 'data-testid="open-data-csv"' in page.content.decode()
    response = client.get(draft.url + "open-data/csv/")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 4 and set(rows[0]) == set(exports.OPEN_DATA_FIELDS)
    assert client.get(draft.url + "open-data/xml/").status_code == 404


def test_export_open_data_command(
    closed_draft, beijing_legislator, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    settings.OPEN_DATA_ROOT = tmp_path
    draft, *_ = closed_draft
    out = io.StringIO()
    with pytest.raises(Exception, match="not published"):
        call_command("export_open_data", draft=draft.pk, stdout=out)
    with django_capture_on_commit_callbacks(execute=False):
        publish_report(draft=draft.__class__.objects.get(pk=draft.pk), user=beijing_legislator)

    call_command("export_open_data", draft=draft.pk, stdout=out)

    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary == {"drafts": 1, "comments": 4, "seconds": summary["seconds"]}
    assert (tmp_path / f"draft-{draft.pk}-comments.csv").exists()


def _sheets(data: bytes) -> list[list[list]]:
    workbook = load_workbook(io.BytesIO(data))
    return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets]


def test_excel_holds_the_export_rows_as_they_are(closed_draft):
    from regions.models import Region

    draft, comments, spam = closed_draft
    county = Region.objects.filter(level="county", code__startswith="1101").first()
    comments[2].region = county
    comments[2].save(update_fields=["region"])

    expected = [[None if value == "" else value for value in row] for row in exports.comment_rows(draft)]
    (sheet,) = _sheets(exports.comments_workbook(draft))

    header, *body = sheet
    assert header == exports._header()
    assert len(body) == len(expected) == 5
    for got, want in zip(body, expected, strict=True):
        assert got[:8] + got[9:] == want[:8] + want[9:]
        assert abs(got[8] - want[8]) < timedelta(milliseconds=1)  # a date and time Excel shows to the second
    by_id = {row[0]: row for row in body}
    assert by_id[comments[2].pk][6] == county.full_name  # 北京市…区, from the names read once
    assert by_id[comments[2].pk][2] in {"Whole draft", "草案整体"}
    assert by_id[comments[0].pk][1] == draft.current_version.label
    assert by_id[comments[0].pk][2] == comments[0].provision.label
    assert isinstance(by_id[comments[0].pk][8], type(comments[0].created_at.replace(tzinfo=None)))


def test_the_sheet_limit_applies_to_the_download(client, closed_draft, beijing_legislator, monkeypatch):
    draft, comments, spam = closed_draft
    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 2)  # the header and one comment a sheet
    client.force_login(beijing_legislator)

    response = client.get(draft.url + "export/")

    sheets = _sheets(b"".join(response.streaming_content))
    assert [len(rows) for rows in sheets] == [2] * 5
    assert [rows[1][0] for rows in sheets] == sorted(c.pk for c in [*comments, spam])


def test_a_sheet_also_ends_before_its_xml_outgrows_a_zip_entry(closed_draft, monkeypatch):
    from core import xlsx

    draft, comments, spam = closed_draft
    monkeypatch.setattr(xlsx, "MAX_SHEET_BYTES", 1)  # every row past the header starts a new sheet
    buffer = io.BytesIO()

    assert exports.write_comments_workbook(draft, buffer) == 5

    sheets = _sheets(buffer.getvalue())
    assert [len(rows) for rows in sheets] == [2] * 5
    assert len({rows[1][0] for rows in sheets}) == 5


def test_an_export_without_comments_has_the_header(make_draft):
    (sheet,) = _sheets(exports.comments_workbook(make_draft()))
    assert sheet == [exports._header()]


def test_formula_starts_are_neutralised_in_every_column_people_write(closed_draft):
    draft, comments, spam = closed_draft
    comments[0].quote = "+1 赞成"
    comments[0].source = "@来源"
    comments[0].save(update_fields=["quote", "source"])
    spam.rejection_reason = "-广告"
    spam.save(update_fields=["rejection_reason"])

    rows = {row[0]: row for row in exports.comment_rows(draft)}

    assert rows[comments[0].pk][5] == "'+1 赞成" and rows[comments[0].pk][13] == "'@来源"
    assert rows[spam.pk][10] == "'-广告"
    text = "".join(exports.comments_csv(draft))
    assert "'+1 赞成" in text and "'-广告" in text


def test_under_asgi_the_csv_is_still_streamed(async_client, closed_draft, beijing_legislator):
    from asgiref.sync import async_to_sync

    draft, comments, spam = closed_draft

    async def download():
        await async_client.aforce_login(beijing_legislator)
        response = await async_client.get(draft.url + "export/?format=csv")
        return response, b"".join([part async for part in response.streaming_content])

    response, body = async_to_sync(download)()

    assert response.status_code == 200 and response.is_async  # not gathered into a list before sending
    rows = list(csv.reader(io.StringIO(body.decode("utf-8").lstrip("\ufeff"))))
    assert len(rows) == 6 and sorted(int(row[0]) for row in rows[1:]) == sorted(c.pk for c in [*comments, spam])
