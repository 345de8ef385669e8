from datetime import date

import pytest
from django.core.management import call_command

from monitoring.approvals.generator import generate_cases
from monitoring.models import Domain
from monitoring.services import create_source
from workdays.calendar import calendar_from_csv


@pytest.fixture(scope="session")
def calendar():
    return calendar_from_csv()


@pytest.fixture(scope="session")
def generated(calendar):
    """400 generated cases with a high anomaly rate, shared read-only by the tests (copy before changing)."""
    return generate_cases(count=400, seed=7, anomaly_rate=0.3, start=date(2025, 1, 2), calendar=calendar)


@pytest.fixture
def holidays(db):
    """The working-day calendar in the database, as load_demo and production have it."""
    call_command("load_calendar", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def approval_token(db):
    _, token = create_source(name="河北省政务服务平台", domain=Domain.APPROVAL)
    return token
