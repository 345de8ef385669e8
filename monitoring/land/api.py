"""The land domain's ingest endpoint: POST /api/monitoring/land, 供地结果 records upserted by 电子监管号."""

from __future__ import annotations

from django.db import models
from ninja import Router, Schema, Status

from core.api_schemas import BAD_REQUEST, SIGNIFICANT_DIGITS, UNAUTHORIZED, constraints
from monitoring.api import IngestErrors, SourceToken, body_of, ingest_request, one_or_many
from monitoring.land.adapter import LandAdapter
from monitoring.land.models import LandTransfer
from monitoring.limits import DATE_RANGE
from monitoring.models import Domain, Entity

router = Router(tags=["monitoring"])


class IngestResult(Schema):
    record_id: str
    created: bool
    alerts: list[str]


class IngestResponse(Schema):
    results: list[IngestResult]
    errors: dict[str, list[str]]


# --- the documented shape of a 供地结果 record -------------------------------------------------------
# Built from the columns the values are stored in, so the schema states the limits the ingest checks.


def _text(model: type[models.Model], column: str, description: str) -> dict:
    field = model._meta.get_field(column)
    return {"type": "string", "maxLength": field.max_length, "description": description}


def _decimal(column: str, description: str) -> dict:
    limits = constraints(LandTransfer._meta.get_field(column))
    whole = limits["max_digits"] - limits["decimal_places"]
    return {
        "description": (
            f"{description}; at most {whole} digits before the point and {limits['decimal_places']} after, "
            f"{SIGNIFICANT_DIGITS} in all"
        ),
        "anyOf": [
            {"type": "number", "minimum": 0, "exclusiveMaximum": int(limits["lt"])},
            {"type": "string", "pattern": rf"^[0-9]{{0,{whole}}}(\.[0-9]{{0,{limits['decimal_places']}}})?$"},
        ],
    }


def _ratio(description: str) -> dict:
    return {
        "description": description,
        "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": r"^[0-9]{0,6}(\.[0-9]{0,6})?$"}],
    }


_DATE = {
    "type": "string",
    "maxLength": 40,
    "description": f"'2018年12月31日' or '2018-12-31', {DATE_RANGE}; empty if none",
}


def land_record_schema() -> dict:
    term = constraints(LandTransfer._meta.get_field("term_years"))
    return {
        "type": "object",
        "title": "LandRecord",
        "description": "A 供地结果 record as published on landchina.com; other keys are kept as received.",
        "required": ["idnumber"],
        "properties": {
            "idnumber": {
                "type": "string",
                "pattern": r"^[0-9]{6}[0-9A-Z][0-9A-Z-]{3,33}$",
                "description": "电子监管号: six-digit region code, then the number",
            },
            "district": _text(LandTransfer, "district", "行政区"),
            "name": _text(LandTransfer, "project", "项目名称"),
            "location": _text(LandTransfer, "location", "项目位置"),
            "area": _decimal("area_ha", "面积 in hectares"),
            "source": _text(LandTransfer, "land_source", "土地来源"),
            "use": _text(LandTransfer, "use", "土地用途"),
            "supply": _text(LandTransfer, "supply", "供地方式, e.g. 挂牌出让"),
            "duration": {
                "description": "土地使用年限 in years (text other than digits is ignored)",
                "anyOf": [
                    {"type": "integer", "minimum": 0, "maximum": term["le"]},
                    {"type": "string", "maxLength": 40},
                ],
            },
            "industry": _text(LandTransfer, "industry", "行业分类"),
            "grade": _text(LandTransfer, "grade", "土地级别"),
            "price": _decimal("price_wan", "成交价格 in 万元"),
            "holder": _text(Entity, "name", "土地使用权人"),
            "plot_ratio_minimum": _ratio("约定容积率下限"),
            "plot_ratio_maximum": _ratio("约定容积率上限"),
            "time4handover_plan": _DATE,
            "time4commencement_plan": _DATE,
            "time4completion_plan": _DATE,
            "time4commencement_reality": _DATE,
            "time4completion_reality": _DATE,
            "approvedby": _text(LandTransfer, "approved_by", "批准单位"),
            "date4sign": _DATE,
            "paid_plan": {
                "type": "object",
                "description": "分期支付约定: instalment number → [due date, amount in 万元, note…]",
                "additionalProperties": {
                    "type": "array",
                    "minItems": 2,
                    "prefixItems": [_DATE, _ratio("amount in 万元")],
                },
            },
            "url": {"type": "string", "description": "the page the record was read from"},
        },
    }


@router.post(
    "",
    auth=SourceToken(),
    response={200: IngestResponse, **BAD_REQUEST, **UNAUTHORIZED, 403: IngestErrors},
    summary="Ingest 供地结果 land-transfer records (one object or a list); upserted by idnumber",
    description=(
        "Each record is checked on its own: a record that cannot be read or does not fit is reported under "
        '`errors["[index].key"]` (index 0 for one object), naming its key, and the others are stored. '
        "A 400 when no record is stored."
    ),
    openapi_extra=body_of(land_record_schema(), "record"),
)
def ingest_land_records(request):
    report = ingest_request(request, domain=Domain.LAND, adapter=LandAdapter, records_of=one_or_many("record"))
    if isinstance(report, Status):
        return report
    results = [
        {"record_id": s.key, "created": s.created, "alerts": [str(alert.public_id) for alert in s.alerts]}
        for s in report.stored
    ]
    return {"results": results, "errors": report.errors}
