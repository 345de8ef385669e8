"""Settings come from the environment; production refuses to start without its secrets."""

import os
import subprocess
import sys
from pathlib import Path

import dj_database_url

from config.env import read_environment

ROOT = Path(__file__).resolve().parents[3]


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_embedded_defaults_when_nothing_is_set(monkeypatch):
    for name in ("DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL", "TASK_BACKEND"):
        monkeypatch.delenv(name, raising=False)

    env = read_environment()

    assert env.database_url.startswith("sqlite:///")
    assert env.redis_url is None and env.elasticsearch_url is None
    assert env.task_backend == "immediate"


def test_urls_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://sunshine@db:5432/sunshine")
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    monkeypatch.setenv("ELASTICSEARCH_URL", "http://es:9200")
    monkeypatch.setenv("ALLOWED_HOSTS", "sunshine.example.cn, www.sunshine.example.cn")

    env = read_environment()

    assert dj_database_url.parse(env.database_url)["ENGINE"] == "django.db.backends.postgresql"
    assert env.redis_url == "redis://redis:6379/0"
    assert env.elasticsearch_url == "http://es:9200"
    assert env.allowed_hosts == ["sunshine.example.cn", "www.sunshine.example.cn"]


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env={"DJANGO_SETTINGS_MODULE": "config.settings.production", "DJANGO_SECRET_KEY": ""})

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "x7!kq2-production-like-secret-key-with-enough-entropy-9f3c1a8e5d",
            "FIELD_ENCRYPTION_KEY": "r8sfOji_Wo9nmiq6SsQYeRpqTI-NflFHcijEz-VrCNc=",  # not one the repository publishes (core.E003)
            "ALLOWED_HOSTS": "sunshine.example.cn",
        },
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
