"""Importer, ingest API, and the same findings on arrival, in batch and in the measurement."""

import copy
import json
from io import StringIO

import pytest
from django.core.management import call_command

from monitoring.approvals.measure import findings_in_order
from monitoring.approvals.models import ApprovalCase, CaseStep, CorrectionRequest
from monitoring.approvals.services import current_evaluation, ingest_approval, reevaluate_approvals
from monitoring.models import Alert, Domain, Entity, RuleSetting
from monitoring.services import create_source
from workdays.calendar import calendar_from_csv

URL = "/api/monitoring/approvals"


def _alerts() -> set[tuple[str, str]]:
    return {
        (rule, ref.split(":", 1)[1])
        for rule, ref in Alert.objects.filter(domain=Domain.APPROVAL).values_list("rule_code", "record_ref")
    }


def test_on_arrival_and_in_batch_the_same_alerts_as_the_measurement_and_no_duplicates(generated, all_regions, holidays):
    # given 200 generated cases ingested one by one, as a source system would send them
    raws = generated[:200]
    evaluation = current_evaluation()
    for raw in raws:
        ingest_approval(copy.deepcopy(raw), evaluation=evaluation)
    on_arrival = _alerts()
    # then the pure measurement over the same cases finds exactly the same
    flagged = findings_in_order(raws, calendar_from_csv(), today=evaluation.today)
    expected = {(code, raw["case_number"]) for raw, codes in zip(raws, flagged, strict=True) for code in codes}
    assert on_arrival == expected
    assert {rule for rule, _ in on_arrival} >= {"A001", "A002", "A003", "A004", "A007", "A008"}
    # when the batch re-evaluation runs, it adds nothing
    assert reevaluate_approvals() == (200, 0)
    assert Alert.objects.filter(domain=Domain.APPROVAL).count() == len(on_arrival)
    # and from scratch it raises the same alerts as on arrival
    Alert.objects.filter(domain=Domain.APPROVAL).delete()
    assert reevaluate_approvals()[1] == len(on_arrival)
    assert _alerts() == on_arrival
    # re-sending every case changes nothing
    for raw in raws[:20]:
        _, status, raised = ingest_approval(copy.deepcopy(raw), evaluation=evaluation)
        assert status == "unchanged" and raised == []
    assert ApprovalCase.objects.count() == 200


def test_a_case_is_stored_with_its_steps_corrections_and_people(generated, all_regions, holidays):
    raw = next(r for r in generated if r["corrections"] and any(not s["counts"] for s in r["steps"]))
    case, status, _ = ingest_approval(copy.deepcopy(raw))
    assert status == "created"
    assert case.matter.code == raw["matter"]["code"] and case.region_id == raw["region"]
    assert case.steps.count() == len(raw["steps"]) and case.corrections.count() == len(raw["corrections"])
    assert case.applicant.credit_code == raw["applicant"]["credit_code"]
    assert "_labels" not in case.raw
    review = case.steps.get(name="审查")
    assert review.handler.kind == Entity.Kind.PERSON and review.handler_department == case.department
    assert not case.steps.filter(counts_toward_limit=False).exclude(handler=None).exists()
    # an update replaces the parts
    changed = copy.deepcopy(raw)
    changed["corrections"] = []
    _, status, _ = ingest_approval(changed)
    assert status == "updated" and case.corrections.count() == 0
    assert CorrectionRequest.objects.count() == 0 and CaseStep.objects.filter(case=case).count() == len(raw["steps"])


def test_administrators_switch_a_rule_off_or_change_its_parameters(generated, all_regions, holidays):
    raw = next(r for r in generated if "repeated_corrections" in r["_labels"])
    RuleSetting.objects.create(code="A004", params={"max_requests": 5})
    _, _, raised = ingest_approval(copy.deepcopy(raw))
    assert "A004" not in {a.rule_code for a in raised}
    RuleSetting.objects.filter(code="A004").update(params={})
    _, _, raised = ingest_approval(copy.deepcopy(raw))
    assert [a.rule_code for a in raised if a.rule_code == "A004"] == ["A004"]


