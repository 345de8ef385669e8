"""Every ingest API answers a value it cannot store with a 400 naming the record and the field, never a 500."""

import json

import pytest

from monitoring.models import LandTransfer


def post(client, url, payload, token, raw=False):
    body = payload if raw else json.dumps(payload, ensure_ascii=False)
    return client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


# --- land ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("plot_ratio_maximum", "NaN"),
        ("plot_ratio_minimum", "-Infinity"),
        ("price", "sNaN"),
        ("duration", 10**30),
        ("duration", "99999"),
        ("area", "123456789.5"),  # 9 digits before the point; the column has 8
        ("price", "1.12345"),  # 5 decimal places; the column has 4
        ("price", "123456789012.3456"),  # fits the column's 16 digits, but not a float's 15
        ("district", "区" * 61),
        ("holder", "某" * 201),
        ("area", {"value": 1}),
        ("date4sign", 20180101),
        ("date4sign", "9999-12-31"),
        ("time4handover_plan", "0001-01-01"),
        ("name", "a\x00b"),
    ],
)
def test_a_land_value_that_cannot_be_stored_is_a_400_naming_the_record_and_the_key(
    client, record, land_token, all_regions, key, value
):
    # given a real record with one value it cannot store, sent after a good one
    good = dict(record)
    bad = dict(record, idnumber="1306262018B99999", **{key: value})

    response = post(client, "/api/monitoring/land", [good, bad], land_token)

    # then the good record is stored and the bad one is named by index and key
    assert response.status_code == 200
    body = response.json()
    assert [r["record_id"] for r in body["results"]] == [record["idnumber"]]
    assert list(body["errors"]) == [f"[1].{key}"] and key in body["errors"][f"[1].{key}"][0]
    assert not LandTransfer.objects.filter(record_id="1306262018B99999").exists()


def test_a_land_batch_with_only_bad_records_is_a_400(client, record, land_token, all_regions):
    response = post(client, "/api/monitoring/land", dict(record, plot_ratio_maximum="NaN"), land_token)

    assert response.status_code == 400
    assert "plot_ratio_maximum" in response.json()["errors"]["[0].plot_ratio_maximum"][0]


def test_values_at_the_limits_of_the_columns_are_stored(client, record, land_token, all_regions):
    record.update(area="12345678.123456", price="99999999999.9999", duration=32767, district="区" * 60)

    response = post(client, "/api/monitoring/land", record, land_token)

    assert response.status_code == 200, response.json()
    transfer = LandTransfer.objects.get()
    assert str(transfer.area_ha) == "12345678.123456" and transfer.term_years == 32767


@pytest.mark.parametrize("body", ['{"area": NaN}', '{"area": 1e999}', "[" * 100_000, '{"area": ' + "1" * 5000 + "}"])
def test_a_body_that_is_not_standard_json_is_a_400(client, land_token, all_regions, body):
    response = post(client, "/api/monitoring/land", body, land_token, raw=True)

    assert response.status_code == 400
    assert response.json() == {"errors": {"__all__": ["Cannot parse request body"]}}
