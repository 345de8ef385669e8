import json
from pathlib import Path

import pytest

from accounts.roles import Role
from monitoring.models import Domain
from monitoring.services import create_source
from regions.services import GB2260_CSV, load_regions, read_region_rows
from tests.factories import UserFactory

LAND = Path(__file__).resolve().parents[2] / "monitoring" / "demo_data" / "land_transfer_results_2018.jsonl"


@pytest.fixture
def all_regions(db):
    load_regions(read_region_rows(GB2260_CSV))


@pytest.fixture
def land_rows():
    return [json.loads(line) for line in LAND.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def record(land_rows):
    """A real 挂牌出让 record from Dingxing county, Baoding, to vary in each test."""
    return dict(next(r for r in land_rows if r["idnumber"] == "1306262018B00730"))


@pytest.fixture
def baoding_inspector(all_regions):
    return UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600", display_name="王监察")


@pytest.fixture
def hebei_inspector(all_regions):
    return UserFactory(role=Role.INSPECTOR, jurisdiction_id="130000", display_name="省监察")


@pytest.fixture
def shanghai_inspector(all_regions):
    return UserFactory(role=Role.INSPECTOR, jurisdiction_id="310000", display_name="沪监察")


@pytest.fixture
def land_token(db):
    _, token = create_source(name="省国土资源厅", domain=Domain.LAND)
    return token