def test_the_importer_reports_bad_lines_and_keeps_the_rest(tmp_path, generated, all_regions, holidays):
    # given a file with good lines, a line that is not JSON, a case with a bad field and an unknown region
    good = [copy.deepcopy(r) for r in generated[:5]]
    bad_field = copy.deepcopy(generated[5])
    bad_field["decided_at"] = "tomorrow"
    unknown_region = copy.deepcopy(generated[6])
    unknown_region["region"] = "999999"
    lines = [json.dumps(good[0]), "{not json", json.dumps(bad_field), "", json.dumps(unknown_region)]
    lines += [json.dumps(r) for r in good[1:]]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    # when imported twice
    call_command("import_approvals", str(path), stdout=out, stderr=err)
    call_command("import_approvals", str(path), stdout=out, stderr=err)
    # then the good cases are in once, and each problem names its line and field
    assert ApprovalCase.objects.count() == 5
    problems = err.getvalue().splitlines()
    assert problems[:3] == [
        "line 2: not JSON (Expecting property name enclosed in double quotes)",
        "line 3: decided_at: not an ISO 8601 date and time: 'tomorrow'",
        "line 5: region: unknown administrative division 999999",
    ]
    summaries = [line for line in out.getvalue().splitlines() if line.startswith("approvals:")]
    assert summaries[0].startswith("approvals: 5 created, 0 updated, 0 unchanged, 3 skipped")
    assert summaries[1].startswith("approvals: 0 created, 0 updated, 5 unchanged, 3 skipped")


def test_generate_writes_json_lines_with_labels(tmp_path):
    path = tmp_path / "out.jsonl"
    out = StringIO()
    call_command("generate_approvals", "--count", "25", "--seed", "5", "--out", str(path), stdout=out)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 25 and all("_labels" in row for row in rows)
    assert "25 cases written" in out.getvalue()


def test_ingest_api_token_domain_idempotency_and_errors(client, generated, approval_token, all_regions, holidays):
    raws = [copy.deepcopy(r) for r in generated[:3]]
    # no token, a wrong token, a token of another domain
    assert client.post(URL, raws, content_type="application/json").status_code == 401
    bad = client.post(URL, raws, content_type="application/json", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    _, land_token = create_source(name="省国土资源厅", domain=Domain.LAND)
    other = client.post(URL, raws, content_type="application/json", headers={"Authorization": f"Bearer {land_token}"})
    assert other.status_code == 403 and "__all__" in other.json()["errors"]
    auth = {"Authorization": f"Bearer {approval_token}"}
    # a list: created, with alerts listed per case
    first = client.post(URL, raws, content_type="application/json", headers=auth)
    assert first.status_code == 200
    body = first.json()
    assert body["created"] == 3 and body["updated"] == 0 and body["errors"] == {}
    assert [r["status"] for r in body["results"]] == ["created"] * 3
    assert ApprovalCase.objects.filter(source__isnull=False).count() == 3
    # the same again: unchanged, no alert twice
    again = client.post(URL, raws, content_type="application/json", headers=auth).json()
    assert [r["status"] for r in again["results"]] == ["unchanged"] * 3 and again["alerts"] == []
    # one object, changed: updated
    changed = copy.deepcopy(raws[0])
    changed["outcome"] = "refused"
    one = client.post(URL, changed, content_type="application/json", headers=auth).json()
    assert one["updated"] == 1 and one["results"][0]["case_number"] == raws[0]["case_number"]
    # a single bad object: 400 with the field
    broken = copy.deepcopy(raws[0])
    broken["steps"][1]["limit"] = {"days": "three"}
    response = client.post(URL, broken, content_type="application/json", headers=auth)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["[0].steps[1].limit.days"]
    # a list with one bad case: the good ones are stored, the bad one reported by index and field
    mixed = [copy.deepcopy(generated[3]), {"case_number": "X-1"}]
    response = client.post(URL, mixed, content_type="application/json", headers=auth)
    assert response.status_code == 200
    assert list(response.json()["errors"]) == ["[1].matter"] and response.json()["created"] == 1
    # not JSON at all, or an empty list
    assert client.post(URL, "[", content_type="application/json", headers=auth).status_code == 400
    assert client.post(URL, [], content_type="application/json", headers=auth).status_code == 400


@pytest.mark.parametrize("payload", [[1, 2], "text"])
def test_ingest_api_rejects_what_is_not_a_case(client, payload, approval_token, all_regions):
    response = client.post(
        URL, payload, content_type="application/json", headers={"Authorization": f"Bearer {approval_token}"}
    )
    assert response.status_code == 400 and response.json()["errors"]


def test_generate_without_out_ingests_and_summarises(all_regions, holidays):
    out = StringIO()
    call_command("generate_approvals", "--count", "30", "--seed", "4", "--anomaly-rate", "0.5", stdout=out)
    assert ApprovalCase.objects.count() == 30
    summary = out.getvalue().splitlines()[-1]
    assert summary.startswith("approvals: 30 generated") and "30 created" in summary
    assert Alert.objects.filter(domain=Domain.APPROVAL).exists()
