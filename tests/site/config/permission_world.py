"""The objects the permission matrix points its URLs at: demo-like records of every kind, one inside
the narrow inspector's jurisdiction (Baoding, 130600) and one outside it (Beijing or national)."""

from __future__ import annotations

import copy
import io
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import Role
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[3]
LAND = ROOT / "monitoring" / "demo_data" / "land_transfer_results_2018.jsonl"
PROCUREMENT = ROOT / "monitoring" / "procurement" / "demo_data" / "real_examples_shared.jsonl"
PROCUREMENT_OCID = "ocds-be6bcu-UA-2017-04-12-001619-b"

ROLES = (
    "anonymous",
    "citizen",
    "legislator",
    "inspector_national",
    "inspector_baoding",
    "administrator",
    "superuser",
)

SECOND_VERSION = """# 某市物业管理条例（草案）

<!-- INFO END -->

## 第一章 总则

第一条 为了规范物业管理活动，维护业主、物业使用人和物业服务人的合法权益，制定本条例。

第二条 本条例适用于本市行政区域内的物业管理活动。

## 第二章 业主

第三条 业主在物业管理活动中享有下列权利：

（一）按照物业服务合同的约定，接受物业服务人提供的服务；

（二）提议召开业主大会会议，并就物业管理的有关事项提出建议。

第四条 业主应当遵守管理规约和业主大会议事规则。
"""


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def _users(world: World) -> None:
    world.users["citizen"] = UserFactory(display_name="公众甲")
    world.users["legislator"] = UserFactory(role=Role.LEGISLATOR, jurisdiction_id="130600", display_name="保定立法")
    world.users["inspector_national"] = UserFactory(
        role=Role.INSPECTOR, jurisdiction_id="000000", display_name="国家监察"
    )
    world.users["inspector_baoding"] = UserFactory(
        role=Role.INSPECTOR, jurisdiction_id="130600", display_name="保定监察"
    )
    world.users["administrator"] = UserFactory(
        role=Role.ADMINISTRATOR, jurisdiction_id="000000", display_name="平台管理员"
    )
    world.users["superuser"] = UserFactory(is_superuser=True, is_staff=True, display_name="超级用户")


def _drafts(world: World) -> None:
    from consultations.demo import ensure_index
    from consultations.models import Campaign, CommentStatus, DraftPage, ModerationMode, ReportPublication
    from consultations.services import create_theme, import_version, submit_comment
    from home.services import ensure_home_page
    from tests.consultations.conftest import SAMPLE

    home = ensure_home_page()
    index = ensure_index(home)
    world.objects["home"] = home
    world.objects["index"] = index
    now = timezone.now()
    citizen = world.users["citizen"]

    def draft(slug: str, jurisdiction: str, *, closed: bool = False):
        page = DraftPage(
            title=f"物业管理条例（草案）{slug}",
            slug=slug,
            drafting_body="市人大常委会法工委",
            opens_at=now - timedelta(days=40 if closed else 1),
            closes_at=now - timedelta(days=1) if closed else now + timedelta(days=29),
            jurisdiction_id=jurisdiction,
            moderation=ModerationMode.PRE,
        )
        index.add_child(instance=page)
        page.save_revision().publish()
        import_version(draft=page, label="一审稿", text=SAMPLE)
        return DraftPage.objects.get(pk=page.pk)

    for where, code in (("in", "130600"), ("out", "110000")):
        page = draft(f"draft-{where}", code)
        import_version(draft=page, label="二审稿", text=SECOND_VERSION)
        page = DraftPage.objects.get(pk=page.pk)
        article = page.current_version.provisions.get(kind="article", number=3)
        comments = []
        for n, text in enumerate(
            [
                "建议明确物业服务人的公示义务和收费标准。",
                "业主大会会议的召开程序应当更加简便。",
                "应当增加业主委员会的监督条款。",
            ]
        ):
            comment = submit_comment(draft=page, author=citizen, provision=article, text=text, stance="amend")
            if n < 2:
                comment.status = CommentStatus.APPROVED
                comment.save(update_fields=["status"])
            comments.append(comment)
        theme = create_theme(draft=page, title="公示与收费", comments=comments[:1], user=None, origin="cluster")
        other = create_theme(draft=page, title="业主大会", comments=comments[1:2], user=None, origin="cluster")
        campaign = Campaign.objects.create(
            draft=page,
            key=f"campaign-{where}",
            form_text=comments[0].text,
            representative=comments[0],
            size=1,
            first_seen=now,
            last_seen=now,
        )
        world.objects[f"draft_{where}"] = page
        world.objects[f"article_{where}"] = article
        world.objects[f"pending_comment_{where}"] = comments[2]
        world.objects[f"theme_{where}"] = theme
        world.objects[f"other_theme_{where}"] = other
        world.objects[f"campaign_{where}"] = campaign
    # a draft whose report is published: its report is public
    published = draft("draft-reported", "110000", closed=True)
    ReportPublication.objects.create(draft=published)
    from consultations.exports import write_open_data

    write_open_data(published)  # as publishing the report does
    world.objects["draft_reported"] = published


