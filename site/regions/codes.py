"""GB/T 2260 region codes as strings: pure arithmetic, no database.

A code nests by prefix: province ``130000`` › city ``130600`` › county ``130626``, all inside the
whole country ``000000``. A level whose digits are ``00`` is skipped (a province's directly
administered county ``429004`` has no city), so a code is enclosed by at most three others.
"""

from __future__ import annotations

import re

NATIONAL_CODE = "000000"

_CODE_RE = re.compile(r"\d{6}", flags=re.ASCII)


def is_region_code(value: str | None) -> bool:
    return bool(value) and _CODE_RE.fullmatch(value) is not None


def ancestors(code: str) -> list[str]:
    """The codes of the regions enclosing `code`, the whole country first; [] for the country or a non-code."""
    if not is_region_code(code) or code == NATIONAL_CODE:
        return []
    enclosing = [NATIONAL_CODE]
    for candidate in (code[:2] + "0000", code[:4] + "00"):
        if candidate != code and candidate not in enclosing:
            enclosing.append(candidate)
    return enclosing


def province_of(code: str) -> str:
    """The province enclosing `code` (itself if it is one; the country stays the country)."""
    lineage = [*ancestors(code), code]
    return lineage[1] if len(lineage) > 1 else lineage[0]
