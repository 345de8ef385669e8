"""Jurisdiction scoping: one filter for every list of records located in a region."""

from accounts.models import User
from core.jurisdiction import in_jurisdiction
from regions.models import Region
from tests.factories import UserFactory


def test_rows_are_those_located_under_the_viewers_jurisdiction(regions):
    # given: staff located in Baoding's Dingxing county, in Baoding itself and in Beijing; a Baoding viewer
    dingxing = UserFactory(jurisdiction_id="130626")
    baoding = UserFactory(jurisdiction_id="130600")
    beijing = UserFactory(jurisdiction_id="110000")
    viewer = UserFactory(jurisdiction_id="130600")

    # when: the users are scoped by their jurisdiction field, and the regions by themselves
    users = in_jurisdiction(User.objects.filter(pk__in=[dingxing.pk, baoding.pk, beijing.pk]), viewer, "jurisdiction")
    codes = set(in_jurisdiction(Region.objects.all(), viewer, "").values_list("code", flat=True))

    # then: Baoding and what it contains, nothing of Beijing or of the country above it
    assert set(users) == {dingxing, baoding}
    assert "130626" in codes and "130600" in codes
    assert not {"110000", "130000", "000000"} & codes


def test_a_superuser_sees_all_and_staff_without_a_jurisdiction_nothing(regions):
    everyone = Region.objects.all()

    assert in_jurisdiction(everyone, UserFactory(is_superuser=True), "").count() == everyone.count()
    assert not in_jurisdiction(everyone, UserFactory(jurisdiction=None), "").exists()
    assert in_jurisdiction(everyone, UserFactory(jurisdiction_id="000000"), "").count() == everyone.count()
