"""Personal data in comments: find and mask resident ID numbers, mainland mobile numbers and e-mail addresses.

Pure functions, no Django. Detection is deliberately narrow so that article numbers (第十八条), dates
(2026-11-30, 20261130) and amounts are never taken for personal data:

- a resident ID number is 18 characters (17 digits and a digit or X) standing alone, whose digits 7–14 are a
  real date of birth and whose last character is the GB 11643-1999 check digit;
- a mobile number is 11 digits starting 13–19 (optionally +86 and separated as 3-4-4), standing alone and
  not followed by a unit of money;
- an e-mail address is local@domain.tld.

The submitted text is kept for moderators; what is published is `mask(text)` (see services.submit_comment).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

ID_NUMBER = "id_number"
PHONE = "phone"
EMAIL = "email"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx])(?![0-9A-Za-z])")
_PHONE_RE = re.compile(
    r"(?<![0-9A-Za-z+])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![0-9A-Za-z])(?!\s*[元万亿角分])"
)
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    value: str


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def is_resident_id(value: str) -> bool:
    value = value.upper()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return value[17] == id_check_digit(value[:17])


def find(text: str) -> list[Finding]:
    """Every piece of personal data in `text`, in order, without overlaps.

    Full-width digits and letters are read as their ASCII forms (NFKC keeps the length of these characters).
    """
    plain = "".join(unicodedata.normalize("NFKC", c) if len(unicodedata.normalize("NFKC", c)) == 1 else c for c in text)
    found: list[Finding] = []
    for match in _ID_RE.finditer(plain):
        if is_resident_id(match.group(1)):
            found.append(Finding(ID_NUMBER, match.start(1), match.end(1), text[match.start(1) : match.end(1)]))
    for match in _EMAIL_RE.finditer(plain):
        found.append(Finding(EMAIL, match.start(), match.end(), text[match.start() : match.end()]))
    for match in _PHONE_RE.finditer(plain):
        found.append(Finding(PHONE, match.start(), match.end(), text[match.start() : match.end()]))
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for finding in found:
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return kept


def kinds(text: str) -> set[str]:
    return {finding.kind for finding in find(text)}


def _masked(finding: Finding) -> str:
    value = finding.value
    if finding.kind == ID_NUMBER:
        return value[:4] + "*" * 13 + value[-1]
    if finding.kind == PHONE:
        digits = [i for i, c in enumerate(value) if c.isdigit()]
        hidden = set(digits[-8:-4])
        return "".join("*" if i in hidden else c for i, c in enumerate(value))
    local, _at, domain = value.partition("@")
    return local[:1] + "***@" + domain


def mask(text: str) -> str:
    """`text` with every piece of personal data masked (e.g. 138****5678, 1101*************X, z***@example.cn)."""
    findings = find(text)
    if not findings:
        return text
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(text[position : finding.start])
        parts.append(_masked(finding))
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)
