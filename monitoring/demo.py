"""Demo content: the 204 real land-transfer records (evaluated as they arrive, then in batch), 105 real OCDS
procurement processes from abroad (stored, then evaluated in one batch; shown as international sample data),
a generated Chinese procurement sample (`monitoring.procurement.sample_cn`), and a history for all of them
over the last twelve months (`load_history`, with the distributions in `monitoring.demo_history`)."""

from __future__ import annotations

import json
from pathlib import Path

from monitoring.land.services import ingest_land, reevaluate_land
from monitoring.models import LandTransfer
from monitoring.pipeline import IngestError

LAND = Path(__file__).resolve().parent / "demo_data" / "land_transfer_results_2018.jsonl"


def load_land() -> tuple[int, list[str]]:
    if LandTransfer.objects.exists():
        return 0, []
    loaded, problems = 0, []
    with LAND.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                ingest_land(json.loads(line))
                loaded += 1
            except IngestError as error:
                problems.append(f"{LAND.name}:{number}: {error}")
    reevaluate_land()  # the outlier rules then see the whole population, as a nightly batch would
    return loaded, problems


PROCUREMENT = Path(__file__).resolve().parent / "procurement" / "demo_data" / "real_examples_shared.jsonl"
PROCUREMENT_SOURCE = "OCDS 示例数据（open-contracting/sample-data）"


def load_procurement() -> tuple[int, list[str]]:
    """The real OCDS sample through the same path as the importer; nothing is loaded twice."""
    from monitoring.models import Domain, SourceSystem
    from monitoring.ocds import ReadReport
    from monitoring.procurement.models import Process, SourceSettings
    from monitoring.procurement.reading import iter_file
    from monitoring.procurement.services import configure_source, ingest_release, reevaluate_procurement
    from monitoring.services import create_source

    source = SourceSystem.objects.filter(name=PROCUREMENT_SOURCE).first()
    if source is not None and Process.objects.filter(source=source).exists():
        return 0, []
    if source is None:
        source, _ = create_source(name=PROCUREMENT_SOURCE, domain=Domain.PROCUREMENT)
    configure_source(
        source=source,
        prepare_ini=(PROCUREMENT.parent / "prepare.ini").read_text(encoding="utf-8"),
        default_region="000000",
    )
    SourceSettings.objects.filter(source=source).update(foreign_sample=True)  # shown as 境外样例数据
    loaded, report, problems = 0, ReadReport(), []
    with PROCUREMENT.open(encoding="utf-8") as handle:
        for located in iter_file(handle, report):
            try:
                ingest_release(located.release, source=source, evaluate=False)
                loaded += 1
            except IngestError as error:
                problems.append(f"{PROCUREMENT.name} {located.where}: {error}")
    reevaluate_procurement()  # every rule once, over the whole sample, as the nightly batch would
    return loaded, problems + report.problems


# --- the generated Chinese procurement sample ---------------------------------------------------------

CN_SOURCE = "政府采购演示数据（生成）"
CN_SEED = 2026
CN_COUNT = 48
# The buyers' regions: Baoding and elsewhere in Hebei (the demo inspectors'), and a few districts elsewhere.
CN_REGIONS = (
    "130600",
    "130602",
    "130606",
    "130626",
    "130681",
    "130684",
    "130633",
    "130100",
    "130200",
    "130400",
    "110105",
    "310115",
    "440106",
)


def load_procurement_cn(today=None) -> tuple[int, list[str]]:
    """The generated Chinese sample (`monitoring.procurement.sample_cn`), stored then evaluated in one batch."""
    from django.db import transaction
    from django.utils import timezone

    from monitoring.models import Domain, SourceSystem
    from monitoring.procurement.models import Process
    from monitoring.procurement.sample_cn import PREPARE_INI, generate_sample
    from monitoring.procurement.services import (
        cardinal_pass,
        configure_source,
        evaluate_process,
        ingest_release,
        rule_configs,
    )
    from monitoring.services import create_source
    from regions.models import Region

    source = SourceSystem.objects.filter(name=CN_SOURCE).first()
    if source is not None and Process.objects.filter(source=source).exists():
        return 0, []
    if source is None:
        source, _ = create_source(name=CN_SOURCE, domain=Domain.PROCUREMENT)
    configure_source(source=source, prepare_ini=PREPARE_INI, default_region="000000")
    names = dict(Region.objects.filter(code__in=CN_REGIONS).values_list("code", "name"))
    regions = [(code, names[code]) for code in CN_REGIONS if code in names]
    sample = generate_sample(seed=CN_SEED, today=today or timezone.localdate(), regions=regions, count=CN_COUNT)
    loaded, problems = 0, []
    with transaction.atomic():
        for release in sample.releases:
            try:
                ingest_release(release, source=source, evaluate=False)
                loaded += 1
            except IngestError as error:
                problems.append(f"{release['ocid']}: {error}")
        # Every rule once over the sample, as the nightly batch would (`reevaluate_procurement`, this source only).
        configs, histories = rule_configs(), {}
        for process in Process.objects.filter(source=source).select_related("region", "buyer").order_by("pk"):
            evaluate_process(process, configs=configs, histories=histories)
        cardinal_pass(source=source)
    return loaded, problems


