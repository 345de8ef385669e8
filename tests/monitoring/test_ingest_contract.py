"""The one ingest contract of every monitoring domain: the same error shape on the three endpoints, and each
record in its own transaction (a record that fails mid-batch leaves nothing behind; the good ones are kept)."""

import copy
import json
import re
from pathlib import Path

import pytest

from monitoring.approvals import services as approval_services
from monitoring.approvals.generator import generate_cases
from monitoring.approvals.models import ApprovalCase, CaseStep
from monitoring.land import adapter as land_adapter
from monitoring.land.models import LandTransfer
from monitoring.models import Alert, Domain
from monitoring.pipeline import IngestError
from monitoring.procurement import population as running
from monitoring.procurement import services as procurement_services
from monitoring.procurement.models import DataProblem, Process
from monitoring.services import create_source
from workdays.calendar import calendar_from_csv

PROCUREMENT_SAMPLE = (
    Path(__file__).resolve().parents[2] / "monitoring" / "procurement" / "demo_data" / "real_examples_shared.jsonl"
)
KEY = re.compile(r"^\[\d+\]\.\S+$")
ENDPOINTS = {
    "land": "/api/monitoring/land",
    "procurement": "/api/monitoring/procurement",
    "approval": "/api/monitoring/approvals",
}


@pytest.fixture
def tokens(all_regions):
    return {domain: create_source(name=f"{domain} system", domain=domain)[1] for domain in Domain.values}


@pytest.fixture
def goods(record):
    """One good record of each domain."""
    release = json.loads(PROCUREMENT_SAMPLE.read_text(encoding="utf-8").splitlines()[0])
    case = generate_cases(count=1, seed=3, anomaly_rate=0.0, calendar=calendar_from_csv())[0]
    return {"land": record, "procurement": release, "approval": case}


BAD = {"land": {"idnumber": "?"}, "procurement": {"ocid": ""}, "approval": {"case_number": "X-1"}}


def post(client, domain, payload, token, raw=False):
    body = payload if raw else json.dumps(payload, ensure_ascii=False)
    return client.post(ENDPOINTS[domain], body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.parametrize("domain", ["land", "procurement", "approval"])
def test_every_endpoint_names_a_bad_record_by_index_and_field(client, tokens, goods, domain):
    # when a good record and a bad one are sent, then the bad one alone
    mixed = post(client, domain, [goods[domain], BAD[domain]], tokens[domain])
    alone = post(client, domain, BAD[domain], tokens[domain])

    # then the good one is stored and the bad one named "[1].field"; alone it is "[0].field" in a 400
    assert mixed.status_code == 200 and len(mixed.json()["results"]) == 1
    assert list(mixed.json()["errors"]) and all(
        KEY.match(key) and key.startswith("[1].") for key in mixed.json()["errors"]
    )
    assert alone.status_code == 400
    assert list(alone.json()) == ["errors"] and all(key.startswith("[0].") for key in alone.json()["errors"])
    assert all(isinstance(m, str) for messages in alone.json()["errors"].values() for m in messages)


@pytest.mark.parametrize("domain", ["land", "procurement", "approval"])
def test_every_endpoint_refuses_a_body_and_a_token_alike(client, tokens, domain):
    other = next(d for d in tokens if d != domain)

    assert post(client, domain, "{not json", tokens[domain], raw=True).json() == {
        "errors": {"__all__": ["Cannot parse request body"]}
    }
    assert post(client, domain, "text", tokens[domain]).status_code == 400
    refused = post(client, domain, {}, tokens[other])
    assert refused.status_code == 403 and refused.json() == {
        "errors": {"__all__": ["This token is for another domain."]}
    }


def test_a_land_record_failing_mid_batch_leaves_nothing_and_keeps_the_others(client, tokens, land_rows, monkeypatch):
    # given three real records, the second failing after its row is written (when its L001 alert is raised)
    rows = [dict(row) for row in land_rows[:3]]
    rows[1].update(supply="协议出让", use="工业用地")
    failing = rows[1]["idnumber"]
    target = land_adapter.LandAdapter.target

    def fail_on_the_second(self, stored, finding):
        if stored.key == failing:
            raise IngestError("the alert could not be stored", field="__all__")
        return target(self, stored, finding)

    monkeypatch.setattr(land_adapter.LandAdapter, "target", fail_on_the_second)

    # when they are sent in one batch
    response = post(client, "land", rows, tokens["land"])

    # then the first and third are stored, the second not at all (neither its row nor its alert)
    assert response.status_code == 200
    assert list(response.json()["errors"]) == ["[1].__all__"]
    assert not LandTransfer.objects.filter(record_id=failing).exists()
    assert not Alert.objects.filter(record_ref=failing).exists()
    assert set(LandTransfer.objects.values_list("record_id", flat=True)) == {rows[0]["idnumber"], rows[2]["idnumber"]}


def test_a_release_failing_mid_batch_leaves_nothing_and_leaves_the_running_population(client, tokens, monkeypatch):
    # given three real releases, the second failing after its process, bids and problems are written
    rows = [json.loads(line) for line in PROCUREMENT_SAMPLE.read_text(encoding="utf-8").splitlines()[:3]]
    failing = rows[1]["ocid"]
    population = procurement_services.ProcurementAdapter.population

    def fail_on_the_second(self, stored):
        if stored.key == failing:
            raise IngestError("the buyer's history could not be read")
        return population(self, stored)

    monkeypatch.setattr(procurement_services.ProcurementAdapter, "population", fail_on_the_second)

    # when they are sent in one batch
    response = post(client, "procurement", rows, tokens["procurement"])

    # then nothing of the second is kept, in the database or in the source's running population
    assert response.status_code == 200 and list(response.json()["errors"]) == ["[1].__all__"]
    assert not Process.objects.filter(ocid=failing).exists()
    assert not DataProblem.objects.filter(ocid=failing).exists()
    assert Process.objects.count() == 2
    source = Process.objects.first().source
    memory = running._memory[running.population_key(source)]
    assert len(memory.population) == 2 and failing not in memory.population
    assert len(memory.pending) == 2  # the good records' changes (the test's transaction never commits)


def test_an_approval_case_failing_mid_batch_leaves_nothing(client, tokens, monkeypatch):
    # given three generated cases, the second failing after its case row is written (while storing its steps)
    cases = generate_cases(count=3, seed=5, anomaly_rate=0.0, calendar=calendar_from_csv())
    failing = cases[1]["case_number"]
    store_parts = approval_services._store_parts

    def fail_on_the_second(case, record, cache):
        store_parts(case, record, cache)
        if case.case_number == failing:
            raise approval_services.ApprovalIngestError("steps", "could not be stored")

    monkeypatch.setattr(approval_services, "_store_parts", fail_on_the_second)

    response = post(client, "approval", copy.deepcopy(cases), tokens["approval"])

    assert response.status_code == 200 and list(response.json()["errors"]) == ["[1].steps"]
    assert not ApprovalCase.objects.filter(case_number=failing).exists()
    assert not CaseStep.objects.filter(case__case_number=failing).exists()
    assert ApprovalCase.objects.count() == 2
