import pytest
from django.contrib.auth.models import Group

from accounts.roles import Role, roles_of
from tests.factories import UserFactory


def test_each_role_is_a_group_with_wagtail_admin_access(db):
    for role in Role:
        group = Group.objects.get(name=role.value)
        assert group.permissions.filter(codename="access_admin").exists()


def test_roles_are_read_from_groups(legislator, inspector, citizen):
    assert roles_of(legislator) == {Role.LEGISLATOR}
    assert roles_of(inspector) == {Role.INSPECTOR}
    assert roles_of(citizen) == set()


def test_staff_reach_the_wagtail_admin_and_the_public_does_not(client, legislator, citizen):
    client.force_login(citizen)
    assert client.get("/admin/").status_code == 302

    client.force_login(legislator)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("jurisdiction", "record_region", "visible"),
    [("130000", "130626", True), ("130600", "130626", True), ("130600", "130100", False), ("110000", "130626", False)],
)
def test_jurisdiction_limits_what_staff_see(regions, jurisdiction, record_region, visible):
    officer = UserFactory(role=Role.INSPECTOR, jurisdiction_id=jurisdiction)

    assert officer.can_see_region(record_region) is visible


def test_staff_without_jurisdiction_see_nothing(db):
    assert not UserFactory(role=Role.INSPECTOR).can_see_region("130626")


def test_the_monitoring_dashboard_is_for_inspectors_only(client, inspector, legislator):
    assert client.get("/monitoring/").status_code == 302  # to login

    client.force_login(legislator)
    assert client.get("/monitoring/").status_code == 403

    client.force_login(inspector)
    response = client.get("/monitoring/")
    assert response.status_code == 200
    assert "保定市" in response.content.decode()
