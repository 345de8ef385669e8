"""The report channel: filing, protection of the reporter, the workflow and its clocks, receipts, linking."""

import io
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from accounts.roles import Role
from reports import receipts, selectors, services
from reports.codes import format_code
from reports.models import CaseEvent, IdentityAccess, Receipt, Report, TargetSignal
from tests.factories import UserFactory
from tests.reports.conftest import ID_NUMBER

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (255, 200, 0)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()  # a real picture: a PNG header alone is refused as damaged


def _all_database_text() -> str:
    """Every value of every table, as text: what someone with a copy of the database would see."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            for row in cursor.fetchall():
                chunks.append(
                    " ".join(bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v) for v in row)
                )
    return "\n".join(chunks)


def test_a_real_name_identity_is_never_in_the_database_or_logs_in_plain(file_report, real_name, caplog):
    caplog.set_level(logging.DEBUG)
    filed = file_report(identity=real_name)

    text = _all_database_text() + caplog.text
    for secret in ("赵举报", ID_NUMBER, "13800138000", "reporter@example.cn", filed.code):
        assert secret not in text
    assert filed.report.identity_token


def test_the_code_opens_the_report_and_wrong_codes_are_throttled(file_report, settings):
    settings.REPORT_CODE_ATTEMPTS = (3, 3600)
    filed = file_report()

    assert services.find_by_code(format_code(filed.code).lower(), network="198.51.100.7") == filed.report
    for _ in range(3):
        assert services.find_by_code("0000-0000-0000-0000-0000", network="198.51.100.7") is None
    with pytest.raises(services.Throttled):
        services.find_by_code(filed.code, network="198.51.100.7")
    # another network is not affected
    assert services.find_by_code(filed.code, network="203.0.113.5") == filed.report


def test_attachments_are_checked_by_content_and_stored_encrypted(file_report, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    filed = file_report(attachments=[SimpleUploadedFile("证据.png", PNG, content_type="application/pdf")])

    attachment = filed.report.attachments.get()
    assert attachment.content_type == "image/png"  # the content decides, not the declared type
    stored = (tmp_path / "reports" / attachment.storage_name).read_bytes()
    assert PNG not in stored and b"PNG" not in stored
    with pytest.raises(ValidationError):
        file_report(
            description="另一份举报，附件是可执行文件，应当被拒绝接收。" * 2,
            attachments=[SimpleUploadedFile("x.pdf", b"MZ\x90\x00" + b"\x00" * 100)],
        )


def test_a_failed_filing_leaves_no_file_behind(file_report, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError):
        file_report(
            attachments=[SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.exe", b"MZ\x90\x00" + b"\x00" * 100)]
        )

    assert not list((tmp_path / "reports").glob("*")) if (tmp_path / "reports").exists() else True
    assert not Report.objects.exists()


def test_identity_is_revealed_only_to_allowed_inspectors_and_every_view_is_recorded(
    file_report, real_name, inspector_baoding, inspector_beijing
):
    filed = file_report(identity=real_name)

    with pytest.raises(ValidationError):
        services.reveal_identity(report=filed.report, user=inspector_baoding, reason=" ")
    identity = services.reveal_identity(report=filed.report, user=inspector_baoding, reason="核实举报人身份以便约谈")
    with pytest.raises(PermissionDenied):
        services.reveal_identity(report=filed.report, user=inspector_beijing, reason="越权")

    assert identity["id_number"] == ID_NUMBER
    access = IdentityAccess.objects.get()
    assert (access.user, access.what, access.reason) == (inspector_baoding, "identity", "核实举报人身份以便约谈")


def test_the_audit_log_cannot_be_changed(file_report, real_name, inspector_baoding):
    filed = file_report(identity=real_name)
    services.reveal_identity(report=filed.report, user=inspector_baoding, reason="核实")
    access = IdentityAccess.objects.get()

    with pytest.raises(PermissionDenied):
        access.save()
    with pytest.raises(PermissionDenied):
        access.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        IdentityAccess.objects.filter(pk=access.pk).update(reason="改写")
    if connection.vendor == "postgresql":  # SQLite, for development, refuses updates only
        with pytest.raises(DatabaseError), transaction.atomic():
            IdentityAccess.objects.filter(pk=access.pk).delete()


def test_the_reported_person_and_unit_never_see_the_case(file_report, regions):
    filed = file_report(subject_name="张 某", subject_unit="定兴县住房和城乡建设局")
    the_person = UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600", display_name="张某")
    a_colleague = UserFactory(
        role=Role.INSPECTOR,
        jurisdiction_id="130600",
        display_name="刘某",
        organisation="定兴县住房和城乡建设局",
    )
    neutral = UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600", display_name="王某")

    for insider in (the_person, a_colleague):
        assert not selectors.cases_for(insider).filter(pk=filed.report.pk).exists()
        with pytest.raises(PermissionDenied):
            services.act(report=filed.report, user=insider, action="accept")
        with pytest.raises(ValidationError):
            services.assign(report=filed.report, user=neutral, handler=insider)
    assert selectors.cases_for(neutral).filter(pk=filed.report.pk).exists()
    assert insider not in selectors.assignable_handlers(filed.report)


def test_the_unit_is_matched_by_its_credit_code_too(file_report, regions):
    from core.identifiers import uscc_check_character

    code = "11130626000000000"
    code += uscc_check_character(code)
    filed = file_report(subject_unit="县住建局", subject_unit_code=code)
    insider = UserFactory(
        role=Role.INSPECTOR,
        jurisdiction_id="130000",
        display_name="某人",
        organisation="定兴县住房和城乡建设局",
        organisation_code=code,
    )

    assert not selectors.cases_for(insider).filter(pk=filed.report.pk).exists()


def test_the_workflow_from_receipt_to_close(file_report, real_name, inspector_baoding):
    received = datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(received, tick=False):
        filed = file_report(identity=real_name)
    report = filed.report
    assert (report.state, report.due_on.isoformat()) == ("received", "2026-10-13")

    with time_machine.travel(received + timedelta(days=3), tick=False):
        report = services.act(report=report, user=inspector_baoding, action="accept", note="属于本机关管辖")
        report = services.act(report=report, user=inspector_baoding, action="start_handling")
    assert report.due_on.isoformat() == "2026-11-30"  # 60 days from acceptance
    with pytest.raises(ValidationError):
        services.extend(report=report, user=inspector_baoding, days=31, reason="情况复杂")
    report = services.extend(report=report, user=inspector_baoding, days=30, reason="需要调取采购档案")
    assert report.due_on.isoformat() == "2026-12-30"
    with pytest.raises(ValidationError):
        services.extend(report=report, user=inspector_baoding, days=1, reason="再延长")
    with pytest.raises(ValidationError):
        services.act(report=report, user=inspector_baoding, action="conclude")  # a result is required
    report = services.act(report=report, user=inspector_baoding, action="conclude", note="问题属实，已立案")
    services.reply(report=report, user=inspector_baoding, body="经核查，反映的拆分采购问题属实，已依规处理。")
    report.refresh_from_db()
    assert report.state == "replied"
    with pytest.raises(ValidationError):
        services.act(report=report, user=inspector_baoding, action="close")  # the reporter still has 30 days

    report = services.evaluate(report=report, satisfied=False, ask_for_review=True, note="处理偏轻")
    assert report.state == "review" and report.due_on is not None
    services.reply(report=report, user=inspector_baoding, body="复查意见：维持原处理。")
    report.refresh_from_db()
    report = services.evaluate(report=report, satisfied=False, ask_for_review=True)
    assert report.state == "re_review"
    services.reply(report=report, user=inspector_baoding, body="复核意见：维持。")
    report.refresh_from_db()
    report = services.evaluate(report=report, satisfied=False)
    assert report.state == "closed"
    actions = list(report.events.values_list("action", flat=True))
    assert actions[:4] == ["filed", "accept", "start_handling", "extended"]
    assert all(e.actor == inspector_baoding for e in report.events.filter(by_reporter=False))


def test_steps_out_of_order_are_refused(file_report, inspector_baoding):
    report = file_report().report

    with pytest.raises(ValidationError):
        services.act(report=report, user=inspector_baoding, action="conclude", note="跳过受理")
    with pytest.raises(ValidationError):
        services.reply(report=report, user=inspector_baoding, body="太早")
    with pytest.raises(ValidationError):
        services.act(report=report, user=inspector_baoding, action="transfer")  # must name the body


def test_overdue_cases_escalate(file_report, inspector_baoding):
    with time_machine.travel(datetime(2026, 9, 28, 10, 0, tzinfo=SHANGHAI), tick=False):
        report = file_report().report
    with time_machine.travel(datetime(2026, 10, 11, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert [r.pk for r in services.refresh_escalations()] == [report.pk]
    report.refresh_from_db()
    assert report.escalation == "reminder"
    with time_machine.travel(datetime(2026, 10, 25, 10, 0, tzinfo=SHANGHAI), tick=False):
        out = io.StringIO()
        call_command("check_deadlines", stdout=out)
    report.refresh_from_db()
    assert report.escalation == "red" and "1 cases escalated" in out.getvalue()


def test_receipts_chain_and_detect_tampering(file_report):
    first, second, third = (
        file_report(description=f"第{n}份举报：有关单位违规发放津贴补贴，涉及多名干部。").report for n in range(3)
    )

    assert receipts.verify_receipts().ok
    call_command("verify_receipts", stdout=io.StringIO())
    assert Receipt.objects.get(report=second).previous_hash == Receipt.objects.get(report=first).hash

    Report.objects.filter(pk=second.pk).update(description="被篡改的内容")
    result = receipts.verify_receipts()
    assert not result.ok and result.broken.report == second
    with pytest.raises(CommandError, match=r"receipt #2"):
        call_command("verify_receipts", stdout=io.StringIO())


def test_near_duplicates_are_grouped_and_repeated_targets_raise_a_signal(file_report):
    text = "定兴县住建局张某在工程验收中收受施工单位好处费，验收不合格的工程被签字放行。"
    original = file_report(description=text).report
    copy = file_report(description=text + "请严查！").report
    assert copy.duplicate_of == original
    assert not TargetSignal.objects.exists()  # a copy is not an independent report

    file_report(description="张某在2025年安排亲属承接本局的绿化工程，没有经过招标程序。")
    file_report(description="住建局办公室主任张某长期接受宴请，违反中央八项规定精神。")

    person = TargetSignal.objects.get(key__startswith="person:")
    assert person.report_count == 3 and "张某" in person.label
    unit = TargetSignal.objects.get(key__startswith="unit:")
    assert unit.report_count == 3 and unit.label == "定兴县住房和城乡建设局"


def test_real_name_reporters_are_told_of_changes_without_content(
    file_report, real_name, inspector_baoding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        filed = file_report(identity=real_name)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.act(report=filed.report, user=inspector_baoding, action="accept")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reporter@example.cn"]
    for content in ("张某", "住房和城乡建设局", "采购", filed.report.reference):
        assert content not in message.subject + message.body
    assert IdentityAccess.objects.filter(what="email", user__isnull=True).exists()


def test_anonymous_filing_leaves_no_address_or_agent_in_logs_or_database(client, regions, calendar, caplog):
    caplog.set_level(logging.DEBUG)
    address, agent = "203.0.113.77", "Mozilla/5.0 UniqueAgent/9.9"

    response = client.post(
        "/reports/new/",
        {
            "kind": "land",
            "subject_unit": "某县自然资源局",
            "region": "130626",
            "description": "某县自然资源局将经营性用地以协议方式出让给关联企业，价格明显偏低。",
            "identity": "anonymous",
        },
        REMOTE_ADDR=address,
        HTTP_USER_AGENT=agent,
    )

    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert Report.objects.filter(anonymous=True).count() == 1
    logs = caplog.text
    assert address not in logs and agent not in logs
    text = _all_database_text()
    assert address not in text and agent not in text


def test_deletion_really_deletes_files(file_report, settings, tmp_path, real_name):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    report = file_report(identity=real_name, attachments=[SimpleUploadedFile("a.png", PNG)]).report

    services.delete_report(report=report)

    assert not list((tmp_path / "reports").iterdir())
    report.refresh_from_db()
    assert report.identity_token == "" and not report.attachments.exists()
    assert CaseEvent.objects.filter(report=report).exists()  # the case history stays
