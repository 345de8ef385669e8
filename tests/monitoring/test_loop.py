"""Ingesting records, alerts without duplicates, the closed loop, jurisdiction, the ingest API and the importer."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from monitoring.land.services import ingest_land
from monitoring.models import Alert, Entity, LandTransfer, RuleSetting, VerificationTask
from monitoring.services import create_task, move_alert, record_result


def test_a_red_alert_on_arrival_creates_a_task_for_the_nearest_inspector(record, baoding_inspector, hebei_inspector):
    record["supply"] = "协议出让"

    transfer, created, alerts = ingest_land(record)

    assert created and [a.rule_code for a in alerts] == ["L001"]
    task = VerificationTask.objects.get()
    assert task.assignee == baoding_inspector  # the most specific jurisdiction
    assert alerts[0].evidence["supply"] == "协议出让"
    assert Alert.objects.get().state == "verifying"


def test_reingesting_the_same_record_raises_no_duplicate(record, all_regions):
    record["supply"] = "协议出让"
    ingest_land(record)
    record["price"] = "10500"

    transfer, created, alerts = ingest_land(record)

    assert not created and alerts == []
    assert Alert.objects.count() == 1 and LandTransfer.objects.get().price_wan == 10500


def test_one_profile_per_land_user(land_rows, all_regions):
    for raw in land_rows[:60]:
        ingest_land(raw)

    names = list(Entity.objects.values_list("name_key", flat=True))
    assert len(names) == len(set(names))


def test_administrators_can_switch_a_rule_off_or_change_its_parameters(record, all_regions):
    RuleSetting.objects.create(code="L001", enabled=False)
    record["supply"] = "协议出让"

    assert ingest_land(record)[2] == []


def test_the_loop_from_alert_to_closed(record, baoding_inspector, shanghai_inspector):
    record["price"] = "500"  # a low price, but no peers yet: nothing raised
    assert ingest_land(record)[2] == []
    record["supply"] = "协议出让"
    record["idnumber"] = "1306262018B09999"
    alert = ingest_land(record)[2][0]

    with pytest.raises(PermissionDenied):
        move_alert(alert=alert, user=shanghai_inspector, target="dismissed", note="越权")
    with pytest.raises(ValidationError):
        create_task(alert=alert, user=baoding_inspector)  # red alerts already have one
    with pytest.raises(ValidationError):
        move_alert(alert=alert, user=baoding_inspector, target="confirmed")  # the result comes first
    record_result(task=alert.task, user=baoding_inspector, result="经核实：以协议方式出让商品住宅用地，已移送立案。")
    move_alert(alert=alert, user=baoding_inspector, target="confirmed")
    move_alert(alert=alert, user=baoding_inspector, target="closed")

    alert.refresh_from_db()
    assert alert.state == "closed"
    assert [e.to_state for e in alert.events.all()] == ["new", "verifying", "verifying", "confirmed", "closed"]


def test_dismissal_needs_a_reason(record, baoding_inspector):
    record["supply"] = "协议出让"
    alert = ingest_land(record)[2][0]

    with pytest.raises(ValidationError):
        move_alert(alert=alert, user=baoding_inspector, target="dismissed", note="")
    move_alert(alert=alert, user=baoding_inspector, target="dismissed", note="属于划拨补办出让，符合政策")
    alert.refresh_from_db()
    assert alert.dismissal_reason == "属于划拨补办出让，符合政策"


def test_tasks_escalate_when_overdue(record, baoding_inspector):
    import datetime

    from monitoring.services import refresh_task_escalations

    record["supply"] = "协议出让"
    task = ingest_land(record)[2][0].task

    refresh_task_escalations(today=task.due_on + datetime.timedelta(days=10))

    task.refresh_from_db()
    assert task.escalation == "red"
    refresh_task_escalations(today=task.due_on - datetime.timedelta(days=20))
    task.refresh_from_db()
    assert task.escalation == "none"


def test_inspectors_see_only_their_jurisdiction(client, record, baoding_inspector, shanghai_inspector):
    record["supply"] = "协议出让"
    alert = ingest_land(record)[2][0]

    client.force_login(shanghai_inspector)
    assert alert.title not in client.get("/monitoring/?state=all").content.decode()
    assert client.get(f"/monitoring/alerts/{alert.public_id}/").status_code == 403
    client.force_login(baoding_inspector)
    page = client.get(f"/monitoring/alerts/{alert.public_id}/").content.decode()
    assert "协议出让" in page and "招标拍卖挂牌出让国有建设用地使用权规定" in page


def test_the_public_cannot_reach_the_dashboard(client, citizen, record, all_regions):
    record["supply"] = "协议出让"
    alert = ingest_land(record)[2][0]

    assert client.get(f"/monitoring/alerts/{alert.public_id}/").status_code == 302
    client.force_login(citizen)
    assert client.get("/monitoring/").status_code == 403
    assert (
        client.post(f"/monitoring/alerts/{alert.public_id}/move/", {"target": "dismissed", "note": "x"}).status_code
        == 403
    )


def test_ingest_api_needs_a_token_and_is_idempotent(client, record, land_token, all_regions):
    url = "/api/monitoring/land"
    record["supply"] = "协议出让"

    assert client.post(url, record, content_type="application/json").status_code == 401
    assert (
        client.post(url, record, content_type="application/json", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    )
    first = client.post(url, record, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {land_token}")
    second = client.post(
        url, [record, {"idnumber": "?"}], content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {land_token}"
    )

    assert first.status_code == 200 and first.json()["results"][0]["created"] is True
    assert len(first.json()["results"][0]["alerts"]) == 1
    body = second.json()
    assert body["results"][0] == {"record_id": record["idnumber"], "created": False, "alerts": []}
    assert "[1].idnumber" in body["errors"]
    assert Alert.objects.count() == 1
    assert (
        client.post(
            url, "{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {land_token}"
        ).status_code
        == 400
    )


def test_the_importer_reports_bad_lines_and_keeps_the_rest(tmp_path, land_rows, all_regions):
    path = tmp_path / "land.jsonl"
    lines = [json.dumps(row, ensure_ascii=False) for row in land_rows[:5]]
    lines.insert(2, "{broken json")
    lines.insert(4, json.dumps({"idnumber": "1306262018B00001", "price": "不详"}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()

    call_command("import_land", str(path), stdout=out, stderr=err)

    assert LandTransfer.objects.count() == 5
    assert "line 3: not JSON" in err.getvalue() and "line 5: price is not a number" in err.getvalue()
    assert "5 created, 0 updated, 2 skipped" in out.getvalue()


def test_the_whole_real_sample(land_rows, all_regions):
    out, err = io.StringIO(), io.StringIO()
    from pathlib import Path

    call_command(
        "import_land",
        str(Path(__file__).resolve().parents[2] / "monitoring" / "demo_data" / "land_transfer_results_2018.jsonl"),
        stdout=out,
        stderr=err,
        quiet=True,
    )

    assert LandTransfer.objects.count() == 203  # one record has no 电子监管号
    assert "line 204" in err.getvalue()
    housing_by_agreement = Alert.objects.filter(
        rule_code="L001", land_transfer__supply="协议出让", land_transfer__use_category="residential"
    ).count()
    assert housing_by_agreement == 12  # the 12 协议出让 commodity-housing parcels of the sample


def test_administrators_tune_rules_in_the_admin_with_checked_parameters(client, all_regions):
    from accounts.roles import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.ADMINISTRATOR, jurisdiction_id="000000"))
    url = "/admin/snippets/monitoring/rulesetting/add/"

    bad = client.post(url, {"code": "L002", "enabled": "on", "severity": "", "params": '{"k": "wide", "colour": 1}'})
    good = client.post(url, {"code": "L002", "enabled": "on", "severity": "red", "params": '{"k": 3}'})

    assert bad.status_code == 200 and not RuleSetting.objects.filter(params__k="wide").exists()
    assert good.status_code == 302
    from monitoring.land.rules import PriceFarBelowPeers
    from monitoring.services import rule_config

    config = rule_config(PriceFarBelowPeers())
    assert config.params == {"k": 3, "min_peers": 8} and config.severity == "red"


def test_batch_reevaluation_sees_the_whole_population_and_adds_no_duplicates(land_rows, record, all_regions):
    from monitoring.land.services import reevaluate_land

    # a housing parcel sold at 20 元/m² arrives first, when there is nothing to compare it with
    cheap = {**record, "idnumber": "1306262018B00001", "price": "105.86"}
    assert [a.rule_code for a in ingest_land(cheap)[2]] == []
    for raw in land_rows[:203]:
        ingest_land(raw)
    on_arrival = set(Alert.objects.values_list("fingerprint", flat=True))

    records, raised = reevaluate_land()
    again = reevaluate_land()

    after = set(Alert.objects.values_list("fingerprint", flat=True))
    assert records == 204 and on_arrival <= after and again == (204, 0)
    low_price = Alert.objects.get(rule_code="L002", record_ref="1306262018B00001")
    assert low_price.evidence["population"]["n"] >= 8 and low_price.evidence["fence"]["lower_yuan_m2"] > 20
