"""Text that is not valid UTF-8 is refused with a 400 that says so, on every form and the JSON API."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import AsyncClient

from petitions.models import Petition
from reports.models import Report
from tests.reports.test_report_views import FORM

BROKEN = b"\xff\xfe"
MESSAGE_ZH = "不是有效的 UTF-8"
MESSAGE_EN = "not valid UTF-8"


@pytest.fixture
def calendar(db):
    call_command("load_calendar", stdout=io.StringIO())


def multipart(fields: dict[str, str | bytes]) -> tuple[bytes, str]:
    """A multipart body with each field's bytes as given (the test client would turn bytes into a list)."""
    boundary = "sunshine-boundary-7f3a"
    parts = [
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (boundary.encode(), name.encode(), value if isinstance(value, bytes) else value.encode())
        for name, value in fields.items()
    ]
    return b"".join(parts) + b"--%s--\r\n" % boundary.encode(), f"multipart/form-data; boundary={boundary}"


def _says_not_utf8(response) -> bool:
    text = response.content.decode()
    return MESSAGE_ZH in text or MESSAGE_EN in text


def test_a_multipart_form_field_with_broken_bytes_is_refused_and_nothing_is_stored(client, regions, calendar):
    # given a report whose description carries bytes that are not UTF-8
    description = FORM["description"].encode() + BROKEN

    # when it is filed through the page (multipart, as browsers send forms with files)
    body, content_type = multipart({**FORM, "description": description})
    response = client.post("/reports/new/", body, content_type=content_type)

    # then the page says why, in Chinese by default, and nothing was filed
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert MESSAGE_ZH in response.content.decode()
    assert not Report.objects.exists()


def test_the_message_follows_the_visitors_language(client, regions, calendar):
    client.cookies["django_language"] = "en"

    body, content_type = multipart({**FORM, "subject_unit": BROKEN})
    response = client.post("/reports/new/", body, content_type=content_type)

    assert response.status_code == 400 and MESSAGE_EN in response.content.decode()


def test_a_url_encoded_form_with_broken_bytes_is_refused(client, regions, citizen):
    # given a signed-in citizen starting a petition, with %FF%FE in its title
    client.force_login(citizen)
    body = "title=%E4%BF%AE%E8%B7%AF%FF%FE&action=" + "%E4%BF%AE%E8%B7%AF" * 10 + "&region=110105"

    response = client.post("/petitions/new/", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400 and _says_not_utf8(response)
    assert not Petition.objects.exists()


def test_raw_broken_bytes_in_a_url_encoded_body_are_refused_too(client, regions):
    response = client.post("/reports/check/", b"code=ABCD" + BROKEN, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400 and _says_not_utf8(response)


def test_a_query_string_with_broken_bytes_is_refused(client, db):
    response = client.get("/search/", QUERY_STRING="q=%E5%90%88%FF%FE")

    assert response.status_code == 400 and _says_not_utf8(response)


def test_a_json_api_body_with_broken_bytes_is_refused_in_the_apis_error_shape(client, citizen):
    # given a signed-in citizen commenting through the API with a broken comment
    client.force_login(citizen)
    body = b'{"text": "' + "这一条的罚款数额过高，应当降低。".encode() + BROKEN + b'", "stance": "oppose"}'

    response = client.post("/api/consultations/drafts/1/comments", body, content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    errors = json.loads(response.content)["errors"]["__all__"]
    assert any(MESSAGE_ZH in error or MESSAGE_EN in error for error in errors)


def test_a_body_in_another_charset_is_refused(client, regions):
    # the test client encodes the body in the charset it declares
    response = client.post(
        "/reports/check/", "code=合同", content_type="application/x-www-form-urlencoded; charset=gbk"
    )

    assert response.status_code == 400 and _says_not_utf8(response)


def test_valid_text_files_and_binary_uploads_pass(client, regions, calendar):
    # binary attachments are bytes, not text: only the text fields are decoded
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.reports.test_attachments import picture

    response = client.post(
        "/reports/new/",
        {**FORM, "attachments": [SimpleUploadedFile("现场.jpg", picture("JPEG") + BROKEN * 10)]},
    )

    assert response.status_code == 200
    assert Report.objects.count() == 1


def test_a_search_in_chinese_passes(client, db):
    response = client.get("/search/", {"q": "合同 拆分"})

    assert response.status_code == 200


@pytest.mark.django_db
async def test_the_asgi_request_is_checked_the_same_way():
    response = await AsyncClient().get("/search/", QUERY_STRING="q=%FF")

    assert response.status_code == 400
