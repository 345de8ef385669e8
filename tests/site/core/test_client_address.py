"""Rate limits key on the real client: X-Forwarded-For counts only from a configured proxy."""

import pytest
from django.test import RequestFactory

from core.clientip import client_address

WRONG = {"code": "0000-0000-0000-0000-0000"}


def _request(remote: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []

    assert client_address(_request("192.0.2.10", "198.18.0.1")) == "192.0.2.10"


def test_a_trusted_proxy_names_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_address(_request("10.1.2.3", "198.18.0.1")) == "198.18.0.1"


def test_what_a_client_writes_left_of_the_proxy_entry_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_address(_request("10.1.2.3", "203.0.113.9, 198.18.0.1")) == "198.18.0.1"
    assert client_address(_request("10.1.2.3", "203.0.113.9, 198.18.0.1, 10.9.9.9")) == "198.18.0.1"


def test_an_untrusted_peer_cannot_choose_its_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_address(_request("192.0.2.10", "198.18.0.1")) == "192.0.2.10"


@pytest.mark.parametrize("forwarded", ["not-an-address", "", "198.18.0.1, ::garbage"])
def test_malformed_headers_fall_back_to_the_proxy(settings, forwarded):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_address(_request("10.1.2.3", forwarded)) == "10.1.2.3"


def test_thirty_forged_headers_still_meet_the_follow_up_code_throttle(client, regions, settings):
    # given no proxy in front: every request comes from the same peer whatever its header says
    settings.TRUSTED_PROXIES = []
    settings.REPORT_CODE_ATTEMPTS = (10, 3600)

    # when an attacker tries 30 codes, each with a different X-Forwarded-For
    statuses = [
        client.post("/reports/check/", WRONG, HTTP_X_FORWARDED_FOR=f"198.18.0.{n}").status_code for n in range(30)
    ]

    # then the throttle answers 429 after ten, saying when to come back
    assert statuses[:10] == [400] * 10
    assert set(statuses[10:]) == {429}
    assert client.post("/reports/check/", WRONG)["Retry-After"] == "3600"


def test_behind_a_trusted_proxy_each_client_has_its_own_allowance(client, regions, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.REPORT_CODE_ATTEMPTS = (10, 3600)

    statuses = [
        client.post("/reports/check/", WRONG, HTTP_X_FORWARDED_FOR=f"198.18.0.{n}").status_code for n in range(30)
    ]
    spoofed = [
        client.post("/reports/check/", WRONG, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.18.1.1").status_code
        for n in range(12)
    ]

    assert set(statuses) == {400}
    assert spoofed[-1] == 429  # the forged left-hand entries did not give the client new allowances