# --- history: arrivals over the last twelve months, and how inspectors handled the alerts -----------

HISTORY_SEED = 12
HISTORY_DAYS = 360
RESULTS = {
    "confirm": "经实地核查，预警反映的问题属实，已移交案件审理部门处理。",
    "dismiss": "经核查，相关事项有审批文件和合理说明，未发现违规问题。",
}
DISMISSAL = "经初步审查，属于正常业务情形（有审批文件或合理说明），予以排除。"


def load_history(now=None) -> int:
    """Give the demo's records and alerts a history over the last twelve months (`monitoring.demo_history`).

    Each record gets the moment it arrived (land records and the international sample: the arrival process;
    approval cases: when they were complete; the generated Chinese sample: its release date), each alert the
    moment its record arrived (the rules run on arrival), and then the course an inspector gave it, taken
    through the same services as on the pages and dated afterwards. Once only: returns the alerts dated, 0 when
    the history is there already.
    """
    import random
    from datetime import timedelta

    from django.db import transaction
    from django.db.models import Max, OuterRef, Subquery
    from django.utils import timezone

    from monitoring import demo_history
    from monitoring.approvals.models import ApprovalCase, CaseStep
    from monitoring.models import Alert, AlertEvent, VerificationTask
    from monitoring.procurement.models import Process, SourceSettings
    from monitoring.services import refresh_task_escalations
    from workdays.selectors import working_calendar

    now = timezone.localtime(now or timezone.now())
    if Alert.objects.filter(raised_at__lt=now - timedelta(days=2)).exists():
        return 0
    rng = random.Random(HISTORY_SEED)  # noqa: S311 (reproducible demo data, not secrets)
    calendar = working_calendar()

    def arrivals(count: int) -> list:
        return demo_history.arrivals(rng, count, now=now, days=HISTORY_DAYS, calendar=calendar)

    with transaction.atomic():
        transfers = list(LandTransfer.objects.only("pk", "record_id").order_by("record_id"))
        rng.shuffle(transfers)
        for transfer, moment in zip(transfers, arrivals(len(transfers)), strict=True):
            transfer.ingested_at = moment
        LandTransfer.objects.bulk_update(transfers, ["ingested_at"])
        processes = list(
            Process.objects.only("pk", "ocid", "release_date", "source", "buyer", "procuring_entity").order_by("ocid")
        )
        samples = set(SourceSettings.objects.filter(foreign_sample=True).values_list("source_id", flat=True))
        foreign = [process for process in processes if process.source_id in samples]
        rng.shuffle(foreign)
        for process, moment in zip(foreign, arrivals(len(foreign)), strict=True):
            process.ingested_at = moment
        for process in processes:
            if process.source_id not in samples and process.release_date is not None:
                process.ingested_at = min(process.release_date + timedelta(minutes=rng.randint(10, 240)), now)
        Process.objects.bulk_update(processes, ["ingested_at"])
        cases = list(ApprovalCase.objects.only("pk", "ref", "decided_at", "order_at").order_by("pk"))
        finished = dict(CaseStep.objects.values_list("case_id").annotate(last=Max("finished_at")))
        for case in cases:
            done = [moment for moment in (finished.get(case.pk), case.decided_at) if moment]
            complete = max(done or [case.order_at])
            case.ingested_at = min(complete + timedelta(minutes=rng.randint(5, 90)), now)
        ApprovalCase.objects.bulk_update(cases, ["ingested_at"])

        arrived = _arrivals_by_record(transfers, processes, cases)
        alerts = list(Alert.objects.order_by("pk"))
        for alert in alerts:
            moment = _arrival_of(alert, arrived) or now - timedelta(days=1)
            alert.raised_at = min(moment + timedelta(seconds=rng.randint(2, 40)), now)
        Alert.objects.bulk_update(alerts, ["raised_at"])
        # The events so far are the raising (and a red alert's task): at the moment the alert was raised.
        AlertEvent.objects.update(at=Subquery(Alert.objects.filter(pk=OuterRef("alert_id")).values("raised_at")))

        # How inspectors handled them: the rows `move_alert`, `create_task` and `record_result` write, in bulk.
        inspectors = _inspectors()
        tasks = {task.alert_id: task for task in VerificationTask.objects.filter(alert__in=alerts)}
        events: list[AlertEvent] = []
        for alert in sorted(alerts, key=lambda a: (a.raised_at, a.pk)):
            raised = timezone.localtime(alert.raised_at)
            course = demo_history.alert_course(rng, severity=alert.severity, raised=raised, now=now, calendar=calendar)
            events += _follow(alert, course, _inspector_for(alert.region_id, inspectors), tasks)
        AlertEvent.objects.bulk_create(events)
        Alert.objects.bulk_update(alerts, ["state", "dismissal_reason"])
        VerificationTask.objects.bulk_create([task for task in tasks.values() if task.pk is None])
        VerificationTask.objects.bulk_update(
            [task for task in tasks.values() if task.pk is not None],
            ["assignee", "state", "due_on", "result", "created_at", "completed_at"],
        )
        refresh_task_escalations(timezone.localdate(now))
        _date_live_events(alerts, tasks)
    return len(alerts)


