"""Chinese identifiers: resident ID numbers (GB 11643) and unified social credit codes (GB 32100)."""

from __future__ import annotations

import re
from datetime import date

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def id_check_character(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def is_valid_resident_id(value: str) -> bool:
    """18 characters, a real birth date, and the mod-11 check character (may be X)."""
    value = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return id_check_character(value[:17]) == value[17]


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_credit_code(value: str) -> bool:
    """统一社会信用代码: 18 characters from the GB 32100 set, the last a mod-31 check character."""
    value = (value or "").strip().upper()
    if not USCC_RE.fullmatch(value):
        return False
    return uscc_check_character(value[:17]) == value[17]


def normalise_name(value: str) -> str:
    """Names compared for conflicts of interest: no spaces, full-width folded, case-insensitive."""
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).lower()
