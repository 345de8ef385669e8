"""One domain shows another's records through the kernel: the owner registers who may see what, by kind."""

import pytest

from accounts.roles import Role
from core import records
from reports.models import Report
from tests.factories import UserFactory


def test_an_unregistered_kind_is_named():
    with pytest.raises(LookupError, match="'memos'"):
        records.visible_to(None, "memos")


def test_a_registered_provider_answers_for_its_kind():
    records.register("test.things", lambda user: [user, "seen"])
    try:
        assert records.visible_to("someone", "test.things") == ["someone", "seen"]
        assert "test.things" in records.kinds()
    finally:
        records._providers.pop("test.things", None)


@pytest.mark.django_db
def test_reports_are_registered_with_the_reports_apps_rule(regions):
    # given: the reports app registered its rule from AppConfig.ready
    inspector = UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600")
    citizen = UserFactory()

    # then: an inspector gets a query over reports; someone without the role gets none
    assert "reports" in records.kinds()
    assert records.visible_to(inspector, "reports").model is Report
    assert not records.visible_to(citizen, "reports").exists()
