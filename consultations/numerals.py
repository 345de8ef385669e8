"""Chinese numerals as used in legal texts: 第二百六十六条 → 266, 第十条之一 → (10, 1)."""

from __future__ import annotations

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS) + "0123456789" + "０１２３４５６７８９"  # full-width digits too


def parse_chinese_number(text: str) -> int:
    """Parse 一 … 九千九百九十九万 (and Arabic digits, full-width ones too). Raises ValueError on anything else."""
    text = text.strip()
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    total = section = 0
    digit: int | None = None
    for char in text:
        if char in DIGITS:
            digit = DIGITS[char]
        elif char in UNITS:
            unit = UNITS[char]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section = 0
            else:
                # 十 alone means 一十
                section += (1 if digit is None else digit) * unit
            digit = None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + section + (digit or 0)


def to_chinese_number(number: int) -> str:
    """The inverse for 1 ≤ number < 10000, in the form laws use (十一, not 一十一)."""
    if not 0 < number < 10000:
        raise ValueError(f"out of range: {number}")
    names = "零一二三四五六七八九"
    parts: list[str] = []
    zero_pending = False
    for unit_value, unit_name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit_value % 10
        if digit == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        if not (unit_value == 10 and digit == 1 and not parts):
            parts.append(names[digit])
        parts.append(unit_name)
    return "".join(parts)
