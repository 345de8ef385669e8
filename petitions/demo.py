"""Demo petitions and reports for `manage.py load_demo`. Idempotent: skipped when they exist.

The texts are written for the demo; the places are real administrative divisions.
"""

from __future__ import annotations

import random
import secrets
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from petitions import reports
from petitions.crypto import keyed_digest
from petitions.models import Petition, PetitionStatus, Report, Signature
from petitions.models.petitions import RejectionReason
from petitions.response_clock import response_due, response_escalation
from petitions.services import petition_settings
from regions.models import Region

DEMO_CODE = "SVN5-H1NE-DEM0-C0DE-2026"  # the published code of one demo report, to try the follow-up pages

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲红建文辉斌宇浩凯鹏晨欣怡婷雪梅"


def _signatures(petition: Petition, count: int, rng: random.Random, provinces: list[Region], since: timedelta) -> None:
    """`count` confirmed signatures spread over `since` up to now, faster at first (as petitions go);
    one signer in twenty asked to be told of the response by e-mail."""
    now = timezone.now()
    rows = []
    weights = [12 if r.code == petition.region_id[:2] + "0000" else 1 for r in provinces]
    for n in range(count):
        region = rng.choices(provinces, weights)[0]
        signed = now - since * (1 - (n / count) ** 1.8)
        rows.append(
            Signature(
                petition=petition,
                name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", *GIVEN]),
                email=f"signer{n}@demo{n % 37}.example.cn",
                email_domain=f"demo{n % 37}.example.cn",
                region=region,
                token_digest=keyed_digest("signature-token", secrets.token_urlsafe(16)),
                network_digest=keyed_digest("demo-network", str(n % 5000)),
                created_at=signed - timedelta(minutes=2),
                confirmed_at=signed,
                notify_by_email=n % 20 == 0,
            )
        )
    Signature.objects.bulk_create(rows, batch_size=2000)
    Petition.objects.filter(pk=petition.pk).update(signature_count=count)


HOSPITAL_PARKING_RESPONSE = (
    "市发展改革委已会同卫生健康部门制定医院周边停车收费指导价，自明年一月一日起执行：公立医院周边公共停车场"
    "首小时收费不超过五元，此后每小时不超过三元；急诊和孕产妇就诊车辆凭就诊记录免收首两小时停车费。"
    "各区将于本季度内完成收费公示牌更换，市场监管部门负责监督检查，群众可拨打12345反映违规收费。"
)


@dataclass(frozen=True)
class DemoPetition:
    title: str
    action: str
    region: str
    status: str
    signatures: int = 0
    opened_days_ago: int = 30
    reached_days_ago: int | None = None  # the response threshold (the clock starts)
    response: str = ""
    responded_days_ago: int | None = None


PETITIONS = [
    # Awaiting a response: its clock runs (due in about three months).
    DemoPetition(
        "为地铁站出入口全部配建无障碍电梯",
        "请在三年内为本市所有地铁站至少一个出入口配建无障碍电梯，并公开建设进度。",
        "110000",
        PetitionStatus.OPEN,
        10_420,
        reached_days_ago=3,
    ),
    # Overdue: past the response threshold more than three months ago and still unanswered (red).
    DemoPetition(
        "公开城市道路占道施工审批信息",
        "请在政府网站公开每一项城市道路占道施工的审批单位、施工单位、批准期限和实际完工日期。",
        "110000",
        PetitionStatus.OPEN,
        11_860,
        opened_days_ago=150,
        reached_days_ago=105,
    ),
    DemoPetition(
        "公开政府采购合同全文",
        "请在政府采购网公开所有政府采购合同全文，包括补充协议和验收报告。",
        "310000",
        PetitionStatus.OPEN,
        386,
    ),
    DemoPetition(
        "延长社区图书馆晚间开放时间",
        "请将各街道社区图书馆工作日开放时间延长至晚上九点。",
        "110000",
        PetitionStatus.COLLECTING_SPONSORS,
    ),
    DemoPetition(
        "在居民区五百米内禁止新建垃圾焚烧设施",
        "请在规划中明确居民区五百米范围内不得新建垃圾焚烧设施，并公开环评报告。",
        "130600",
        PetitionStatus.PENDING,
    ),
    # Answered: the government response is published.
    DemoPetition(
        "规范医院周边停车收费",
        "请对公立医院周边停车场实行政府指导价，首小时收费不超过五元。",
        "110000",
        PetitionStatus.CLOSED,
        13_050,
        opened_days_ago=181,
        reached_days_ago=120,
        response=HOSPITAL_PARKING_RESPONSE,
        responded_days_ago=40,
    ),
    DemoPetition(
        "撤换某小区物业经理",
        "请撤换某小区物业经理王某，他多次辱骂业主。",
        "110000",
        PetitionStatus.REJECTED,
    ),
]


