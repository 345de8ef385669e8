"""Who is told what when a case moves: the staff of its region live (`core.events`, after commit; the socket's
guard, `reports.selectors.may_receive_event`, keeps each event from those the case names), and a real-name
reporter by e-mail (a task, after commit), never with any case content.

How the staff's live panel words these events is in `reports.live`.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django_tasks import task

from core.events import publish_event_on_commit, region_groups
from core.tasks import enqueue_on_commit
from reports import crypto
from reports.models import IdentityAccess, Report, TargetSignal
from workdays.deadlines import Escalation

# --- the staff, live ------------------------------------------------------------------------------


def report_received(report: Report) -> None:
    publish_event_on_commit(
        region_groups(report.region_id),
        "report.received",
        {
            "report": str(report.public_id),
            "kind": report.kind,
            "summary": f"{report.get_kind_display()} · {report.region.full_name}",
        },
    )
    if report.notify_by_email:
        enqueue_on_commit(notify_reporter, report.pk)


def signal_raised(report: Report, signal: TargetSignal, count: int) -> None:
    publish_event_on_commit(
        region_groups(report.region_id),
        "report.signal",
        {"signal": signal.pk, "count": count, "summary": _("Several reports name one target")},
    )


def information_added(report: Report) -> None:
    publish_event_on_commit(
        region_groups(report.region_id),
        "report.updated",
        {"report": str(report.public_id), "summary": _("The reporter added information")},
    )


def case_assigned(report: Report, handler) -> None:
    publish_event_on_commit(
        [f"user.{handler.pk}"],
        "report.assigned",
        {"report": str(report.public_id), "summary": _("A case was assigned to you")},
    )


def case_changed(report: Report) -> None:
    """A staff step moved the case: its region's staff see the new state, a real-name reporter gets a notice."""
    publish_event_on_commit(
        region_groups(report.region_id),
        "report.changed",
        {
            "report": str(report.public_id),
            "state": report.state,
            "summary": _("Case %(reference)s: %(state)s")
            % {"reference": report.reference, "state": report.get_state_display()},
        },
    )
    if report.notify_by_email:
        enqueue_on_commit(notify_reporter, report.pk)


def _escalation_summary(report: Report) -> str:
    if report.escalation == Escalation.RED:
        return _("Case %(reference)s is long overdue (red)") % {"reference": report.reference}
    if report.escalation == Escalation.YELLOW:
        return _("Case %(reference)s is overdue (yellow)") % {"reference": report.reference}
    return _("Case %(reference)s is due soon") % {"reference": report.reference}


def case_escalated(report: Report) -> None:
    """The case's deadline got closer or passed (reminder → yellow → red)."""
    publish_event_on_commit(
        region_groups(report.region_id),
        "report.overdue" if report.escalation in (Escalation.YELLOW, Escalation.RED) else "report.due_soon",
        {
            "report": str(report.public_id),
            "escalation": report.escalation,
            "reference": report.reference,
            "summary": _escalation_summary(report),
        },
    )


# --- the reporter, by e-mail ----------------------------------------------------------------------


@task()
def notify_reporter(report_id: int) -> bool:
    """Tell a real-name reporter that their case moved, without any case content."""
    from django.core.mail import send_mail

    report = Report.objects.filter(pk=report_id).first()
    if report is None or not report.notify_by_email or not report.identity_token:
        return False
    email = crypto.decrypt_json(report.identity_token).get("email")
    if not email:
        return False
    IdentityAccess.objects.create(report=report, user=None, what="email", reason="系统通知：案件状态变化")
    send_mail(
        subject="[阳光] 您的举报有新进展",
        message=(
            "您好：\n\n您提交的举报有新的办理进展。为保护您的信息，本邮件不包含案件内容。\n"
            f"请凭查询码登录查看：{settings.SITE_URL}/reports/check/\n\n阳光平台"
        ),
        from_email=None,
        recipient_list=[email],
    )
    return True
