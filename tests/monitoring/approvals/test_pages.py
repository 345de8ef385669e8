"""The approval case page and entity profiles, by jurisdiction; the demo data."""

import copy
import time

from monitoring.approvals.demo import load_approvals
from monitoring.approvals.models import ApprovalCase
from monitoring.approvals.services import ingest_approval
from monitoring.models import Alert, Domain


def _case(generated, region_prefix: str, label: str | None = None) -> ApprovalCase:
    raw = next(
        r for r in generated if r["region"].startswith(region_prefix) and (label is None or label in r["_labels"])
    )
    case, _, _ = ingest_approval(copy.deepcopy(raw))
    return case


def test_inspectors_see_cases_of_their_jurisdiction_only(
    client, generated, baoding_inspector, hebei_inspector, shanghai_inspector, holidays
):
    baoding = _case(generated, "1306", label="step_overdue")
    shijiazhuang = _case(generated, "1301")
    url = f"/monitoring/approvals/{baoding.pk}/"
    # the Baoding inspector sees the Baoding case: its steps, clocks and alerts
    client.force_login(baoding_inspector)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert baoding.case_number in html
    assert html.count('data-testid="step"') == baoding.steps.count()
    assert 'data-testid="step-overdue"' in html
    alerts = Alert.objects.filter(domain=Domain.APPROVAL, record_ref=baoding.ref)
    assert alerts.exists() and all(str(a.public_id) in html for a in alerts)
    # but not a Shijiazhuang case, nor one that does not exist
    assert client.get(f"/monitoring/approvals/{shijiazhuang.pk}/").status_code == 404
    assert client.get("/monitoring/approvals/999999/").status_code == 404
    # the province sees both; Shanghai neither
    client.force_login(hebei_inspector)
    assert client.get(f"/monitoring/approvals/{shijiazhuang.pk}/").status_code == 200
    client.force_login(shanghai_inspector)
    assert client.get(url).status_code == 404
    # the alert page links back to the case through its evidence
    alert = alerts.first()
    assert alert.evidence["case_page"] == url


def test_the_public_and_anonymous_cannot_reach_a_case(client, citizen, generated, all_regions, holidays):
    case = _case(generated, "1306")
    url = f"/monitoring/approvals/{case.pk}/"
    assert client.get(url).status_code == 302
    client.force_login(citizen)
    assert client.get(url).status_code == 403


def test_entity_profiles_list_a_department_s_applicant_s_and_officer_s_cases(
    client, generated, baoding_inspector, shanghai_inspector, holidays
):
    case = _case(generated, "1306")
    reviewer = case.steps.get(name="审查").handler
    client.force_login(baoding_inspector)
    department = client.get(f"/monitoring/entities/{case.department.pk}/").content.decode()
    assert case.case_number in department and 'data-testid="approval-as-department"' in department
    assert (
        'data-testid="approval-as-applicant"'
        in client.get(f"/monitoring/entities/{case.applicant.pk}/").content.decode()
    )
    assert 'data-testid="approval-as-handler"' in client.get(f"/monitoring/entities/{reviewer.pk}/").content.decode()
    client.force_login(shanghai_inspector)
    assert case.case_number not in client.get(f"/monitoring/entities/{case.department.pk}/").content.decode()


def test_demo_cases_load_once_quickly_and_both_demo_inspectors_have_alerts(all_regions, holidays):
    started = time.monotonic()
    loaded = load_approvals()
    seconds = time.monotonic() - started
    assert loaded == ApprovalCase.objects.count() == 300
    alerts = Alert.objects.filter(domain=Domain.APPROVAL)
    assert alerts.filter(region__code__startswith="1306").exists()  # the Baoding demo inspector
    assert alerts.exclude(region__code__startswith="1306").exists()  # elsewhere in Hebei, for the national one
    # loading again duplicates nothing
    count = alerts.count()
    assert load_approvals() == 0
    assert ApprovalCase.objects.count() == 300 and alerts.count() == count
    print(f"demo approvals: {loaded} cases, {count} alerts in {seconds:.1f} s")


def test_the_api_schema_still_builds(client, db):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200 and "/api/monitoring/approvals" in schema.json()["paths"]
