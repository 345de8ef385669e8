"""The petitions JSON API: public list and detail with counts, thresholds, clock, response and consideration;
staff publish a response and record a consideration (permission-checked, 400 with messages per field)."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from petitions import services
from petitions.models import Petition, PetitionStatus
from tests.factories import UserFactory

RESPONSE = (
    "市交通委员会已制定三年行动计划：2027年底前所有地铁站至少一个出入口配建无障碍电梯，建设进度每季度在官网公开。"
)


@pytest.fixture
def staff(regions):
    return UserFactory(role=Role.LEGISLATOR, jurisdiction_id="110000")


def _petition(creator, *, title, status=PetitionStatus.OPEN, signatures=0, reached=False, **fields):
    now = timezone.now()
    return Petition.objects.create(
        creator=creator,
        title=title,
        action="请在三年内为本市所有地铁站至少一个出入口配建无障碍电梯。",
        region_id="110000",
        status=status,
        sponsor_token=secrets.token_urlsafe(32),
        opened_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=150),
        signature_count=signatures,
        response_threshold_reached_at=now - timedelta(days=100) if reached else None,
        response_due_on=(now - timedelta(days=8)).date() if reached else None,
        **fields,
    )


@pytest.fixture
def petitions(regions, citizen):
    return {
        "due": _petition(citizen, title="为地铁站配建无障碍电梯", signatures=12_000, reached=True),
        "small": _petition(citizen, title="延长社区图书馆开放时间", signatures=40),
        "closed": _petition(citizen, title="规范医院周边停车收费", status=PetitionStatus.CLOSED, signatures=9),
        "pending": _petition(citizen, title="尚待审核的请愿", status=PetitionStatus.PENDING),
    }


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_list_shows_public_petitions_with_counts_and_clock(client, petitions):
    # when
    answer = client.get("/api/petitions/")
    # then
    assert answer.status_code == 200
    body = answer.json()
    titles = [row["title"] for row in body["results"]]
    assert titles == ["为地铁站配建无障碍电梯", "延长社区图书馆开放时间", "规范医院周边停车收费"]
    due = body["results"][0]
    assert due["signature_count"] == 12_000 and due["response_overdue"] is True and due["responded"] is False
    assert due["response_due_on"] and due["url"] == f"/petitions/{petitions['due'].pk}/"
    assert [r["title"] for r in client.get("/api/petitions/?status=closed").json()["results"]] == [
        "规范医院周边停车收费"
    ]


def test_detail_has_thresholds_response_and_consideration(client, petitions, staff):
    services.publish_response(petition=petitions["due"], user=staff, text=RESPONSE)
    body = client.get(f"/api/petitions/{petitions['due'].pk}").json()
    assert body["thresholds"] == {"response": 10_000, "debate": 100_000}
    assert body["response"]["text"] == RESPONSE and body["responded"] is True and body["response_overdue"] is False
    assert body["consideration"] is None
    assert client.get(f"/api/petitions/{petitions['pending'].pk}").status_code == 404


def test_bad_query_and_path_are_400_with_field_messages(client, petitions):
    assert client.get("/api/petitions/?status=secret").json()["errors"].keys() == {"status"}
    bad_page = client.get("/api/petitions/?page=0")
    assert bad_page.status_code == 400 and "page" in bad_page.json()["errors"]
    assert client.get("/api/petitions/0").status_code == 400


def test_staff_publish_a_response_and_signers_are_told(client, petitions, staff, django_capture_on_commit_callbacks):
    # given one signer who asked to be told
    petition = petitions["due"]
    petition.signatures.create(
        name="王芳",
        email="wang@example.cn",
        email_domain="example.cn",
        region_id="110105",
        token_digest="a" * 64,
        network_digest="n",
        confirmed_at=timezone.now(),
        notify_by_email=True,
    )
    client.force_login(staff)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        answer = _post(client, f"/api/petitions/{petition.pk}/response", {"text": RESPONSE})
    # then
    assert answer.status_code == 200, answer.content
    assert answer.json()["response"]["text"] == RESPONSE
    assert [m.to for m in mail.outbox] == [["wang@example.cn"]]
    again = _post(client, f"/api/petitions/{petition.pk}/response", {"text": RESPONSE})
    assert again.status_code == 400 and again.json()["errors"]["__all__"]


def test_response_validation_errors_are_400_per_field(client, petitions, staff):
    client.force_login(staff)
    url = f"/api/petitions/{petitions['due'].pk}/response"
    short = _post(client, url, {"text": "已收到。"})
    assert short.status_code == 400 and list(short.json()["errors"]) == ["text"]
    missing = _post(client, url, {})
    assert missing.status_code == 400 and "text" in missing.json()["errors"]
    not_json = client.post(url, "{", content_type="application/json")
    assert not_json.status_code == 400 and "errors" in not_json.json()
    below = _post(client, f"/api/petitions/{petitions['small'].pk}/response", {"text": RESPONSE})
    assert below.status_code == 400 and below.json()["errors"]["__all__"]


def test_consideration_validation(client, petitions, staff):
    client.force_login(staff)
    petition = petitions["due"]
    url = f"/api/petitions/{petition.pk}/consideration"
    body = {"considered_on": str(timezone.localdate()), "summary": "市人大常委会审议了该请愿，要求市政府提交专项报告。"}
    assert _post(client, url, body).json()["errors"]["__all__"]  # not past the debate threshold
    Petition.objects.filter(pk=petition.pk).update(debate_threshold_reached_at=timezone.now() - timedelta(days=5))
    bad = _post(client, url, {**body, "considered_on": "2026-02-30", "url": "javascript:alert(1)"})
    assert bad.status_code == 400 and "considered_on" in bad.json()["errors"]
    bad_url = _post(client, url, {**body, "url": "javascript:alert(1)"})
    assert bad_url.status_code == 400 and list(bad_url.json()["errors"]) == ["url"]
    done = _post(client, url, {**body, "url": "https://www.bjrd.gov.cn/x"})
    assert done.status_code == 200 and done.json()["consideration"]["url"] == "https://www.bjrd.gov.cn/x"


def test_publishing_needs_staff_of_the_region(client, petitions, citizen, regions):
    url = f"/api/petitions/{petitions['due'].pk}/response"
    assert _post(client, url, {"text": RESPONSE}).status_code == 401
    for user in (
        citizen,
        UserFactory(role=Role.INSPECTOR, jurisdiction_id="110000"),
        UserFactory(role=Role.LEGISLATOR, jurisdiction_id="130600"),
    ):
        client.force_login(user)
        refused = _post(client, url, {"text": RESPONSE})
        assert refused.status_code == 403 and refused.json()["errors"]["__all__"]
    petitions["due"].refresh_from_db()
    assert not petitions["due"].has_response


def test_publishing_needs_the_csrf_token(petitions, staff):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    refused = _post(client, f"/api/petitions/{petitions['due'].pk}/response", {"text": RESPONSE})
    assert refused.status_code == 403
