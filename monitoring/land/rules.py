"""Land-transfer rules (DOMAIN §3), over `monitoring.land.records.LandRecord`. Pure."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext_lazy as _

from monitoring.land.records import LandRecord, use_category
from monitoring.rules.base import Context, Finding, Rule
from monitoring.stats import log_fence_evidence, tukey_fences

PROTECTED_SUPPLY = ("协议出让", "划拨")


class NegotiatedSaleOfCommercialLand(Rule):
    code = "L001"
    domain = "land"
    title = _("Commercial land supplied by agreement or allocation")
    description = _(
        "Industrial, commercial, tourism, entertainment and commodity-housing land must be sold by tender, "
        "auction or listing; this parcel was supplied by agreement (协议出让) or allocation (划拨)."
    )
    basis = "招标拍卖挂牌出让国有建设用地使用权规定（国土资源部令第39号）第四条"
    default_severity = "red"

    def evaluate(self, record: LandRecord, context: Context, params: dict[str, Any], severity: str) -> Finding | None:
        category = use_category(record.use)
        if record.supply not in PROTECTED_SUPPLY or category is None:
            return None
        return self.finding(
            severity, {"supply": record.supply, "use": record.use, "category": category, "basis": self.basis}
        )


class PriceFarBelowPeers(Rule):
    code = "L002"
    domain = "land"
    title = _("Price far below comparable parcels")
    description = _(
        "Price per m² far below that of parcels of the same use sold by tender, auction or listing: below the "
        "first quartile minus k times the interquartile range, on the logarithm of prices (which spread by ratios)."
    )
    default_severity = "yellow"
    default_params = {"k": 1.5, "min_peers": 8}
    needs_peers = True

    def evaluate(self, record: LandRecord, context: Context, params: dict[str, Any], severity: str) -> Finding | None:
        price = record.unit_price_yuan_m2
        if price is None or price <= 0:
            return None
        logs = [math.log(peer) for peer in context.peers if peer > 0]
        fences = tukey_fences(logs, k=params["k"], min_n=params["min_peers"])
        if fences is None or math.log(price) >= fences.lower:
            return None
        return self.finding(
            severity,
            {
                "unit_price_yuan_m2": round(price, 2),
                "fence": log_fence_evidence(fences, unit="yuan_m2", scale="log", k=params["k"]),
                "population": {"scope": context.peer_scope, "n": fences.n},
            },
        )


class LongPaymentPlan(Rule):
    code = "L003"
    domain = "land"
    title = _("Payment spread over more than a year")
    description = _("The last instalment of the price falls due more than the allowed time after the contract.")
    basis = "国有建设用地使用权出让合同示范文本；财政部、国土资源部关于价款缴纳的规定（以核实为准）"
    default_severity = "blue"
    default_params = {"max_days": 365}

    def evaluate(self, record: LandRecord, context: Context, params: dict[str, Any], severity: str) -> Finding | None:
        dues = [i.due for i in record.instalments if i.due]
        if not record.signed_on or not dues:
            return None
        span = (max(dues) - record.signed_on).days
        if span <= params["max_days"]:
            return None
        return self.finding(
            severity,
            {
                "signed_on": record.signed_on.isoformat(),
                "last_due": max(dues).isoformat(),
                "days": span,
                "threshold_days": params["max_days"],
            },
        )


class LowFirstInstalment(Rule):
    code = "L004"
    domain = "land"
    title = _("First instalment below half the price")
    description = _("With payment by instalments, the first instalment is less than the required share of the price.")
    default_severity = "blue"
    default_params = {"min_share": 0.5}

    def evaluate(self, record: LandRecord, context: Context, params: dict[str, Any], severity: str) -> Finding | None:
        if len(record.instalments) < 2 or not record.price_wan:
            return None
        first = record.instalments[0].amount_wan
        if first is None:
            return None
        share = float(first / record.price_wan)
        if share >= params["min_share"]:
            return None
        return self.finding(
            severity,
            {
                "first_instalment_wan": str(first),
                "price_wan": str(record.price_wan),
                "share": round(share, 4),
                "threshold": params["min_share"],
            },
        )


class LateCommencement(Rule):
    code = "L005"
    domain = "land"
    title = _("Construction started more than a year late")
    description = _(
        "Commencement more than a year after the agreed date makes the land idle: a fee of 20 % after one year, recovery after two."
    )
    basis = "闲置土地处置办法（国土资源部令第53号）第二条、第十四条"
    default_severity = "yellow"
    default_params = {"idle_days": 365, "recovery_days": 730}

    def evaluate(self, record: LandRecord, context: Context, params: dict[str, Any], severity: str) -> Finding | None:
        # Only a reported commencement date counts: an empty one means "not reported", not "not started".
        if not record.commencement_planned or not record.commencement_actual:
            return None
        late = (record.commencement_actual - record.commencement_planned).days
        if late <= params["idle_days"]:
            return None
        level = "red" if late > params["recovery_days"] else severity
        return self.finding(
            level,
            {
                "planned": record.commencement_planned.isoformat(),
                "actual": record.commencement_actual.isoformat(),
                "days_late": late,
                "threshold_days": params["idle_days"],
                "recovery_after_days": params["recovery_days"],
                "idle_fee_due": late > params["idle_days"],
                "basis": self.basis,
            },
        )


LAND_RULES: list[Rule] = [
    NegotiatedSaleOfCommercialLand(),
    PriceFarBelowPeers(),
    LongPaymentPlan(),
    LowFirstInstalment(),
    LateCommencement(),
]
