"""Inspectors' pages: processes and alerts within the jurisdiction only, and the charts' numbers."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from monitoring import selectors
from monitoring.models import Alert, Domain, Entity
from monitoring.procurement.services import configure_source, ingest_release
from monitoring.services import create_source
from tests.monitoring.procurement.conftest import variant

SHANGHAI = ZoneInfo("Asia/Shanghai")


def baoding_release(base_release):
    """The real process sent by a Baoding source: its records belong to Baoding."""
    source, _ = create_source(name="保定市公共资源交易中心", domain=Domain.PROCUREMENT)
    configure_source(source=source, default_region="130600")
    return ingest_release(variant(base_release, "ocds-test-baoding-1", estimate=100000), source=source)


def test_inspectors_see_processes_and_their_alerts_only_in_their_jurisdiction(
    client, base_release, baoding_inspector, national_inspector
):
    national = ingest_release(base_release)  # a foreign record: region 000000
    local = baoding_release(base_release)
    local_alert = next(a for a in local.alerts if a.rule_code == "P102")
    national_alert = national.alerts[0]

    client.force_login(baoding_inspector)
    assert client.get(f"/monitoring/procurement/{local.process.ocid}/").status_code == 200
    assert client.get(f"/monitoring/procurement/{national.process.ocid}/").status_code == 404
    assert client.get(f"/monitoring/alerts/{national_alert.public_id}/").status_code == 403
    page = client.get(f"/monitoring/alerts/{local_alert.public_id}/").content.decode()
    assert f"/monitoring/procurement/{local.process.ocid}/" in page  # the alert links to its process
    assert national.process.ocid not in client.get("/monitoring/?state=all").content.decode()

    client.force_login(national_inspector)
    assert client.get(f"/monitoring/procurement/{national.process.ocid}/").status_code == 200
    assert client.get(f"/monitoring/procurement/{local.process.ocid}/").status_code == 200


def test_the_entity_profile_lists_processes_by_role(client, base_release, national_inspector):
    ingest_release(base_release)
    buyer = Entity.objects.get(name="ВІДДІЛ ОСВІТИ СИНЕЛЬНИКІВСЬКОЇ МІСЬКОЇ РАДИ")
    loser = Entity.objects.get(name="ТОВ Тропік")  # bid, did not win
    winner = Entity.objects.get(name='ФОП "КРИШТАЛЬ НАТАЛІЯ ІВАНІВНА"')

    client.force_login(national_inspector)
    pages = {e: client.get(f"/monitoring/entities/{e.pk}/").content.decode() for e in (buyer, loser, winner)}

    assert pages[buyer].count('data-testid="as-buyer"') == 1 and 'data-testid="as-bidder"' not in pages[buyer]
    assert pages[loser].count('data-testid="as-bidder"') == 1 and 'data-testid="as-supplier"' not in pages[loser]
    assert pages[winner].count('data-testid="as-bidder"') == 1 and pages[winner].count('data-testid="as-supplier"') == 1


def test_a_baoding_inspector_does_not_see_national_processes_on_a_profile(client, base_release, baoding_inspector):
    ingest_release(base_release)
    buyer = Entity.objects.get(name="ВІДДІЛ ОСВІТИ СИНЕЛЬНИКІВСЬКОЇ МІСЬКОЇ РАДИ")

    client.force_login(baoding_inspector)

    assert 'data-testid="as-buyer"' not in client.get(f"/monitoring/entities/{buyer.pk}/").content.decode()


def make_alert(n, *, rule, severity, domain, raised_at, entity=None, region="000000"):
    return Alert.objects.create(
        fingerprint=f"test:{n}",
        rule_code=rule,
        domain=domain,
        severity=severity,
        title=f"alert {n}",
        region_id=region,
        entity=entity,
        record_ref=str(n),
        raised_at=raised_at,
    )


def test_the_charts_count_alerts_per_period_and_dimension(regions):
    # given: alerts in March (3) and May (2) 2026, and one outside the period
    unit = Entity.objects.create(name="某采购单位", name_key="某采购单位")
    march, may = datetime(2026, 3, 10, 12, tzinfo=SHANGHAI), datetime(2026, 5, 2, 9, tzinfo=SHANGHAI)
    make_alert(1, rule="R003", severity="yellow", domain="procurement", raised_at=march, entity=unit)
    make_alert(2, rule="R003", severity="yellow", domain="procurement", raised_at=march, entity=unit)
    make_alert(3, rule="L001", severity="red", domain="land", raised_at=march)
    make_alert(4, rule="P102", severity="blue", domain="procurement", raised_at=may, entity=unit)
    make_alert(5, rule="L001", severity="red", domain="land", raised_at=may)
    make_alert(6, rule="L001", severity="red", domain="land", raised_at=may - timedelta(days=800))

    # when
    filtered, series = selectors.alerts_over_time(
        Alert.objects.all(), domain="", rule="", severity="", state="all", period="365d", today=date(2026, 5, 31)
    )
    by = {s["dimension"]: s for s in series}

    # then: 12 monthly buckets, June 2025 … May 2026
    assert filtered.count() == 5
    assert by["domain"]["periods"][0] == date(2025, 6, 1) and len(by["domain"]["periods"]) == 12
    rows = {row["key"]: row["counts"] for row in by["domain"]["series"]}
    assert rows["procurement"][-3:] == [2, 0, 1] and rows["land"][-3:] == [1, 0, 1]
    assert [row["key"] for row in by["severity"]["series"]] == ["red", "yellow", "blue"]
    assert {row["key"]: row["total"] for row in by["rule"]["series"]} == {"R003": 2, "L001": 2, "P102": 1}
    assert {row["label"]: row["total"] for row in by["unit"]["series"]} == {"某采购单位": 3, "—": 2}
    chart = by["domain"]["chart"]
    assert chart.top == 3 and list(chart.totals[-3:]) == [3, 0, 2]
    assert sum(bar.value for bar in chart.marks) == 5


def test_the_dashboard_filters_and_draws_the_charts(client, regions, national_inspector):
    now = timezone.now()
    make_alert(1, rule="R003", severity="yellow", domain="procurement", raised_at=now)
    make_alert(2, rule="L001", severity="red", domain="land", raised_at=now)
    make_alert(3, rule="R018", severity="yellow", domain="procurement", raised_at=now - timedelta(days=40))
    client.force_login(national_inspector)

    page = client.get("/monitoring/?state=all&domain=procurement&period=30d").content.decode()

    assert "alert 1" in page and "alert 2" not in page and "alert 3" not in page
    assert page.count('data-n="1"') == 4  # one bar in each of the four charts
    assert "monitoring/charts.css" in page and "<svg" in page and "style=" not in page.split("<main")[-1]


def test_the_process_page_gives_codelist_values_in_words(client, base_release, national_inspector):
    """OCDS codes (`active`, `open`, `disqualified`…) and rule codes never reach the page: their words do."""
    import re

    result = ingest_release(base_release)
    client.force_login(national_inspector)

    page = client.get(f"/monitoring/procurement/{result.process.ocid}/").content.decode()

    main = page[page.index("<main") :]
    cells = re.findall(r"<(?:td|dd)[^>]*>([^<]*)</(?:td|dd)>", main)
    codes = {"active", "complete", "open", "selective", "limited", "direct", "goods", "works", "services"}
    codes |= {"valid", "disqualified", "pending", "withdrawn", "terminated", "cancelled", "unsuccessful"}
    assert not codes & {cell.strip() for cell in cells}
    assert not re.search(r">\s*[PR]\d{3}\s*<", main)  # no bare rule code as a label
    assert "公开招标" in page or "投标" in page or "有效" in page
