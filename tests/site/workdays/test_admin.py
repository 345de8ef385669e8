"""Administrators keep the working-day calendar current in the Wagtail admin (Settings)."""

import pytest

from accounts.roles import Role
from tests.factories import UserFactory
from workdays.models import WorkingDayOverride


@pytest.fixture
def moderator(regions):
    return UserFactory(role=Role.ADMINISTRATOR, jurisdiction_id="110000")


def test_administrators_edit_the_working_day_calendar_in_the_admin(client, calendar, moderator):
    client.force_login(moderator)

    listing = client.get("/admin/snippets/workdays/workingdayoverride/")
    created = client.post(
        "/admin/snippets/workdays/workingdayoverride/add/", {"day": "2027-01-01", "is_working_day": "", "name": "元旦"}
    )

    assert listing.status_code == 200 and "2026" in listing.content.decode()
    assert created.status_code == 302
    assert WorkingDayOverride.objects.filter(day="2027-01-01", is_working_day=False).exists()
