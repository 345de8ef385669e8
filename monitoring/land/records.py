"""Reading 供地结果 (land-supply result) records: Chinese dates, areas in hectares, prices in 万元."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from monitoring.limits import DATE_RANGE, in_range, nul_at

DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


class LandRecordError(ValueError):
    """A record that cannot be read; `field` names the key at fault (the message names it too)."""

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.field = field


def parse_cn_date(value, what: str = "date") -> date | None:
    """'2018年12月31日' or '2018-12-31' → date; blank → None; anything else is an error."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise LandRecordError(f"{what} is not a date: {value!r}"[:200], what)
    text = value.strip()
    if not text:
        return None
    match = DATE_RE.search(text) or ISO_RE.search(text)
    if not match:
        raise LandRecordError(f"{what} is not a date: {text[:40]!r}", what)
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as error:
        raise LandRecordError(f"{what} is not a date: {text[:40]!r}", what) from error
    if not in_range(day):
        raise LandRecordError(f"{what} is out of range ({DATE_RANGE}): {text[:40]!r}", what)
    return day


def parse_decimal(value, what: str) -> Decimal | None:
    """A non-negative decimal (a number, or text with thousands separators); blank → None."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | None):
        raise LandRecordError(f"{what} is not a number: {value!r}"[:200], what)
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation as error:
        raise LandRecordError(f"{what} is not a number: {text[:40]!r}", what) from error
    if not number.is_finite():
        raise LandRecordError(f"{what} is not a finite number: {text[:40]!r}", what)
    if number < 0:
        raise LandRecordError(f"{what} is negative: {text[:40]!r}", what)
    return number


def _text(raw: dict, key: str) -> str:
    """A text field (a number is read as its digits); anything else is an error naming the key."""
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise LandRecordError(f"{key} is not text: {value!r}"[:200], key)
    return str(value).strip()


def _term(value) -> int | None:
    """The term in years: a whole number, or text starting with one ('70', '70年' is not read)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() else None


@dataclass
class Instalment:
    number: int
    due: date | None
    amount_wan: Decimal | None


@dataclass
class LandRecord:
    record_id: str  # 电子监管号
    region_code: str
    district: str
    project: str
    location: str
    area_ha: Decimal | None
    land_source: str
    use: str
    supply: str
    term_years: int | None
    industry: str
    grade: str
    price_wan: Decimal | None
    holder: str
    plot_ratio_min: Decimal | None
    plot_ratio_max: Decimal | None
    handover_planned: date | None
    commencement_planned: date | None
    completion_planned: date | None
    commencement_actual: date | None
    completion_actual: date | None
    approved_by: str
    signed_on: date | None
    instalments: list[Instalment] = field(default_factory=list)
    url: str = ""

    @property
    def unit_price_yuan_m2(self) -> float | None:
        """万元 per hectare equals 元 per square metre."""
        if not self.price_wan or not self.area_ha:
            return None
        return float(self.price_wan / self.area_ha)


def parse_land_record(raw: dict) -> LandRecord:
    """Read a 供地结果 record; raises LandRecordError naming the key at fault.

    Texts are kept whole: whether they fit the columns they are stored in is the storing service's check.
    """
    if not isinstance(raw, dict):
        raise LandRecordError("a record is a JSON object")
    if (where := nul_at(raw)) is not None:
        raise LandRecordError(f"{where} contains a NUL character", where)
    record_id = _text(raw, "idnumber") if raw.get("idnumber") else ""
    if not re.fullmatch(r"\d{6}[0-9A-Z][0-9A-Z-]{3,33}", record_id, flags=re.ASCII):
        raise LandRecordError(f"missing or malformed 电子监管号 (idnumber): {record_id[:60]!r}", "idnumber")
    instalments = []
    plan = raw.get("paid_plan") or {}
    if not isinstance(plan, dict):
        raise LandRecordError("paid_plan must be an object", "paid_plan")
    for key, value in sorted(plan.items(), key=lambda item: int(item[0]) if _number_key(item[0]) else 0):
        what = f"paid_plan.{key}"
        if not isinstance(value, list | tuple) or len(value) < 2:
            raise LandRecordError(f"{what} must be [date, amount] (a note may follow)", what)
        instalments.append(
            Instalment(
                int(key) if _number_key(key) else 0,
                parse_cn_date(value[0], f"{what}[0]"),
                parse_decimal(value[1], f"{what}[1]"),
            )
        )
    return LandRecord(
        record_id=record_id,
        region_code=record_id[:6],
        district=_text(raw, "district"),
        project=_text(raw, "name"),
        location=_text(raw, "location"),
        area_ha=parse_decimal(raw.get("area"), "area"),
        land_source=_text(raw, "source"),
        use=_text(raw, "use"),
        supply=_text(raw, "supply"),
        term_years=_term(raw.get("duration")),
        industry=_text(raw, "industry"),
        grade=_text(raw, "grade"),
        price_wan=parse_decimal(raw.get("price"), "price"),
        holder=_text(raw, "holder"),
        plot_ratio_min=parse_decimal(raw.get("plot_ratio_minimum"), "plot_ratio_minimum"),
        plot_ratio_max=parse_decimal(raw.get("plot_ratio_maximum"), "plot_ratio_maximum"),
        handover_planned=parse_cn_date(raw.get("time4handover_plan"), "time4handover_plan"),
        commencement_planned=parse_cn_date(raw.get("time4commencement_plan"), "time4commencement_plan"),
        completion_planned=parse_cn_date(raw.get("time4completion_plan"), "time4completion_plan"),
        commencement_actual=parse_cn_date(raw.get("time4commencement_reality"), "time4commencement_reality"),
        completion_actual=parse_cn_date(raw.get("time4completion_reality"), "time4completion_reality"),
        approved_by=_text(raw, "approvedby"),
        signed_on=parse_cn_date(raw.get("date4sign"), "date4sign"),
        instalments=instalments,
        url=_text(raw, "url")[:500],
    )


def _number_key(key) -> bool:
    return str(key).isascii() and str(key).isdigit() and len(str(key)) < 10


# Land uses for which 招标、拍卖、挂牌 is required (国土资源部令第39号 art. 4): industry (incl. storage),
# commerce, tourism, entertainment and commodity housing. Affordable housing may lawfully be allocated.
COMMERCIAL_CODES = ("05", "0601", "0604", "0701")
NOT_COMMODITY = ("经济适用", "廉租", "公共租赁", "保障性", "安置")


def use_category(use: str) -> str | None:
    """'industrial', 'commercial', 'residential' for 经营性 uses; None for the others."""
    text = use.strip()
    if text.isdigit():
        if text.startswith("05"):
            return "commercial"
        if text in ("0601", "0604"):
            return "industrial"
        if text.startswith("07"):
            return "residential"
        return None
    if any(word in text for word in NOT_COMMODITY):
        return None
    if "工业" in text or "仓储" in text:
        return "industrial"
    if "商服" in text or any(word in text for word in ("批发零售", "住宿餐饮", "商务金融", "娱乐康体", "旅游")):
        return "commercial"
    if "住宅" in text or "商品住房" in text:
        return "residential"
    return None
