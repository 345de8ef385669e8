"""Every login path shares one throttle: 25 wrong passwords, then the right one, does not sign in."""

import time

import pytest
from django.contrib.auth import SESSION_KEY

from accounts.roles import Role
from tests.factories import PASSWORD, UserFactory

# (login URL, the form's account field)
LOGIN_PATHS = [
    ("/admin/login/", "username"),
    ("/_util/login/", "username"),
    ("/django-admin/login/", "username"),
    ("/accounts/login/", "login"),
]


@pytest.fixture
def staff(regions):
    return UserFactory(role=Role.INSPECTOR, jurisdiction_id="130600", is_staff=True)


def _attempt(client, url, field, email, password):
    client.post(url, {field: email, "password": password})
    signed_in = SESSION_KEY in client.session
    client.logout()
    return signed_in


@pytest.mark.parametrize(("url", "field"), LOGIN_PATHS)
def test_the_right_password_works_before_any_failure(client, staff, url, field):
    assert _attempt(client, url, field, staff.email, PASSWORD)


@pytest.mark.parametrize(("url", "field"), LOGIN_PATHS)
def test_after_25_wrong_passwords_the_right_one_does_not_sign_in(client, staff, url, field):
    # given an attacker guessing a staff password
    for n in range(25):
        assert not _attempt(client, url, field, staff.email, f"wrong-password-{n}")

    # when the right password arrives
    signed_in = _attempt(client, url, field, staff.email, PASSWORD)

    # then the account is locked out on this path, and on every other
    assert not signed_in
    for other, other_field in LOGIN_PATHS:
        assert not _attempt(client, other, other_field, staff.email, PASSWORD)


def test_one_network_guessing_many_accounts_is_held_back(client, regions):
    victims = [UserFactory() for _ in range(12)]
    for victim in victims[:11]:
        _attempt(client, "/admin/login/", "username", victim.email, "wrong-password")

    assert not _attempt(client, "/admin/login/", "username", victims[11].email, PASSWORD)


def test_the_lock_ends_when_its_window_passes(client, staff, settings):
    # a five-second window, so the test waits for real (the counters may live in Redis, out of a fake clock's reach)
    settings.LOGIN_FAILURE_LIMITS = {"account": (5, 5)}
    for n in range(6):
        _attempt(client, "/django-admin/login/", "username", staff.email, f"wrong-{n}")
    assert not _attempt(client, "/django-admin/login/", "username", staff.email, PASSWORD)

    time.sleep(5.5)

    assert _attempt(client, "/django-admin/login/", "username", staff.email, PASSWORD)


def test_a_locked_out_person_is_told_why(client, staff):
    for n in range(6):
        _attempt(client, "/accounts/login/", "login", staff.email, f"wrong-{n}")

    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD}, follow=True)

    assert "登录失败次数过多" in response.content.decode()
