"""Demo reports for `manage.py load_demo`: a year of cases taken through their workflow on the statutory
clocks. Idempotent: skipped when they exist.

The texts are written for the demo; the places are real administrative divisions.
"""

from __future__ import annotations

import random
from contextlib import ExitStack, contextmanager
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from regions.models import Region
from reports import services
from reports.models import Report

DEMO_CODE = "SVN5-H1NE-DEM0-C0DE-2026"  # the published code of one demo report, to try the follow-up pages


REPORTS = [
    # (kind, person, post, unit, county, description, target state, real name?)
    (
        "procurement",
        "张某",
        "办公室主任",
        "定兴县住房和城乡建设局",
        "130626",
        "2026年3月办公设备采购被拆分为五个小额合同，全部由同一供应商中标，供应商法定代表人与张某系亲属关系。",
        "received",
        False,
    ),
    (
        "land",
        "",
        "",
        "涞水县自然资源和规划局",
        "130623",
        "县城东侧一宗商品住宅用地以协议方式出让给某开发公司，成交价明显低于周边地块。",
        "received_overdue",
        True,
    ),
    (
        "approval",
        "刘某",
        "审批科科长",
        "清苑区行政审批局",
        "130608",
        "企业办理施工许可时被要求先委托指定中介机构编制材料，否则不予受理。",
        "accepted",
        False,
    ),
    (
        "other",
        "",
        "",
        "莲池区某街道办事处",
        "130606",
        "小区门口市政道路积水多年无人处理，雨天居民出行困难，多次反映没有结果。",
        "not_accepted",
        False,
    ),
    (
        "enforcement",
        "",
        "",
        "唐县市场监督管理局",
        "130627",
        "执法人员在检查中收取商户“服务费”且不开具票据。",
        "transferred",
        False,
    ),
    (
        "cadre",
        "李某",
        "副局长",
        "满城区教育局",
        "130607",
        "李某在中层干部选拔中提前透露面试题目给特定人选。",
        "handling",
        True,
    ),
    (
        "procurement",
        "",
        "",
        "定兴县人民医院",
        "130626",
        "医疗设备采购招标文件设置明显倾向某品牌的技术参数。",
        "handling_extended",
        False,
    ),
    (
        "land",
        "陈某",
        "所长",
        "定兴县自然资源所",
        "130626",
        "陈某为亲属违规办理宅基地审批，占用基本农田。",
        "concluded",
        False,
    ),
    (
        "approval",
        "",
        "",
        "徐水区行政审批局",
        "130609",
        "食品经营许可证办理超过承诺时限二十个工作日仍未办结。",
        "replied",
        True,
    ),
    (
        "enforcement",
        "赵某",
        "中队长",
        "竞秀区城市管理综合行政执法局",
        "130602",
        "赵某对同一路段的商户选择性执法，对关系户违规占道经营不予处理。",
        "closed_satisfied",
        False,
    ),
    (
        "procurement",
        "",
        "",
        "高碑店市教育局",
        "130684",
        "学生校服采购价格高于市场价一倍以上，且质量不合格。",
        "review",
        False,
    ),
    (
        "cadre",
        "孙某",
        "镇党委书记",
        "涿州市某镇",
        "130681",
        "孙某在村“两委”换届选举中私下指定候选人，并要求党员按名单投票。",
        "review_replied",
        False,
    ),
    (
        "land",
        "",
        "",
        "安国市自然资源和规划局",
        "130683",
        "工业用地出让后闲置超过两年未开工，未依法处置。",
        "re_review",
        False,
    ),
    (
        "approval",
        "",
        "",
        "易县行政审批局",
        "130633",
        "某化工建设项目在环评批复之前已经开工建设，审批部门补办手续，存在先建后批。",
        "re_review_replied",
        False,
    ),
    (
        "other",
        "",
        "",
        "定兴县住房和城乡建设局",
        "130626",
        "住建局在2025年老旧小区改造中虚报工程量，多支付工程款约八十万元。",
        "closed_satisfied",
        False,
    ),
    (
        "procurement",
        "张某",
        "办公室主任",
        "定兴县住房和城乡建设局",
        "130626",
        "张某长期接受供应商宴请和购物卡，逢年过节收受礼品，影响采购公正。",
        "received",
        False,
    ),
]


# How long ago (days) a case in each state was received, beyond the median length of its steps
# (`reports.demo_history.report_span`): open cases recently, within their clocks; finished ones over the year.
REPORT_WAIT = {
    "received": (2, 2),
    "received_overdue": (20, 20),  # past the 15 days to accept: escalated
    "accepted": (0, 3),
    "not_accepted": (20, 300),
    "transferred": (20, 300),
    "handling": (5, 25),
    "handling_extended": (25, 35),
    "concluded": (0, 5),
    "replied": (1, 10),
    "closed_satisfied": (10, 330),
    "review": (1, 8),
    "review_replied": (1, 10),
    "re_review": (1, 8),
    "re_review_replied": (1, 10),
}
REPORT_SEED = 2027


