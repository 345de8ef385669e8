"""Each land rule with a positive and a negative case built from real records; quartiles and fences."""

from datetime import date
from decimal import Decimal

import pytest

from monitoring.land.records import LandRecordError, parse_cn_date, parse_land_record, use_category
from monitoring.land.rules import (
    LateCommencement,
    LongPaymentPlan,
    LowFirstInstalment,
    NegotiatedSaleOfCommercialLand,
    PriceFarBelowPeers,
)
from monitoring.rules.base import Context
from monitoring.stats import quantile_r8, tukey_fences


def _run(rule, raw, peers=(), params=None):
    return rule.evaluate(
        parse_land_record(raw),
        Context(today=date(2026, 11, 23), peers=peers),
        {**rule.default_params, **(params or {})},
        rule.default_severity,
    )


def test_r8_quartiles_and_degenerate_fences():
    assert quantile_r8([1, 2, 3, 4], 0.25) == pytest.approx(1.41666667)
    assert quantile_r8([1, 2, 3, 4], 0.5) == pytest.approx(2.5)
    assert quantile_r8([7], 0.75) == 7
    assert tukey_fences([5.0] * 20) is None  # IQR 0: no fence rather than flagging everything
    assert tukey_fences([1.0, 2.0, 3.0]) is None  # too few
    fences = tukey_fences([float(v) for v in range(1, 21)])
    assert fences.lower < 1 < 20 < fences.upper


def test_parsing_real_shapes():
    assert parse_cn_date("2018年12月31日") == date(2018, 12, 31)
    assert parse_cn_date(" ") is None
    with pytest.raises(LandRecordError):
        parse_cn_date("明年春天")
    with pytest.raises(LandRecordError, match="idnumber"):
        parse_land_record({"idnumber": ""})
    with pytest.raises(LandRecordError, match="price"):
        parse_land_record({"idnumber": "1306262018B00730", "price": "一万"})
    assert use_category("其他普通商品住房用地") == "residential"
    assert use_category("经济适用住房用地") is None
    assert use_category("0601") == "industrial"
    assert use_category("公共设施用地") is None


def test_L001_agreement_sale_of_housing_land(record):
    assert _run(NegotiatedSaleOfCommercialLand(), record) is None  # 挂牌出让: fine
    record["supply"] = "协议出让"
    finding = _run(NegotiatedSaleOfCommercialLand(), record)
    assert finding.severity == "red" and finding.evidence["category"] == "residential"
    record["use"] = "经济适用住房用地"
    assert _run(NegotiatedSaleOfCommercialLand(), record) is None  # affordable housing may be allocated


def test_L002_price_far_below_peers(record):
    # 10484 万元 over 5.292804 ha ≈ 1981 元/m²
    peers = [1800.0, 1900.0, 2000.0, 2100.0, 2200.0, 2300.0, 2400.0, 2500.0, 2600.0]
    assert _run(PriceFarBelowPeers(), record, peers) is None
    record["price"] = "500"
    finding = _run(PriceFarBelowPeers(), record, peers)
    assert finding.evidence["unit_price_yuan_m2"] == pytest.approx(94.47, abs=0.01)
    assert finding.evidence["fence"]["n"] == 9 and finding.evidence["fence"]["lower_yuan_m2"] > 94.47
    assert _run(PriceFarBelowPeers(), record, peers[:5]) is None  # too few peers: no judgement


def test_L003_payment_spread_over_more_than_a_year(record):
    assert _run(LongPaymentPlan(), record) is None
    record["paid_plan"] = {"1": ["2019年01月30日", "5000"], "2": ["2020年06月30日", "5484"]}
    assert _run(LongPaymentPlan(), record).evidence["days"] == 547


def test_L004_first_instalment_below_half(record):
    record["paid_plan"] = {"1": ["2019年01月30日", "6000"], "2": ["2019年06月30日", "4484"]}
    assert _run(LowFirstInstalment(), record) is None
    record["paid_plan"] = {"1": ["2019年01月30日", "3000"], "2": ["2019年06月30日", "7484"]}
    assert _run(LowFirstInstalment(), record).evidence["share"] == pytest.approx(0.2862, abs=1e-4)


def test_L005_late_commencement_is_judged_only_on_a_reported_date(record):
    assert _run(LateCommencement(), record) is None  # empty actual date: unknown, not idle
    record["time4commencement_reality"] = "2020年06月01日"  # planned 2019-12-21
    assert _run(LateCommencement(), record) is None
    record["time4commencement_reality"] = "2021年03月01日"
    assert _run(LateCommencement(), record).severity == "yellow"
    record["time4commencement_reality"] = "2022年03月01日"
    assert _run(LateCommencement(), record).severity == "red"


def test_amounts_are_decimals(record):
    parsed = parse_land_record(record)
    assert parsed.price_wan == Decimal("10484.0000") and parsed.area_ha == Decimal("5.292804")
    assert parsed.unit_price_yuan_m2 == pytest.approx(1980.8, abs=0.1)
