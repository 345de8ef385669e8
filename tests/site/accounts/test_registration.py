import re

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from config.settings import base


def _sign_up(client, email="reader@example.cn", password="长城-Great-Wall-2026"):
    return client.post(reverse("account_signup"), {"email": email, "password1": password, "password2": password})


def test_signing_up_sends_a_verification_link_and_holds_login_until_confirmed(client, db):
    # when
    response = _sign_up(client)

    # then: the account exists, unverified, and a link was mailed
    assert response.status_code == 302
    user = User.objects.get(email="reader@example.cn")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)

    # and: login is refused until the address is verified
    client.logout()
    refused = client.post(reverse("account_login"), {"login": user.email, "password": "长城-Great-Wall-2026"})
    assert refused.status_code == 302 and "confirm-email" in refused["Location"]

    # when the link is followed and confirmed
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.post("/" + path)

    # then
    assert EmailAddress.objects.get(user=user).verified
    assert client.post(reverse("account_login"), {"login": user.email, "password": "长城-Great-Wall-2026"})


def test_weak_passwords_are_refused_by_django_validators(client, db):
    response = _sign_up(client, password="12345678")

    assert response.status_code == 200
    assert not User.objects.filter(email="reader@example.cn").exists()
    assert response.context["form"].errors["password1"]


def test_a_second_account_with_the_same_email_is_refused_without_revealing_it(client, citizen):
    response = _sign_up(client, email=citizen.email.upper())

    # the visitor sees the same page as for a new address; the owner is told by mail
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact=citizen.email).count() == 1
    assert mail.outbox[0].to == [citizen.email]


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_passwords_are_hashed_with_argon2(client, db):
    _sign_up(client)

    user = User.objects.get(email="reader@example.cn")
    assert identify_hasher(user.password).algorithm == "argon2"
