"""The approvals ingest API answers a value it cannot store with a 400 naming the case and field."""

import copy
import json

import pytest

from monitoring.approvals.models import ApprovalCase


def post(client, url, payload, token, raw=False):
    body = payload if raw else json.dumps(payload, ensure_ascii=False)
    return client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


# --- approvals -------------------------------------------------------------------------------------


@pytest.fixture
def case(generated, all_regions):
    raw = copy.deepcopy(generated[0])
    return {key: value for key, value in raw.items() if not key.startswith("_")}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: c.update(received_at="9999-12-31T23:59:59-12:00"), "received_at"),
        (lambda c: c.update(received_at="0001-01-01T00:00:00+14:00"), "received_at"),
        (lambda c: c["applicant"].update(name="某\x00公司"), "applicant.name"),
        (lambda c: c.update(_note="ignored", extra={"x": ["\x00"]}), "extra.x[0]"),
        (lambda c: c.update(extension_days=2**63), "extension_days"),
    ],
)
def test_an_approval_value_that_cannot_be_stored_is_a_400_naming_the_case_and_field(
    client, case, approval_token, holidays, change, field
):
    bad = copy.deepcopy(case)
    bad["case_number"] = "BAD-1"
    change(bad)

    response = post(client, "/api/monitoring/approvals", [case, bad], approval_token)

    assert response.status_code == 200
    assert f"[1].{field}" in response.json()["errors"]
    assert list(ApprovalCase.objects.values_list("case_number", flat=True)) == [case["case_number"]]


def test_an_officer_of_a_long_named_department_is_stored(client, case, approval_token, holidays):
    # given a step whose handler (60 characters) works in a department named with 200: the officer's
    # profile name joins both, longer than the profile's column
    for step in case["steps"]:
        step["handler"], step["department"] = "李" * 60, "局" * 200

    response = post(client, "/api/monitoring/approvals", case, approval_token)

    assert response.status_code == 200, response.json()
    assert ApprovalCase.objects.get().steps.exclude(handler=None).exists()
