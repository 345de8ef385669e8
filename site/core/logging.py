"""Logging that never records who visited: no client address, no per-request line.

Reporters are protected by what the platform does not write down. Every log record of every
process the project starts (the production server's workers, `make run`, the task worker,
commands) passes `PrivacyFilter` on its way out:

- per-request lines are dropped: access logs, the development servers' request lines, and
  Django's warnings about client errors (4xx: "Not Found: /reports/…", CSRF failures, bad
  hosts), which would time-stamp each visit;
- anything that still looks like an IPv4 or IPv6 address is replaced by `[address]`, in the
  message (`PrivacyFilter`) and in the whole formatted line with its traceback (`PrivacyFormatter`).

Server errors (5xx) are kept, with their traceback and without the client's address: the
team needs them, and they describe the failure, not the visitor.
"""

from __future__ import annotations

import ipaddress
import logging
import re

# Loggers whose every record describes one request and its client.
REQUEST_LOGGERS = ("daphne.access", "django.server", "django.channels.server", "uvicorn.access", "gunicorn.access")

# Candidates: runs of hex digits, dots and colons (with an optional [..] and :port); each is
# kept only if the standard library reads it as an address, so times and version numbers stay.
CANDIDATE = re.compile(r"\[?[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*(?:%\w+)?\]?(?::\d{1,5})?")


def _is_address(token: str) -> bool:
    token = token.strip("[]")
    candidates = [token]
    if "]:" in token or token.count(":") == 1:  # address:port
        candidates.append(token.rsplit(":", 1)[0].strip("[]"))
    if "]" in token:
        candidates.append(token.split("]")[0].strip("["))
    for candidate in candidates:
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            continue
        return True
    return False


def redact(text: str) -> str:
    return CANDIDATE.sub(lambda match: "[address]" if _is_address(match.group(0)) else match.group(0), text)


class PrivacyFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(REQUEST_LOGGERS):
            return False
        if record.name.startswith(("django.request", "django.security")):
            status = getattr(record, "status_code", None)
            # 503 is an answer the platform gives on purpose (the search server is down), not a failure to fix.
            if status is None or status < 500 or status == 503:
                return False
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class PrivacyFormatter(logging.Formatter):
    """Redacts addresses from the whole formatted record, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
