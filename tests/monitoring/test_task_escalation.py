"""An overdue verification task escalates reminder → yellow → red on its own clock, and each level tells the
assignee and the jurisdiction's lead once: a mail and a live event, never again on a re-run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from accounts.leads import leads_for
from accounts.roles import Role
from core.models import LiveEvent
from core.scheduler import run_job
from monitoring.land.services import ingest_land
from monitoring.models import VerificationTask
from monitoring.services import refresh_task_escalations
from tests.factories import UserFactory


@pytest.fixture
def hebei_lead(all_regions):
    return UserFactory(role=Role.INSPECTOR, jurisdiction_id="130000", display_name="冀组长", is_jurisdiction_lead=True)


@pytest.fixture
def task(record, baoding_inspector, hebei_lead) -> VerificationTask:
    record["supply"] = "协议出让"  # red on arrival: a task for Baoding's inspector
    return ingest_land(record)[2][0].task


def _escalate(task, capture, days_from_due: int) -> None:
    with capture(execute=True):
        refresh_task_escalations(today=task.due_on + timedelta(days=days_from_due))
    task.refresh_from_db()


def _notices(level: str) -> list[LiveEvent]:
    return [e for e in LiveEvent.objects.filter(event_type="task.escalated") if e.payload["escalation"] == level]


def test_the_nearest_lead_of_the_jurisdiction_hears_of_it(hebei_lead, baoding_inspector):
    national = UserFactory(role=Role.INSPECTOR, jurisdiction_id="000000", is_jurisdiction_lead=True)

    assert leads_for("130626", Role.INSPECTOR) == [hebei_lead]  # Hebei's lead, not the national one
    assert leads_for("310000", Role.INSPECTOR) == [national]
    assert leads_for("130626", Role.LEGISLATOR) == []


def test_a_task_crosses_reminder_yellow_red_and_notifies_once_per_level(
    task, baoding_inspector, hebei_lead, django_capture_on_commit_callbacks
):
    recipients = {baoding_inspector.email, hebei_lead.email}

    # when: three days before the due date
    _escalate(task, django_capture_on_commit_callbacks, -3)
    # then: a reminder to the assignee and the lead
    assert task.escalation == "reminder" and task.escalation_notified == "reminder"
    assert {m.to[0] for m in mail.outbox} == recipients and len(mail.outbox) == 2
    assert all(m.subject.startswith("[阳光 Sunshine] 核查任务即将到期") for m in mail.outbox)
    assert len(_notices("reminder")) == 1

    # when: the job runs again the same day, and the next
    _escalate(task, django_capture_on_commit_callbacks, -3)
    _escalate(task, django_capture_on_commit_callbacks, -2)
    # then: nobody is told twice
    assert len(mail.outbox) == 2 and len(_notices("reminder")) == 1

    # when: a day overdue, then eight
    _escalate(task, django_capture_on_commit_callbacks, 1)
    assert task.escalation == "yellow" and len(mail.outbox) == 4 and len(_notices("yellow")) == 1
    _escalate(task, django_capture_on_commit_callbacks, 8)
    _escalate(task, django_capture_on_commit_callbacks, 9)

    # then: red, once
    assert task.escalation == "red" and task.escalation_notified == "red"
    red = mail.outbox[4:]
    assert len(red) == 2 and {m.to[0] for m in red} == recipients
    assert len(_notices("red")) == 1
    to_lead = next(m for m in red if m.to == [hebei_lead.email])
    assert "严重超期" in to_lead.subject and "超期 8 天，已升级为红色" in to_lead.body
    assert "负责人" in to_lead.body and str(baoding_inspector) in to_lead.body
    assert f"/monitoring/alerts/{task.alert.public_id}/" in to_lead.body
    # the live event goes to the region's inspectors and to each person told, by name
    event = _notices("red")[0]
    assert f" user.{baoding_inspector.pk} " in event.groups and f" user.{hebei_lead.pk} " in event.groups
    assert " region.130600 " in event.groups


def test_a_task_found_already_red_is_announced_once_as_red(task, django_capture_on_commit_callbacks):
    _escalate(task, django_capture_on_commit_callbacks, 30)

    assert task.escalation == "red" and len(mail.outbox) == 2
    assert [e.payload["escalation"] for e in LiveEvent.objects.filter(event_type="task.escalated")] == ["red"]


def test_a_finished_task_does_not_escalate(task, baoding_inspector, django_capture_on_commit_callbacks):
    VerificationTask.objects.filter(pk=task.pk).update(state="done")

    _escalate(task, django_capture_on_commit_callbacks, 30)

    assert task.escalation == "none" and mail.outbox == []


def test_the_scheduled_job_and_check_deadlines_run_the_same_escalation(task, django_capture_on_commit_callbacks):
    import time_machine
    from django.core.management import call_command

    with time_machine.travel(task.due_on + timedelta(days=2)), django_capture_on_commit_callbacks(execute=True):
        outcome = run_job("monitoring.task_escalations")
        call_command("check_deadlines", stdout=open("/dev/null", "w"))  # noqa: SIM115

    task.refresh_from_db()
    assert outcome.ran and outcome.summary == "1"
    assert task.escalation == "yellow" and len(mail.outbox) == 2  # told once, though it ran twice


def test_the_alert_history_tells_each_escalation_and_a_finished_task_drops_its_badge(
    client, task, baoding_inspector, django_capture_on_commit_callbacks
):
    from monitoring.services import record_result

    _escalate(task, django_capture_on_commit_callbacks, 2)
    _escalate(task, django_capture_on_commit_callbacks, 30)
    client.force_login(baoding_inspector)
    url = f"/monitoring/alerts/{task.alert.public_id}/"

    page = client.get(url).content.decode()
    assert "核查任务已超期，系统将其升级为黄色。" in page and "升级为红色。" in page
    assert 'class="badge esc-red"' in page

    record_result(task=task, user=baoding_inspector, result="已核实，责令整改。")
    page = client.get(url).content.decode()
    assert "升级为红色。" in page  # the history keeps it
    assert 'class="badge esc-red"' not in page  # the task is done: no overdue badge