def _restricted_draft(world: World) -> None:
    """A live draft behind a Wagtail view restriction (signed-in users only)."""
    from wagtail.models import PageViewRestriction

    from consultations.models import DraftPage
    from consultations.services import import_version
    from tests.consultations.conftest import SAMPLE

    now = timezone.now()
    page = DraftPage(
        title="内部征求意见稿",
        slug="draft-restricted",
        drafting_body="市人大常委会法工委",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=29),
        jurisdiction_id="130600",
    )
    world.index.add_child(instance=page)
    page.save_revision().publish()
    import_version(draft=page, label="一审稿", text=SAMPLE)
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    world.objects["draft_restricted"] = DraftPage.objects.get(pk=page.pk)


def _petitions(world: World) -> None:
    from petitions import services
    from petitions.models import Petition, PetitionStatus
    from regions.models import Region

    creator = UserFactory(display_name="发起人")
    baoding, beijing = Region.objects.get(code="130600"), Region.objects.get(code="110000")

    def petition(title: str, region, status: str) -> Petition:
        made = services.create_petition(
            creator=creator,
            title=title,
            action="请求有关部门公开全部物业维修资金的使用明细。",
            background="",
            region=region,
        )
        made.status = status
        if status == PetitionStatus.OPEN:
            made.opened_at = timezone.now()
            made.closes_at = timezone.now() + timedelta(days=180)
        made.save()
        return made

    world.objects["petition_open"] = petition("公开物业维修资金使用明细", baoding, PetitionStatus.OPEN)
    world.objects["petition_pending_in"] = petition("保定市老旧小区加装电梯补贴", baoding, PetitionStatus.PENDING)
    world.objects["petition_pending_out"] = petition("北京市社区养老服务设施建设", beijing, PetitionStatus.PENDING)
    pending = services.sign(
        petition=world.petition_open,
        name="签名人",
        email="signer@example.cn",
        region=Region.objects.get(code="130626"),
        network="192.0.2.1",
    )
    world.objects["signature_token"] = pending.token
    # Past the response threshold (the answer loop's staff screen and API): one in Baoding, one in Beijing.
    for where, region in (("in", baoding), ("out", beijing)):
        due = petition(f"{region.name}公开道路占道施工审批信息", region, PetitionStatus.OPEN)
        Petition.objects.filter(pk=due.pk).update(
            signature_count=10_000,
            response_threshold_reached_at=timezone.now(),
            response_due_on=timezone.localdate() + timedelta(days=90),
        )
        world.objects[f"petition_due_{where}"] = due
    world.objects["unsubscribe_token"] = services.unsubscribe_token(pending.signature.pk)


