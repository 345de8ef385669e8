import copy
import json
from pathlib import Path

import pytest

from accounts.roles import Role
from monitoring.models import Domain
from monitoring.services import create_source
from tests.factories import UserFactory

DEMO = Path(__file__).resolve().parents[3] / "monitoring" / "procurement" / "demo_data"
SAMPLE = DEMO / "real_examples_shared.jsonl"
PREPARE = DEMO / "prepare.ini"
# A real ProZorro process (Ukraine): a school-meals buyer, three tenderers, one active award, one contract.
BASE_OCID = "ocds-be6bcu-UA-2017-04-12-001619-b"


@pytest.fixture
def sample_rows():
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def base_release(sample_rows):
    return copy.deepcopy(next(r for r in sample_rows if r["ocid"] == BASE_OCID))


def variant(base: dict, ocid: str, *, amount=None, date=None, supplier=None, estimate=None) -> dict:
    """The real process under another ocid, with its active award (and contract) changed as given."""
    release = copy.deepcopy(base)
    release["ocid"] = ocid
    award = next(a for a in release["awards"] if a["status"] == "active")
    if amount is not None:
        award["value"]["amount"] = amount
        for contract in release.get("contracts") or []:
            contract["value"]["amount"] = amount
    if date is not None:
        award["date"] = date
    if supplier is not None:
        award["suppliers"] = [supplier]
    if estimate is not None:
        release["tender"]["value"] = {"amount": estimate, "currency": "UAH", "valueAddedTaxIncluded": True}
    return release


@pytest.fixture
def procurement_token(regions):
    _, token = create_source(name="ProZorro", domain=Domain.PROCUREMENT)
    return token


@pytest.fixture
def land_token(regions):
    _, token = create_source(name="省国土资源厅", domain=Domain.LAND)
    return token


@pytest.fixture
def national_inspector(regions):
    return UserFactory(role=Role.INSPECTOR, jurisdiction_id="000000", display_name="国家监察")


@pytest.fixture
def baoding_inspector(regions):
    return UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600", display_name="王监察")
