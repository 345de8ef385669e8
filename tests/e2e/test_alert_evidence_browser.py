"""An inspector opens a population alert in the browser and reads its evidence: the sentence with the numbers in
units, the chart of the value against its population, the legal basis, and the land user's profile link."""

import json
from pathlib import Path

import pytest

from accounts.roles import Role
from monitoring.land.services import ingest_land, reevaluate_land
from monitoring.models import Alert
from regions.services import GB2260_CSV, load_regions, read_region_rows
from tests.e2e.browsing import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
LAND = Path(__file__).resolve().parents[2] / "monitoring" / "demo_data" / "land_transfer_results_2018.jsonl"
PASSWORD = "阳光-Sunshine-2026!"


@pytest.fixture
def price_alert(transactional_db):
    load_regions(read_region_rows(GB2260_CSV))
    for line in LAND.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("idnumber"):
            ingest_land(row)
    reevaluate_land()
    return Alert.objects.filter(rule_code="L002", entity__isnull=False).first()


def test_an_inspector_reads_the_sentence_the_chart_and_the_basis(page, live_server, price_alert):
    # given a national inspector and an alert on a price far below comparable parcels
    assert price_alert is not None
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction_id="000000", email="e2e-inspector@example.cn")
    inspector.set_password(PASSWORD)
    inspector.save()

    # when they sign in and open the alert
    sign_in(page, live_server.url, inspector.email, PASSWORD)
    page.goto(f"{live_server.url}/monitoring/alerts/{price_alert.public_id}/")

    # then the evidence is a sentence in units, a chart with its text alternative, a law and article, a link
    evidence = page.get_by_test_id("alert-evidence")
    sentence = page.get_by_test_id("evidence-sentence").inner_text()
    assert "元/m²" in sentence and "下限为" in sentence and "宗" in sentence
    chart = page.get_by_test_id("evidence-chart")
    assert chart.locator("svg[role=img]").is_visible()
    assert "低于" in chart.locator("figcaption").inner_text()
    assert "第五条" in page.get_by_test_id("evidence-basis").inner_text()
    text = evidence.inner_text()
    for raw in ("unit_price", "q1_", "lower_", "{", "[", "None", "Q1 − k·IQR"):
        assert raw not in text
    evidence.get_by_role("link", name=price_alert.entity.name).click()
    page.wait_for_url(f"**/monitoring/entities/{price_alert.entity.pk}/")
