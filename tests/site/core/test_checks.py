"""`manage.py check` refuses a FIELD_ENCRYPTION_KEY that is not a Fernet key, everywhere; `check --deploy`
refuses the secrets this repository publishes."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.checks import Tags, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from config.env import BASE_DIR
from core.checks import DEVELOPMENT_FIELD_KEYS, DEVELOPMENT_SECRET_KEYS, is_fernet_key

SETTINGS = BASE_DIR / "site" / "config" / "settings"
GOOD_SECRET = "k3J9vQ2-production-like-secret-Zx81mN0pL5tR7wY4uE6iO9aS2dF4gH8jK1lQ"


def core_errors(*, deploy: bool = False) -> set[str]:
    return {message.id for message in run_checks(tags=[Tags.security], include_deployment_checks=deploy)} & {
        "core.E001",
        "core.E002",
        "core.E003",
    }


@pytest.mark.parametrize(
    "key",
    [
        "not-a-fernet-key",
        "",
        Fernet.generate_key().decode()[:-2] + "==",  # 31 bytes
        "r8sfOji/Wo9nmiq6SsQYeRpqTI+NflFHcijEz+VrCNc=",  # standard base64, not url-safe
        Fernet.generate_key().decode() + ",not-a-fernet-key",  # the second of two
        "ZGV2LW9ubHktc3Vuc2hpbmUtZmllbGQta2V5LTAwMDA!=",  # a character the decoder would skip
    ],
    # fixed ids: the generated keys differ between pytest-xdist workers, whose collections must match
    ids=["not-base64", "empty", "31-bytes", "standard-base64", "second-of-two", "skipped-character"],
)
def test_a_field_key_that_is_not_a_fernet_key_is_an_error_in_every_environment(key):
    with override_settings(FIELD_ENCRYPTION_KEY=key, SECRET_KEY=GOOD_SECRET):
        assert core_errors() == {"core.E001"}
        assert core_errors(deploy=True) == {"core.E001"}


def test_the_error_does_not_repeat_the_key():
    with override_settings(FIELD_ENCRYPTION_KEY="not-a-fernet-key-but-secret"):
        messages = [str(message) for message in run_checks(tags=[Tags.security])]

    assert messages and not any("not-a-fernet-key-but-secret" in message for message in messages)


@pytest.mark.parametrize(
    "keys", [lambda: Fernet.generate_key().decode(), lambda: ",".join(Fernet.generate_key().decode() for _ in range(2))]
)
def test_real_fernet_keys_pass_including_several_for_rotation(keys):
    with override_settings(FIELD_ENCRYPTION_KEY=keys(), SECRET_KEY=GOOD_SECRET):
        assert core_errors(deploy=True) == set()


def test_manage_py_check_deploy_fails_on_the_issues_key():
    with override_settings(FIELD_ENCRYPTION_KEY="not-a-fernet-key"), pytest.raises(SystemCheckError, match="core.E001"):
        call_command("check", "--deploy", "--fail-level", "ERROR")


@pytest.mark.parametrize("secret", sorted(DEVELOPMENT_SECRET_KEYS))
def test_a_published_secret_key_is_an_error_in_deploy_mode_only(secret):
    with override_settings(SECRET_KEY=secret, FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode()):
        assert core_errors() == set()
        assert core_errors(deploy=True) == {"core.E002"}


@pytest.mark.parametrize("key", sorted(DEVELOPMENT_FIELD_KEYS))
def test_a_published_field_key_is_an_error_in_deploy_mode_only(key):
    with override_settings(FIELD_ENCRYPTION_KEY=f"{Fernet.generate_key().decode()},{key}", SECRET_KEY=GOOD_SECRET):
        assert core_errors() == set()
        assert core_errors(deploy=True) == {"core.E003"}


def test_the_published_values_are_the_ones_the_repository_ships():
    shipped = "".join(
        path.read_text(encoding="utf-8")
        for path in (SETTINGS / "dev.py", SETTINGS / "test.py", BASE_DIR / ".env.example", BASE_DIR / "Dockerfile")
    )

    for value in DEVELOPMENT_SECRET_KEYS | DEVELOPMENT_FIELD_KEYS:
        assert value in shipped
    assert all(is_fernet_key(key) for key in DEVELOPMENT_FIELD_KEYS)  # valid keys: only deploy mode refuses them
