"""Demo petitions for `manage.py load_demo`. Idempotent: skipped when they exist.

The texts are written for the demo; the places are real administrative divisions.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.digests import keyed_digest
from petitions.models import Petition, PetitionStatus, Signature
from petitions.models.petitions import RejectionReason
from petitions.response_clock import response_due, response_escalation
from petitions.services import petition_settings
from regions.models import Region

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
