"""Numbers, amounts, dates and legal citations in words, for the active language (pure; no ORM).

Numbers keep three-digit groups in both languages ("1,283"), as Chinese official statistics print them.
Dates are dates ("2025年3月4日" / "March 4, 2025"); moments are shown in China time.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

CHINA = ZoneInfo("Asia/Shanghai")
DASH = "—"

CURRENCIES = {
    "CNY": gettext_lazy("yuan"),
    "USD": gettext_lazy("US dollars"),
    "EUR": gettext_lazy("euros"),
    "GBP": gettext_lazy("pounds sterling"),
    "UAH": gettext_lazy("hryvnias"),
    "MDL": gettext_lazy("Moldovan lei"),
}


def chinese() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


def number(value, places: int = 2) -> str:
    """A number with thousands separators and at most `places` decimals (trailing zeros dropped)."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return DASH if value in (None, "") else str(value)
    if not math.isfinite(x):
        return DASH
    text = f"{x:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def percent(share, places: int = 1) -> str:
    """A share (0.38) as a percentage ("38 %" / "38%")."""
    try:
        value = float(share) * 100
    except (TypeError, ValueError):
        return DASH
    return _("%(value)s %%") % {"value": number(value, places)}


def money(amount, currency: str = "") -> str:
    name = CURRENCIES.get((currency or "").upper())
    if amount is None or amount == "":
        return DASH
    return f"{number(amount)} {name if name is not None else currency}".strip()


def wan(amount) -> str:
    """An amount in 万元: as such in Chinese, in yuan in other languages."""
    try:
        value = float(amount)
    except (TypeError, ValueError):
        return DASH
    return f"{number(value, 4)} 万元" if chinese() else money(value * 10_000, "CNY")


def _parse(value) -> date | datetime | None:
    if isinstance(value, datetime | date):
        return value
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def day(value) -> str:
    """A date (from an ISO string, a date or a datetime) as a date in words."""
    parsed = _parse(value)
    if parsed is None:
        return DASH if not value else str(value)
    if isinstance(parsed, datetime):
        parsed = (parsed.astimezone(CHINA) if parsed.tzinfo else parsed).date()
    return formats.date_format(parsed, "DATE_FORMAT")


def moment(value) -> str:
    """A moment as date and time in China time; a bare date as a date."""
    parsed = _parse(value)
    if parsed is None:
        return DASH if not value else str(value)
    if not isinstance(parsed, datetime):
        return day(parsed)
    if parsed.tzinfo:
        parsed = parsed.astimezone(CHINA)
    return formats.date_format(parsed, "DATETIME_FORMAT")


def days(n, unit: str = "natural") -> str:
    count = int(n) if isinstance(n, int | float) and float(n).is_integer() else n
    if unit == "working":
        return ngettext("%(n)s working day", "%(n)s working days", _plural(count)) % {"n": number(count)}
    return ngettext("%(n)s day", "%(n)s days", _plural(count)) % {"n": number(count)}


def hours(n) -> str:
    return ngettext("%(n)s office hour", "%(n)s office hours", _plural(n)) % {"n": number(n, 1)}


def times(n) -> str:
    return ngettext("%(n)s time", "%(n)s times", _plural(n)) % {"n": number(n)}


def _plural(n) -> int:
    try:
        return 1 if float(n) == 1 else 2
    except (TypeError, ValueError):
        return 2


def space() -> str:
    """Between two sentences: nothing after a Chinese full stop, a space otherwise."""
    return "" if chinese() else " "


def listing(items) -> str:
    """Names joined as a list ("甲、乙" / "A, B")."""
    parts = [str(item) for item in items if item not in (None, "")]
    return ("、" if chinese() else ", ").join(parts) if parts else DASH


# --- legal citations -------------------------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 40 → 四十, 105 → 一百零五 (up to 999, as article numbers need)."""
    if n < 10:
        return _DIGITS[n]
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    text = ""
    if hundreds:
        text += _DIGITS[hundreds] + "百"
        if tens == 0 and units:
            return text + "零" + _DIGITS[units]
    if tens:
        text += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    if units:
        text += _DIGITS[units]
    return text


def article(number_: int, paragraph: int | None = None, item: int | None = None) -> str:
    """An article reference: 第四十条第（四）项 / art. 40(4)."""
    if chinese():
        text = f"第{chinese_numeral(number_)}条"
        if paragraph:
            text += f"第{chinese_numeral(paragraph)}款"
        if item:
            text += f"第（{chinese_numeral(item)}）项"
        return text
    text = f"art. {number_}"
    if paragraph:
        text += f"({paragraph})"
    if item:
        text += f"({item})"
    return text
