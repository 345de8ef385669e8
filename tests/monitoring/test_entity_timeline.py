"""One timeline per official or unit: every kind of record in the viewer's jurisdiction, newest first, with
counts by kind, domain and rule, a risk summary, and a search by name or credit code."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from core.identifiers import uscc_check_character
from monitoring.approvals.models import ApprovalCase, Matter
from monitoring.models import Alert, AlertEvent, Entity, LandTransfer, VerificationTask
from monitoring.procurement.models import Process
from regions.models import Region
from reports import services
from tests.factories import UserFactory

CREDIT_CODE = "91130600MA0CXK781" + uscc_check_character("91130600MA0CXK781")
BAODING, QINHUANGDAO = "130626", "130302"  # 定兴县 (保定), 海港区 (秦皇岛)
REPORT_TEXT = "该公司在工程招标中与评标专家串通，中标价格明显高于市场价。"
REPORTER = "赵举报"


@pytest.fixture
def baoding_inspector(regions):
    return UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600", display_name="王监察")


@pytest.fixture
def entity(db):
    return Entity.objects.create(
        name="河北某建设集团有限公司", name_key="河北某建设集团有限公司", credit_code=CREDIT_CODE
    )


def _records(entity: Entity, place: str, code: str, *, days_ago: int = 0) -> dict[str, str]:
    """One record of every kind naming the entity, located in `code`; returns the text each one shows."""
    at = timezone.now() - timedelta(days=days_ago)
    region = Region.objects.get(code=code)
    LandTransfer.objects.create(
        record_id=f"LAND-{place}",
        region=region,
        project=f"{place}地块项目",
        use="商服用地",
        supply="挂牌出让",
        holder=entity,
        signed_on=at.date(),
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
        raised_at=at,
    )
    VerificationTask.objects.create(alert=alert, due_on=at.date() - timedelta(days=1), created_at=at)
    Process.objects.create(
        ocid=f"ocds-test-{place}",
        region=region,
        title=f"{place}采购项目",
        buyer=entity,
        status="active",
        release_date=at,
        release={},
        content_hash="x",
    )
    matter, _ = Matter.objects.get_or_create(code="M1", defaults={"name": "建筑工程施工许可", "legal_limit_days": 15})
    ApprovalCase.objects.create(
        case_number=f"SP-{place}",
        ref=f"SP-{place}",
        matter=matter,
        department=Entity.objects.create(name=f"{place}住建局", name_key=f"{place}住建局"),
        applicant=entity,
        region=region,
        received_at=at,
        legal_limit_days=15,
        legal_limit_unit="working",
        order_at=at,
        raw={},
    )
    report = services.file_report(
        kind="procurement",
        subject_unit=entity.name,
        region=region,
        description=f"{place}：{REPORT_TEXT}",
        identity=services.ReporterIdentity(name=REPORTER, id_number="11010519491231002X", phone="13800138000"),
    ).report
    return {
        "land": f"LAND-{place}",
        "alert": f"{place}预警",
        "procurement": f"ocds-test-{place}",
        "approval": f"SP-{place}",
        "report": report.reference,
    }


def test_the_timeline_joins_every_kind_of_record(client, baoding_inspector, entity):
    # given: the company with a record of every kind in 保定
    shown = _records(entity, "baoding", BAODING)
    client.force_login(baoding_inspector)

    # when
    page = client.get(f"/monitoring/entities/{entity.pk}/").content.decode()

    # then: one timeline entry of each kind, each showing its record
    for kind in ("alert", "task", "procurement", "land", "approval", "report"):
        assert f'data-testid="timeline-{kind}"' in page, kind
    for kind, text in shown.items():
        assert text in page, kind


def test_the_timeline_is_newest_first_and_can_show_one_kind(client, baoding_inspector, entity):
    _records(entity, "older", BAODING, days_ago=200)
    _records(entity, "newer", BAODING, days_ago=3)
    client.force_login(baoding_inspector)

    page = client.get(f"/monitoring/entities/{entity.pk}/").content.decode()
    assert page.index("newer预警") < page.index("older预警")

    only_land = client.get(f"/monitoring/entities/{entity.pk}/?kind=land").content.decode()
    assert "LAND-newer" in only_land and "LAND-older" in only_land
    assert 'data-testid="timeline-alert"' not in only_land


def test_the_timeline_shows_only_the_viewers_jurisdiction(client, baoding_inspector, entity):
    # given: the same company in 保定 and in 秦皇岛
    baoding = _records(entity, "baoding", BAODING)
    qinhuangdao = _records(entity, "qinhuangdao", QINHUANGDAO)
    client.force_login(baoding_inspector)

    # when
    response = client.get(f"/monitoring/entities/{entity.pk}/")
    page = response.content.decode()

    # then: 保定's records only, and counts of 保定's records only
    assert all(text in page for text in baoding.values())
    assert not any(text in page for text in qinhuangdao.values())
    assert response.context["timeline"].counts == {
        "alert": 1,
        "task": 1,
        "procurement": 1,
        "land": 1,
        "approval": 1,
        "report": 1,
    }


def test_an_entity_with_nothing_in_the_jurisdiction_is_not_found(client, baoding_inspector, entity):
    _records(entity, "qinhuangdao", QINHUANGDAO)
    client.force_login(baoding_inspector)

    assert client.get(f"/monitoring/entities/{entity.pk}/").status_code == 404


def test_a_report_shows_its_existence_date_and_state_never_the_reporter(client, baoding_inspector, entity):
    shown = _records(entity, "baoding", BAODING)
    client.force_login(baoding_inspector)

    page = client.get(f"/monitoring/entities/{entity.pk}/?kind=report").content.decode()

    assert shown["report"] in page and "已收到" in page  # the state, in words
    assert REPORTER not in page
    assert REPORT_TEXT not in page
    assert "13800138000" not in page


def test_staff_of_the_reported_unit_do_not_see_the_report(client, regions, entity):
    # given: an inspector who works for the unit reported
    insider = UserFactory(
        role=Role.INSPECTOR, jurisdiction_id="130600", display_name="李内部", organisation=entity.name
    )
    shown = _records(entity, "baoding", BAODING)
    client.force_login(insider)

    # when
    response = client.get(f"/monitoring/entities/{entity.pk}/")
    page = response.content.decode()

    # then: the other records are there; the report is neither listed nor counted
    assert shown["alert"] in page
    assert shown["report"] not in page
    assert 'data-testid="timeline-report"' not in page
    assert response.context["timeline"].counts["report"] == 0


def test_counts_by_domain_and_rule_use_titles_and_the_risk_summary_adds_up(client, baoding_inspector, entity):
    _records(entity, "baoding", BAODING)
    confirmed = Alert.objects.create(
        fingerprint="test:confirmed",
        rule_code="L002",
        domain="land",
        severity="yellow",
        title="低价出让",
        region_id=BAODING,
        entity=entity,
        record_ref="x",
        state="closed",
    )
    AlertEvent.objects.create(alert=confirmed, from_state="verifying", to_state="confirmed")
    AlertEvent.objects.create(alert=confirmed, from_state="confirmed", to_state="closed")
    client.force_login(baoding_inspector)

    response = client.get(f"/monitoring/entities/{entity.pk}/")
    page = response.content.decode()
    timeline = response.context["timeline"]

    assert "L001" not in page and "L002" not in page  # rules by title, never by code
    assert [(row["key"], row["n"]) for row in timeline.alerts_by_domain] == [("land", 2)]
    assert {row["n"] for row in timeline.alerts_by_rule} == {1}
    assert timeline.risk["open"] == 1
    assert timeline.risk["open_by_severity"][0]["key"] == "red"
    assert timeline.risk["confirmed"] == 1
    assert timeline.risk["overdue_tasks"] == 1
    assert 'data-testid="entity-risk"' in page


def test_search_finds_an_entity_by_name_and_by_credit_code(client, baoding_inspector, entity):
    _records(entity, "baoding", BAODING)
    client.force_login(baoding_inspector)
    link = f"/monitoring/entities/{entity.pk}/"

    by_name = client.get("/monitoring/entities/", {"q": "某建设"}).content.decode()
    by_code = client.get("/monitoring/entities/", {"q": CREDIT_CODE[:10].lower()}).content.decode()
    by_full_code = client.get("/monitoring/entities/", {"q": CREDIT_CODE}).content.decode()
    nothing = client.get("/monitoring/entities/", {"q": "不存在的公司"}).content.decode()

    assert link in by_name and link in by_code and link in by_full_code
    assert link not in nothing


def test_search_finds_only_entities_with_records_in_the_jurisdiction(client, baoding_inspector, entity):
    elsewhere = Entity.objects.create(name="秦皇岛某建设公司", name_key="秦皇岛某建设公司")
    _records(entity, "baoding", BAODING)
    _records(elsewhere, "qinhuangdao", QINHUANGDAO)
    client.force_login(baoding_inspector)

    page = client.get("/monitoring/entities/", {"q": "建设"}).content.decode()

    assert f"/monitoring/entities/{entity.pk}/" in page
    assert f"/monitoring/entities/{elsewhere.pk}/" not in page
    assert "秦皇岛某建设公司" not in page


def test_the_dashboard_has_the_entity_search_box(client, baoding_inspector):
    client.force_login(baoding_inspector)

    page = client.get("/monitoring/").content.decode()

    assert 'data-testid="entity-search"' in page and 'action="/monitoring/entities/"' in page


def test_each_kind_is_bounded_and_the_counts_stay_whole(baoding_inspector, entity):
    from django.utils import timezone as tz

    from monitoring import selectors
    from monitoring.approvals.selectors import cases_for
    from monitoring.procurement.selectors import processes_for
    from monitoring.services import alerts_for
    from reports.selectors import cases_for as reports_for

    _records(entity, "older", BAODING, days_ago=30)
    _records(entity, "newer", BAODING, days_ago=1)

    timeline = selectors.entity_timeline(
        entity,
        alerts=alerts_for(baoding_inspector),
        transfers=selectors.land_transfers_for(baoding_inspector),
        processes=processes_for(baoding_inspector),
        cases=cases_for(baoding_inspector),
        reports=reports_for(baoding_inspector),
        today=tz.localdate(),
        limit=1,
    )

    assert len(timeline.items) == 6 and all("older" not in item.title for item in timeline.items)
    assert timeline.truncated == dict.fromkeys(timeline.counts, 2)