@transaction.atomic
def load_petitions(creator, moderator) -> int:
    if Petition.objects.exists():
        return 0
    rng = random.Random(2026)  # noqa: S311 (demo data, reproducible)
    provinces = list(Region.objects.filter(level="province"))
    now = timezone.now()
    months = petition_settings().response_months
    for spec in PETITIONS:
        status = spec.status
        opened = now - timedelta(days=spec.opened_days_ago)
        reached = now - timedelta(days=spec.reached_days_ago) if spec.reached_days_ago is not None else None
        responded = now - timedelta(days=spec.responded_days_ago) if spec.responded_days_ago is not None else None
        due = response_due(timezone.localdate(reached), months) if reached else None
        petition = Petition.objects.create(
            creator=creator,
            title=spec.title,
            action=spec.action,
            background="",
            region_id=spec.region,
            status=status,
            sponsor_token=secrets.token_urlsafe(32),
            created_at=opened - timedelta(days=10),
            submitted_at=opened - timedelta(days=5) if status != PetitionStatus.COLLECTING_SPONSORS else None,
            opened_at=opened if status in (PetitionStatus.OPEN, PetitionStatus.CLOSED) else None,
            closes_at=(opened + timedelta(days=180))
            if status == PetitionStatus.OPEN
            else (now - timedelta(days=1) if status == PetitionStatus.CLOSED else None),
            moderated_by=moderator
            if status in (PetitionStatus.OPEN, PetitionStatus.CLOSED, PetitionStatus.REJECTED)
            else None,
            rejection_reason=RejectionReason.PRIVATE_PERSON if status == PetitionStatus.REJECTED else "",
            rejection_details="请愿点名了一位私人，请改为对物业服务监管提出要求。"
            if status == PetitionStatus.REJECTED
            else "",
            government_response=spec.response,
            response_published_at=responded,
            response_published_by=moderator if responded else None,
            response_threshold_reached_at=reached,
            response_due_on=due,
            response_escalation=response_escalation(due, timezone.localdate(), answered=bool(responded)).value,
        )
        if spec.signatures:
            _signatures(petition, spec.signatures, rng, provinces, since=now - opened)
    return len(PETITIONS)


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
# (`petitions.demo_history.report_span`): open cases recently, within their clocks; finished ones over the year.
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
    with the services, each at its moment on the statutory clocks (`petitions.demo_history.report_schedule`,
    seeded), so the case pages and the deadlines read as a year of work."""
    from petitions.demo_history import report_schedule, report_span
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
            reports.ReporterIdentity(
                name="陈市民", id_number="11010519491231002X", phone="13800138000", email="citizen@demo.sunshine.cn"
            )
            if named
            else None
        )
        with _clock(received):
            filed = reports.file_report(
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
    reports.refresh_escalations()
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
        reports.refresh_deadline(report)  # as of today
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

    from petitions.models import CaseEvent, ReportAttachment, ReportMessage

    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(reports, "timezone", _Clock(moment)))
        for model in (CaseEvent, ReportMessage, ReportAttachment):
            field = model._meta.get_field("at")
            stack.enter_context(mock.patch.object(field, "_get_default", lambda: moment))
        yield


def _step(report: Report, step: str, inspector) -> None:
    if step == "not_accept":
        reports.act(
            report=report, user=inspector, action=step, note="不属于纪检监察机关受理范围，已告知向有关部门反映。"
        )
    elif step == "transfer":
        reports.act(
            report=report,
            user=inspector,
            action=step,
            transferred_to="保定市市场监督管理局",
            note="属于市场监管部门职责",
        )
    elif step == "conclude":
        reports.act(report=report, user=inspector, action=step, note="经初步核实，反映问题部分属实，已责令整改。")
    elif step == "extend":
        reports.extend(report=report, user=inspector, days=30, reason="需调取近三年采购档案")
    elif step == "reply":
        reports.reply(
            report=report,
            user=inspector,
            body="经核查，您反映的问题部分属实，有关单位已责令整改，相关责任人已受到批评教育。",
        )
    elif step == "satisfied":
        reports.evaluate(report=report, satisfied=True, note="满意")
    elif step == "review":
        reports.evaluate(report=report, satisfied=False, ask_for_review=True, note="处理偏轻，请求复查")
    elif step == "re_review":
        reports.evaluate(report=report, satisfied=False, ask_for_review=True, note="仍不满意，请求复核")
    else:
        reports.act(report=report, user=inspector, action=step)
