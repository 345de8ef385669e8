"""Petitions: sponsors, moderation, e-mail-confirmed signatures, thresholds and abuse controls."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.roles import Role
from petitions import services
from petitions.models import Petition, PetitionStatus, Signature, SignatureAlert
from regions.models import Region
from tests.factories import UserFactory


@pytest.fixture
def small_limits(settings):
    settings.PETITIONS = {
        "sponsors": 2,
        "response_threshold": 3,
        "debate_threshold": 5,
        "trending_count": 4,
        "per_network_per_hour": 100,
    }
    return settings.PETITIONS


@pytest.fixture
def moderator(regions):
    return UserFactory(role=Role.ADMINISTRATOR, jurisdiction_id="110000")


@pytest.fixture
def petition(regions, citizen):
    return services.create_petition(
        creator=citizen,
        title="在朝阳区增设无障碍公交站台",
        action="请在朝阳区主要公交线路增设无障碍站台和盲道。",
        background="",
        region=Region.objects.get(code="110000"),
    )


def _sign(petition, n, *, sponsor_token="", network="198.51.100.1", domain="example.cn", confirm=True):
    pending = services.sign(
        petition=petition,
        name=f"签名人{n}",
        email=f"person{n}@{domain}",
        region=Region.objects.get(code="110105"),
        network=network,
        sponsor_token=sponsor_token,
    )
    if confirm:
        services.confirm_signature(pending.token)
    return pending


def _open(petition, moderator, small_limits):
    for n in range(small_limits["sponsors"]):
        _sign(petition, f"s{n}", sponsor_token=petition.sponsor_token)
    petition.refresh_from_db()
    return services.publish_petition(petition=petition, moderator=moderator)


def test_sponsors_then_moderation_then_signatures(
    petition, moderator, small_limits, django_capture_on_commit_callbacks
):
    assert petition.status == PetitionStatus.COLLECTING_SPONSORS
    with pytest.raises(ValidationError):
        _sign(petition, 1)  # not open to the public yet

    _sign(petition, "s1", sponsor_token=petition.sponsor_token)
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.COLLECTING_SPONSORS
    _sign(petition, "s2", sponsor_token=petition.sponsor_token)
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.PENDING

    services.publish_petition(petition=petition, moderator=moderator)
    assert petition.is_open and petition.closes_at is not None
    assert petition.signature_count == 0  # sponsors are not counted as signatures


def test_a_signature_counts_only_once_confirmed_and_once_per_email(
    petition, moderator, small_limits, django_capture_on_commit_callbacks
):
    _open(petition, moderator, small_limits)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        pending = _sign(petition, 1, confirm=False)
    petition.refresh_from_db()
    assert petition.signature_count == 0
    link = re.search(r"http\S+/petitions/confirm/(\S+)/", mail.outbox[0].body)
    assert link and link.group(1) == pending.token

    services.confirm_signature(pending.token)
    services.confirm_signature(pending.token)  # twice: counted once
    petition.refresh_from_db()
    assert petition.signature_count == 1
    with pytest.raises(ValidationError, match="已经|already"):
        services.sign(
            petition=petition,
            name="再签",
            email="PERSON1@example.cn",
            region=Region.objects.get(code="110105"),
            network="x",
        )
    assert Signature.objects.filter(petition=petition, sponsor=False).count() == 1


def test_crossing_a_threshold_notifies_staff_and_shows_on_the_page(
    client, petition, moderator, small_limits, django_capture_on_commit_callbacks
):
    _open(petition, moderator, small_limits)
    legislator = UserFactory(role=Role.LEGISLATOR, jurisdiction_id="110000")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            _sign(petition, n)

    petition.refresh_from_db()
    assert petition.response_threshold_reached_at is not None and petition.debate_threshold_reached_at is None
    staff_mail = [m for m in mail.outbox if legislator.email in m.to]
    assert len(staff_mail) == 1 and "3" in staff_mail[0].subject
    html = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert "已达到" in html or "reached" in html


def test_a_burst_from_one_network_alerts_the_moderators(petition, moderator, small_limits):
    _open(petition, moderator, small_limits)

    for n in range(4):
        _sign(petition, n, network="203.0.113.9", domain=f"d{n}.cn")

    alert = SignatureAlert.objects.get()
    assert (alert.source, alert.count) == ("network", 4)
    assert "203.0.113.9" not in alert.key  # a keyed digest, not the address


def test_per_network_rate_limit(petition, moderator, small_limits, settings):
    _open(petition, moderator, small_limits)
    settings.PETITIONS = {**small_limits, "per_network_per_hour": 2}

    _sign(petition, 1, network="192.0.2.1")
    _sign(petition, 2, network="192.0.2.1")
    with pytest.raises(ValidationError):
        _sign(petition, 3, network="192.0.2.1")
    _sign(petition, 4, network="192.0.2.2")


def test_moderation_offers_similar_petitions_and_rejects_with_a_reason(regions, citizen, moderator):
    first = services.create_petition(
        creator=citizen,
        title="在朝阳区增设无障碍公交站台",
        action="请在朝阳区主要公交线路增设无障碍站台和盲道。",
        background="",
        region=Region.objects.get(code="110000"),
    )
    Petition.objects.filter(pk=first.pk).update(status=PetitionStatus.OPEN)
    second = services.create_petition(
        creator=citizen,
        title="朝阳区公交站台应当无障碍",
        action="请在朝阳区的主要公交线路增设无障碍站台。",
        background="",
        region=Region.objects.get(code="110000"),
    )
    Petition.objects.filter(pk=second.pk).update(status=PetitionStatus.PENDING)
    second.refresh_from_db()

    similar = services.similar_petitions(second)
    assert similar and similar[0][0] == first

    services.reject_petition(petition=second, moderator=moderator, reason="duplicate", details="与已开放的请愿重复")
    second.refresh_from_db()
    assert (second.status, second.rejection_reason) == ("rejected", "duplicate")


def test_only_moderators_of_the_region_publish(petition, small_limits, regions, citizen):
    for n in range(small_limits["sponsors"]):
        _sign(petition, f"s{n}", sponsor_token=petition.sponsor_token)
    petition.refresh_from_db()
    outsider = UserFactory(role=Role.ADMINISTRATOR, jurisdiction_id="130000")

    for user in (citizen, outsider):
        with pytest.raises(PermissionDenied):
            services.publish_petition(petition=petition, moderator=user)


def test_the_page_shows_counts_by_region(client, petition, moderator, small_limits):
    _open(petition, moderator, small_limits)
    _sign(petition, 1)
    services.confirm_signature(
        services.sign(
            petition=petition,
            name="冀",
            email="hebei@example.cn",
            region=Region.objects.get(code="130626"),
            network="n",
        ).token
    )

    html = client.get(f"/petitions/{petition.pk}/").content.decode()

    assert "北京市" in html and "河北省" in html
    assert 'class="bar-fill w100"' in html


def test_pending_petitions_are_not_public(client, petition):
    assert client.get(f"/petitions/{petition.pk}/").status_code == 404
    assert client.get(f"/petitions/{petition.pk}/?sponsor={petition.sponsor_token}").status_code == 200


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("citizen", False),
        ("inspector", False),
        ("moderator_elsewhere", False),
        ("moderator", True),
    ],
)
def test_every_role_against_petition_moderation(client, petition, small_limits, regions, who, allowed):
    for n in range(small_limits["sponsors"]):
        _sign(petition, f"s{n}", sponsor_token=petition.sponsor_token)
    users = {
        "citizen": lambda: UserFactory(),
        "inspector": lambda: UserFactory(role=Role.INSPECTOR, jurisdiction_id="110000"),
        "moderator_elsewhere": lambda: UserFactory(role=Role.LEGISLATOR, jurisdiction_id="130000"),
        "moderator": lambda: UserFactory(role=Role.LEGISLATOR, jurisdiction_id="110000"),
    }
    if who != "anonymous":
        client.force_login(users[who]())

    listing = client.get("/petitions/moderation/")
    client.post(f"/petitions/{petition.pk}/moderate/", {"action": "publish"})

    petition.refresh_from_db()
    assert (petition.status == PetitionStatus.OPEN) is allowed
    if allowed:
        assert petition.title in listing.content.decode()
    elif listing.status_code == 200:
        assert petition.title not in listing.content.decode()
