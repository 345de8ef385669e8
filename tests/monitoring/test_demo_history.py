"""The demo has a history: a year of alerts, tasks and cases on documented clocks, and procurement in its own
language (regions of Chinese buyers; the international sample labelled as such)."""

import random
from datetime import date, datetime, timedelta

from django.db.models import F, Max, Min
from django.utils import timezone, translation

from monitoring import demo_history
from monitoring.approvals.demo import demo_records
from monitoring.approvals.models import ApprovalCase, CaseStep
from monitoring.demo import CN_SOURCE, PROCUREMENT_SOURCE
from monitoring.models import Alert, AlertEvent, Domain, LandTransfer, VerificationTask
from monitoring.procurement.models import Process
from monitoring.procurement.origin import place, region_code_of_credit_code
from monitoring.procurement.sample_cn import generate_sample
from monitoring.states import TaskState
from reports.demo_history import report_schedule
from reports.models import CaseEvent, Report
from workdays.calendar import calendar_from_csv

REGIONS = [("130626", "定兴县"), ("130600", "保定市"), ("110105", "朝阳区")]


def _months(moments) -> set[str]:
    return {timezone.localtime(moment).strftime("%Y-%m") for moment in moments if moment}


def test_alerts_and_cases_span_the_last_twelve_months(demo_content):
    # given: the demo, loaded today
    alerts = _months(Alert.objects.values_list("raised_at", flat=True))
    cases = _months(ApprovalCase.objects.values_list("received_at", flat=True)) | _months(
        Report.objects.values_list("received_at", flat=True)
    )
    year_ago = timezone.now() - timedelta(days=366)

    # then: at least ten months have alerts, and ten have cases, all within the last year
    assert len(alerts) >= 10, alerts
    assert len(cases) >= 10, cases
    assert not Alert.objects.filter(raised_at__lt=year_ago).exists()
    assert len(_months(Alert.objects.filter(domain=Domain.PROCUREMENT).values_list("raised_at", flat=True))) >= 8


def test_nothing_in_the_demo_lies_in_the_future(demo_content):
    now = timezone.now()
    moments = [
        Alert.objects.aggregate(m=Max("raised_at"))["m"],
        AlertEvent.objects.aggregate(m=Max("at"))["m"],
        VerificationTask.objects.aggregate(m=Max("created_at"))["m"],
        VerificationTask.objects.aggregate(m=Max("completed_at"))["m"],
        ApprovalCase.objects.aggregate(m=Max("decided_at"))["m"],
        ApprovalCase.objects.aggregate(m=Max("ingested_at"))["m"],
        CaseStep.objects.aggregate(m=Max("finished_at"))["m"],
        Report.objects.aggregate(m=Max("received_at"))["m"],
        Report.objects.aggregate(m=Max("closed_at"))["m"],
        CaseEvent.objects.aggregate(m=Max("at"))["m"],
        Process.objects.aggregate(m=Max("release_date"))["m"],
        Process.objects.aggregate(m=Max("ingested_at"))["m"],
        LandTransfer.objects.aggregate(m=Max("ingested_at"))["m"],
    ]
    assert all(moment is not None and moment <= now for moment in moments), moments


def test_no_step_comes_before_its_case_or_alert_arrived(demo_content):
    assert not AlertEvent.objects.filter(at__lt=F("alert__raised_at")).exists()
    assert not VerificationTask.objects.filter(created_at__lt=F("alert__raised_at")).exists()
    assert not CaseEvent.objects.filter(at__lt=F("report__received_at")).exists()
    assert not CaseStep.objects.filter(started_at__lt=F("case__received_at")).exists()
    assert not CaseStep.objects.filter(finished_at__lt=F("started_at")).exists()
    # each case's events in the order of the workflow
    for report in Report.objects.prefetch_related("events"):
        moments = [event.at for event in report.events.order_by("pk")]
        assert moments == sorted(moments), report.pk


def test_handling_times_are_positive_and_within_plausible_limits(demo_content):
    done = VerificationTask.objects.filter(state=TaskState.DONE)
    assert done.count() >= 20
    for task in done:
        days = (task.completed_at - task.created_at).total_seconds() / 86400
        assert 0 < days < 60, (task.pk, days)  # due in 10 working days; a few late, none absurd
    late = [t for t in done if timezone.localdate(t.completed_at) > t.due_on]
    assert 0 < len(late) < done.count() / 3
    # an alert is opened within days of being raised, and decided after its verification
    first_moves = AlertEvent.objects.exclude(from_state="").values("alert").annotate(first=Min("at"))
    for row in first_moves:
        raised = Alert.objects.get(pk=row["alert"]).raised_at
        assert timedelta(0) <= row["first"] - raised < timedelta(days=40)
    # report cases: accepted within the 15 days the regulation allows
    for report in Report.objects.exclude(accepted_at=None):
        assert timedelta(0) < report.accepted_at - report.received_at <= timedelta(days=15), report.pk


def test_some_open_tasks_are_overdue_and_escalated(demo_content):
    open_tasks = VerificationTask.objects.filter(state=TaskState.OPEN)
    assert open_tasks.filter(escalation__in=["yellow", "red"]).exists()
    assert (
        open_tasks.filter(due_on__lt=timezone.localdate()).count()
        == open_tasks.filter(escalation__in=["yellow", "red"]).count()
    )


