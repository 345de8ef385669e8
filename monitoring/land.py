"""Reading 供地结果 (land-supply result) records: Chinese dates, areas in hectares, prices in 万元."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


class LandRecordError(ValueError):
    pass


def parse_cn_date(value) -> date | None:
    """'2018年12月31日' or '2018-12-31' → date; blank → None; anything else is an error."""
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        return None
    match = DATE_RE.search(text) or ISO_RE.search(text)
    if not match:
        raise LandRecordError(f"not a date: {text!r}")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError as error:
        raise LandRecordError(f"not a date: {text!r}") from error


def parse_decimal(value, what: str) -> Decimal | None:
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation as error:
        raise LandRecordError(f"{what} is not a number: {text!r}") from error
    if number < 0:
        raise LandRecordError(f"{what} is negative: {text!r}")
    return number


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
    if not isinstance(raw, dict):
        raise LandRecordError("a record is a JSON object")
    record_id = str(raw.get("idnumber") or "").strip()
    if not re.fullmatch(r"\d{6}[0-9A-Z][0-9A-Z-]{3,33}", record_id):
        raise LandRecordError(f"missing or malformed 电子监管号 (idnumber): {record_id!r}")
    term = str(raw.get("duration") or "").strip()
    instalments = []
    plan = raw.get("paid_plan") or {}
    if not isinstance(plan, dict):
        raise LandRecordError("paid_plan must be an object")
    for key, value in sorted(plan.items(), key=lambda item: int(item[0]) if str(item[0]).isdigit() else 0):
        if not isinstance(value, list | tuple) or len(value) < 2:
            raise LandRecordError(f"paid_plan[{key}] must be [date, amount] (a note may follow)")
        instalments.append(
            Instalment(
                int(key) if str(key).isdigit() else 0, parse_cn_date(value[0]), parse_decimal(value[1], "instalment")
            )
        )
    return LandRecord(
        record_id=record_id,
        region_code=record_id[:6],
        district=str(raw.get("district") or "").strip(),
        project=str(raw.get("name") or "").strip()[:200],
        location=str(raw.get("location") or "").strip()[:300],
        area_ha=parse_decimal(raw.get("area"), "area"),
        land_source=str(raw.get("source") or "").strip(),
        use=str(raw.get("use") or "").strip(),
        supply=str(raw.get("supply") or "").strip(),
        term_years=int(term) if term.isdigit() else None,
        industry=str(raw.get("industry") or "").strip(),
        grade=str(raw.get("grade") or "").strip(),
        price_wan=parse_decimal(raw.get("price"), "price"),
        holder=str(raw.get("holder") or "").strip()[:200],
        plot_ratio_min=parse_decimal(raw.get("plot_ratio_minimum"), "plot ratio"),
        plot_ratio_max=parse_decimal(raw.get("plot_ratio_maximum"), "plot ratio"),
        handover_planned=parse_cn_date(raw.get("time4handover_plan")),
        commencement_planned=parse_cn_date(raw.get("time4commencement_plan")),
        completion_planned=parse_cn_date(raw.get("time4completion_plan")),
        commencement_actual=parse_cn_date(raw.get("time4commencement_reality")),
        completion_actual=parse_cn_date(raw.get("time4completion_reality")),
        approved_by=str(raw.get("approvedby") or "").strip()[:200],
        signed_on=parse_cn_date(raw.get("date4sign")),
        instalments=instalments,
        url=str(raw.get("url") or "")[:500],
    )


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
