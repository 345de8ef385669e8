"""The Uvicorn worker gunicorn runs in production, with nothing that would log a visitor."""

from __future__ import annotations

from typing import Any, ClassVar

from uvicorn_worker import UvicornWorker


class PrivateUvicornWorker(UvicornWorker):
    """No access log, no proxy-header rewriting (Django reads X-Forwarded-For from trusted proxies only)."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        "loop": "auto",
        "http": "auto",
        "access_log": False,
        "proxy_headers": False,
        "server_header": False,
        "date_header": False,
    }