def test_the_dashboard_charts_show_months_not_one_bar(client, demo_content):
    from accounts.models import User

    client.force_login(User.objects.get(email="inspector@demo.sunshine.cn"))
    for state in ("all", "open"):
        response = client.get("/monitoring/", {"period": "365d", "state": state})
        assert response.status_code == 200
        domain_chart = next(s for s in response.context["series"] if s["dimension"] == "domain")
        totals = [sum(series["counts"][i] for series in domain_chart["series"]) for i in range(12)]
        assert sum(1 for total in totals if total) >= (10 if state == "all" else 6), (state, totals)


def test_procurement_alerts_carry_their_buyers_region_or_the_international_label(demo_content):
    alerts = Alert.objects.filter(domain=Domain.PROCUREMENT).select_related("region")
    with translation.override("zh-hans"):
        places = {alert.pk: place(alert) for alert in alerts}
    national = [alert for alert in alerts if alert.region_id == "000000"]
    assert national and all(places[alert.pk] == "境外样例数据" for alert in national)
    assert all(places[alert.pk] != "全国" for alert in alerts)
    # the Chinese sample's processes sit in their buyers' regions, read from the buyers' credit codes
    chinese = Process.objects.filter(source__name=CN_SOURCE).select_related("buyer")
    assert chinese.exists() and not chinese.filter(region_id="000000").exists()
    for process in chinese:
        assert region_code_of_credit_code(process.buyer.credit_code)[:4] == process.region_id[:4]
    foreign = Process.objects.filter(source__name=PROCUREMENT_SOURCE)
    with translation.override("zh-hans"):
        assert {place(process) for process in foreign} == {"境外样例数据"}


def test_the_chinese_sample_raises_the_procurement_rules_in_chinese_regions(demo_content):
    chinese = set(Process.objects.filter(source__name=CN_SOURCE).values_list("ocid", flat=True))
    alerts = Alert.objects.filter(domain=Domain.PROCUREMENT).exclude(region_id="000000")
    codes = set(alerts.values_list("rule_code", flat=True))
    assert {"P101", "P102", "P103", "P104"} <= codes
    assert len(codes & {"R003", "R018", "R028", "R030", "R035", "R036", "R058"}) >= 5
    on_processes = alerts.filter(rule_code__in=["P102", "P103"])
    assert all(alert.record_ref in chinese for alert in on_processes)


def test_the_sample_and_the_history_are_deterministic():
    today = date(2026, 6, 15)
    calendar = calendar_from_csv()
    # the generated procurement sample
    one, two = (generate_sample(seed=5, today=today, regions=REGIONS, count=40) for _ in range(2))
    assert one.releases == two.releases and one.labels == two.labels
    assert generate_sample(seed=6, today=today, regions=REGIONS, count=40).releases != one.releases
    # the approval cases of the demo day
    assert demo_records(today, 40) == demo_records(today, 40)
    # arrivals and the courses of alerts
    now = datetime(2026, 6, 15, 12, tzinfo=timezone.get_current_timezone())

    def history(seed):
        rng = random.Random(seed)
        moments = demo_history.arrivals(rng, 50, now=now, days=360, calendar=calendar)
        courses = [
            demo_history.alert_course(rng, severity=s, raised=m, now=now, calendar=calendar)
            for s, m in zip(["red", "yellow", "blue"] * 17, moments, strict=False)
        ]
        return moments, courses

    assert history(1) == history(1)
    # the steps of a report case, each within its statutory limit of the one before
    steps = ["accept", "start_handling", "conclude", "reply", "review", "reply"]
    one, two = (report_schedule(random.Random(3), steps, now - timedelta(days=200), calendar) for _ in range(2))
    assert one == two == sorted(one) and one[0] - (now - timedelta(days=200)) <= timedelta(days=15)


def test_the_sample_s_dates_follow_the_tender_and_contract_clocks():
    today = date(2026, 6, 15)
    sample = generate_sample(seed=2026, today=today, regions=REGIONS, count=60)
    labels = sample.labels
    for release in sample.releases:
        tender = release["tender"]
        start = datetime.fromisoformat(tender["tenderPeriod"]["startDate"])
        end = datetime.fromisoformat(tender["tenderPeriod"]["endDate"])
        award = datetime.fromisoformat(release["awards"][0]["date"])
        signed = datetime.fromisoformat(release["contracts"][0]["dateSigned"])
        assert start < end < award < signed <= datetime.fromisoformat(release["date"])
        assert datetime.fromisoformat(release["date"]).date() < today
        days = (end - start).days
        if tender["procurementMethodDetails"] == "公开招标" and "short_period" not in labels.get(release["ocid"], []):
            assert days >= 20  # 招标投标法第二十四条
        assert (signed - award).days <= 30  # 政府采购法第四十六条
        assert release["tender"]["value"]["currency"] == "CNY"
    # every anomaly is there
    found = {label for ocid_labels in labels.values() for label in ocid_labels}
    assert {"split", "far_below", "amended", "favoured", "single_bid", "identical_bids"} <= found


def test_the_live_panel_of_a_fresh_demo_reads_as_a_history(demo_content):
    """The stored live events announcing the demo's alerts carry the moments the alerts were raised."""
    from core.models import LiveEvent

    raised = {str(public_id): at for public_id, at in Alert.objects.values_list("public_id", "raised_at")}
    announced = LiveEvent.objects.filter(event_type="alert.raised")

    assert announced.count() >= 10
    assert all(event.at == raised[event.payload["alert"]] for event in announced)
    assert len(_months(event.at for event in announced)) >= 6
