"""Reports moved from the petitions app to their own without moving a row (issue #15).

A database migrated before the move holds its reports in the `petitions_*` tables, under content types labelled
`petitions`, with the deadline job's last run and queued notices under their old names. Migrating it keeps every
row where it is and hands it to the `reports` app.
"""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.models import JobRun
from reports.models import CaseEvent, Report

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("petitions", "0005_petition_answer_loop"), ("reports", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_a_report_filed_before_the_move_is_the_reports_apps_after_it(regions):
    # given: the database as it was before the move, with a report, its first step and what names it by app
    old = _migrate(BEFORE).loader.project_state(BEFORE[0]).apps
    OldReport = old.get_model("petitions", "Report")
    report = OldReport.objects.create(
        kind="land",
        subject_unit="定兴县自然资源局",
        region_id="130626",
        description="县城东侧一宗商品住宅用地以协议方式出让，成交价明显低于周边地块。",
        anonymous=True,
        code_digest="d" * 64,
    )
    old.get_model("petitions", "CaseEvent").objects.create(report_id=report.pk, to_state="received", action="filed")
    # (unmigrating the move gave the content types their old label back, with the permissions that hang on them)
    permission = Permission.objects.get(codename="view_reporter_identity")
    assert permission.content_type.app_label == "petitions"
    JobRun.objects.create(name="petitions.report_deadlines", runs=3, last_result="0 cases escalated")

    # when
    _migrate(_latest())
    ContentType.objects.clear_cache()

    # then: the same row, read by the reports app, its history with it; the names follow
    moved = Report.objects.get(pk=report.pk)
    assert moved.public_id == report.public_id and moved.subject_unit == "定兴县自然资源局"
    assert list(CaseEvent.objects.filter(report=moved).values_list("action", flat=True)) == ["filed"]
    assert Report._meta.db_table == "petitions_report"
    permission.refresh_from_db()
    assert permission.content_type.app_label == "reports" and permission.content_type.model_class() is Report
    assert JobRun.objects.get(name="reports.deadlines").runs == 3
    assert not JobRun.objects.filter(name="petitions.report_deadlines").exists()
