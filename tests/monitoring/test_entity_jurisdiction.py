"""An entity's profile shows an inspector only the records of their jurisdiction, in every list on it."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from monitoring.approvals.models import ApprovalCase, Matter
from monitoring.models import Alert, Entity, LandTransfer, VerificationTask
from monitoring.procurement.models import Process
from regions.models import Region
from reports import services
from tests.factories import UserFactory

CREDIT_CODE = "91130600MA0CXXXX1A"  # shape only; the entity page matches reports by code or name
PLACES = {"baoding": "130626", "qinhuangdao": "130302"}  # 定兴县 (保定) and 海港区 (秦皇岛)


@pytest.fixture
def baoding_inspector(regions):
    return UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600", display_name="王监察")


@pytest.fixture
def entity(db):
    return Entity.objects.create(name="河北某建设集团有限公司", name_key="河北某建设集团有限公司")


def _records(entity: Entity, place: str, code: str) -> dict[str, str]:
    """One record of every kind on the entity's page, located in `code`; returns what each one shows."""
    now = timezone.now()
    region = Region.objects.get(code=code)
    LandTransfer.objects.create(
        record_id=f"LAND-{place}",
        region=region,
        project=f"{place}地块项目",
        use="商服用地",
        supply="挂牌出让",
        holder=entity,
        raw={},
    )
    alert = Alert.objects.create(
        fingerprint=f"test:{place}",
        rule_code="L001",
        domain="land",
        severity="red",
        title=f"{place}预警",
        region=region,
        entity=entity,
        record_ref=place,
    )
    VerificationTask.objects.create(alert=alert, due_on=date.today() + timedelta(days=10))
    Process.objects.create(
        ocid=f"ocds-test-{place}", region=region, title=f"{place}采购项目", buyer=entity, release={}, content_hash="x"
    )
    matter, _ = Matter.objects.get_or_create(code="M1", defaults={"name": "建筑工程施工许可", "legal_limit_days": 15})
    ApprovalCase.objects.create(
        case_number=f"SP-{place}",
        ref=f"SP-{place}",
        matter=matter,
        department=Entity.objects.create(name=f"{place}住建局", name_key=f"{place}住建局"),
        applicant=entity,
        region=region,
        received_at=now,
        legal_limit_days=15,
        legal_limit_unit="working",
        order_at=now,
        raw={},
    )
    report = services.file_report(
        kind="procurement",
        subject_unit=entity.name,
        region=region,
        description=f"{place}：该公司在工程招标中与评标专家串通，中标价格明显高于市场价。",
    ).report
    return {
        "transfer": f"LAND-{place}",
        "alert": f"{place}预警",
        "process": f"ocds-test-{place}",
        "approval": f"SP-{place}",
        "report": report.reference,
    }


def test_a_baoding_inspector_sees_only_baodings_records_on_an_entity_page(client, baoding_inspector, entity):
    # given: the same company with a record of every kind in 保定 and in 秦皇岛
    baoding = _records(entity, "baoding", PLACES["baoding"])
    qinhuangdao = _records(entity, "qinhuangdao", PLACES["qinhuangdao"])
    client.force_login(baoding_inspector)

    # when
    page = client.get(f"/monitoring/entities/{entity.pk}/").content.decode()

    # then: every list shows 保定's record and none of 秦皇岛's
    for kind, shown in baoding.items():
        assert shown in page, kind
    for kind, hidden in qinhuangdao.items():
        assert hidden not in page, kind


def test_a_province_inspector_sees_both_cities_on_an_entity_page(client, regions, entity):
    hebei = UserFactory(role=Role.INSPECTOR, jurisdiction_id="130000", display_name="省监察")
    shown = [*_records(entity, "baoding", PLACES["baoding"]).values()]
    shown += _records(entity, "qinhuangdao", PLACES["qinhuangdao"]).values()
    client.force_login(hebei)

    page = client.get(f"/monitoring/entities/{entity.pk}/").content.decode()

    assert all(text in page for text in shown)


def test_the_dashboard_lists_only_tasks_whose_alert_is_in_the_jurisdiction(client, baoding_inspector, entity):
    # given: tasks on alerts in both cities assigned to the Baoding inspector (say, before a transfer of post)
    _records(entity, "baoding", PLACES["baoding"])
    _records(entity, "qinhuangdao", PLACES["qinhuangdao"])
    VerificationTask.objects.update(assignee=baoding_inspector)
    client.force_login(baoding_inspector)

    page = client.get("/monitoring/?state=all").content.decode()

    assert "baoding预警" in page and "qinhuangdao预警" not in page
