"""Follow-up codes for reporters: 100 random bits, shown once, stored only as a keyed digest."""

from __future__ import annotations

import secrets

from reports.crypto import keyed_digest

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 20  # 20 × 5 bits = 100 bits
MAX_INPUT_LENGTH = 64
_TYPOS = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(raw: str) -> str | None:
    """The canonical code from what a person typed, or None if it cannot be one (checked before hashing)."""
    if not raw or len(raw) > MAX_INPUT_LENGTH:
        return None
    code = "".join(ch for ch in raw.upper() if ch not in " -\t").translate(_TYPOS)
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def code_digest(code: str) -> str:
    return keyed_digest("report-code", code)