def _date_live_events(alerts, tasks: dict) -> None:
    """The live panel's stored events about these alerts take the moments of what they announce (a raised alert,
    an assigned task), so the panel of a fresh demo reads as a history, not as a year's news all at once."""
    from core.models import LiveEvent

    raised = {str(alert.public_id): alert.raised_at for alert in alerts}
    assigned = {str(alert.public_id): tasks[alert.pk].created_at for alert in alerts if alert.pk in tasks}
    stored = list(LiveEvent.objects.filter(event_type__in=("alert.raised", "task.assigned")))
    for event in stored:
        moments = raised if event.event_type == "alert.raised" else assigned
        event.at = moments.get(str(event.payload.get("alert")), event.at)
    LiveEvent.objects.bulk_update(stored, ["at"])


def _arrivals_by_record(transfers, processes, cases) -> dict:
    """Arrival moments by land transfer pk, ocid, approval case ref, and procurement entity (its latest process)."""
    from monitoring.procurement.models import Award, Bid

    arrived = {
        "land": {t.pk: t.ingested_at for t in transfers},
        "ocid": {p.ocid: p.ingested_at for p in processes},
        "case": {c.ref: c.ingested_at for c in cases},
        "entity": {},
    }
    moments = arrived["entity"]
    by_pk = {p.pk: p.ingested_at for p in processes}
    pairs = [(p.buyer_id, p.pk) for p in processes] + [(p.procuring_entity_id, p.pk) for p in processes]
    pairs += list(Bid.objects.values_list("tenderer_id", "process_id"))
    pairs += list(Award.suppliers.through.objects.values_list("entity_id", "award__process_id"))
    for entity, process in pairs:
        if entity is not None and process in by_pk:
            moments[entity] = max(moments.get(entity, by_pk[process]), by_pk[process])
    return arrived


def _arrival_of(alert, arrived: dict):
    from monitoring.models import Domain

    if alert.domain == Domain.LAND:
        return arrived["land"].get(alert.land_transfer_id)
    if alert.domain == Domain.APPROVAL:
        return arrived["case"].get(alert.record_ref)
    evidence = alert.evidence if isinstance(alert.evidence, dict) else {}
    record = evidence.get("record") if isinstance(evidence.get("record"), dict) else {}
    ocids = [record["ocid"]] if isinstance(record.get("ocid"), str) else []
    ocids += [ocid for ocid in evidence.get("processes") or [] if isinstance(ocid, str)]
    moments = [arrived["ocid"][ocid] for ocid in ocids if ocid in arrived["ocid"]]
    if moments:
        return max(moments)  # raised when the last of its processes arrived
    return arrived["entity"].get(alert.entity_id)  # an organisation's flag: after its latest process


def _inspectors() -> list:
    from accounts.models import User
    from accounts.roles import Role

    users = User.objects.filter(groups__name=Role.INSPECTOR.value, is_active=True, jurisdiction__isnull=False)
    return sorted(users.select_related("jurisdiction"), key=lambda u: (-len(u.jurisdiction.prefix), u.pk))


def _inspector_for(region_code: str, inspectors: list):
    """The inspector with the most specific jurisdiction over the region (as `choose_assignee`)."""
    return next((user for user in inspectors if user.jurisdiction.contains(region_code)), None)


def _follow(alert, course, actor, tasks: dict) -> list:
    """The alert's course as the services would have recorded it: its events (returned), state and task."""
    from django.utils.translation import gettext as _

    from monitoring.models import AlertEvent, VerificationTask
    from monitoring.states import AlertState, TaskState

    events = []
    if actor is None:
        return events

    def move(target: str, at, note: str = "", user=actor) -> None:
        events.append(AlertEvent(alert=alert, from_state=alert.state, to_state=target, actor=user, note=note, at=at))
        alert.state = target

    task = tasks.get(alert.pk)
    for step in course.steps:
        if step.action == "task":
            if task is None:  # create_task
                task = tasks[alert.pk] = VerificationTask(alert=alert, assignee=actor, created_by=actor)
                if alert.state in (AlertState.NEW, AlertState.ACKNOWLEDGED):
                    move(AlertState.VERIFYING, step.at, _("Verification task created"))
            task.created_at, task.due_on = step.at, course.task_due
        elif step.action == "open":
            move(AlertState.ACKNOWLEDGED, step.at)
        elif step.action == "result":  # record_result
            task.assignee = task.assignee or actor
            task.state, task.result, task.completed_at = TaskState.DONE, RESULTS[course.verdict], step.at
            move(alert.state, step.at, _("Verification result recorded"), user=task.assignee)
        elif step.action == "confirm":
            move(AlertState.CONFIRMED, step.at, RESULTS["confirm"])
        elif step.action == "dismiss":
            alert.dismissal_reason = RESULTS["dismiss"] if task is not None else DISMISSAL
            move(AlertState.DISMISSED, step.at, alert.dismissal_reason)
        elif step.action == "close":
            move(AlertState.CLOSED, step.at)
    return events
