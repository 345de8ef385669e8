"""The procurement ingest API never answers a value it cannot store with a 500."""

import copy
import json

import pytest

from monitoring.procurement.models import Process


def post(client, url, payload, token, raw=False):
    body = payload if raw else json.dumps(payload, ensure_ascii=False)
    return client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


# --- procurement -----------------------------------------------------------------------------------


@pytest.fixture
def release(base_release):
    return base_release


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r["tender"].update(numberOfTenderers=2**40), "tender.numberOfTenderers"),
        (
            lambda r: r["tender"]["tenderPeriod"].update(endDate="9999-12-31T23:00:00-12:00"),
            "tender.tenderPeriod.endDate",
        ),
        (lambda r: r.update(date="0001-01-01T00:00:00+14:00"), "date"),
    ],
)
def test_a_procurement_value_that_cannot_be_stored_is_a_problem_of_the_stored_release(
    client, release, procurement_token, change, field
):
    change(release)

    response = post(client, "/api/monitoring/procurement", [release], procurement_token)

    assert response.status_code == 200
    assert field in response.json()["results"][0]["problems"]
    assert Process.objects.filter(ocid=release["ocid"]).exists()


@pytest.mark.parametrize("body", ['{"ocid": "x", "n": NaN}', '{"ocid": ' + "1" * 5000 + "}", "[" * 100_000])
def test_a_procurement_body_that_is_not_standard_json_is_a_400(client, procurement_token, body):
    response = post(client, "/api/monitoring/procurement", body, procurement_token, raw=True)

    assert response.status_code == 400 and "__all__" in response.json()["errors"]


def test_a_release_with_a_nul_character_is_a_400_naming_where(client, release, procurement_token):
    good = copy.deepcopy(release)
    release["ocid"] = "ocds-test-nul"
    release["tender"]["title"] = "学校\x00午餐"

    response = post(client, "/api/monitoring/procurement", [good, release], procurement_token)

    assert response.status_code == 200
    assert "[1].tender.title" in response.json()["errors"]
    assert list(Process.objects.values_list("ocid", flat=True)) == [good["ocid"]]
