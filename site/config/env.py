"""Every setting that comes from the environment is read here, and only here.

The defaults are the embedded ones, so a fresh checkout runs with nothing set:
SQLite, Channels' in-memory layer, the database search backend, tasks run at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or default


@dataclass(frozen=True)
class Environment:
    debug: bool
    secret_key: str | None
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    database_url: str
    redis_url: str | None
    elasticsearch_url: str | None
    field_encryption_key: str | None
    task_backend: str
    email_host: str | None
    email_port: int
    email_host_user: str
    email_host_password: str
    email_use_tls: bool
    default_from_email: str
    site_url: str
    staff_mfa_required: bool | None
    trusted_proxies: list[str]
    static_root: Path
    conn_max_age: int
    database_pool: int
    clustering_processes: int


def read_environment() -> Environment:
    return Environment(
        debug=_bool("DJANGO_DEBUG", default=False),
        secret_key=os.environ.get("DJANGO_SECRET_KEY") or None,
        allowed_hosts=_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"]),
        csrf_trusted_origins=_list("CSRF_TRUSTED_ORIGINS", []),
        database_url=os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        redis_url=os.environ.get("REDIS_URL") or None,
        elasticsearch_url=os.environ.get("ELASTICSEARCH_URL") or None,
        field_encryption_key=os.environ.get("FIELD_ENCRYPTION_KEY") or None,
        task_backend=os.environ.get("TASK_BACKEND", "immediate"),
        email_host=os.environ.get("EMAIL_HOST") or None,
        email_port=int(os.environ.get("EMAIL_PORT", "587")),
        email_host_user=os.environ.get("EMAIL_HOST_USER", ""),
        email_host_password=os.environ.get("EMAIL_HOST_PASSWORD", ""),
        email_use_tls=_bool("EMAIL_USE_TLS", default=True),
        default_from_email=os.environ.get("DEFAULT_FROM_EMAIL", "阳光 Sunshine <noreply@sunshine.localhost>"),
        site_url=os.environ.get("SITE_URL", "http://127.0.0.1:8000"),
        staff_mfa_required=_bool("STAFF_MFA_REQUIRED") if os.environ.get("STAFF_MFA_REQUIRED") else None,
        trusted_proxies=_list("TRUSTED_PROXIES", []),
        static_root=Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "var" / "static"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE") or 0),
        database_pool=int(os.environ.get("DATABASE_POOL") or 8),
        # one per core this process may use, at most 4 (each worker imports scikit-learn: about 150 MB)
        clustering_processes=int(os.environ.get("CLUSTERING_PROCESSES") or 0) or min(len(os.sched_getaffinity(0)), 4),
    )


ENV = read_environment()
