"""What the log handlers let through: no client address, no per-request line."""

import logging

import pytest

from core.logging import PrivacyFilter, PrivacyFormatter, redact


def _record(name: str, message: str, *args, status: int | None = None, exc_info=None) -> logging.LogRecord:
    record = logging.LogRecord(name, logging.WARNING, __file__, 1, message, args, exc_info)
    if status is not None:
        record.status_code = status
    return record


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("POST /reports/check/ 400 [0.17, 127.0.0.1:47474]", "POST /reports/check/ 400 [0.17, [address]"),
        ("203.0.113.99:0 - - [30/Nov/2026:02:55:18]", "[address] - - [30/Nov/2026:02:55:18]"),
        ("from [2001:db8::1]:443 and ::1", "from [address] and [address]"),
        ("第3.1.2条 version 1.2.3 at 2026-11-30 10:00:00", "第3.1.2条 version 1.2.3 at 2026-11-30 10:00:00"),
    ],
)
def test_addresses_are_redacted_and_nothing_else(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("django.request", 404),
        ("django.request", 400),
        ("django.security.csrf", 403),
        ("django.request", 503),
        ("django.channels.server", 200),
        ("uvicorn.access", 200),
        ("daphne.access", 200),
    ],
)
def test_per_request_lines_are_dropped(name, status):
    assert PrivacyFilter().filter(_record(name, "Not Found: /reports/case/", status=status)) is False


def test_server_errors_are_kept_without_the_client():
    record = _record("django.request", "Internal Server Error: %s from %s", "/reports/new/", "198.18.0.9", status=500)

    assert PrivacyFilter().filter(record) is True
    assert record.getMessage() == "Internal Server Error: /reports/new/ from [address]"


def test_tracebacks_are_redacted_too():
    try:
        raise ConnectionError("Connect call failed ('198.18.0.9', 6379)")
    except ConnectionError:
        import sys

        record = _record("django_tasks", "Task failed", exc_info=sys.exc_info())

    line = PrivacyFormatter().format(record)

    assert "198.18.0.9" not in line and "[address]" in line and "Traceback" in line
