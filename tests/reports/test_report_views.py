"""The report pages: the reporter's journey, every role against every staff page, malformed input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from regions.models import Region
from reports import services
from reports.codes import format_code
from reports.models import Report
from tests.factories import UserFactory

FORM = {
    "kind": "procurement",
    "subject_name": "张某",
    "subject_unit": "定兴县住房和城乡建设局",
    "region": "130626",
    "occurred": "2026年3月",
    "description": "该单位在办公设备采购中把合同拆分成多个小额合同，规避公开招标。",
    "identity": "anonymous",
}


def test_a_reporter_files_follows_up_adds_information_and_reads_the_reply(client, regions, calendar, inspector_baoding):
    # file, with an attachment
    response = client.post(
        "/reports/new/", {**FORM, "attachments": [SimpleUploadedFile("合同.txt", "合同编号2026-01".encode())]}
    )
    assert response.status_code == 200
    code = response.context["code"]
    report = Report.objects.get()
    assert report.attachments.count() == 1

    # follow up with the code
    client.post("/reports/check/", {"code": code.lower()})
    page = client.get("/reports/case/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert report.reference in page.content.decode()

    client.post("/reports/case/add/", {"body": "补充：供应商法定代表人是局长的亲属。"})
    assert report.messages.filter(direction="from_reporter").count() == 1

    # staff reply, the reporter reads it and evaluates
    for action in ("accept", "start_handling"):
        report = services.act(report=report, user=inspector_baoding, action=action)
    report = services.act(report=report, user=inspector_baoding, action="conclude", note="属实")
    services.reply(report=report, user=inspector_baoding, body="经核查，问题属实，已依规处理。")
    assert "经核查，问题属实" in client.get("/reports/case/").content.decode()
    client.post("/reports/case/evaluate/", {"satisfied": "1", "note": "满意"})
    report.refresh_from_db()
    assert report.state == "closed"


def test_a_wrong_code_opens_nothing(client, regions, calendar):
    response = client.post("/reports/check/", {"code": "0000-0000-0000-0000-0000"})

    assert response.status_code == 400
    assert client.get("/reports/case/").status_code == 302


@pytest.mark.parametrize(
    "payload",
    [
        {**FORM, "region": "12345x"},
        {**FORM, "kind": "nonsense"},
        {**FORM, "identity": "real_name", "name": "赵", "id_number": "123", "phone": "1"},
        {**FORM, "subject_unit_code": "NOT-A-CODE"},
    ],
)
def test_malformed_reports_get_messages_never_a_500(client, regions, calendar, payload):
    response = client.post("/reports/new/", payload)

    assert response.status_code == 400
    assert not Report.objects.exists()


def test_invalid_utf8_and_huge_bodies_are_refused_cleanly(client, regions, calendar, settings):
    raw = client.post(
        "/reports/new/", data=b"kind=land&description=\xff\xfe\xfa", content_type="application/x-www-form-urlencoded"
    )
    assert raw.status_code == 400

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    huge = client.post("/reports/new/", {**FORM, "description": "长" * 5000})
    assert huge.status_code == 400

    long_code = client.post("/reports/check/", {"code": "A" * 10000})
    assert long_code.status_code == 400


def test_a_disguised_executable_is_refused(client, regions, calendar):
    response = client.post(
        "/reports/new/",
        {
            **FORM,
            "attachments": [
                SimpleUploadedFile("证据.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
            ],
        },
    )

    assert response.status_code == 400
    assert not Report.objects.exists()


@pytest.fixture
def case(regions, calendar):
    return services.file_report(
        kind="procurement",
        subject_unit="定兴县住房和城乡建设局",
        region=Region.objects.get(code="130626"),
        description="该单位在办公设备采购中把合同拆分成多个小额合同，规避公开招标。",
        identity=services.ReporterIdentity(name="赵举报", id_number="11010519491231002X", phone="13800138000"),
        attachments=[SimpleUploadedFile("a.txt", "证据".encode())],
    ).report


STAFF_PAGES = [
    ("get", "/reports/cases/", {}),
    ("get", "/reports/cases/{id}/", {}),
    ("post", "/reports/cases/{id}/act/", {"action": "accept"}),
    ("post", "/reports/cases/{id}/identity/", {"reason": "核实"}),
    ("post", "/reports/cases/{id}/attachments/{att}/", {"reason": "查看"}),
    ("post", "/reports/cases/{id}/reply/", {"body": "答复"}),
    ("post", "/reports/cases/{id}/assign/", {"handler": ""}),
    ("post", "/reports/cases/{id}/extend/", {"days": "5", "reason": "复杂"}),
]


@pytest.mark.parametrize("method,url,data", STAFF_PAGES)
@pytest.mark.parametrize(
    "who,allowed",
    [
        ("anonymous", False),
        ("citizen", False),
        ("legislator", False),
        ("inspector_elsewhere", False),
        ("inspector_named", False),
        ("inspector", True),
    ],
)
def test_every_role_against_every_staff_page(client, case, method, url, data, who, allowed):
    users = {
        "citizen": lambda: UserFactory(),
        "legislator": lambda: UserFactory(role=Role.LEGISLATOR, jurisdiction_id="130000"),
        "inspector_elsewhere": lambda: UserFactory(role=Role.INSPECTOR, jurisdiction_id="110000"),
        "inspector_named": lambda: UserFactory(
            role=Role.INSPECTOR, jurisdiction_id="130600", organisation="定兴县住房和城乡建设局"
        ),
        "inspector": lambda: UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600"),
    }
    if who != "anonymous":
        client.force_login(users[who]())
    path = url.format(id=case.public_id, att=case.attachments.get().pk)

    response = getattr(client, method)(path, data)

    if not allowed and who.startswith("inspector") and path.endswith("/reports/cases/"):
        # their own list opens, without this case in it
        assert response.status_code == 200 and case.reference not in response.content.decode()
    elif not allowed:
        assert response.status_code in (302, 403, 404)
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]
        assert case.identity_accesses.count() == 0
        case.refresh_from_db()
        assert case.state == "received"
    else:
        assert response.status_code in (200, 302)
        if "identity" in path:
            assert "赵举报" in response.content.decode()


def test_the_list_hides_cases_about_the_viewer(client, case):
    client.force_login(
        UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600", organisation="定兴县住房和城乡建设局")
    )

    response = client.get("/reports/cases/")

    assert response.status_code == 200
    assert case.reference not in response.content.decode()


def test_the_follow_up_code_is_shown_once_and_never_stored_in_the_session(client, regions, calendar):
    response = client.post("/reports/new/", FORM)
    code = response.context["code"]

    from django.contrib.sessions.models import Session

    stored = " ".join(str(s.get_decoded()) for s in Session.objects.all())
    assert code not in stored and code.replace("-", "") not in stored
    assert format_code(code.replace("-", "")) == code