def _reports(world: World) -> None:
    from regions.models import Region
    from reports import services

    call_command("load_calendar", stdout=io.StringIO())
    identity = services.ReporterIdentity(name="赵举报", id_number="11010519491231002X", phone="13800138000")
    for where, code, unit in (("in", "130626", "定兴县住房和城乡建设局"), ("out", "110105", "朝阳区某街道办事处")):
        filed = services.file_report(
            kind="procurement",
            subject_name="张某",
            subject_unit=unit,
            region=Region.objects.get(code=code),
            description="该单位在办公设备采购中把合同拆分成多个小额合同，规避公开招标。",
            identity=identity,
            attachments=[SimpleUploadedFile("证据.txt", "合同编号2026-01".encode())],
        )
        world.objects[f"report_{where}"] = filed.report
        world.objects[f"report_code_{where}"] = filed.code
        world.objects[f"attachment_{where}"] = filed.report.attachments.get()


def _monitoring(world: World) -> None:
    from monitoring.land.services import ingest_land
    from monitoring.models import Domain, Entity, RuleSetting
    from monitoring.services import create_source

    rows = [json.loads(line) for line in LAND.read_text(encoding="utf-8").splitlines()]
    record = dict(next(r for r in rows if r["idnumber"] == "1306262018B00730"))
    record["supply"] = "协议出让"
    _, _, alerts_in = ingest_land(record)
    outside = dict(record, idnumber="1101052018B00730", district="朝阳区", name="北京某置业有限公司")
    outside["holder"] = "北京某置业有限公司"
    _, _, alerts_out = ingest_land(outside)
    world.objects["alert_in"] = alerts_in[0]  # red: it has its verification task
    world.objects["alert_out"] = alerts_out[0]
    world.objects["entity_in"] = Entity.objects.get(name="河北康城房地产开发有限公司")
    world.objects["entity_out"] = Entity.objects.get(name="北京某置业有限公司")
    world.objects["rule_setting"] = RuleSetting.objects.create(code="L001", enabled=True)
    for domain in (Domain.LAND, Domain.PROCUREMENT, Domain.APPROVAL):
        _, token = create_source(name=f"来源-{domain}", domain=domain)
        world.objects[f"token_{domain}"] = token


def _procurement(world: World) -> None:
    from monitoring.models import Domain
    from monitoring.procurement.services import configure_source, ingest_release
    from monitoring.services import create_source

    rows = [json.loads(line) for line in PROCUREMENT.read_text(encoding="utf-8").splitlines()]
    base = next(r for r in rows if r["ocid"] == PROCUREMENT_OCID)
    national = ingest_release(copy.deepcopy(base))  # a foreign record: region 000000
    source, _ = create_source(name="保定市公共资源交易中心", domain=Domain.PROCUREMENT)
    configure_source(source=source, default_region="130600")
    local = copy.deepcopy(base)
    local["ocid"] = "ocds-test-baoding-1"
    local_outcome = ingest_release(local, source=source)
    world.objects["process_in"] = local_outcome.process
    world.objects["process_out"] = national.process


def _approvals(world: World) -> None:
    from monitoring.approvals.generator import generate_cases
    from monitoring.approvals.services import ingest_approval
    from workdays.calendar import calendar_from_csv

    generated = generate_cases(count=60, seed=7, anomaly_rate=0.3, start=date(2025, 1, 2), calendar=calendar_from_csv())
    for where, prefix in (("in", "1306"), ("out", "1301")):
        raw = next(r for r in generated if r["region"].startswith(prefix))
        case, _, _ = ingest_approval(copy.deepcopy(raw))
        world.objects[f"approval_{where}"] = case


def build_world() -> World:
    from consultations.models import SensitiveWord
    from regions.services import GB2260_CSV, load_regions, read_region_rows
    from workdays.models import WorkingDayOverride

    load_regions([row for row in read_region_rows(GB2260_CSV) if row.code[:2] in {"00", "11", "13"}])
    world = World()
    _users(world)
    _drafts(world)
    _restricted_draft(world)
    _petitions(world)
    _reports(world)
    _monitoring(world)
    _procurement(world)
    _approvals(world)
    world.objects["working_day"] = WorkingDayOverride.objects.order_by("day").first()
    world.objects["sensitive_word"] = SensitiveWord.objects.create(word="代开发票")
    return world
