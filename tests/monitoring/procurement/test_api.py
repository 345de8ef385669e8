"""POST /api/monitoring/procurement: token per source, 403 for another domain, idempotent upsert, 400 on bad input."""

import pytest

from monitoring.models import Alert
from monitoring.procurement.models import Process
from tests.monitoring.procurement.conftest import variant

URL = "/api/monitoring/procurement"


def post(client, payload, token):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(URL, payload, content_type="application/json", **headers)


def test_a_token_is_needed(client, base_release, regions):
    assert post(client, base_release, None).status_code == 401
    assert post(client, base_release, "not-a-token").status_code == 401
    assert not Process.objects.exists()


def test_a_token_of_another_domain_is_refused(client, base_release, land_token):
    response = post(client, base_release, land_token)

    assert response.status_code == 403 and "__all__" in response.json()["errors"]
    assert not Process.objects.exists()


def test_a_release_is_created_then_left_unchanged(client, base_release, procurement_token):
    release = variant(base_release, "ocds-test-api-1", estimate=100000)  # P102: award at 44 % of the estimate

    first = post(client, release, procurement_token)
    second = post(client, release, procurement_token)

    assert first.status_code == 200 and second.status_code == 200
    result = first.json()["results"][0]
    assert result["ocid"] == "ocds-test-api-1" and result["status"] == "created"
    codes = set(Alert.objects.filter(public_id__in=result["alerts"]).values_list("rule_code", flat=True))
    assert {"P102", "R003"} <= codes  # R003: a one-day tender period (Cardinal, default mode)
    assert second.json()["results"][0] == {
        "ocid": "ocds-test-api-1",
        "status": "unchanged",
        "alerts": [],
        "problems": {},
    }
    assert second.json()["alerts"] == []
    assert Process.objects.count() == 1 and Alert.objects.count() == len(first.json()["alerts"])


def test_a_changed_release_is_updated_in_place(client, base_release, procurement_token):
    post(client, base_release, procurement_token)
    changed = variant(base_release, base_release["ocid"], amount=45000)

    body = post(client, [changed], procurement_token).json()

    assert body["results"][0]["status"] == "updated"
    process = Process.objects.get()
    assert process.awards.get(status="active").amount == 45000 and process.contracts.get().amount == 45000


def test_a_release_package_is_accepted(client, base_release, procurement_token):
    package = {
        "uri": "https://example.org/package.json",
        "publishedDate": "2017-04-25T14:47:22Z",
        "releases": [variant(base_release, "ocds-test-pkg-1"), variant(base_release, "ocds-test-pkg-2")],
    }

    body = post(client, package, procurement_token).json()

    assert [r["status"] for r in body["results"]] == ["created", "created"]
    assert set(Process.objects.values_list("ocid", flat=True)) == {"ocds-test-pkg-1", "ocds-test-pkg-2"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ([{"tender": {}}], "[0].ocid"),
        ([17], "[0].__all__"),
        ({"releases": []}, "releases"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, procurement_token, payload, field):
    response = post(client, payload, procurement_token)

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_unreadable_json_is_a_400(client, procurement_token):
    response = client.post(
        URL, "{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {procurement_token}"
    )

    assert response.status_code == 400 and "errors" in response.json()


def test_good_records_are_kept_next_to_bad_ones_with_their_field_problems(client, base_release, procurement_token):
    broken = variant(base_release, "ocds-test-api-broken")
    broken["tender"]["tenderPeriod"]["endDate"] = "next Tuesday"

    body = post(client, [broken, {"ocid": ""}], procurement_token).json()

    assert body["results"][0]["status"] == "created"
    assert "tender.tenderPeriod.endDate" in body["results"][0]["problems"]
    assert "[1].ocid" in body["errors"]
    assert Process.objects.get().tender_end is None


def test_the_endpoint_is_documented_in_the_openapi_schema(client, db):
    schema = client.get("/api/openapi.json").json()

    operation = schema["paths"]["/api/monitoring/procurement"]["post"]
    assert "requestBody" in operation and set(operation["responses"]) >= {"200", "400", "403"}