@transaction.atomic
def load_reports(inspector) -> int:
    """The demo's report cases, received over the last twelve months and taken through their workflow steps
    with the services, each at its moment on the statutory clocks (`reports.demo_history.report_schedule`,
    seeded), so the case pages and the deadlines read as a year of work."""
    from reports.demo_history import report_schedule, report_span
    from workdays.selectors import working_calendar

    if Report.objects.exists():
        return 0
    now = timezone.localtime()
    rng = random.Random(REPORT_SEED)  # noqa: S311 (demo data, reproducible)
    calendar = working_calendar()
    for index, (kind, person, post, unit, county, text, target, named) in enumerate(REPORTS):
        steps = REPORT_STEPS[target]
        low, high = REPORT_WAIT[target]
        days_ago = (report_span(steps) if steps else 0) + rng.uniform(low, high)
        received = now - timedelta(days=days_ago, minutes=rng.randint(0, 300))
        schedule = report_schedule(rng, steps, received, calendar)
        identity = (
            services.ReporterIdentity(
                name="陈市民", id_number="11010519491231002X", phone="13800138000", email="citizen@demo.sunshine.cn"
            )
            if named
            else None
        )
        with _clock(received):
            filed = services.file_report(
                kind=kind,
                subject_name=person,
                subject_post=post,
                subject_unit=unit,
                region=Region.objects.get(code=county),
                occurred="2026年",
                description=text,
                identity=identity,
                received_at=received,
                code=DEMO_CODE.replace("-", "") if index == 8 else None,
            )
        _advance(filed.report, target, inspector, schedule=schedule, now=now)
    services.refresh_escalations()
    return len(REPORTS)


REPORT_STEPS = {
    "received": [],
    "received_overdue": [],
    "accepted": ["accept"],
    "not_accepted": ["not_accept"],
    "transferred": ["transfer"],
    "handling": ["accept", "start_handling"],
    "handling_extended": ["accept", "start_handling", "extend"],
    "concluded": ["accept", "start_handling", "conclude"],
    "replied": ["accept", "start_handling", "conclude", "reply"],
    "closed_satisfied": ["accept", "start_handling", "conclude", "reply", "satisfied"],
    "review": ["accept", "start_handling", "conclude", "reply", "review"],
    "review_replied": ["accept", "start_handling", "conclude", "reply", "review", "reply"],
    "re_review": ["accept", "start_handling", "conclude", "reply", "review", "reply", "re_review"],
    "re_review_replied": ["accept", "start_handling", "conclude", "reply", "review", "reply", "re_review", "reply"],
}


def _advance(report: Report, target: str, inspector, *, schedule=(), now=None) -> None:
    """Take the case through the target's steps with the services, each at its moment of `schedule`."""
    steps = REPORT_STEPS[target]
    now = now or timezone.now()
    moments = list(schedule) or [None] * len(steps)
    for position, (step, moment) in enumerate(zip(steps, moments, strict=True)):
        report.refresh_from_db()
        if moment is None:
            _step(report, step, inspector)
            continue
        with _clock(min(moment, now - timedelta(minutes=len(steps) - position))):
            _step(report, step, inspector)
    if moments and moments[0] is not None:
        report.refresh_from_db()
        services.refresh_deadline(report)  # as of today
        report.save(update_fields=["due_on", "due_rule", "escalation"])


class _Clock:
    """`django.utils.timezone` as seen at `moment`: what the workflow services read the time from."""

    def __init__(self, moment):
        self.moment = moment

    def now(self):
        return self.moment

    def localdate(self, value=None, timezone=None):
        return _timezone.localdate(value or self.moment, timezone)

    def localtime(self, value=None, timezone=None):
        return _timezone.localtime(value or self.moment, timezone)

    def __getattr__(self, name):
        return getattr(_timezone, name)


_timezone = timezone


@contextmanager
def _clock(moment):
    """Run the report workflow as if at `moment`, so each step is recorded with its own date.

    Case events are append-only (a database trigger refuses any UPDATE), so a year of demo history cannot be
    dated afterwards: the steps are taken at their moments instead. The services read the time through their
    module's `timezone`; the rows they create without a time take their column's default.
    """
    from unittest import mock

    from reports.models import CaseEvent, ReportAttachment, ReportMessage

    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(services, "timezone", _Clock(moment)))
        for model in (CaseEvent, ReportMessage, ReportAttachment):
            field = model._meta.get_field("at")
            stack.enter_context(mock.patch.object(field, "_get_default", lambda: moment))
        yield


def _step(report: Report, step: str, inspector) -> None:
    if step == "not_accept":
        services.act(
            report=report, user=inspector, action=step, note="不属于纪检监察机关受理范围，已告知向有关部门反映。"
        )
    elif step == "transfer":
        services.act(
            report=report,
            user=inspector,
            action=step,
            transferred_to="保定市市场监督管理局",
            note="属于市场监管部门职责",
        )
    elif step == "conclude":
        services.act(report=report, user=inspector, action=step, note="经初步核实，反映问题部分属实，已责令整改。")
    elif step == "extend":
        services.extend(report=report, user=inspector, days=30, reason="需调取近三年采购档案")
    elif step == "reply":
        services.reply(
            report=report,
            user=inspector,
            body="经核查，您反映的问题部分属实，有关单位已责令整改，相关责任人已受到批评教育。",
        )
    elif step == "satisfied":
        services.evaluate(report=report, satisfied=True, note="满意")
    elif step == "review":
        services.evaluate(report=report, satisfied=False, ask_for_review=True, note="处理偏轻，请求复查")
    elif step == "re_review":
        services.evaluate(report=report, satisfied=False, ask_for_review=True, note="仍不满意，请求复核")
    else:
        services.act(report=report, user=inspector, action=step)
