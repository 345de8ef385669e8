"""Staff who see reporters' identities and alerts prove a second factor (TOTP) in each session."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import override_settings

pytestmark = pytest.mark.usefixtures("inspector")


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@override_settings(STAFF_MFA_REQUIRED=True)
def test_an_inspector_without_a_second_factor_must_set_one_up(client, inspector):
    client.force_login(inspector)

    for page in ("/reports/cases/", "/monitoring/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/totp/activate/")


@override_settings(STAFF_MFA_REQUIRED=True)
def test_a_password_alone_is_not_enough_then_the_code_opens_the_cases(client, inspector):
    secret = generate_totp_secret()
    TOTP.activate(inspector, secret)
    client.force_login(inspector)

    refused = client.get("/reports/cases/")
    assert refused.status_code == 302 and refused["Location"].startswith("/accounts/2fa/reauthenticate/")

    client.post("/accounts/2fa/reauthenticate/?next=/reports/cases/", {"code": _code(secret)})
    assert client.get("/reports/cases/").status_code == 200


@override_settings(STAFF_MFA_REQUIRED=True)
def test_signing_in_with_password_and_code(client, inspector):
    secret = generate_totp_secret()
    TOTP.activate(inspector, secret)

    client.post("/accounts/login/", {"login": inspector.email, "password": "correct horse battery staple"})
    assert client.get("/reports/cases/").status_code == 302  # the second step is still due
    client.post("/accounts/2fa/authenticate/", {"code": _code(secret)})

    assert client.get("/reports/cases/").status_code == 200


def test_production_requires_the_second_factor_by_default():
    from config.settings import base

    assert base.STAFF_MFA_REQUIRED is True
