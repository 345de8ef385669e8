"""What every ingest API checks before reading a record: strict JSON, no NUL characters, plausible dates. Pure.

A JSON body may spell numbers Python reads but no database stores (`NaN`, `Infinity`, a thousand-digit
integer), nest deeper than a parser recurses, or carry NUL characters, which PostgreSQL refuses in text and
in `jsonb`. Such input is a 400 naming where it is, never a 500.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

# Dates a record may carry: wide enough for any real record, narrow enough that the rules' arithmetic
# (a deadline a year on, a span in working days) and time-zone conversions never leave the calendar.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
DATE_RANGE = f"from {EARLIEST.year} to {LATEST.year}"


class BodyError(ValueError):
    """The body is not JSON that can be stored."""


def _constant(name: str) -> Any:
    raise BodyError(f"{name} is not a JSON number")


def _float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise BodyError(f"{text[:40]} is beyond the range of a JSON number")
    return number


def loads(body: bytes | str) -> Any:
    """Parse a request body as standard JSON: no NaN or Infinity; too deep or too long numbers are errors."""
    try:
        return json.loads(body, parse_constant=_constant, parse_float=_float)
    except BodyError:
        raise
    except (ValueError, RecursionError) as error:  # JSONDecodeError, bad UTF-8, 4,300+ digit integers
        raise BodyError(str(error).splitlines()[0] if str(error) else error.__class__.__name__) from None


def nul_at(value: Any, path: str = "") -> str | None:
    """The path of the first text (or key) in `value` holding a NUL character, or None."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return where or "__all__"
        elif isinstance(item, dict):
            for key, child in item.items():
                if "\x00" in str(key):
                    return where or "__all__"
                stack.append((child, f"{where}.{key}" if where else str(key)))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{index}]") for index, child in enumerate(item))
    return None


def in_range(moment: date | datetime) -> bool:
    """Whether a date (or a date and time, in any offset) lies in the window records may carry."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return EARLIEST <= day <= LATEST
